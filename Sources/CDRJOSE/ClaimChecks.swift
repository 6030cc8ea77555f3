package import Foundation

/// Shared claim checks; each failure has its own ``JOSEError/Code``. The SDK's validators and the mock holder's
/// request checks both use them (`package` access), so the two sides read a claim the same way.
package enum ClaimChecks {
    package static func issuer(_ claims: JWTClaims, expected: String) throws {
        guard let issuer = claims.issuer else {
            throw JOSEError(.missingClaim, reason: claims["iss"] == nil ? "iss is missing" : "iss is not a string")
        }
        guard issuer == expected else { throw JOSEError(.issuerMismatch, reason: "iss is not the expected issuer") }
    }

    /// `aud` must be present and contain `expected` (string or array).
    package static func audience(_ claims: JWTClaims, expectedAnyOf expected: Set<String>) throws -> [String] {
        guard claims["aud"] != nil else { throw JOSEError(.missingClaim, reason: "aud is missing") }
        guard let audience = claims.audience, !audience.isEmpty else {
            throw JOSEError(.invalidClaim, reason: "aud is not a string or array of strings")
        }
        guard audience.contains(where: expected.contains) else {
            throw JOSEError(.audienceMismatch, reason: "aud does not contain the expected audience")
        }
        return audience
    }

    package static func expiration(_ claims: JWTClaims, now: Date, skew: TimeInterval) throws -> Date {
        guard let value = claims["exp"] else { throw JOSEError(.missingClaim, reason: "exp is missing") }
        guard let seconds = value.numberValue else { throw JOSEError(.invalidClaim, reason: "exp is not a number") }
        let exp = Date(timeIntervalSince1970: seconds)
        guard now.timeIntervalSince(exp) < skew else { throw JOSEError(.expired, reason: "token has expired") }
        return exp
    }

    package static func notBefore(_ claims: JWTClaims, now: Date, skew: TimeInterval) throws {
        guard let value = claims["nbf"] else { return }
        guard let seconds = value.numberValue else { throw JOSEError(.invalidClaim, reason: "nbf is not a number") }
        guard seconds - now.timeIntervalSince1970 <= skew else {
            throw JOSEError(.notYetValid, reason: "token is not valid yet")
        }
    }

    /// `iat`: optional unless `required`; never in the future beyond skew; not older than `maximumAge` if given.
    package static func issuedAt(
        _ claims: JWTClaims, now: Date, skew: TimeInterval, required: Bool, maximumAge: TimeInterval?
    )
        throws
    {
        guard let value = claims["iat"] else {
            if required { throw JOSEError(.missingClaim, reason: "iat is missing") }
            return
        }
        guard let seconds = value.numberValue else { throw JOSEError(.invalidClaim, reason: "iat is not a number") }
        let age = now.timeIntervalSince1970 - seconds
        guard age >= -skew else { throw JOSEError(.issuedInFuture, reason: "iat is in the future") }
        if let maximumAge, age > maximumAge + skew {
            throw JOSEError(.issuedTooLongAgo, reason: "iat is too old")
        }
    }

    package static func requiredString(_ claims: JWTClaims, _ name: String) throws -> String {
        guard let value = claims[name] else { throw JOSEError(.missingClaim, reason: "\(name) is missing") }
        guard let string = value.stringValue, !string.isEmpty else {
            throw JOSEError(.invalidClaim, reason: "\(name) is not a non-empty string")
        }
        return string
    }
}
