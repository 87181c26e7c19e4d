import Foundation
import Logging

/// Bootstraps swift-log once: structured lines on standard error, level from
/// `CONCORD_LOG_LEVEL` (default `info`).
enum LoggingSetup {
    nonisolated(unsafe) private static var done = false

    static func bootstrap(defaultLevel: Logger.Level = .info) {
        guard !done else { return }
        done = true
        let level = ProcessInfo.processInfo.environment["CONCORD_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = level
            return h
        }
    }
}
