import ConcordCore
@testable import ConcordReplication
import ConcordStore

/// Replication batches as a hub or an edge reads them from a peer, and a hub's answers as an
/// edge reads them: any bytes are either one, which encodes and decodes back to itself, or
/// refused with an error. A batch is read twice: as it is (the checksum refuses nearly every
/// mutation) and with a correct checksum appended, so the fuzzer reaches the body's decoding.
enum ReplicationTarget {
    static let limits = BatchCodec.Limits(changes: 10_000, registersPerRecord: 1_000, tableEntries: 10_000)

    static func run(_ bytes: [UInt8]) {
        let crc = CRC32.checksum(bytes)
        for input in [bytes, bytes + [UInt8(crc >> 24), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc & 0xFF)]] {
            guard let batch = try? BatchCodec.decode(input, limits: limits) else { continue }
            check((try? BatchCodec.decode(BatchCodec.encode(batch), limits: limits)) == batch, "a decoded batch does not survive encoding again")
            _ = BatchAcceptance.decide(batch, cursor: ChangeCursor(after: batch.after, floor: batch.floor))
        }
        // The same bytes as a hub's answer to an edge (an ack, then a batch), read by the edge.
        for input in [bytes, Array("CRX1".utf8) + bytes] {
            guard let (ack, batch) = try? Exchange.decodeAnswer(input, limits: limits) else { continue }
            let again = try? Exchange.decodeAnswer(Exchange.encodeAnswer(ack: ack, batch: batch), limits: limits)
            check(again?.0 == ack && again?.1 == batch, "a decoded answer does not survive encoding again")
        }
    }
}
