// What a test written with CDRTesting needs from the layers below, re-exported type by type so that
// `import CDRTesting` is enough to start a mock world, change its holder and read its data set.

@_exported public import struct CDRMockData.MockAccount
@_exported public import struct CDRMockData.MockCustomer
@_exported public import struct CDRMockData.MockDataset
@_exported public import class CDRMockHolder.MockDDCProvider
@_exported public import class CDRMockHolder.MockDataHolder
@_exported public import class CDRMockHolder.MockFaults
@_exported public import struct CDRMockHolder.MockGrant
@_exported public import struct CDRMockHolder.MockHolderAdministrationClient
@_exported public import protocol CDRMockHolder.MockHolderControl
@_exported public import struct CDRMockHolder.MockHolderError
@_exported public import class CDRMockHolder.MockRegister
@_exported public import struct CDRTestPKI.TestPKI
