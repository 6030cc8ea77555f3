// The types the facade's API takes or returns, re-exported one by one so that `import CDRClient` is enough for the
// whole flow: configuration (the product's identity and signing key, the client certificate and trust roots, the
// Register, the token store, versions, retries, the logger), consent (the authorisation request and its scopes, the
// redirect, the arrangement), data (the account-data source, its records and their provenance, the CDR→DDC fallback
// and its decisions), Digital Data Capture (the provider, credentials, connections, jobs and challenges), the errors
// that pass through the facade, and the Foundation value types in its signatures. Only these declarations are
// re-exported, never a whole module: anything else (the banking operations, JOSE, the transport's middleware) takes
// its own import.

@_exported @_documentation(visibility: internal) import struct CDRAccountData.AccessMethod
@_exported @_documentation(visibility: internal) import struct CDRAccountData.Account
@_exported @_documentation(visibility: internal) import struct CDRAccountData.AccountCategory
@_exported @_documentation(visibility: internal) import struct CDRAccountData.AccountDataError
@_exported @_documentation(visibility: internal) import protocol CDRAccountData.AccountDataSource
@_exported @_documentation(visibility: internal) import struct CDRAccountData.AccountDataStream
@_exported @_documentation(visibility: internal) import class CDRAccountData.AccountIdentityRegistry
@_exported @_documentation(visibility: internal) import struct CDRAccountData.AccountKey
@_exported @_documentation(visibility: internal) import struct CDRAccountData.Balance
@_exported @_documentation(visibility: internal) import struct CDRAccountData.CDRAccountDataSource
@_exported @_documentation(visibility: internal) import struct CDRAccountData.DataSourceDescriptor
@_exported @_documentation(visibility: internal) import class CDRAccountData.FallbackAccountDataSource
@_exported @_documentation(visibility: internal) import struct CDRAccountData.FallbackPolicy
@_exported @_documentation(visibility: internal) import struct CDRAccountData.FallbackReason
@_exported @_documentation(visibility: internal) import struct CDRAccountData.Payee
@_exported @_documentation(visibility: internal) import struct CDRAccountData.Provenance
@_exported @_documentation(visibility: internal) import struct CDRAccountData.RegularPayment
@_exported @_documentation(visibility: internal) import struct CDRAccountData.SourceDecision
@_exported @_documentation(visibility: internal) import struct CDRAccountData.Transaction
@_exported @_documentation(visibility: internal) import struct CDRAuth.Arrangement
@_exported @_documentation(visibility: internal) import struct CDRAuth.ArrangementRevocation
@_exported @_documentation(visibility: internal) import protocol CDRAuth.ArrangementRevocationReceiver
@_exported @_documentation(visibility: internal) import enum CDRAuth.ArrangementState
@_exported @_documentation(visibility: internal) import struct CDRAuth.AuthorizationError
@_exported @_documentation(visibility: internal) import struct CDRAuth.AuthorizationRedirect
@_exported @_documentation(visibility: internal) import struct CDRAuth.AuthorizationRequest
@_exported @_documentation(visibility: internal) import struct CDRAuth.CDRScope
@_exported @_documentation(visibility: internal) import class CDRAuth.DataHolderConnection
@_exported @_documentation(visibility: internal) import class CDRAuth.InMemoryTokenStore
@_exported @_documentation(visibility: internal) import class CDRAuth.RegisterClient
@_exported @_documentation(visibility: internal) import struct CDRAuth.RevocationInitiator
@_exported @_documentation(visibility: internal) import struct CDRAuth.SoftwareProductIdentity
@_exported @_documentation(visibility: internal) import protocol CDRAuth.TokenStore
@_exported @_documentation(visibility: internal) import struct CDRBanking.BankingClient
@_exported @_documentation(visibility: internal) import struct CDRBanking.CallContext
@_exported @_documentation(visibility: internal) import struct CDRBanking.DataHolderError
@_exported @_documentation(visibility: internal) import class CDRBanking.UnattendedTrafficBudget
@_exported @_documentation(visibility: internal) import struct CDRBanking.VersionPreferences
@_exported @_documentation(visibility: internal) import struct CDRDDC.DDCChallenge
@_exported @_documentation(visibility: internal) import struct CDRDDC.DDCChallengeAnswer
@_exported @_documentation(visibility: internal) import struct CDRDDC.DDCClient
@_exported @_documentation(visibility: internal) import struct CDRDDC.DDCConnectionID
@_exported @_documentation(visibility: internal) import struct CDRDDC.DDCCredentials
@_exported @_documentation(visibility: internal) import struct CDRDDC.DDCError
@_exported @_documentation(visibility: internal) import struct CDRDDC.DDCJobID
@_exported @_documentation(visibility: internal) import struct CDRDDC.DDCProviderConfiguration
@_exported @_documentation(visibility: internal) import struct CDRJOSE.SigningKey
@_exported @_documentation(visibility: internal) import protocol CDRModels.CDRCategorizedError
@_exported @_documentation(visibility: internal) import struct CDRModels.CDRFailureCategory
@_exported @_documentation(visibility: internal) import struct CDRModels.RegisterDataHolderBrandV2
@_exported @_documentation(visibility: internal) import struct CDRModels.RegistrationProperties
@_exported @_documentation(visibility: internal) import struct CDRStore.AuditEntry
@_exported @_documentation(visibility: internal) import enum CDRStore.AuditEvent
@_exported @_documentation(visibility: internal) import struct CDRStore.CollectionSummary
@_exported @_documentation(visibility: internal) import struct CDRStore.DataDeletion
@_exported @_documentation(visibility: internal) import enum CDRStore.DataScope
@_exported @_documentation(visibility: internal) import struct CDRStore.DeletionEvidence
@_exported @_documentation(visibility: internal) import class CDRStore.EncryptedRecordStore
@_exported @_documentation(visibility: internal) import protocol CDRStore.KeyEncryptionKeyProvider
@_exported @_documentation(visibility: internal) import struct CDRStore.LocalKeyEncryptionKey
@_exported @_documentation(visibility: internal) import class CDRStore.RecipientStore
@_exported @_documentation(visibility: internal) import protocol CDRStore.RecordStore
@_exported @_documentation(visibility: internal) import class CDRStore.RecordWriter
@_exported @_documentation(visibility: internal) import struct CDRStore.StoreError
@_exported @_documentation(visibility: internal) import struct CDRStore.StoredArrangements
@_exported @_documentation(visibility: internal) import struct CDRStore.StoredDDCConnection
@_exported @_documentation(visibility: internal) import enum CDRStore.StoredRecord
@_exported @_documentation(visibility: internal) import struct CDRStore.StoredRegistration
@_exported @_documentation(visibility: internal) import struct CDRStore.SyncCheckpoint
@_exported @_documentation(visibility: internal) import struct CDRStore.WithdrawalChannel
@_exported @_documentation(visibility: internal) import class CDRStorePostgres.PostgresStoreBackend
@_exported @_documentation(visibility: internal) import struct CDRStorePostgres.PostgresURL
@_exported @_documentation(visibility: internal) import struct CDRTransport.ClientIdentity
@_exported @_documentation(visibility: internal) import protocol CDRTransport.HTTPTransport
@_exported @_documentation(visibility: internal) import struct CDRTransport.RetryMiddleware
@_exported @_documentation(visibility: internal) import struct CDRTransport.TransportError
@_exported @_documentation(visibility: internal) import struct CDRTransport.TrustRoots
@_exported @_documentation(visibility: internal) import class CDRTransportAsyncHTTPClient.AsyncHTTPClientTransport
@_exported @_documentation(visibility: internal) import struct Foundation.Date
@_exported @_documentation(visibility: internal) import struct Foundation.DateInterval
@_exported @_documentation(visibility: internal) import struct Foundation.Decimal
@_exported @_documentation(visibility: internal) import struct Foundation.URL
@_exported @_documentation(visibility: internal) import struct Logging.Logger
