import Testing
@testable import CDRMockHolder

@Suite struct MockDataHolderTests {}
