import CDRAuth
import CDRClient
import CDRTesting
import Foundation
import Testing

@Suite("A kept registration is reused, and updated when the product's redirect URIs change", .timeLimit(.minutes(5)))
struct RegistrationReuseTests {
    @Test("Same redirect URIs: reused as kept; changed ones: updated at the holder with the same client_id, and kept")
    func reuseAndUpdate() async throws {
        try await ClientHarness.run { harness in
            let world = harness.world
            let product = try await world.registerProduct(id: "sp-moving")
            let first = try await world.connect(product)
            let again = try await world.connect(product)
            #expect(again.registration.clientId == first.registration.clientId)
            #expect(again.registration.redirectUris == first.registration.redirectUris)

            var moved = product
            moved.redirectURIs = MockWorld.registeredRedirectURIs(of: "sp-moving")
            let updated = try await world.connect(moved)
            #expect(updated.registration.clientId == first.registration.clientId)
            #expect(Set(updated.registration.redirectUris) == Set(moved.redirectURIs))
            let kept = try await world.client.configuration.store.registration(
                holderBrandID: world.brand.id, softwareProductID: "sp-moving")
            #expect(kept.map { Set($0.registration.redirectUris) } == Set(moved.redirectURIs))
            // The updated registration still authorises.
            let arrangement = try await harness.consent(updated)
            #expect(try await updated.arrangement(id: arrangement.id)?.state.allowsDataAccess == true)
        }
    }
}
