import CSQLite
import Foundation

/// Finds damage in a SQLite write-ahead log (`<store>-wal`) that SQLite itself would pass over
/// in silence.
///
/// SQLite replays a WAL up to its last valid commit frame and ignores the rest: right after an
/// interrupted commit (a `kill -9` between page writes) that rest is the unfinished transaction,
/// and ignoring it is correct. But when a frame in the *middle* is damaged, the transactions
/// committed after it are dropped just as quietly, and a damaged header drops the whole log.
/// This check tells the two apart: it is damage when the header is invalid, or when a commit
/// frame of the log's current generation (same salts) lies beyond the first frame that fails
/// its checksum. Damage to the very last frame cannot be told from an interrupted commit and
/// is treated as one, as SQLite does. The format is SQLite's documented WAL file format
/// (sqlite.org/fileformat2.html, "The Write-Ahead Log").
struct WriteAheadLogCheck {
    /// What the log holds.
    enum Finding: Equatable {
        /// No log, or one SQLite replays whole: `committedFrames` frames up to the last commit,
        /// `trailingFrames` frames of an unfinished transaction after it.
        case intact(committedFrames: Int, trailingFrames: Int)
        /// Committed transactions SQLite would drop; the reason says where.
        case damaged(String)
    }

    static let headerSize = 32
    static let frameHeaderSize = 24

    /// Inspects the log file at `path` (missing or empty: intact).
    static func inspect(path: String) -> Finding {
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else {
            return .intact(committedFrames: 0, trailingFrames: 0)
        }
        return inspect([UInt8](data))
    }

    /// Inspects the bytes of a log.
    static func inspect(_ bytes: [UInt8]) -> Finding {
        guard bytes.count >= headerSize else {
            return .damaged("the log is \(bytes.count) bytes long, shorter than its \(headerSize)-byte header")
        }
        let magic = word(bytes, 0)
        guard magic == 0x377f_0682 || magic == 0x377f_0683 else {
            return .damaged("its header does not start with the WAL magic number")
        }
        let bigEndian = magic & 1 == 1
        let pageSize = Int(word(bytes, 8))
        guard word(bytes, 4) == 3_007_000, pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else {
            return .damaged("its header has an unknown format version or page size")
        }
        var sum = checksum(bytes, 0, 24, bigEndian: bigEndian, seed: (0, 0))
        guard sum == (word(bytes, 24), word(bytes, 28)) else {
            return .damaged("its header fails its checksum")
        }
        let salt = (word(bytes, 16), word(bytes, 20))
        let frameSize = frameHeaderSize + pageSize
        var offset = headerSize, frame = 0, lastCommit = 0, firstBad: Int?
        while offset + frameSize <= bytes.count {
            frame += 1
            let sameGeneration = word(bytes, offset + 8) == salt.0 && word(bytes, offset + 12) == salt.1
            let isCommit = word(bytes, offset + 4) != 0
            if let bad = firstBad {
                if sameGeneration && isCommit {
                    return .damaged("frame \(bad) fails its checksum, and transactions committed after it (frame \(frame)) would be dropped")
                }
            } else {
                sum = checksum(bytes, offset, 8, bigEndian: bigEndian, seed: sum)
                sum = checksum(bytes, offset + frameHeaderSize, pageSize, bigEndian: bigEndian, seed: sum)
                let valid = sameGeneration && word(bytes, offset) != 0
                    && sum == (word(bytes, offset + 16), word(bytes, offset + 20))
                if !valid { firstBad = frame } else if isCommit { lastCommit = frame }
            }
            offset += frameSize
        }
        let valid = firstBad.map { $0 - 1 } ?? frame
        return .intact(committedFrames: lastCommit, trailingFrames: valid - lastCommit)
    }

    /// A big-endian 32-bit word (SQLite stores every WAL header field big-endian).
    static func word(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }

    /// SQLite's WAL checksum over `count` bytes (a multiple of 8) from `start`, continued from `seed`.
    static func checksum(_ b: [UInt8], _ start: Int, _ count: Int, bigEndian: Bool, seed: (UInt32, UInt32)) -> (UInt32, UInt32) {
        var (s1, s2) = seed
        var i = start
        while i < start + count {
            let x0: UInt32, x1: UInt32
            if bigEndian {
                x0 = word(b, i); x1 = word(b, i + 4)
            } else {
                x0 = UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
                x1 = UInt32(b[i + 4]) | UInt32(b[i + 5]) << 8 | UInt32(b[i + 6]) << 16 | UInt32(b[i + 7]) << 24
            }
            s1 = s1 &+ x0 &+ s2
            s2 = s2 &+ x1 &+ s1
            i += 8
        }
        return (s1, s2)
    }
}

extension WriteAheadLogCheck {
    /// Refuses to open a store whose log holds committed transactions SQLite would drop.
    ///
    /// A read-write open runs it before anything is written, holding the write lock so no
    /// other process appends to the log meanwhile; when another process holds that lock the
    /// log is in use, not lying damaged, and the check is left to the next open. A read-only
    /// open takes no lock (it may not), so a writer could be appending while the log is read:
    /// there, damage counts only when a second read of the log finds it byte for byte the same.
    static func verify(_ db: SQLiteConnection, readOnly: Bool) throws(StoreError) {
        let logPath = db.path + "-wal"
        guard db.path != ":memory:",
              let size = (try? FileManager.default.attributesOfItem(atPath: logPath))?[.size] as? Int, size > 0 else { return }
        let finding: Finding
        if readOnly {
            let first = FileManager.default.contents(atPath: logPath) ?? Data()
            var seen = inspect([UInt8](first))
            if case .damaged = seen, FileManager.default.contents(atPath: logPath) != first {
                seen = .intact(committedFrames: 0, trailingFrames: 0)  // changing under a writer: not damage at rest
            }
            finding = seen
        } else {
            do {
                try db.execute("BEGIN IMMEDIATE")
            } catch {
                if error.sqliteCode.map({ $0 & 0xff == SQLITE_BUSY }) == true { return }
                throw error
            }
            finding = inspect(path: logPath)
            try? db.execute("ROLLBACK")
        }
        if case .damaged(let reason) = finding {
            // SQLite, seeing no valid frame to keep, would delete the log when this connection
            // closes: keep it, for a backup tool or a person to recover from.
            var keep: Int32 = 1
            sqlite3_file_control(db.handle, "main", SQLITE_FCNTL_PERSIST_WAL, &keep)
            throw StoreError(.corrupt, "\(logPath), the write-ahead log of the store \(db.path), is damaged: \(reason). "
                             + "Concord stops rather than drop what was committed in it in silence: restore the store and its -wal file from a backup, "
                             + "or move \(logPath) aside to open the store as of its last checkpoint (the writes kept only in the "
                             + "log are then lost; Concord reads again from the CRMs what changed since its cursors)",
                             path: db.path)
        }
    }
}
