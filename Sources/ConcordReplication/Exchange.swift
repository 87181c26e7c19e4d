import ConcordCore
import ConcordStore

/// One exchange between an edge and a hub: a single HTTP round trip that carries the edge's
/// next batch up and the hub's next batch down.
///
/// `POST /replication/v1/exchange?a=&f=&i=&s=&o=` with a bearer token (where the edge stands
/// in the hub's stream: after, floor, the hub incarnation, the stream, the objects asked for);
/// the body is the edge's batch (``BatchCodec``; an empty one for a probe), the query where
/// the edge stands in the hub's stream. The answer is an ``ExchangeAck`` (how far the hub has
/// applied the edge's stream, what it refused, what it still has) followed by the hub's batch.
public enum Exchange {
    /// The route.
    public static let path = "/replication/v1/exchange"
    static let magic: [UInt8] = Array("CRX1".utf8)

    /// Where the edge stands in the hub's stream, sent in the query.
    public struct Position: Hashable, Sendable {
        /// The hub incarnation the cursor belongs to (0: none yet).
        public var incarnation: UInt64
        /// The stream (the scope the hub served it last: `*` or sorted object types).
        public var stream: String
        /// The cursor.
        public var cursor: ChangeCursor
        /// The object types the edge asks for (`nil`: all its grant allows).
        public var objects: Set<String>?

        /// Creates a position.
        public init(incarnation: UInt64, stream: String, cursor: ChangeCursor, objects: Set<String>?) {
            self.incarnation = incarnation
            self.stream = stream
            self.cursor = cursor
            self.objects = objects
        }

        /// The query items.
        public var query: [(name: String, value: String)] {
            var q = [("a", String(cursor.after)), ("f", String(cursor.floor)), ("i", String(incarnation)), ("s", stream)]
            if let objects { q.append(("o", objects.sorted().joined(separator: ","))) }
            return q
        }

        /// Reads the query items; `nil` when one is malformed.
        public init?(query: [String: String]) {
            guard let after = UInt64(query["a"] ?? "0"), let floor = UInt64(query["f"] ?? "0"),
                  let inc = UInt64(query["i"] ?? "0"), floor <= after else { return nil }
            self.init(incarnation: inc, stream: query["s"] ?? "", cursor: ChangeCursor(after: after, floor: floor),
                      objects: query["o"].map { Set($0.split(separator: ",").map(String.init)) })
        }
    }

    /// The scope name of a set of object types (`*` for all): the stream a pull belongs to.
    public static func streamName(_ objects: Set<String>?) -> String {
        guard let objects else { return "*" }
        return objects.sorted().joined(separator: ",")
    }

    /// The answer body: `CRX1`, the ack's length (varint) and its bytes, then the batch.
    public static func encodeAnswer(ack: ExchangeAck, batch: ReplicationBatch) -> [UInt8] {
        var out = magic
        let a = ack.encoded()
        appendVarint(UInt64(a.count), &out)
        out += a
        out += BatchCodec.encode(batch)
        return out
    }

    /// Reads an answer body.
    public static func decodeAnswer(_ bytes: [UInt8], limits: BatchCodec.Limits = BatchCodec.Limits())
        throws(BatchCodec.DecodeError) -> (ExchangeAck, ReplicationBatch) {
        guard bytes.count > magic.count, Array(bytes.prefix(4)) == magic else {
            throw BatchCodec.DecodeError(offset: 0, reason: "not an exchange answer (magic is not CRX1)")
        }
        var r = BatchCodec.Reader(bytes: bytes, end: bytes.count)
        r.at = 4
        let length = try r.count("the ack length", limit: bytes.count)
        guard length <= bytes.count - r.at else { throw BatchCodec.DecodeError(offset: r.at, reason: "cut inside the ack") }
        let ack = try ExchangeAck.decode(Array(bytes[r.at..<r.at + length]), offset: r.at)
        let batch = try BatchCodec.decode(Array(bytes[(r.at + length)...]), limits: limits)
        return (ack, batch)
    }
}

/// The hub's answer to the edge's batch.
public struct ExchangeAck: Hashable, Sendable {
    /// What the hub did with the edge's batch: `applied`, `already` (applied before),
    /// `gap` (the edge must rewind to ``cursor``).
    public var outcome: String
    /// Where the hub stands in the edge's stream now.
    public var cursor: ChangeCursor
    /// Records the hub still has for the edge after the batch it sends with this answer.
    public var pending: Int
    /// The stream (scope) of the batch the hub sends: the edge keys its cursor by it.
    public var stream: String
    /// The edge's records the hub refused (out of its write scope, or quarantined).
    public var refused: [ReplicationReceiver.Refusal]

    /// Creates an ack.
    public init(outcome: String, cursor: ChangeCursor, pending: Int, stream: String, refused: [ReplicationReceiver.Refusal]) {
        self.outcome = outcome
        self.cursor = cursor
        self.pending = pending
        self.stream = stream
        self.refused = refused
    }

    /// Compact binary: outcome, through, floor, pending, stream, refusals (each id, object,
    /// rule, reason), every string length-prefixed.
    func encoded() -> [UInt8] {
        var out: [UInt8] = []
        func str(_ s: String) { appendVarint(UInt64(s.utf8.count), &out); out += Array(s.utf8) }
        str(outcome)
        appendVarint(cursor.after, &out)
        appendVarint(cursor.floor, &out)
        appendVarint(UInt64(pending), &out)
        str(stream)
        appendVarint(UInt64(refused.count), &out)
        for r in refused { str(r.id); str(r.object); str(r.rule); str(r.reason) }
        return out
    }

    static func decode(_ bytes: [UInt8], offset: Int) throws(BatchCodec.DecodeError) -> ExchangeAck {
        var r = BatchCodec.Reader(bytes: bytes, end: bytes.count)
        func str(_ what: String) throws(BatchCodec.DecodeError) -> String {
            let n = try r.count(what, limit: bytes.count)
            guard n <= bytes.count - r.at else { throw BatchCodec.DecodeError(offset: r.at, reason: "cut inside \(what)") }
            defer { r.at += n }
            return String(decoding: bytes[r.at..<r.at + n], as: UTF8.self)
        }
        do throws(BatchCodec.DecodeError) {
            let outcome = try str("the outcome")
            let after = try r.varint("the cursor"), floor = try r.varint("the floor")
            let pending = try r.count("the pending count", limit: Int.max)
            let stream = try str("the stream")
            let n = try r.count("the refusal count", limit: bytes.count)
            var refused: [ReplicationReceiver.Refusal] = []
            for _ in 0..<n {
                refused.append(.init(id: try str("a refused id"), object: try str("a refused object"), rule: try str("a rule"),
                                     reason: try str("a reason")))
            }
            guard r.at == bytes.count else { throw BatchCodec.DecodeError(offset: r.at, reason: "bytes after the ack") }
            return ExchangeAck(outcome: outcome, cursor: ChangeCursor(after: after, floor: floor), pending: pending, stream: stream,
                               refused: refused)
        } catch {
            throw BatchCodec.DecodeError(offset: offset + error.offset, reason: "in the ack: " + error.reason)
        }
    }
}
