public import CDRAuth
public import CDRClient
public import CDRJOSE
public import CDRMockData
public import CDRMockHolder
public import CDRTransport
import Foundation

extension MockWorld {
    /// How ``withMockDataHolder(_:_:)`` builds the world: which holder, which data, which customer and consent.
    ///
    /// Every value has a default that suits a test: an in-process holder with two customers of three accounts of
    /// 120 transactions, `customer-1` consenting to every account for accounts and transactions for 90 days.
    ///
    /// ```swift
    /// var options = MockWorld.Options()
    /// options.accountsPerCustomer = 5
    /// options.consentedAccounts = 2          // the first two of customer-1's accounts
    /// options.faults = { $0.inject(.serverError(status: 503, retryAfter: nil)) }
    /// ```
    public struct Options: Sendable {
        /// Where the mock data holder runs.
        public enum Holder: Sendable {
            /// A new ``/CDRMockHolder/MockDataHolder`` in this process, started for the world and stopped after
            /// it, set up with ``Options/holderConfiguration``.
            case inProcess
            /// A ``/CDRMockHolder/MockDataHolder`` the caller created (with its own certificates, say), started for
            /// the world and stopped after it. ``Options/holderConfiguration`` is ignored.
            case holder(MockDataHolder)
            /// A `cdr-mock-holder` already running in another process, given its public base URL and the files
            /// `cdr-mock-holder --output DIR` wrote (`ca.pem` and `identity.pem`).
            ///
            /// The holder is driven through its administration routes
            /// (``/CDRMockHolder/MockHolderAdministrationClient``): ``MockWorld/holder`` throws, ``Options/faults``
            /// is refused, and the Register's holder brand is found by its issuer.
            case remote(publicBaseURL: URL, connectionFiles: URL)
            /// A `cdr-mock-holder` started from `executable` for the world (with the data set sizes and the state
            /// directory, as `--state`, of ``Options/holderConfiguration``, and `--output` to a temporary folder) and
            /// stopped with `SIGTERM` after it; otherwise as ``remote(publicBaseURL:connectionFiles:)``.
            case executable(URL)
        }

        /// Where the holder runs; in this process by default.
        public var holder: Holder
        /// The in-process holder's set-up (data set, brand, token lifetimes, clock). For
        /// ``Holder/executable(_:)`` only the data set's seed and sizes are used.
        public var holderConfiguration: MockDataHolder.Configuration
        /// The customer who consents (a login of the mock data set, `customer-1` to `customer-N`).
        public var customer: String
        /// How many of the customer's accounts the consent shares, the first ones in the holder's order; all of
        /// them when `nil`.
        public var consentedAccounts: Int?
        /// The consent to give while the world is built; `nil` to build the world without an arrangement (then
        /// ``MockWorld/arrangement`` throws, and a test calls ``MockWorld/consent(_:customer:accounts:at:)`` itself).
        public var consent: AuthorizationRequest?
        /// Faults to switch on once the world is built, just before the body runs (in-process holders only).
        public var faults: (@Sendable (MockFaults) -> Void)?
        /// The software product's id at the mock Register; its brand is `brand-<id>`.
        public var productID: String
        /// The algorithm of the software product's signing key: ES256 by default, whose key is quick to generate
        /// (an RSA key for PS256 takes a noticeable time in a debug build, and many tests start worlds at once).
        public var signing: JWSAlgorithm
        /// The recipient's base URI the Register lists for the product (for holder-initiated revocation).
        public var recipientBaseURI: String?
        /// The retry policy of the client's standard chain; short back-off by default, so tests stay fast.
        public var retry: RetryMiddleware.Policy
        /// How long one request may take.
        public var requestTimeout: Duration
        /// Where the client keeps everything (registrations, arrangements, pending consents, the audit trail); a new
        /// in-memory store by default. Give an SQLite store (and the same one to a second world) to test restarts.
        public var store: RecipientStore
        /// Where the client keeps token sets instead of ``store``, or `nil` for the store.
        public var tokenStore: (any TokenStore)?
        /// Where the client keeps account data; `nil` keeps none.
        public var recordStore: (any RecordStore)?

        /// Creates options; see the properties for what each one means.
        /// - Parameters:
        ///   - holder: Where the holder runs.
        ///   - holderConfiguration: The holder's set-up; a small data set by default.
        ///   - customer: The consenting customer.
        ///   - consentedAccounts: How many accounts are shared; all when `nil`.
        ///   - consent: The consent given while the world is built, or `nil` for none.
        ///   - faults: Faults switched on before the body runs.
        ///   - productID: The software product's id.
        ///   - signing: The product key's algorithm.
        ///   - recipientBaseURI: The recipient's base URI at the Register.
        ///   - retry: The client's retry policy.
        ///   - requestTimeout: The per-request timeout.
        ///   - store: The client's store; a new in-memory one by default.
        ///   - tokenStore: Another token store than `store`, or `nil`.
        ///   - recordStore: The client's record store; none by default.
        public init(
            holder: Holder = .inProcess,
            holderConfiguration: MockDataHolder.Configuration = .init(
                dataset: .init(customerCount: 2, accountsPerCustomer: 3, transactionsPerAccount: 120)),
            customer: String = "customer-1", consentedAccounts: Int? = nil,
            consent: AuthorizationRequest? = Options.standardConsent,
            faults: (@Sendable (MockFaults) -> Void)? = nil, productID: String = "sp-test",
            signing: JWSAlgorithm = .es256, recipientBaseURI: String? = nil,
            retry: RetryMiddleware.Policy = .init(initialBackoff: .milliseconds(10)),
            requestTimeout: Duration = .seconds(30), store: RecipientStore = .ephemeral(),
            tokenStore: (any TokenStore)? = nil, recordStore: (any RecordStore)? = nil
        ) {
            self.holder = holder
            self.holderConfiguration = holderConfiguration
            self.customer = customer
            self.consentedAccounts = consentedAccounts
            self.consent = consent
            self.faults = faults
            self.productID = productID
            self.signing = signing
            self.recipientBaseURI = recipientBaseURI
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.store = store
            self.tokenStore = tokenStore
            self.recordStore = recordStore
        }

        /// Accounts and transactions (basic) for 90 days.
        public static let standardConsent = AuthorizationRequest(
            scopes: [.bankAccountsBasic, .bankTransactions], sharingDuration: .days(90))

        /// The number of customers in the holder's data set.
        public var customers: Int {
            get { holderConfiguration.dataset.customerCount }
            set { holderConfiguration.dataset.customerCount = newValue }
        }

        /// The number of accounts of each customer.
        public var accountsPerCustomer: Int {
            get { holderConfiguration.dataset.accountsPerCustomer }
            set { holderConfiguration.dataset.accountsPerCustomer = newValue }
        }

        /// The number of transactions of each account.
        public var transactionsPerAccount: Int {
            get { holderConfiguration.dataset.transactionsPerAccount }
            set { holderConfiguration.dataset.transactionsPerAccount = newValue }
        }
    }
}
