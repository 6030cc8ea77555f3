public import CDRModels

/// Deterministic banking data for the mock data holder, generated lazily from a seed and sizes.
public struct MockDataset: Sendable {}
