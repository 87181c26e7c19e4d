import ConcordCore
import ConcordStore
import Foundation

/// Random local writes for the replication soak (`--soak-edits SEED`): both sides edit the
/// same few records while links fail, and every committed write is logged (after its
/// commit) so the soak can prove none was lost: each logged register must be held at the
/// end, or beaten by a later stamp.
public struct SoakEditor: Sendable {
    static let records = 40
    static let fields = ["city", "email", "first_name", "job_title", "last_name", "phone"]
    var rng: SplitMix64
    let log: String

    /// An editor drawing from `seed` (and the process id, so a restarted process edits differently), logging to `log`.
    public init(seed: UInt64, log: String) {
        rng = SplitMix64(seed: seed ^ UInt64(UInt32(truncatingIfNeeded: getpid())) << 32)
        self.log = log
    }

    /// One round: 1 to 4 writes (a record's field, or its deletion or restoration).
    public mutating func edit(_ store: ConcordStore) throws {
        var lines = ""
        for _ in 0..<1 + rng.next() % 4 {
            let id = RecordID(high: 0x50AC, low: rng.next() % UInt64(Self.records))
            if rng.next() % 20 == 0, try store.record(id) != nil {
                _ = rng.next() % 2 == 0 ? try store.delete(id) : try store.restore(id)
                if let rec = try store.record(id) { lines += "cl \(id) \(rec.state.causalLength)\n" }
                continue
            }
            let field = Self.fields[Int(rng.next() % UInt64(Self.fields.count))]
            let value = Value.string("v\(rng.next() % 1000)")
            let stamp = try store.write(id, objectType: "contact", fields: [field: value])
            lines += "reg \(id) \(field) \(stamp.hlc.rawValue) \(stamp.site.rawValue)\n"
        }
        guard let h = FileHandle(forWritingAtPath: log) ?? {
            FileManager.default.createFile(atPath: log, contents: nil)
            return FileHandle(forWritingAtPath: log)
        }() else { return }
        h.seekToEndOfFile()
        h.write(Data(lines.utf8))
        try? h.close()
    }

    /// The writes a log holds that `store` lost: a register neither held nor beaten by a later
    /// stamp, a causal length gone lower.
    public static func lost(log: String, store: ConcordStore) throws -> [String] {
        guard let text = try? String(contentsOfFile: log, encoding: .utf8) else { return [] }
        var out: [String] = []
        for line in text.split(separator: "\n") {
            let p = line.split(separator: " ").map(String.init)
            guard let id = RecordID(p[1]) else { continue }
            let rec = try store.record(id)
            if p[0] == "cl" {
                if (rec?.state.causalLength ?? 0) < UInt64(p[2])! { out.append(String(line)) }
                continue
            }
            let logged = Stamp(hlc: HLCTimestamp(rawValue: UInt64(p[3])!), site: SiteID(rawValue: UInt64(p[4])!))
            guard let held = rec?.state.entries.first(where: { $0.name == p[2] })?.register.stamp, !(held < logged) else {
                out.append(String(line))
                continue
            }
        }
        return out
    }
}
