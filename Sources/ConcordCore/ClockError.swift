/// Why a remote timestamp was not adopted by the local clock.
public enum ClockError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The remote timestamp is further ahead of local physical time than `maxOffset`
    /// allows. Adopting it would let one bad clock win every later conflict.
    case aheadOfLocalClock(remote: HLCTimestamp, localMillis: UInt64, aheadByMillis: UInt64, maxOffsetMillis: UInt64)

    public var description: String {
        switch self {
        case let .aheadOfLocalClock(remote, localMillis, ahead, maxOffset):
            return "remote timestamp \(remote) is \(ahead) ms ahead of local physical time \(localMillis)"
                + " (limit \(maxOffset) ms): the sender's clock is skewed; change rejected"
        }
    }
}
