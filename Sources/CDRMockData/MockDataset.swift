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
}
