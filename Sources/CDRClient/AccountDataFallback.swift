public import CDRAccountData
public import CDRAuth
public import CDRBanking
public import CDRDDC

/// Where a ``HolderClient``'s account data comes from when CDR cannot serve it.
///
/// Pass one to ``HolderClient/accountData(for:fallback:policy:context:options:onDecision:)``:
///
/// ```swift
/// let data = await bank.accountData(for: arrangement, fallback: .ddc(ddc, connection: connection, job: job))
/// ```
public struct AccountDataFallback: Sendable {
    enum Source: Sendable {
        case ddc(client: DDCClient, connection: DDCConnectionID?, job: DDCJobID?, batchSize: Int)
    }

    let source: Source

    /// Digital Data Capture through a provider's connection for the same customer.
    /// - Parameters:
    ///   - client: The provider's client, from ``CDRClient/ddc(_:)``.
    ///   - connection: The customer's connection at the provider, or `nil` when they have none (DDC then
    ///     answers every call with ``/CDRAccountData/AccountDataError/Code/missingConnection``).
    ///   - job: The capture job whose data is read.
    ///   - batchSize: How many transactions the DDC source hands on at a time.
    /// - Returns: The fallback.
    public static func ddc(
        _ client: DDCClient, connection: DDCConnectionID?, job: DDCJobID?, batchSize: Int = 500
    ) -> AccountDataFallback {
        AccountDataFallback(source: .ddc(client: client, connection: connection, job: job, batchSize: batchSize))
    }
}

extension HolderClient {
    /// The arrangement's data, with a fallback for when CDR cannot serve it: one
    /// ``/CDRAccountData/AccountDataSource`` that asks the sources in the policy's order.
    ///
    /// Both sources share the arrangement's identity registry (``registry(for:)``), so an account keeps the same
    /// `AccountKey` whichever source serves it, and every record says by its provenance which one did. With
    /// `.preferCDR`, DDC serves when the holder is unreachable or in an outage, the arrangement is missing or ended,
    /// the account is not shared under CDR, or the call fails; a transaction walk falls back only before its first
    /// page. Decisions are logged at info level on the client's logger.
    /// - Parameters:
    ///   - arrangement: The arrangement.
    ///   - fallback: The other source, such as ``AccountDataFallback/ddc(_:connection:job:batchSize:)``.
    ///   - policy: Which sources, in which order, and when to fall back; CDR first by default.
    ///   - context: Attended or unattended CDR calls; unattended since the arrangement's authorisation by default.
    ///   - options: The CDR source's options.
    ///   - onDecision: Called with every decision (for metrics or an audit trail).
    /// - Returns: The source; its `lastDecision` says which source served the latest request and why.
    public func accountData(
        for arrangement: Arrangement, fallback: AccountDataFallback, policy: FallbackPolicy = .preferCDR,
        context: CallContext? = nil, options: CDRAccountDataSource.Options = .init(),
        onDecision: (@Sendable (SourceDecision) -> Void)? = nil
    ) async -> FallbackAccountDataSource {
        let registry = keptRegistry(for: arrangement.id)
        let cdr = await accountData(for: arrangement, context: context, registry: registry, options: options)
        let other: any AccountDataSource
        switch fallback.source {
        case .ddc(let client, let connection, let job, let batchSize):
            other = DDCAccountDataSource(
                client: client, connection: connection, job: job, registry: registry, batchSize: batchSize)
        }
        return FallbackAccountDataSource(
            cdr: cdr, ddc: other, policy: policy, onDecision: onDecision, logger: client.logger)
    }
}
