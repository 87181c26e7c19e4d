import Foundation

/// A fresh directory under the system temp dir, removed by `remove()`.
struct TempDirectory {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "concord-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A wall clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var millis: UInt64
    init(_ millis: UInt64) { self.millis = millis }
    var now: UInt64 {
        get { lock.lock(); defer { lock.unlock() }; return millis }
        set { lock.lock(); millis = newValue; lock.unlock() }
    }
    var wallClock: ConcordCore.WallClock { WallClock { [self] in self.now } }
}

import ConcordCore
