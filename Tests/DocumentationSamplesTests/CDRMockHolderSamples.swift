// The Swift block(s) of the CDRMockHolder catalog (Sources/CDRMockHolder/Docs.docc/CDRMockHolder.md), between `// sample:` and `// end sample` markers
// (`Scripts/check-doc-samples.py` checks that they are the same). The functions' parameters are what a reader has.
// Imported for the wrappers' parameter types only: CDRTransport.
import CDRMockHolder
import CDRTransport
import Foundation

func mockHolderCatalogRunning() async throws {
    // sample: Sources/CDRMockHolder/Docs.docc/CDRMockHolder.md#1
    try await MockDataHolder.withRunning { holder in
        let endpoints = holder.endpoints!
        // Trust holder.pki.certificateAuthority, present holder.pki.client on the secure listener.
        print(endpoints.publicBaseURL, endpoints.secureBaseURL)
    }
    // end sample
}

func mockHolderCatalogControl(
    inProcess: Bool, holder: MockDataHolder, publicBaseURL: URL, transport: any HTTPTransport
) async throws {
    // sample: Sources/CDRMockHolder/Docs.docc/CDRMockHolder.md#2
    let control: any MockHolderControl =
        inProcess
        ? holder
        : MockHolderAdministrationClient(publicBaseURL: publicBaseURL, transport: transport)
    try await control.setOutage(.unavailable)
    let settings = try await control.ddcSettings()  // settings.apiKey is a secret: don't print it
    // end sample
    _ = settings
}
