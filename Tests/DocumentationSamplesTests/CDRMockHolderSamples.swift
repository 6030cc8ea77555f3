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

func mockHolderCatalogRestarting() async throws {
    // sample: Sources/CDRMockHolder/Docs.docc/CDRMockHolder.md#2
    let configuration = MockDataHolder.Configuration(stateDirectory: URL(fileURLWithPath: "/tmp/my-app-holder"))
    try await MockDataHolder.withRunning(configuration) { holder in
        // same holder.endpoints and holder.pki as the last run on this directory
    }
    // end sample
}

func mockHolderCatalogControl(
    inProcess: Bool, holder: MockDataHolder, publicBaseURL: URL, transport: any HTTPTransport
) async throws {
    // sample: Sources/CDRMockHolder/Docs.docc/CDRMockHolder.md#3
    let control: any MockHolderControl =
        inProcess
        ? holder
        : MockHolderAdministrationClient(publicBaseURL: publicBaseURL, transport: transport)
    try await control.setOutage(.unavailable)
    let settings = try await control.ddcSettings()  // settings.apiKey is a secret: don't print it
    // end sample
    _ = settings
}
