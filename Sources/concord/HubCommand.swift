import ArgumentParser
import ConcordCore
import ConcordDemo
import ConcordReplication
import ConcordService
import ConcordStore
import Foundation

/// `concord hub`: serves a store to edge replicas, without CRMs (`concord serve` serves
/// replication too, next to the CRM sync, when `service.replication.peers` is set).
struct HubCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "Serve this store to edge replicas (store-to-store replication, no CRMs).",
        discussion: """
            Peers come from the configuration's service.replication.peers and from --grant NAME=ENV_VAR (the token \
            in that environment variable, every object readable and writable). Route: POST /replication/v1/exchange; \
            GET /livez. Put a TLS reverse proxy in front for links outside the machine (docs/replication.md).
            """
    )

    @OptionGroup var options: StoreOptions
    @Option(help: "host:port to listen on (port 0: any free port).") var listen = "127.0.0.1:8788"
    @Option(help: "A peer: NAME=ENV_VAR, its token read from that environment variable.") var grant: [String] = []
    @Option(name: .customLong("port-file"), help: "Write the bound port to this file once listening.") var portFile: String?
    @Option(name: .customLong("soak-edits"), help: .hidden) var soakEdits: UInt64?
    @Option(name: .customLong("soak-interval-ms"), help: .hidden) var soakInterval: Int = 40

    func run() async throws {
        var grants: [PeerGrant] = []
        let environment = ProcessInfo.processInfo.environment
        if options.config != nil {
            let config = try options.loadConfig()
            for (name, peer) in config.service.replicationPeers.sorted(by: { $0.key < $1.key }) {
                let token: String
                switch peer.token {
                case .literal(let v): token = v
                case .environment(let e):
                    guard let v = environment[e], !v.isEmpty else {
                        throw CLIError("service.replication.peers.\(name).token names environment variable \(e), which is not set", exitCode: 2)
                    }
                    token = v
                }
                grants.append(PeerGrant(name: name, token: token, read: peer.read, write: peer.write))
            }
        }
        for g in grant {
            let parts = g.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let token = environment[parts[1]], !token.isEmpty else {
                throw CLIError("--grant \(g): expected NAME=ENV_VAR with that variable set to the peer's token", exitCode: 2)
            }
            grants.append(PeerGrant(name: parts[0], token: token, read: nil, write: nil))
        }
        guard !grants.isEmpty else { throw CLIError("no peers: give --grant NAME=ENV_VAR or service.replication.peers", exitCode: 2) }
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]) else {
            throw CLIError("--listen must be host:port", exitCode: 2)
        }
        let lock = try EdgeLock.take(options.store)
        defer { withExtendedLifetime(lock) {} }
        let store = try options.openOrCreateStore()
        try store.setPageCache(mebibytes: 4)
        let hub = StoreHub(store: store, grants: grants)
        let server = try await ReplicationServer.start(host: String(listen[..<colon]), port: port) { auth, query, body in
            await hub.exchange(authorization: auth, query: query, body: body)
        }
        if let portFile { try "\(server.port)\n".write(toFile: portFile, atomically: true, encoding: .utf8) }
        ServeOutput.line("concord hub: listening on port \(server.port) for \(grants.count) peer(s)")
        if let soakEdits {
            let path = options.store
            let interval = soakInterval
            Task {
                var editor = SoakEditor(seed: soakEdits, log: path + ".writes")
                while true {
                    try await Task.sleep(for: .milliseconds(interval))
                    let current = editor
                    editor = try await hub.withStore { store in
                        var next = current
                        try next.edit(store)
                        return next
                    }
                }
            }
        }
        try await server.wait()
    }
}
