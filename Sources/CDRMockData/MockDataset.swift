public import CDRModels
public import Foundation

/// Deterministic banking data for the mock data holder, generated lazily from a seed and sizes.
public struct MockDataset: Sendable {
    /// Sizes and seed.
    public struct Configuration: Sendable, Hashable {
        /// The seed.
        public var seed: UInt64
        /// Creates a configuration.
        public init(seed: UInt64 = 2026) { self.seed = seed }
    }
    /// The configuration.
    public let configuration: Configuration
    /// Creates a dataset.
    public init(configuration: Configuration = Configuration()) { self.configuration = configuration }

    // Stand-in members for the security profile; the real dataset replaces this file.

    /// The customers, in a stable order.
    public var customers: [MockCustomer] {
        (1...2).map { MockCustomer(id: "customer-\($0)", displayName: $0 == 1 ? "Jane Citizen" : "John Smith") }
    }

    /// The customer with this identifier, if any.
    /// - Parameter id: The customer's identifier.
    /// - Returns: The customer.
    public func customer(id: String) -> MockCustomer? { customers.first { $0.id == id } }

    /// The accounts a customer can share.
    /// - Parameter customer: The customer.
    /// - Returns: The accounts.
    public func accounts(of customer: MockCustomer) -> [MockAccount] {
        (1...3).map { index in
            MockAccount(
                id: "\(customer.id)-account-\(index)", displayName: "Account \(index)",
                maskedNumber: "xxxx-xxxx-000\(index)")
        }
    }
}

/// A customer of the mock holder.
public struct MockCustomer: Sendable, Hashable {
    /// The customer's identifier (what the consent page signs in with).
    public var id: String
    /// The name shown to the customer.
    public var displayName: String

    /// Creates a customer.
    public init(id: String, displayName: String) {
        self.id = id
        self.displayName = displayName
    }
}

/// An account a customer can share.
public struct MockAccount: Sendable, Hashable {
    /// The account's identifier.
    public var id: String
    /// The name shown to the customer.
    public var displayName: String
    /// The masked account number.
    public var maskedNumber: String

    /// Creates an account.
    public init(id: String, displayName: String, maskedNumber: String) {
        self.id = id
        self.displayName = displayName
        self.maskedNumber = maskedNumber
    }
}
