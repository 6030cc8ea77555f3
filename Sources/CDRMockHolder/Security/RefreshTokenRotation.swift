import Synchronization

extension MockDataHolder {
    /// Whether the holder issues a new refresh token with every refresh, and when the one presented stops working.
    public struct RefreshTokenRotation: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable { case never, onIssue, onFirstUse }
        private let base: Base

        /// No rotation: the refresh token of the consent stays valid until the sharing period ends (the default).
        public static let never = Self(base: .never)
        /// Every refresh issues a new refresh token, and the one presented is revoked at once: a client that loses
        /// the response (a crash or a dropped connection after the holder answered) is left with a dead token.
        public static let onIssue = Self(base: .onIssue)
        /// Every refresh issues a new refresh token; the one presented keeps working until the new token set is
        /// first used (its refresh token presented, or its access token accepted at a resource), then it is revoked.
        public static let onFirstUse = Self(base: .onFirstUse)

        /// Whether a refresh issues a new refresh token.
        var rotates: Bool { base != .never }
        /// Whether the presented refresh token is revoked when the new one is issued.
        var revokesOnIssue: Bool { base == .onIssue }

        /// The setting's name.
        public var description: String { base.rawValue }
    }

    /// What the holder knows of a refresh token, for tests of a recipient's durability.
    package struct RefreshTokenState: Sendable, Hashable {
        /// Whether the token would be accepted now.
        package var isLive: Bool
        /// Whether a refresh with it issued a newer refresh token.
        package var wasRotated: Bool
        /// Whether the newest token issued from it has been used (presented, or its access token accepted).
        package var successorUsed: Bool
    }

    /// What the holder knows of a refresh token, or `nil` when it never issued it.
    /// - Parameter token: The refresh token (a secret; it is only hashed).
    /// - Returns: Its state.
    package func refreshTokenState(_ token: String) -> RefreshTokenState? {
        let now = self.now
        return state.storage.withLock { storage in
            guard let record = storage.refreshTokens[HolderState.key(of: token)] else { return nil }
            let live =
                !record.revoked && record.expiresAt > now
                && storage.arrangements[record.arrangementID]?.isActive(at: now) == true
            let successor = record.successor.flatMap { storage.refreshTokens[$0] }
            return RefreshTokenState(
                isLive: live, wasRotated: successor != nil, successorUsed: successor?.used ?? false)
        }
    }
}
