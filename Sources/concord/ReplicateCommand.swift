import ArgumentParser
import ConcordCore
import ConcordDemo
import ConcordReplica
import ConcordReplication
import ConcordStore
import Foundation

/// `concord replicate`: an edge store syncing with a hub (`concord serve` or `concord hub`).
struct ReplicateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replicate",
        abstract: "Sync this store with a hub over a link that may come and go (an edge replica).",
        discussion: """
            Each exchange is one round trip carrying a batch each way; a cut re-sends at most the one batch \
            that was not committed. The token comes from the environment (--token-env, default CONCORD_REPLICA_TOKEN). \
            --watch keeps syncing every --interval seconds, backing off with jitter (up to 60 s) while the hub is \
            unreachable. --status prints pending counts both ways, the last contact and the last error, offline. \
            Exit codes: 0 in sync, 1 the hub or the store failed, 2 bad input or a refused token.
            """
    )

    @OptionGroup var options: StoreOptions
    @Option(help: "The hub's base URL (http://host:port, or https:// behind a TLS proxy).") var peer: String?
    @Flag(help: "Keep syncing.") var watch = false
    @Option(help: "With --watch: seconds between syncs.") var interval: Double = 5
    @Option(help: "Object types to receive (comma-separated; default all the token allows).") var objects: String?
    @Option(name: .customLong("token-env"), help: "The environment variable holding this replica's token.") var tokenEnv = "CONCORD_REPLICA_TOKEN"
    @Option(name: .customLong("backoff-max"), help: "With --watch: the longest wait, in seconds, between attempts while the hub is unreachable.")
    var backoffMax: Double = 60
    @Flag(help: "Print what this store has pending to and from each hub, offline.") var status = false
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(name: .customLong("soak-edits"), help: .hidden) var soakEdits: UInt64?

    func validate() throws {
        if !status && peer == nil { throw ValidationError("--peer URL is required (or --status)") }
        if interval < 0.05 { throw ValidationError("--interval must be at least 0.05 s") }
        if backoffMax < 0.1 { throw ValidationError("--backoff-max must be at least 0.1 s") }
    }

    func run() async throws {
        if status { return try printStatus() }
        guard let peer else { return }
        guard let token = ProcessInfo.processInfo.environment[tokenEnv], !token.isEmpty else {
            throw CLIError("set \(tokenEnv) to this replica's token (the hub's service.replication.peers.<name>.token)", exitCode: 2)
        }
        let lock = try EdgeLock.take(options.store)
        defer { withExtendedLifetime(lock) {} }
        let store = try options.openOrCreateStore()
        try store.setPageCache(mebibytes: 8)
        let scope = objects.map { Set($0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }) }
        let session = ReplicaSession(store: store, peer: peer, transport: CurlReplicaTransport(hub: peer, token: token), objects: scope)
        var edits = soakEdits.map { SoakEditor(seed: $0, log: options.store + ".writes") }
        var backoff = ReplicaBackoff(baseMillis: min(500, UInt64(backoffMax * 1000)), capMillis: UInt64(backoffMax * 1000))
        while true {
            try edits?.edit(store)
            let outcome: Result<ReplicaSession.Summary, ReplicaError>
            let started = Date()
            let terminal = isatty(STDERR_FILENO) == 1 && !json
            do throws(ReplicaError) {
                outcome = .success(try await session.syncOnce { p in
                    guard terminal else { return }
                    let line = "\rreplicate: \(p.registersSent) registers sent, \(p.registersReceived) received; "
                        + "\(p.pendingOut) records left to send, \(p.pendingIn) to receive   "
                    FileHandle.standardError.write(Data(line.utf8))
                })
                if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            } catch { outcome = .failure(error) }
            let seconds = Date().timeIntervalSince(started)
            switch outcome {
            case .success(let s):
                backoff.reset()
                if json {
                    print(try Render.json(SummaryOut(s, seconds: seconds)))
                } else if !watch || s.registersSent + s.registersReceived > 0 || s.refused > 0 {
                    print("in sync with \(peer): sent \(s.registersSent) registers (\(s.pendingOutAtStart) records pending at start), "
                          + "received \(s.registersReceived) (\(s.pendingInAtStart) pending); \(s.exchanges) round trips, "
                          + "\(s.bytesSent) bytes up, \(s.bytesReceived) down" + (s.refused > 0 ? "; \(s.refused) records refused by the hub (concord quarantine list)" : ""))
                }
                if !watch { return }
                try await Task.sleep(for: .milliseconds(Int(interval * 1000)))
            case .failure(let error):
                guard watch else { throw CLIError(error.message, exitCode: error.kind == .unauthorized ? 2 : 1) }
                let delay = error.isTransient ? backoff.next() : UInt64(backoffMax * 1000)
                FileHandle.standardError.write(Data("replicate: \(error.message); trying again in \(Double(delay) / 1000) s\n".utf8))
                try await Task.sleep(for: .milliseconds(Int(delay)))
            }
        }
    }

    struct SummaryOut: Encodable {
        var exchanges, registersSent, registersReceived, bytesSent, bytesReceived, pendingOutAtStart, pendingInAtStart, refused: Int
        var seconds: Double
        /// This process's peak resident memory so far (KiB).
        var peakRssKib: Int
        init(_ s: ReplicaSession.Summary, seconds: Double) {
            self.seconds = seconds
            // VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over an exec, so a child
            // would report its parent's peak.
            let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
            peakRssKib = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
                .flatMap { $0.split(separator: " ").compactMap { Int($0) }.first } ?? 0
            exchanges = s.exchanges; registersSent = s.registersSent; registersReceived = s.registersReceived
            bytesSent = s.bytesSent; bytesReceived = s.bytesReceived; pendingOutAtStart = s.pendingOutAtStart
            pendingInAtStart = s.pendingInAtStart; refused = s.refused
        }
    }

    func printStatus() throws {
        let store = try options.openStore(readOnly: true)
        struct Row: Encodable {
            var peer: String
            var pendingOut: Int
            var pendingIn: Int
            var lastContact: String?
            var lagSeconds: Double?
            var lastError: String?
        }
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        var rows: [Row] = []
        for link in try store.peerLinks() {
            rows.append(Row(peer: link.peer, pendingOut: try store.recordsChanged(after: link.sendFrom.after), pendingIn: link.incomingPending,
                            lastContact: link.lastContact.map(Render.millis), lagSeconds: link.lastContact.map { Double(now &- $0) / 1000 },
                            lastError: link.lastError))
        }
        if json { print(try Render.json(rows)); return }
        if rows.isEmpty { print("this store has not replicated with any hub yet (concord replicate --peer URL)"); return }
        for r in rows {
            print("\(r.peer): \(r.pendingOut) records to send, \(r.pendingIn) to receive (as of the last contact)")
            print("  last contact: \(r.lastContact ?? "never")" + (r.lagSeconds.map { String(format: " (%.0f s ago)", $0) } ?? ""))
            if let e = r.lastError { print("  last error: \(e)") }
        }
    }
}
