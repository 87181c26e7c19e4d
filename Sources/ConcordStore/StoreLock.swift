import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The single-writer rule: one syncing process per store.
///
/// Two `concord sync` processes on one store would pull the same pages and push the same
/// outbox items. The syncing process holds an exclusive `flock` on `<store>.lock` (holding
/// its pid) for as long as it runs; the kernel drops it when the process ends, even by
/// `kill -9`, so a crash leaves no stale lock. Short CLI writes (`restore`, `quarantine
/// retry`) take no lock: SQLite's busy timeout serialises them with the sync's commits.
public final class StoreLock: Sendable {
    /// The lock file's path.
    public let path: String
    private let fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { close(fd) }

    /// Takes the lock of the store at `storePath`, or fails naming the process that holds it.
    public static func acquire(storePath: String) throws(StoreError) -> StoreLock {
        let path = storePath + ".lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode_t(0o600))
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            throw StoreError(.cannotOpen, "cannot open the lock file \(path): \(reason)", path: storePath)
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.holder(fd)
            close(fd)
            guard code == EWOULDBLOCK else {
                throw StoreError(.cannotOpen, "cannot lock \(path): \(String(cString: strerror(code)))", path: storePath)
            }
            throw StoreError(.inUse, "another Concord process\(holder.map { " (pid \($0))" } ?? "") is syncing \(storePath); "
                             + "one process syncs a store at a time: stop it first, or use another --store", path: storePath)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, pid, pid.count, 0)
        return StoreLock(path: path, fd: fd)
    }

    /// The pid written by the lock's holder, if readable.
    private static func holder(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
