import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a flag the watch loop checks between passes, so a pass in
/// flight finishes (or parks its batch in the outbox) before the process exits.
final class SignalWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [any DispatchSourceSignal] = []

    static func install() -> SignalWatcher {
        let w = SignalWatcher()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [w] in
                w.lock.lock(); w.stopped = true; w.lock.unlock()
                FileHandle.standardError.write(Data("concord: stopping after the current pass\n".utf8))
            }
            source.resume()
            w.sources.append(source)
        }
        return w
    }

    var stopRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return stopped
    }

    /// Sleeps up to `seconds`, waking early when a stop is requested.
    func sleep(seconds: Int) async {
        for _ in 0..<(seconds * 10) where !stopRequested {
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
    }
}
