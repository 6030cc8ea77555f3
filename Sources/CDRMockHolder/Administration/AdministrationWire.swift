import CDRModels
import Foundation

/// The JSON bodies of the administration routes, shared by the routes and ``MockHolderAdministrationClient``.
enum AdministrationWire {
    /// The prefix of every administration route.
    static let prefix = "/mock-admin"

    /// A body that does not describe a valid value; `detail` says why (and never echoes the body).
    struct Invalid: Error {
        var detail: String
    }

    /// `PUT /mock-admin/outage`: `{"kind": "none" | "unavailable" | "partialFailure" | "scheduled", …}`.
    ///
    /// `partialFailure` needs `pathPrefixes` (each starting with `/`); `scheduled` needs `start` (seconds since
    /// 1970) and `durationSeconds`.
    struct Outage: Codable, Sendable {
        var kind: String
        var pathPrefixes: [String]?
        var start: Double?
        var durationSeconds: Double?

        init(_ outage: MockFaults.Outage?) {
            switch outage {
            case nil:
                kind = "none"
            case .unavailable:
                kind = "unavailable"
            case .partialFailure(let prefixes):
                kind = "partialFailure"
                pathPrefixes = prefixes
            case .scheduled(let start, let duration):
                kind = "scheduled"
                self.start = start.timeIntervalSince1970
                let parts = duration.components
                durationSeconds = Double(parts.seconds) + Double(parts.attoseconds) / 1e18
            }
        }

        /// The outage the body describes.
        func value() throws(Invalid) -> MockFaults.Outage? {
            switch kind {
            case "none":
                return nil
            case "unavailable":
                return .unavailable
            case "partialFailure":
                guard let pathPrefixes, pathPrefixes.count <= 100, pathPrefixes.allSatisfy({ $0.hasPrefix("/") })
                else { throw Invalid(detail: "partialFailure needs pathPrefixes, each starting with /") }
                return .partialFailure(pathPrefixes: pathPrefixes)
            case "scheduled":
                // Years 2000 to 9999, and at most ten years long: `Duration.seconds(_:)` traps on overflow.
                guard let start, start.isFinite, (946_684_800...253_402_300_799).contains(start),
                    let durationSeconds, durationSeconds.isFinite, (0...315_360_000).contains(durationSeconds)
                else {
                    throw Invalid(
                        detail: "scheduled needs start (seconds since 1970) and durationSeconds (0 to 10 years)")
                }
                return .scheduled(start: Date(timeIntervalSince1970: start), duration: .seconds(durationSeconds))
            default:
                throw Invalid(detail: "kind must be none, unavailable, partialFailure or scheduled")
            }
        }
    }

    /// `PUT /mock-admin/ddc/mfa`: `{"requirement": "none" | "oneTimeCode" | "securityQuestion"}`.
    struct MFA: Codable, Sendable {
        var requirement: String

        init(_ requirement: MockDDCProvider.MFARequirement) {
            switch requirement {
            case .none: self.requirement = "none"
            case .oneTimeCode: self.requirement = "oneTimeCode"
            case .securityQuestion: self.requirement = "securityQuestion"
            }
        }

        /// The requirement the body names.
        func value() throws(Invalid) -> MockDDCProvider.MFARequirement {
            switch requirement {
            case "none": return .none
            case "oneTimeCode": return .oneTimeCode
            case "securityQuestion": return .securityQuestion
            default: throw Invalid(detail: "requirement must be none, oneTimeCode or securityQuestion")
            }
        }
    }

    /// `PUT /mock-admin/quirks` and `GET /mock-admin/quirks`: `{"quirks": ["dateTimeInDateField", …]}`; an empty
    /// list clears them.
    struct Quirks: Codable, Sendable {
        var quirks: [String]

        init(_ quirks: Set<DataQuirk>) {
            self.quirks = quirks.map(\.rawValue).sorted()
        }

        /// The quirks the body names: each must be one the holder can inject.
        func value() throws(Invalid) -> Set<DataQuirk> {
            let injectable = MockFaults.injectableQuirks
            let named = quirks.map { DataQuirk(rawValue: $0) }
            guard quirks.count <= 100, named.allSatisfy(injectable.contains) else {
                let names = injectable.map(\.rawValue).joined(separator: ", ")
                throw Invalid(detail: "quirks must be a list of at most 100 of \(names)")
            }
            return Set(named)
        }
    }

    /// `GET /mock-admin/quirks/injected`: `{"injected": [{"operation", "path", "quirk", "interactionID"}, …]}`.
    struct InjectedQuirks: Codable, Sendable {
        var injected: [MockFaults.InjectedQuirk]
    }

    /// `GET /mock-admin/ddc/customers/{customerId}/password`.
    struct Password: Codable, Sendable {
        var customerID: String
        var password: String
    }

    /// `GET /mock-admin/ddc/connections/{connectionId}/one-time-code`.
    struct OneTimeCode: Codable, Sendable {
        var connectionID: String
        var oneTimeCode: String
    }

    /// `GET /mock-admin/ddc/customers/{customerId}/security-answer`.
    struct SecurityAnswer: Codable, Sendable {
        var customerID: String
        var answer: String
    }

    /// The CDS error list, as far as a client needs it for an error message.
    struct ErrorList: Decodable, Sendable {
        struct Entry: Decodable, Sendable {
            var code: String
            var detail: String?
        }
        var errors: [Entry]
    }

    /// The characters left as they are in a path segment: RFC 3986's unreserved set, ASCII only.
    static let unreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `value` percent-encoded for one path segment.
    static func pathSegment(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? value
    }
}
