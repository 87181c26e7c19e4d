import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a stop: the first asks the pass in flight to end after its
/// current page or batch (committed, or left in the outbox) and, if it has not ended within
/// ``grace``, cancels it (retries, throttle waits and requests in flight end at once; a write
/// whose answer is lost is reconciled by the next sync); a second signal exits at once (the
/// store is crash-safe: every commit is atomic, and kill -9 is tested).
final class SignalWatcher: @unchecked Sendable {
    /// How long a stop waits for the page or batch in flight before cancelling it: well under
    /// Kubernetes' 30 s grace period and systemd's 90 s.
    static let grace: Duration = .seconds(10)

    private let lock = NSLock()
    private var signals = 0
    private var sources: [any DispatchSourceSignal] = []
    private var onDeadline: (@Sendable () -> Void)?

    /// Installs the handlers. `onStop` runs on the first signal (the sync asks the engine to
    /// stop after the page or batch in flight); `onDeadline` runs ``grace`` later if the
    /// process is still running (the sync cancels the pass).
    static func install(onStop: @escaping @Sendable () async -> Void = {},
                        onDeadline: @escaping @Sendable () -> Void = {}) -> SignalWatcher {
        let w = SignalWatcher()
        w.onDeadline = onDeadline
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [w] in w.received(sig, onStop: onStop) }
            source.resume()
            w.sources.append(source)
        }
        return w
    }

    private func received(_ sig: Int32, onStop: @escaping @Sendable () async -> Void) {
        let count = lock.withLock { signals += 1; return signals }
        guard count == 1 else {
            FileHandle.standardError.write(Data("concord: second signal, exiting now; the next sync reconciles what was in flight\n".utf8))
            exit(128 + sig)
        }
        let deadline = lock.withLock { onDeadline }
        Task {
            await onStop()
            FileHandle.standardError.write(Data("concord: stopping after the page or batch in flight\n".utf8))
        }
        Task {
            try? await Task.sleep(for: Self.grace)
            FileHandle.standardError.write(Data("concord: the batch in flight did not end within \(Self.grace); cancelling it\n".utf8))
            deadline?()
        }
    }

    var stopRequested: Bool {
        lock.lock(); defer { lock.unlock() }
        return signals > 0
    }

    /// Sleeps up to `seconds`, waking early when a stop is requested.
    func sleep(seconds: Int) async {
        for _ in 0..<(seconds * 10) where !stopRequested {
            try? await Task.sleep(nanoseconds: 100_000_000)
        }
    }
}
