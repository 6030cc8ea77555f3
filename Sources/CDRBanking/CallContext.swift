import CDRModels
import CDRTransport
public import Foundation
public import HTTPTypes

/// Whether the customer is present for a call, and when they last authenticated with the recipient.
///
/// Every authenticated resource call carries `x-fapi-auth-date`, the time the customer last logged in to the
/// recipient. A call made while the customer is using the recipient's service (attended) also carries their IP
/// address (`x-fapi-customer-ip-address`) and their original request headers (`x-cds-client-headers`); the
/// presence of the IP address is what makes a call customer-present for the holder's traffic thresholds.
/// Unattended calls (a background sync) carry neither and fall under the unattended limits
/// (``UnattendedTrafficBudget``).
///
/// `description` shows neither the address nor the headers: both are personal data, and the client headers are
/// a secret in the SDK's logging rules.
public struct CallContext: Sendable, CustomStringConvertible, CustomReflectable {
    /// When the customer last authenticated with the recipient.
    public var authenticatedAt: Date
    /// The customer's IP address, when they are present.
    public var customerIPAddress: String?
    /// The customer's original HTTP headers (including `User-Agent`), base64-encoded as the standard sends them;
    /// when they are present.
    public var encodedClientHeaders: String?

    /// A background call: the customer is not present.
    /// - Parameter authenticatedAt: When the customer last authenticated with the recipient.
    public static func unattended(authenticatedAt: Date) -> CallContext {
        CallContext(authenticatedAt: authenticatedAt, customerIPAddress: nil, encodedClientHeaders: nil)
    }

    /// A call made while the customer is using the recipient's service.
    /// - Parameters:
    ///   - authenticatedAt: When the customer last authenticated with the recipient.
    ///   - customerIPAddress: The customer's IP address as the recipient saw it.
    ///   - clientHeaders: The headers of the customer's request to the recipient, including `User-Agent`. They
    ///     are sent as the standard asks: each as `name: value` on its own line, the whole base64-encoded.
    public static func attended(
        authenticatedAt: Date, customerIPAddress: String, clientHeaders: HTTPFields
    ) -> CallContext {
        var block = ""
        for field in clientHeaders { block += "\(field.name.rawName): \(field.value)\r\n" }
        return CallContext(
            authenticatedAt: authenticatedAt, customerIPAddress: customerIPAddress,
            encodedClientHeaders: Data(block.utf8).base64EncodedString())
    }

    /// Whether the customer is present (the call carries their IP address).
    public var isAttended: Bool { customerIPAddress != nil }

    /// `attended` or `unattended` and the authentication time; no address, no headers.
    public var description: String {
        "CallContext(\(isAttended ? "attended" : "unattended"), authenticated at \(HTTPDate.format(authenticatedAt)))"
    }

    /// Hides the address and headers from `dump` and debuggers.
    public var customMirror: Mirror {
        Mirror(self, children: ["attended": isAttended, "authenticatedAt": authenticatedAt], displayStyle: .struct)
    }

    /// The headers this context adds to an authenticated call.
    func apply(to fields: inout HTTPFields) {
        fields[.fapiAuthDate] = HTTPDate.format(authenticatedAt)
        if let customerIPAddress, let encodedClientHeaders {
            fields[.fapiCustomerIPAddress] = customerIPAddress
            fields[.cdsClientHeaders] = encodedClientHeaders
        }
    }
}
