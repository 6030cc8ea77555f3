public import CDRJOSE
public import Foundation
import Synchronization

/// A `CDRJOSE.TimeSource` for tests that only moves when told to.
public final class ManualTimeSource: TimeSource {
    private let current: Mutex<Date>

    /// Creates a clock at a whole-second time.
    /// - Parameter start: The initial time; fractions of a second are dropped.
    public init(_ start: Date = Date()) {
        current = Mutex(Date(timeIntervalSince1970: start.timeIntervalSince1970.rounded(.down)))
    }

    /// The current time.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock.
    /// - Parameter interval: Seconds to add (may be negative).
    public func advance(by interval: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(interval) } }

    /// Sets the clock.
    /// - Parameter date: The new time.
    public func set(_ date: Date) { current.withLock { $0 = date } }
}
