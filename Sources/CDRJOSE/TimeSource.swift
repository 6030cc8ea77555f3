import CDRModels
public import Foundation
import Synchronization

/// Where validators and builders get the current time.
public protocol TimeSource: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system clock.
public struct SystemTimeSource: TimeSource {
    /// Creates the system clock.
    public init() {}
    /// `Date()`.
    public func now() -> Date { Date() }
}

/// A clock that adds an offset learned from a data holder's HTTP `Date` headers to another time source.
///
/// Use it when the local clock may drift from a data holder's: token lifetimes are short (minutes), so a
/// skewed clock makes valid tokens look expired.
///
/// A `Date` header is not authenticated, so one response cannot move the clock. Each header is a *sample*;
/// the offset changes only when at least ``requiredAgreement`` of the last ``sampleWindow`` samples agree
/// (lie within ``agreementTolerance`` of their median), and then it becomes that median. Samples beyond
/// ``maximumCorrection`` (300 s by default) are discarded.
///
/// - Important: Keep **one clock per data holder** (per issuer), fed only with that holder's responses, and
///   give it only to that holder's validators (``JARMValidator``, ``IDTokenValidator``). Never share it across
///   holders, and do not use it for the Register, for ``SelfSignedJWTValidator`` or for ``ReplayCache``: those
///   use uncorrected system time (``SystemTimeSource``), so that no holder can move time for anyone else.
///
/// ```swift
/// let clock = CorrectedClock()          // one per data holder
/// clock.correct(usingDateHeader: response.headers["Date"], receivedAt: Date())
/// let validator = IDTokenValidator(configuration: config, keys: cache, timeSource: clock)
/// ```
public final class CorrectedClock: TimeSource {
    private struct State {
        var offset: TimeInterval = 0
        var samples: [TimeInterval] = []
    }

    private let base: any TimeSource
    private let state: Mutex<State>
    /// Samples further than this from the base clock are discarded by ``correct(usingDateHeader:receivedAt:)``.
    public let maximumCorrection: Duration
    /// How many recent samples are kept; the median is taken over these.
    public let sampleWindow: Int
    /// How many of the kept samples must agree before the offset changes.
    public let requiredAgreement: Int
    /// How far a sample may be from the median and still agree with it (the header has one-second resolution).
    public let agreementTolerance: Duration

    /// Creates a clock with no offset.
    /// - Parameters:
    ///   - base: The clock to correct, the system clock by default.
    ///   - maximumCorrection: Larger offsets are treated as a misbehaving server and discarded (300 s by default).
    ///   - sampleWindow: How many recent samples to keep (5 by default; at least 1).
    ///   - requiredAgreement: How many kept samples must agree (3 by default; clamped to 1…`sampleWindow`).
    ///   - agreementTolerance: How close to the median a sample must be to agree (2 s by default).
    public init(
        base: any TimeSource = SystemTimeSource(), maximumCorrection: Duration = .seconds(300),
        sampleWindow: Int = 5, requiredAgreement: Int = 3, agreementTolerance: Duration = .seconds(2)
    ) {
        self.base = base
        self.maximumCorrection = maximumCorrection
        self.sampleWindow = max(sampleWindow, 1)
        self.requiredAgreement = min(max(requiredAgreement, 1), max(sampleWindow, 1))
        self.agreementTolerance = agreementTolerance
        self.state = Mutex(State())
    }

    /// The offset currently applied, in seconds (server time minus local time).
    public var offset: TimeInterval { state.withLock { $0.offset } }

    /// The base time plus ``offset``.
    public func now() -> Date { base.now().addingTimeInterval(offset) }

    /// Sets the offset directly, for example from a trusted time source, and forgets the samples.
    /// - Parameter offset: Seconds to add to the base clock.
    public func setOffset(_ offset: TimeInterval) {
        state.withLock {
            $0.offset = offset
            $0.samples.removeAll()
        }
    }

    /// Records an HTTP `Date` header (IMF-fixdate, RFC 9110 §5.6.7) as a sample, and moves the offset to the
    /// median of the last ``sampleWindow`` samples once ``requiredAgreement`` of them agree.
    /// - Parameters:
    ///   - header: The header value, for example `Sun, 06 Nov 1994 08:49:37 GMT`.
    ///   - receivedAt: The base clock's time when the response arrived.
    /// - Returns: `true` if the header was parsed and within ``maximumCorrection`` (so it was kept as a sample);
    ///   this does not mean that ``offset`` changed.
    @discardableResult
    public func correct(usingDateHeader header: String?, receivedAt: Date) -> Bool {
        guard let header, let serverDate = HTTPDate.parse(header) else { return false }
        let sample = serverDate.timeIntervalSince(receivedAt.truncatedToSeconds)
        guard abs(sample) <= maximumCorrection.seconds else { return false }
        let window = sampleWindow
        let needed = requiredAgreement
        let tolerance = agreementTolerance.seconds
        state.withLock { state in
            state.samples.append(sample)
            if state.samples.count > window { state.samples.removeFirst(state.samples.count - window) }
            let sorted = state.samples.sorted()
            let median = sorted[sorted.count / 2]
            let agreeing = sorted.filter { abs($0 - median) <= tolerance }.count
            guard agreeing >= needed else { return }
            // The header has one-second resolution; ignore sub-second noise.
            state.offset = abs(median) < 1 ? 0 : median
        }
        return true
    }
}

extension Duration {
    /// The duration in seconds as a `TimeInterval`.
    var seconds: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
