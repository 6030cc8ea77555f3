import CDRJOSE
import Foundation

/// Checks the self-signed JWT claims a `cdr_arrangement_jwt` carries.
///
/// The standard: the JWT "SHOULD also include all parameters in accordance with Data Holders calling Data
/// Recipients using Self-Signed JWT Client Authentication", and "If the Self-Signed JWT claims are presented in the
/// 'CDR Arrangement JWT', Data Recipient Software Products SHALL validate" them. So each claim that is present is
/// checked as the bearer's would be, and none is required: a holder that sends only `cdr_arrangement_id` is still
/// authenticated by its bearer JWT, which must be signed by the same brand.
struct ArrangementJWTClaimChecks: Sendable {
    var brandID: String
    var audiences: Set<String>
    var clockSkew: Duration
    var maximumLifetime: Duration

    /// The replay-cache namespace of arrangement JWTs, apart from the brand's bearer tokens.
    var replayIssuer: String { brandID + "#cdr_arrangement_jwt" }

    func check(_ claims: JWTClaims, now: Date, replayCache: any ReplayStore) async throws {
        let skew = clockSkew.timeInterval
        if claims["iss"] != nil {
            guard claims.issuer == brandID else {
                throw JOSEError(.issuerMismatch, reason: "iss is not the authenticated holder brand")
            }
        }
        if claims["sub"] != nil {
            guard claims.subject == brandID else { throw JOSEError(.subjectMismatch, reason: "sub must equal iss") }
        }
        if claims["aud"] != nil {
            guard let audience = claims.audience, !audience.isEmpty else {
                throw JOSEError(.invalidClaim, reason: "aud is not a string or array of strings")
            }
            guard audience.contains(where: audiences.contains) else {
                throw JOSEError(.audienceMismatch, reason: "aud does not contain this endpoint")
            }
        }
        let issuedAt = try date(claims, "iat")
        if let issuedAt, issuedAt.timeIntervalSince(now) > skew {
            throw JOSEError(.issuedInFuture, reason: "iat is in the future")
        }
        if let notBefore = try date(claims, "nbf"), notBefore.timeIntervalSince(now) > skew {
            throw JOSEError(.notYetValid, reason: "token is not valid yet")
        }
        let expiresAt = try date(claims, "exp")
        if let expiresAt {
            guard now.timeIntervalSince(expiresAt) < skew else {
                throw JOSEError(.expired, reason: "token has expired")
            }
            guard expiresAt.timeIntervalSince(issuedAt ?? now) <= maximumLifetime.timeInterval + skew else {
                throw JOSEError(.lifetimeTooLong, reason: "token lifetime is too long")
            }
        }
        if let value = claims["jti"] {
            guard let jti = value.stringValue, !jti.isEmpty else {
                throw JOSEError(.invalidClaim, reason: "jti is not a non-empty string")
            }
            // Without exp, remember the jti for as long as any token could live.
            let keepUntil = (expiresAt ?? now.addingTimeInterval(maximumLifetime.timeInterval)).addingTimeInterval(skew)
            try await replayCache.record(jti: jti, issuer: replayIssuer, expiresAt: keepUntil, now: now)
        }
    }

    private func date(_ claims: JWTClaims, _ name: String) throws -> Date? {
        guard let value = claims[name] else { return nil }
        guard let seconds = value.numberValue else { throw JOSEError(.invalidClaim, reason: "\(name) is not a number") }
        return Date(timeIntervalSince1970: seconds)
    }
}
