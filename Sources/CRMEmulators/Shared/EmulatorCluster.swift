import Foundation

/// Options for running several emulators together (the `concord emulate` command).
public struct ClusterOptions: Sendable {
    /// Any of `salesforce`, `hubspot`, `dynamics`.
    public var crms: [String]
    /// First port (salesforce, then hubspot +1, dynamics +2); 0 picks free ports.
    public var port: Int
    public var seed: UInt64
    /// Synthetic people per CRM world (companies, deals and activities scale from it).
    public var records: Int
    public var faults: FaultSettings.Patch?
    /// JSON file holding the stores; loaded at start when present, written by `saveState()`.
    public var statePath: String?
    /// Clock skew per CRM (ms), in force before seeding, so every stamp the CRM gives follows
    /// its skewed clock (a skew set later holds stamps at the seeding time until the skewed
    /// clock passes it: the clock never runs backwards).
    public var clockSkewMs: [String: Int64] = [:]

    public init(crms: [String], port: Int = 0, seed: UInt64 = 1, records: Int = 100, faults: FaultSettings.Patch? = nil, statePath: String? = nil) {
        self.crms = crms
        self.port = port
        self.seed = seed
        self.records = records
        self.faults = faults
        self.statePath = statePath
    }
}

/// Several running emulators with their servers.
public final class EmulatorCluster: Sendable {
    public struct Member: Sendable {
        public let emulator: any CRMEmulator
        public let server: EmulatorServer
        /// Token endpoint URL.
        public let tokenURL: String
    }

    public let members: [Member]
    private let statePath: String?

    private init(members: [Member], statePath: String?) {
        self.members = members
        self.statePath = statePath
    }

    public static let tenant = "emulator-tenant"

    /// Builds, seeds (or restores) and starts the requested emulators.
    public static func start(_ options: ClusterOptions) async throws -> EmulatorCluster {
        let saved = try options.statePath.flatMap(loadState(_:))
        let world = SyntheticWorld.generate(seed: options.seed, options: .init(size: options.records))
        var members: [Member] = []
        for (index, crm) in ["salesforce", "hubspot", "dynamics"].enumerated() where options.crms.contains(crm) {
            let emulator: any CRMEmulator
            let slice = world.slice(crmIndex: index, overlap: 0.4, seed: options.seed)
            switch crm {
            case "salesforce": emulator = SalesforceEmulator(seed: options.seed &+ 11)
            case "hubspot": emulator = HubSpotEmulator(seed: options.seed &+ 22)
            default: emulator = DataverseEmulator(seed: options.seed &+ 33)
            }
            if let skew = options.clockSkewMs[crm] {
                var patch = FaultSettings.Patch()
                patch.clockSkewMs = skew
                emulator.control.applyFaults(patch)
            }
            if saved?[crm] == nil {
                switch emulator {
                case let sf as SalesforceEmulator: sf.seed(slice)
                case let hs as HubSpotEmulator: hs.seed(slice)
                case let dv as DataverseEmulator: dv.seed(slice)
                default: break
                }
            }
            if let state = saved?[crm] { emulator.control.store.restore(state) }
            (emulator as? HubSpotEmulator)?.reloadCustomProperties()
            if let faults = options.faults { emulator.control.applyFaults(faults) }
            let pipeline = EmulatorPipeline(emulator: emulator)
            let server = try await EmulatorServer.start(port: options.port == 0 ? 0 : options.port + index) { await pipeline.handle($0) }
            let token: String
            switch crm {
            case "salesforce": token = "\(server.baseURL)/services/oauth2/token"
            case "hubspot": token = "\(server.baseURL)/oauth/v1/token"
            default: token = "\(server.baseURL)/\(tenant)/oauth2/v2.0/token"
            }
            members.append(Member(emulator: emulator, server: server, tokenURL: token))
        }
        return EmulatorCluster(members: members, statePath: options.statePath)
    }

    /// `{crm: {base_url, token_url, client_id, client_secret, token}}`.
    public var description: JSONValue {
        .object(Dictionary(uniqueKeysWithValues: members.map { member in
            let c = member.emulator.control.credentials
            return (member.emulator.name, [
                "base_url": .string(member.server.baseURL), "token_url": .string(member.tokenURL),
                "client_id": .string(c.clientID), "client_secret": .string(c.clientSecret), "token": .string(c.staticToken),
            ] as JSONValue)
        }))
    }

    /// A Concord configuration (`concord.yaml` syntax, see docs/concord.example.yaml) whose
    /// `crms:` map points at the emulators, with their credentials under `credentials:`.
    public var configYAML: String {
        var text = "# Written by `concord emulate`: local CRM emulators, not real CRMs.\nversion: 1\ncrms:\n"
        for member in members {
            let c = member.emulator.control.credentials
            text += "  \(member.emulator.name):\n"
            text += "    base_url: \(Self.quoted(member.server.baseURL))\n    token_url: \(Self.quoted(member.tokenURL))\n"
            text += "    credentials:\n"
            text += "      client_id: \(Self.quoted(c.clientID))\n      client_secret: \(Self.quoted(c.clientSecret))\n"
            switch member.emulator.name {
            case "hubspot": text += "      token: \(Self.quoted(c.staticToken))\n"
            case "dynamics": text += "      tenant_id: \(Self.quoted(Self.tenant))\n"
            default: break
            }
        }
        return text
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// Writes all stores to the state file (no-op without one).
    public func saveState() throws {
        guard let statePath else { return }
        var states: [String: StoreState] = [:]
        for member in members { states[member.emulator.name] = member.emulator.control.store.snapshot() }
        let data = try JSONEncoder().encode(states)
        try data.write(to: URL(fileURLWithPath: statePath), options: .atomic)
    }

    static func loadState(_ path: String) throws -> [String: StoreState]? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try JSONDecoder().decode([String: StoreState].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Makes every member note which records its API answers show (for the lost-update
    /// judge: ``RecordStore/lastServed(_:_:)``).
    public func trackServedRecords() {
        for m in members { m.emulator.control.store.trackServedRecords() }
    }

    public func stop() async {
        for member in members { await member.server.stop() }
    }
}

/// Waits for SIGINT or SIGTERM.
public enum InterruptSignal {
    public static func wait() async {
        let fired = Locked(false)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            for number in [SIGINT, SIGTERM] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler {
                    let first = fired.withLock { f -> Bool in
                        defer { f = true }
                        return !f
                    }
                    if first { continuation.resume() }
                }
                source.resume()
                Retained.sources.withLock { $0.append(source) }
            }
        }
    }

    private enum Retained {
        static let sources = Locked<[any DispatchSourceSignal]>([])
    }
}
