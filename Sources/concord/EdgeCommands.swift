import ArgumentParser
import ConcordCore
import ConcordMapping
import ConcordStore
import Foundation

/// `concord get`: one record of a store, as it stands here (works offline).
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show a record of this store (offline; an edge's view).")

    @OptionGroup var options: StoreOptions
    @Argument(help: "The canonical object (contact, company, deal, ...).") var object: String
    @Argument(help: "The record: its global id, email or domain, or its id in any CRM.") var key: String
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let config = try options.loadConfig()
        let store = try options.openStore(readOnly: true)
        guard let id = try RecordLookup.find(key, object: object, store: store, config: config), let rec = try store.record(id) else {
            throw CLIError("no \(object) matches \(key)", exitCode: 2)
        }
        if json {
            var fields: [String: String] = [:]
            for e in rec.state.entries { fields[e.name] = EdgeValues.text(e.register.value) }
            struct Out: Encodable { var id: String; var object: String; var alive: Bool; var fields: [String: String] }
            print(try Render.json(Out(id: id.description, object: rec.objectType, alive: rec.state.isAlive, fields: fields)))
            return
        }
        print("\(rec.objectType) \(id)\(rec.state.isAlive ? "" : " (deleted)")")
        for e in rec.state.entries { print("  \(e.name) = \(EdgeValues.text(e.register.value))") }
    }
}

/// `concord put`: writes fields of a record in this store (offline); replication carries them.
struct PutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "put", abstract: "Write fields of a record in this store (offline); `concord replicate` carries them to the hub.",
        discussion: "KEY `new` creates a record and prints its id. Values are typed by the configuration's canonical schema "
            + "(int, decimal, bool, date YYYY-MM-DD, datetime ISO 8601, multipicklist a;b); an empty value clears the field.")

    @OptionGroup var options: StoreOptions
    @Argument(help: "The canonical object.") var object: String
    @Argument(help: "The record (global id, email, domain, CRM id), or `new`.") var key: String
    @Argument(help: "field=value ...") var assignments: [String]

    func run() throws {
        let config = try options.loadConfig()
        guard let canonical = config.object(object) else {
            throw CLIError("unknown object \(object); expected one of \(config.objects.map(\.name).joined(separator: ", "))", exitCode: 2)
        }
        var fields: [String: Value] = [:]
        for a in assignments {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else { throw CLIError("\(a) is not field=value", exitCode: 2) }
            let name = String(a[..<eq]), text = String(a[a.index(after: eq)...])
            guard let def = canonical.field(name) else {
                throw CLIError("\(object) has no field \(name); its fields: \(canonical.fields.map(\.name).joined(separator: ", "))", exitCode: 2)
            }
            guard let v = EdgeValues.parse(text, as: def.type) else { throw CLIError("\(name): \"\(text)\" is not a \(def.type)", exitCode: 2) }
            fields[name] = v
        }
        let lock = try EdgeLock.take(options.store)
        defer { withExtendedLifetime(lock) {} }
        let store = try options.openOrCreateStore()
        let id: RecordID
        if key == "new" {
            id = RecordID.random()
        } else {
            guard let found = try RecordLookup.find(key, object: object, store: store, config: config) else {
                throw CLIError("no \(object) matches \(key) (use `new` to create one)", exitCode: 2)
            }
            id = found
        }
        let stamp = try store.write(id, objectType: object, fields: fields)
        print("\(object) \(id): wrote \(fields.keys.sorted().joined(separator: ", ")) at \(Render.time(stamp.hlc))")
    }
}

/// `concord delete`: deletes a record in this store; replication carries the delete.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a record in this store (offline); `concord restore` brings it back.")

    @OptionGroup var options: StoreOptions
    @Argument(help: "The canonical object.") var object: String
    @Argument(help: "The record: global id, email or domain, or a CRM id.") var key: String

    func run() throws {
        let config = try options.loadConfig()
        let lock = try EdgeLock.take(options.store)
        defer { withExtendedLifetime(lock) {} }
        let store = try options.openStore()
        guard let id = try RecordLookup.find(key, object: object, store: store, config: config) else { throw CLIError("no \(object) matches \(key)", exitCode: 2) }
        print(try store.delete(id) ? "deleted \(object) \(id)" : "\(object) \(id) was already deleted")
    }
}

/// The store lock for a one-shot write: a store another process holds (`replicate --watch`,
/// `serve`) is refused with a clear error rather than written behind its back.
enum EdgeLock {
    static func take(_ path: String) throws -> StoreLock {
        do { return try StoreLock.acquire(storePath: path) } catch { throw CLIError(error.message, exitCode: 1) }
    }
}

/// Values typed by the canonical schema, for `put` and `get`.
enum EdgeValues {
    static func parse(_ text: String, as type: FieldType) -> Value? {
        if text.isEmpty { return .null }
        switch type {
        case .string, .email, .phone, .picklist: return .string(text)
        case .bool:
            switch text.lowercased() { case "true", "yes", "1": return .bool(true); case "false", "no", "0": return .bool(false); default: return nil }
        case .int: return Int64(text).map { .int($0) }
        case .decimal, .currency: return ExactDecimal(text).map { .decimal($0) }
        case .date: return CalendarDate(iso: text).map { .date($0) }
        case .datetime:
            let f = ISO8601DateFormatter()
            f.formatOptions = text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
            return f.date(from: text).map { .dateTime(Int64(($0.timeIntervalSince1970 * 1000).rounded())) }
        case .multipicklist: return .multiSelect(Set(text.split(separator: ";").map(String.init)))
        case .reference: return RecordID(text).map { .reference($0) }
        }
    }

    static func text(_ v: Value) -> String {
        switch v {
        case .string(let s): return s
        case .dateTime(let ms):
            let f = ISO8601DateFormatter()
            f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        case .multiSelect(let s): return s.sorted().joined(separator: ";")
        case .reference(let r): return r.description
        default: return v.description
        }
    }
}
