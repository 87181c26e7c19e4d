/// A hybrid logical clock (Kulkarni et al. 2014) with a skew guard.
///
/// The clock is a value: it reads no time itself. Callers pass the current physical time
/// (Unix milliseconds, from an injected ``WallClock``) to every operation.
///
/// - ``tick(wallMillis:)`` stamps a local event: `l = max(l_old, pt)`; the counter
///   increments when `l` did not move and resets otherwise. A full counter carries into the
///   milliseconds, so timestamps strictly increase even when the wall clock jumps back.
/// - ``receive(_:wallMillis:)`` folds in a remote timestamp, after checking that it is not
///   more than ``maxOffsetMillis`` ahead of physical time.
///
/// ```swift
/// var clock = HybridLogicalClock(maxOffsetMillis: 60_000)
/// let a = clock.tick(wallMillis: 1_000)   // 1000.0
/// let b = clock.tick(wallMillis: 999)     // 1000.1: the wall clock went back
/// try clock.receive(HLCTimestamp(millis: 5_000), wallMillis: 1_000) // 5000.1
/// ```
public struct HybridLogicalClock: Hashable, Sendable {
    /// The last timestamp issued or received.
    public private(set) var last: HLCTimestamp
    /// How far ahead of local physical time a remote timestamp may be (default 60 s).
    public var maxOffsetMillis: UInt64

    /// The default skew limit: 60 seconds.
    public static let defaultMaxOffsetMillis: UInt64 = 60_000

    /// A clock that has issued nothing newer than `last`.
    public init(last: HLCTimestamp = .zero, maxOffsetMillis: UInt64 = defaultMaxOffsetMillis) {
        self.last = last
        self.maxOffsetMillis = maxOffsetMillis
    }

    /// Issues a timestamp for a local event at physical time `wallMillis`.
    ///
    /// The result is strictly greater than every timestamp this clock issued or received.
    public mutating func tick(wallMillis: UInt64) -> HLCTimestamp {
        let pt = min(wallMillis, HLCTimestamp.maxMillis)
        if pt > last.millis {
            last = HLCTimestamp(millis: pt, counter: 0)
        } else {
            last = last.successor
        }
        return last
    }

    /// Folds a remote timestamp into the clock and returns the new local timestamp.
    ///
    /// Follows the paper's receive rule: `l = max(l_old, l_msg, pt)`; the counter is
    /// `max` of the counters whose `l` equals the new `l`, plus one (or zero when only
    /// `pt` reached it).
    ///
    /// - Throws: ``ClockError/aheadOfLocalClock(remote:localMillis:aheadByMillis:maxOffsetMillis:)``
    ///   when `remote` is more than ``maxOffsetMillis`` ahead of `wallMillis`. The clock is
    ///   left unchanged.
    @discardableResult
    public mutating func receive(_ remote: HLCTimestamp, wallMillis: UInt64) throws(ClockError) -> HLCTimestamp {
        try check(remote, wallMillis: wallMillis)
        let pt = min(wallMillis, HLCTimestamp.maxMillis)
        let lOld = last.millis, lMsg = remote.millis
        let l = max(lOld, lMsg, pt)
        if l == lOld && l == lMsg {
            last = max(last, remote).successor
        } else if l == lOld {
            last = last.successor
        } else if l == lMsg {
            last = remote.successor
        } else {
            last = HLCTimestamp(millis: l, counter: 0)
        }
        return last
    }

    /// Checks the skew guard without changing the clock.
    ///
    /// - Throws: ``ClockError/aheadOfLocalClock(remote:localMillis:aheadByMillis:maxOffsetMillis:)``
    ///   when `remote` is too far ahead of `wallMillis`.
    public func check(_ remote: HLCTimestamp, wallMillis: UInt64) throws(ClockError) {
        if remote.millis > wallMillis, remote.millis - wallMillis > maxOffsetMillis {
            throw .aheadOfLocalClock(remote: remote, localMillis: wallMillis,
                                     aheadByMillis: remote.millis - wallMillis, maxOffsetMillis: maxOffsetMillis)
        }
    }

    /// Raises the clock to at least `floor` without issuing a timestamp: used on open, with
    /// the persisted clock and the largest stored timestamp.
    public mutating func advance(toAtLeast floor: HLCTimestamp) {
        if floor > last { last = floor }
    }
}
