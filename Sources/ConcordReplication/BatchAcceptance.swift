/// What a receiver does with a batch, given how far it has applied that sender's incarnation.
public enum BatchAcceptance: Hashable, Sendable {
    /// The batch starts where the receiver stands: apply it, and move the cursor to
    /// ``ReplicationBatch/through`` in the same transaction.
    case apply
    /// Already applied (a duplicate, or a re-send after a lost answer): nothing to do; the
    /// answer names the cursor so the sender moves on.
    case alreadyApplied
    /// The batch starts after the receiver's cursor: something in between never arrived.
    /// Refused; the sender rewinds to `expected`.
    case gap(expected: UInt64)
    /// The batch is not well formed (its range runs backwards).
    case malformed(String)

    /// Decides for `batch` when the receiver has applied the sender's incarnation through
    /// `cursor` (0 for nothing yet). A batch overlapping the cursor (starting before it and
    /// ending after) is applied whole: merges are idempotent, so re-applying its first part
    /// changes nothing.
    public static func decide(_ batch: ReplicationBatch, cursor: UInt64) -> BatchAcceptance {
        guard batch.through >= batch.after else {
            return .malformed("the batch covers sequences \(batch.after) to \(batch.through), a range that runs backwards")
        }
        if batch.after > cursor { return .gap(expected: cursor) }
        if batch.through <= cursor { return .alreadyApplied }
        return .apply
    }
}
