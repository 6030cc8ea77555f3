import Testing
@testable import CDRMockData

@Suite struct MockDatasetTests {}
