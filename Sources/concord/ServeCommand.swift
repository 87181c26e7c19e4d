import ArgumentParser
import ConcordConnectors
import ConcordEngine
import ConcordMapping
import ConcordReplication
import ConcordService
import ConcordStore
import ConcordWebhooks
import CRMEmulators
import Foundation
import Logging

/// `concord serve`: the long-running service. Webhooks in, targeted syncs within seconds, a
/// polling pass as the safety net; health, metrics and ops routes.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run Concord as a service: take the CRMs' webhooks in and sync each change within seconds.",
        discussion: """
            Routes: POST /webhooks/<crm> (HubSpot v3 signatures, Salesforce change events with a shared-secret \
            signature or outbound messages, Dataverse service-endpoint webhooks), GET /livez, GET /readyz, \
            GET /metrics (Prometheus), GET /ops/status and /ops/quarantine (bearer token, service.ops_token), \
            POST /replication/v1/exchange for the edge replicas of service.replication.peers (concord replicate). \
            A polling pass runs at start and every service.safety_net_seconds. Against CRM emulators on \
            127.0.0.1 it registers its webhook URLs itself; for real CRMs it prints what to register (docs/webhooks.md). \
            --emulators starts the three emulators in this process (embedded defaults) and serves them. \
            SIGTERM or SIGINT: webhooks answered 503, the batch in flight finished, exit 0.
            """
    )

    @OptionGroup var options: StoreOptions
    @Option(help: "host:port to listen on (overrides service.listen).") var listen: String?
    @Option(name: .customLong("safety-net"), help: "Seconds between safety-net polling passes (overrides service.safety_net_seconds).")
    var safetyNet: Int?
    @Flag(help: "Start the three CRM emulators in this process and serve them (embedded defaults).") var emulators = false
    @Option(help: "With --emulators: seed of the synthetic data.") var seed: UInt64 = 1
    @Option(help: "With --emulators: synthetic people per CRM.") var records: Int = 100
    @Flag(help: "Print each pass and webhook round as a JSON line.") var json = false

    func validate() throws {
        if let safetyNet, safetyNet < 5 { throw ValidationError("--safety-net must be at least 5 seconds") }
    }

    func run() async throws {
        LoggingSetup.bootstrap()
        let logger = Logger(label: "concord.serve")
        var cluster: EmulatorCluster?
        var config: ConcordConfig
        if emulators {
            let c = try await EmulatorCluster.start(ClusterOptions(crms: ["salesforce", "hubspot", "dynamics"], port: 0, seed: seed,
                                                                   records: records))
            cluster = c
            config = try ConfigLoader.load(text: c.configYAML + EmbeddedService.yaml, file: "<serve --emulators>")
        } else {
            config = try options.loadConfig()
        }
        if let listen { config.service.listen = listen }
        if let safetyNet { config.service.safetyNetSeconds = safetyNet }
        let environment = ProcessInfo.processInfo.environment
        let intakes: [String: any WebhookIntake]
        do { intakes = try WebhookIntakes.make(config: config, environment: environment) } catch { throw CLIError(error.description, exitCode: 2) }
        var opsToken: String?
        if let source = config.service.opsToken {
            switch source {
            case .literal(let v): opsToken = v
            case .environment(let name):
                guard let v = environment[name], !v.isEmpty else {
                    throw CLIError("service.ops_token names environment variable \(name), which is not set", exitCode: 2)
                }
                opsToken = v
            }
        }
        let lock: StoreLock
        do { lock = try StoreLock.acquire(storePath: options.store) } catch { throw CLIError(error.message, exitCode: 1) }
        defer { withExtendedLifetime(lock) {} }
        let vault = try StoreCredentialVault(storePath: options.store)
        let connectors: [any CRMConnector]
        do { connectors = try StandardConnectors.make(config: config, vault: vault) } catch { throw CLIError(error.message, exitCode: 2) }
        let engine = try SyncEngine(storePath: options.store, config: config, connectors: connectors, wallClock: .system)
        let storePath = options.store
        let frozen = config
        var hooks = ServiceHooks(
            commit: { events in try await engine.withStore { try $0.enqueueInbox(events) } },
            notReady: {
                guard access(storePath, W_OK) == 0 else { return "the store \(storePath) is not writable" }
                do { _ = try await engine.withStore { try $0.inboxDepth() } } catch { return "the store cannot be read: \(error)" }
                return nil
            },
            status: { try Render.jsonBytes(try await engine.withStore { try StatusCommand.rows(config: frozen, store: $0) }) },
            quarantine: {
                let rows = try await engine.withStore { try $0.quarantined() }
                return rows.flatMap { row -> [UInt8] in
                    let line: [String: String] = ["key": row.key, "crm": row.replica, "object": row.objectType, "record": row.recordKey,
                                                  "rule": row.rule, "reason": row.reason, "since": Render.millis(row.createdAt)]
                    return ((try? Render.jsonBytes(line)) ?? []) + [UInt8(ascii: "\n")]
                }
            },
            retryQuarantine: { crm in
                guard let crm else { return try await engine.retryQuarantined().count }
                let keys = try await engine.withStore { try $0.quarantined().filter { $0.replica == crm }.map(\.key) }
                return try await engine.retryQuarantined(keys: keys).count
            },
            dropQuarantine: { key in try await engine.withStore { try $0.removeQuarantine(key: key) } })
        var grants: [PeerGrant] = []
        for (name, peer) in config.service.replicationPeers.sorted(by: { $0.key < $1.key }) {
            switch peer.token {
            case .literal(let v): grants.append(PeerGrant(name: name, token: v, read: peer.read, write: peer.write))
            case .environment(let e):
                guard let v = environment[e], !v.isEmpty else {
                    throw CLIError("service.replication.peers.\(name).token names environment variable \(e), which is not set", exitCode: 2)
                }
                grants.append(PeerGrant(name: name, token: v, read: peer.read, write: peer.write))
            }
        }
        if !grants.isEmpty {
            let hub = ReplicationHub(grants: grants)
            hooks.replicate = { auth, query, body in
                await engine.absorbingPeerChanges { store, plan in
                    hub.exchange(authorization: auth, query: query, body: body, store: store, afterMerge: plan)
                }
            }
        }
        let printJSON = json
        let service = try await ConcordService.start(ConcordService.Parts(
            engine: engine, settings: config.service, intakes: intakes, hooks: hooks, opsToken: opsToken, logger: logger,
            onReport: { kind, report in
                if printJSON, let text = try? Render.json(report) {
                    ServeOutput.line("{\"kind\":\"\(kind)\",\"report\":\(text.replacingOccurrences(of: "\n", with: ""))}")
                } else if kind == "pass" || report.wroteAnything || report.replicas.values.contains(where: { $0.lastError != nil }) {
                    ServeOutput.line("\(kind): " + PassPrinter.text(report, dryRun: false).replacingOccurrences(of: "\n", with: "; "))
                }
            }), signals: true)
        let base = config.service.publicURL ?? "http://\(config.service.listen.split(separator: ":").dropLast().joined(separator: ":")):\(service.port)"
        ServeOutput.line("concord serve: listening on port \(service.port); webhooks at \(base)/webhooks/<crm>; health at /livez and /readyz; metrics at /metrics")
        await WebhookRegistration.register(config: config, base: base, cluster: cluster)
        try await service.wait()
        await cluster?.stop()
        FileHandle.standardError.write(Data("concord serve: stopped; webhooks not yet worked wait in the inbox for the next start\n".utf8))
    }
}

/// The `service:` section `concord serve --emulators` runs with: webhook secrets made up for
/// the emulators (they sign with them), a safety net of 5 minutes.
enum EmbeddedService {
    static let hubspotSecret = "emulator-hubspot-client-secret"
    static let salesforceSecret = "emulator-salesforce-shared-secret"
    static let dataverseKey = "emulator-dataverse-webhook-key"
    static var yaml: String {
        """

        service:
          listen: 127.0.0.1:8787
          safety_net_seconds: 300
          webhooks:
            hubspot: {secret: "\(hubspotSecret)", own_source_id: "\(HubSpotWebhooks.appSourceID)"}
            salesforce: {secret: "\(salesforceSecret)", organization_id: "00D5g0000000001EAA"}
            dynamics: {auth: webhook_key, value: "\(dataverseKey)", own_user_id: "\(DataverseEmulator.applicationUser)"}

        """
    }
}

/// Lines `concord serve` prints, written at once (not held in a buffer when stdout is a file or pipe).
enum ServeOutput {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
