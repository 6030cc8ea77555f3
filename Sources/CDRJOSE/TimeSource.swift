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

/// A clock that adds an offset learned from a server's HTTP `Date` header to another time source.
///
/// Use it when the local clock may drift from a data holder's: token lifetimes are short (minutes), so a
/// skewed clock makes valid tokens look expired.
///
/// ```swift
/// let clock = CorrectedClock()
/// clock.correct(usingDateHeader: response.headers["Date"], receivedAt: Date())
/// let validator = IDTokenValidator(configuration: config, keys: cache, timeSource: clock)
/// ```
public final class CorrectedClock: TimeSource {
    private let base: any TimeSource
    private let state: Mutex<TimeInterval>
    /// Offsets larger than this are ignored by ``correct(usingDateHeader:receivedAt:)``.
    public let maximumCorrection: Duration

    /// Creates a clock with no offset.
    /// - Parameters:
    ///   - base: The clock to correct, the system clock by default.
    ///   - maximumCorrection: Larger offsets are treated as a misbehaving server and ignored.
    public init(base: any TimeSource = SystemTimeSource(), maximumCorrection: Duration = .seconds(3600)) {
        self.base = base
        self.maximumCorrection = maximumCorrection
        self.state = Mutex(0)
    }

    /// The offset currently applied, in seconds (server time minus local time).
    public var offset: TimeInterval { state.withLock { $0 } }

    /// The base time plus ``offset``.
    public func now() -> Date { base.now().addingTimeInterval(offset) }

    /// Sets the offset directly.
    /// - Parameter offset: Seconds to add to the base clock.
    public func setOffset(_ offset: TimeInterval) { state.withLock { $0 = offset } }

    /// Learns the offset from an HTTP `Date` header (IMF-fixdate, RFC 9110 §5.6.7).
    /// - Parameters:
    ///   - header: The header value, for example `Sun, 06 Nov 1994 08:49:37 GMT`.
    ///   - receivedAt: The base clock's time when the response arrived.
    /// - Returns: `true` if the header was parsed and the offset was within ``maximumCorrection``.
    @discardableResult
    public func correct(usingDateHeader header: String?, receivedAt: Date) -> Bool {
        guard let header, let serverDate = HTTPDate.parse(header) else { return false }
        let offset = serverDate.timeIntervalSince(receivedAt.truncatedToSeconds)
        guard abs(offset) <= maximumCorrection.seconds else { return false }
        // The header has one-second resolution; ignore sub-second noise.
        setOffset(abs(offset) < 1 ? 0 : offset)
        return true
    }
}

/// Parses IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
enum HTTPDate {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func parse(_ text: String) -> Date? {
        let fields = text.split(separator: " ")
        guard fields.count == 6, fields[0].hasSuffix(","), fields[5] == "GMT",
            let day = Int(fields[1]), let monthIndex = months.firstIndex(of: String(fields[2])),
            let year = Int(fields[3])
        else { return nil }
        let time = fields[4].split(separator: ":")
        guard time.count == 3, let hour = Int(time[0]), let minute = Int(time[1]), let second = Int(time[2]) else {
            return nil
        }
        var calendar = Calendar(identifier: .gregorian)
        guard let utc = TimeZone(identifier: "UTC") else { return nil }
        calendar.timeZone = utc
        let components = DateComponents(
            year: year, month: monthIndex + 1, day: day, hour: hour, minute: minute, second: second)
        guard (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second)
        else {
            return nil
        }
        return calendar.date(from: components)
    }
}

extension Duration {
    /// The duration in seconds as a `TimeInterval`.
    var seconds: TimeInterval {
        let parts = components
        return TimeInterval(parts.seconds) + TimeInterval(parts.attoseconds) / 1e18
    }
}
