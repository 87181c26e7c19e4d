#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store holds customers' personal data (field values, shadows, quarantined input,
/// conflict losers): it is created readable by its owner only, and an existing store that
/// others can read is reported.
public enum StoreFileMode {
    /// Creates `path` empty with mode 0600 when it does not exist yet. SQLite gives the
    /// `-wal` and `-shm` files it creates beside it the database file's mode, so they are
    /// private too.
    /// When it cannot (a missing folder, no permission), SQLite's open reports why.
    static func createPrivate(_ path: String) {
        guard path != ":memory:", !path.isEmpty else { return }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode_t(0o600))
        if fd >= 0 { close(fd) }
    }

    /// A warning when the store file (or its `-wal`/`-shm`) can be read or written by users
    /// other than its owner; nil when private (or in memory).
    public static func exposure(of path: String) -> String? {
        guard path != ":memory:" else { return nil }
        var open: [String] = []
        for file in [path, path + "-wal", path + "-shm"] {
            var info = stat()
            guard stat(file, &info) == 0 else { continue }
            let mode = info.st_mode & 0o777
            if mode & 0o077 != 0 { open.append("\(file) (mode \(String(mode, radix: 8)))") }
        }
        guard !open.isEmpty else { return nil }
        return "the store holds personal data and is readable by other users: " + open.joined(separator: ", ")
            + "; run chmod 600 on it"
    }
}
