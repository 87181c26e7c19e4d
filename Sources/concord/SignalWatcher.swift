import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a flag the watch loop checks between passes, and into a
/// stop request that ends the pass in flight after its current page or batch (committed, or
/// parked in the outbox), so the process exits cleanly and soon.
final class SignalWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var sources: [any DispatchSourceSignal] = []

    /// Installs the handlers; `onStop` runs once per signal (the sync asks the engine to
    /// stop after the page or batch in flight), and the message saying so is printed once it
    /// has returned: from then on no new page or batch starts.
    static func install(onStop: @escaping @Sendable () async -> Void = {}) -> SignalWatcher {
        let w = SignalWatcher()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [w] in
                w.lock.lock(); w.stopped = true; w.lock.unlock()
                Task {
                    await onStop()
                    FileHandle.standardError.write(Data("concord: stopping after the page or batch in flight\n".utf8))
                }
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
