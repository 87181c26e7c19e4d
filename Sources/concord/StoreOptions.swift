import ArgumentParser
import ConcordCore
import ConcordMapping
import ConcordStore
import ConcordEngine
import Foundation

/// Options shared by the commands that read a Concord store and its configuration.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: "The Concord store file.")
    var store: String = "concord.sqlite"

    @Option(name: .long, help: "The configuration file; the shipped defaults when omitted.")
    var config: String?

    /// A wall clock this far off (the replication soak skews its two stores' clocks).
    @Option(name: .customLong("clock-skew-ms"), help: .hidden)
    var clockSkewMillis: Int = 0

    var wallClock: WallClock {
        let skew = Int64(clockSkewMillis)
        guard skew != 0 else { return .system }
        return WallClock { UInt64(max(0, Int64(WallClock.system.nowMillis()) + skew)) }
    }

    /// Opens the store, failing clearly when it does not exist.
    func openStore(readOnly: Bool = false) throws -> ConcordStore {
        guard FileManager.default.fileExists(atPath: store) else {
            throw CLIError("no Concord store at \(store) (run `concord sync` first, or pass --store)", exitCode: 2)
        }
        if let warning = StoreFileMode.exposure(of: store) {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        do {
            return try ConcordStore.open(path: store, wallClock: wallClock, readOnly: readOnly)
        } catch {
            guard error.code == .needsMigration else { throw error }
            // A store written by an older Concord: bring its schema up to date once, then read.
            _ = try ConcordStore.open(path: store, wallClock: .system)
            return try ConcordStore.open(path: store, wallClock: .system, readOnly: readOnly)
        }
    }

    /// Opens the store, creating it when it does not exist (an edge's first write).
    func openOrCreateStore() throws -> ConcordStore {
        if FileManager.default.fileExists(atPath: store) { return try openStore() }
        return try ConcordStore.open(path: store, wallClock: wallClock)
    }

    /// Loads the configuration (or the defaults), printing positioned errors.
    func loadConfig() throws -> ConcordConfig {
        do {
            if let config { return try ConfigLoader.load(path: config) }
            return try ConfigLoader.defaults()
        } catch {
            throw CLIError(error.description, exitCode: 2)
        }
    }
}

/// A command failure with a message and an exit code scripts can rely on:
/// 1 = the work failed (a CRM, the store), 2 = bad input (arguments, configuration, missing file),
/// 3 = the sync ran but did not converge or parked work.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    var exitCode: Int32
    init(_ description: String, exitCode: Int32 = 1) {
        self.description = description
        self.exitCode = exitCode
    }
}

/// Finds a record by global id, natural key (email, domain) or a CRM id.
enum RecordLookup {
    static func find(_ key: String, object: String, store: ConcordStore, config: ConcordConfig) throws -> RecordID? {
        if let id = RecordID(key), try store.record(id) != nil { return id }
        for field in config.sync.objects[object]?.matchKeys ?? [] {
            let hits = try store.records(objectType: object, field: field, equalTo: .string(key.lowercased()))
            if hits.count == 1 { return hits[0] }
            if hits.count > 1 { throw CLIError("\(hits.count) \(object) records have \(field) \(key): \(hits.map(\.description).joined(separator: ", "))", exitCode: 2) }
        }
        for crm in config.activeCRMs {
            if let id = try store.linkedRecord(replica: crm, objectType: object, externalID: key) { return id }
        }
        // A store no sync has indexed (an edge replica): look through the records' natural keys.
        let keys = config.sync.objects[object]?.matchKeys ?? []
        guard !keys.isEmpty else { return nil }
        let hits = try store.allRecords(objectType: object).filter { _, rec in
            keys.contains { k in
                if case .string(let v)? = rec.state.entries.first(where: { $0.name == k })?.register.value { return v.lowercased() == key.lowercased() }
                return false
            }
        }.keys.sorted()
        if hits.count > 1 { throw CLIError("\(hits.count) \(object) records have \(key): \(hits.map(\.description).joined(separator: ", "))", exitCode: 2) }
        return hits.first
    }
}

/// Renders HLC timestamps and values for people.
enum Render {
    static func time(_ hlc: HLCTimestamp) -> String {
        let date = Date(timeIntervalSince1970: Double(hlc.millis) / 1000)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: date) + (hlc.counter > 0 ? " #\(hlc.counter)" : "")
    }

    static func millis(_ ms: UInt64) -> String { time(HLCTimestamp(millis: ms)) }

    static func writer(_ site: SiteID, config: ConcordConfig, local: SiteID?) -> String {
        if site == local { return "concord (local)" }
        return config.activeCRMs.first { ReplicaSites.site($0) == site } ?? "site \(site)"
    }

    /// Compact JSON (an HTTP body, a JSON line).
    static func jsonBytes(_ value: some Encodable) throws -> [UInt8] {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        e.keyEncodingStrategy = .convertToSnakeCase
        return Array(try e.encode(value))
    }

    static func json(_ value: some Encodable) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        e.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try e.encode(value), as: UTF8.self)
    }
}
