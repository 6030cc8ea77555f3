/// A mock CDR data holder served over real TLS and mutual TLS.
public final class MockDataHolder: Sendable {}
