import ConcordStore

/// What a receiver does with a batch, given how far it has applied that sender's incarnation.
public enum BatchAcceptance: Hashable, Sendable {
    /// The batch starts where the receiver stands: apply it, and move the cursor to
    /// ``ReplicationBatch/through`` in the same transaction.
    case apply
    /// Already applied (a duplicate, or a re-send after a lost answer): nothing to do; the
    /// answer names the cursor so the sender moves on.
    case alreadyApplied
    /// The batch starts after the receiver's cursor, or carries fewer registers than the
    /// receiver lacks (its floor above the receiver's): something in between never arrived.
    /// Refused; the sender rewinds to `expected`.
    case gap(expected: ChangeCursor)
    /// The batch is not well formed (its range runs backwards).
    case malformed(String)

    /// Decides for `batch` when the receiver stands at `cursor` in the sender's incarnation
    /// (`.start` for nothing yet). A batch overlapping the cursor (starting before it and
    /// ending after) is applied whole: merges are idempotent, so re-applying its first part
    /// changes nothing.
    public static func decide(_ batch: ReplicationBatch, cursor: ChangeCursor) -> BatchAcceptance {
        guard batch.through >= batch.after, batch.floor <= batch.after else {
            return .malformed("the batch covers sequences \(batch.after) to \(batch.through) above floor \(batch.floor), which does not hold together")
        }
        if batch.after > cursor.after || batch.floor > cursor.floor { return .gap(expected: cursor) }
        // An empty batch that completes the stream where the receiver stands still moves its
        // floor up (everything through there is held): applied, as a cursor move.
        let completesHere = batch.through == cursor.after && batch.complete && cursor.floor < batch.through
        if batch.through <= cursor.after && !completesHere { return .alreadyApplied }
        return .apply
    }
}
