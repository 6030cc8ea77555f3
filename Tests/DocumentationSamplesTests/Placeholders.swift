// What the documents' blocks assume a reader already has (their database, the customer's session). No sample lives
// in this file, so its imports are its own.
import CDRClient

/// The recipient's own database, as the Getting started article calls it.
struct ExampleDatabase: Sendable {
    func registration(forHolderBrand brandID: String) async throws -> RegistrationProperties? { nil }
    func save(_ registration: RegistrationProperties, forHolderBrand brandID: String) async throws {}
}

/// The customer's web session, as the Getting started article calls it.
final class ExampleSession {
    var cdrState = ""
}
