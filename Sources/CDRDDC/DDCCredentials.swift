import Synchronization

/// A customer's online-banking username and password, handed straight to the DDC provider.
///
/// The value is single use: ``DDCClient/createConnection(institutionID:credentials:logger:)`` takes the secret out
/// and forgets it, and every copy of the value then holds nothing (a second use throws
/// ``DDCError/Code/credentialsAlreadyUsed``). It is not `Codable`, and ``description``, ``debugDescription`` and
/// ``customMirror`` show neither the username nor the password, so it cannot reach a log, a store or an error by
/// accident.
///
/// ```swift
/// let credentials = DDCCredentials(username: form.username, password: form.password)
/// let connection = try await client.createConnection(institutionID: bank.id, credentials: credentials)
/// ```
public struct DDCCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private final class Box: Sendable {
        let secret: Mutex<(username: String, password: String)?>
        init(_ username: String, _ password: String) { secret = Mutex((username, password)) }
    }

    private let box: Box

    /// Creates credentials.
    /// - Parameters:
    ///   - username: The customer's login at the institution.
    ///   - password: The customer's password at the institution.
    public init(username: String, password: String) {
        box = Box(username, password)
    }

    /// Whether the secret has already been handed over (and so is gone).
    public var isConsumed: Bool { box.secret.withLock { $0 == nil } }

    /// Takes the username and password out, leaving nothing behind; `nil` when already taken.
    func take() -> (username: String, password: String)? {
        box.secret.withLock { secret in
            defer { secret = nil }
            return secret
        }
    }

    /// `DDCCredentials(<redacted>)`.
    public var description: String { "DDCCredentials(<redacted>)" }
    /// `DDCCredentials(<redacted>)`.
    public var debugDescription: String { description }
    /// A mirror without children, so that `dump` shows no secret.
    public var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }
}

/// An answer to a ``DDCChallenge``: a one-time code or the answer to a security question.
///
/// ``description``, ``debugDescription`` and ``customMirror`` show only the kind, never the answer.
public struct DDCChallengeAnswer: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// Which kind of challenge the answer is for.
    public let kind: DDCChallenge.Kind
    /// The secret itself; only ``DDCClient`` reads it, to send it to the provider.
    let value: String

    private init(kind: DDCChallenge.Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    /// The one-time code the institution sent to the customer.
    /// - Parameter code: The code as the customer typed it.
    /// - Returns: The answer.
    public static func oneTimeCode(_ code: String) -> DDCChallengeAnswer {
        DDCChallengeAnswer(kind: .oneTimeCode, value: code)
    }

    /// The customer's answer to a security question.
    /// - Parameter answer: The answer as the customer typed it.
    /// - Returns: The answer.
    public static func securityAnswer(_ answer: String) -> DDCChallengeAnswer {
        DDCChallengeAnswer(kind: .securityQuestion, value: answer)
    }

    /// `DDCChallengeAnswer(<kind>, <redacted>)`.
    public var description: String { "DDCChallengeAnswer(\(kind), <redacted>)" }
    /// `DDCChallengeAnswer(<kind>, <redacted>)`.
    public var debugDescription: String { description }
    /// A mirror with the kind only.
    public var customMirror: Mirror { Mirror(self, children: ["kind": kind], displayStyle: .struct) }
}
