public import Foundation

/// A revocation the endpoint has authenticated: the holder brand that sent it and the arrangement it names.
public struct ArrangementRevocation: Sendable, Hashable, CustomStringConvertible {
    /// The `cdr_arrangement_id` from the verified `cdr_arrangement_jwt`.
    public var arrangementID: String
    /// The data holder brand ID: the verified `iss` of the bearer JWT.
    public var holderBrandID: String
    /// When the endpoint accepted the request (the endpoint's clock).
    public var receivedAt: Date

    /// Creates a revocation.
    /// - Parameters:
    ///   - arrangementID: The arrangement.
    ///   - holderBrandID: The holder brand.
    ///   - receivedAt: When it arrived.
    public init(arrangementID: String, holderBrandID: String, receivedAt: Date) {
        self.arrangementID = arrangementID
        self.holderBrandID = holderBrandID
        self.receivedAt = receivedAt
    }

    /// The arrangement and the holder brand.
    public var description: String {
        "ArrangementRevocation(arrangement: \(arrangementID), holder brand: \(holderBrandID))"
    }
}

/// The recipient's store of arrangements, told when a data holder revokes one.
///
/// The endpoint calls it only after the holder is authenticated and the `cdr_arrangement_jwt` is verified.
///
/// ```swift
/// struct Arrangements: ArrangementRevocationReceiver {
///     let database: Database
///     func revokeArrangement(_ revocation: ArrangementRevocation) async throws -> Bool {
///         try await database.revoke(revocation.arrangementID, ifHeldWith: revocation.holderBrandID)
///     }
/// }
/// ```
public protocol ArrangementRevocationReceiver: Sendable {
    /// Revokes an arrangement the holder brand has withdrawn: stop collecting and using its data, delete its tokens.
    ///
    /// Return `false`, not an error, when the arrangement is unknown, was made with another holder brand, or is
    /// already revoked: the endpoint then answers `422` with `Authorisation/InvalidArrangement`, as the standard
    /// requires ("If the `cdr_arrangement_id` is not related to the client making the call it MUST be rejected").
    /// - Parameter revocation: The arrangement and the authenticated holder brand.
    /// - Returns: `true` when the arrangement was active with this holder brand and is now revoked.
    /// - Throws: Anything; the endpoint answers `500` with `GeneralError/Unexpected` and logs only the error's type.
    func revokeArrangement(_ revocation: ArrangementRevocation) async throws -> Bool
}
