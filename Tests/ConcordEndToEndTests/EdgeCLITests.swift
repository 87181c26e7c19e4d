import Foundation
import Testing

/// The edge's CLI as a user runs it: `put`, `get`, `delete` offline, then `hub`,
/// `replicate` and `replicate --status`.
@Suite("Edge CLI", .serialized)
struct EdgeCLITests {
    static func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: KillNineTests.concordBinary)
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    @Test("put, get and delete work offline; replicate carries them to a hub; --status tells what is pending")
    func edgeCommands() async throws {
        let dir = NSTemporaryDirectory() + "concord-edge-cli-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let edge = dir + "/edge.sqlite", hubStore = dir + "/hub.sqlite"
        let created = try Self.run(["put", "--store", edge, "contact", "new", "email=Ann@Example.com", "first_name=Ann", "status=active"])
        #expect(created.status == 0, "\(created.err)")
        #expect(try Self.run(["put", "--store", edge, "contact", "ann@example.com", "job_title=CEO"]).status == 0)
        let bad = try Self.run(["put", "--store", edge, "contact", "ann@example.com", "shoe_size=44"])
        #expect(bad.status == 2 && bad.err.contains("no field shoe_size"), "\(bad.err)")
        let got = try Self.run(["get", "--store", edge, "contact", "ann@example.com", "--json"])
        #expect(got.out.contains("\"job_title\" : \"CEO\"") && got.out.contains("\"alive\" : true"), "\(got.out)")
        #expect(try Self.run(["replicate", "--store", edge, "--status"]).out.contains("has not replicated with any hub yet"))

        let env = ["EDGE_TOKEN": "edge-cli-token", "CONCORD_REPLICA_TOKEN": "edge-cli-token"]
        let hub = Process()
        hub.executableURL = URL(fileURLWithPath: KillNineTests.concordBinary)
        hub.arguments = ["hub", "--store", hubStore, "--listen", "127.0.0.1:0", "--grant", "laptop=EDGE_TOKEN", "--port-file", dir + "/port"]
        hub.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        hub.standardOutput = FileHandle.nullDevice
        hub.standardError = FileHandle.nullDevice
        try hub.run()
        defer { hub.terminate(); hub.waitUntilExit() }
        var port = ""
        while port.isEmpty {
            #expect(hub.isRunning, "the hub is running")
            guard hub.isRunning else { return }
            port = ((try? String(contentsOfFile: dir + "/port", encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            try await Task.sleep(for: .milliseconds(20))
        }
        let url = "http://127.0.0.1:\(port)"
        let wrong = try Self.run(["replicate", "--store", edge, "--peer", url], env: ["CONCORD_REPLICA_TOKEN": "nope"])
        #expect(wrong.status == 2 && wrong.err.contains("refused this replica's token"), "\(wrong.err)")
        let synced = try Self.run(["replicate", "--store", edge, "--peer", url], env: env)
        #expect(synced.status == 0 && synced.out.contains("in sync with"), "\(synced.out) \(synced.err)")
        #expect(try Self.run(["delete", "--store", edge, "contact", "ann@example.com"]).status == 0)
        let pending = try Self.run(["replicate", "--store", edge, "--status", "--json"])
        #expect(pending.out.contains("\"pending_out\" : 1"), "the delete waits to be sent: \(pending.out)")
        #expect(try Self.run(["replicate", "--store", edge, "--peer", url], env: env).status == 0)
        let status = try Self.run(["replicate", "--store", edge, "--status"])
        #expect(status.out.contains("0 records to send, 0 to receive"), "\(status.out)")
        hub.terminate()
        hub.waitUntilExit()
        let onHub = try Self.run(["get", "--store", hubStore, "contact", "ann@example.com"])
        #expect(onHub.status == 0 && onHub.out.contains("(deleted)") && onHub.out.contains("job_title = CEO"), "\(onHub.out) \(onHub.err)")
        let hubStatus = try Self.run(["status", "--store", hubStore])
        #expect(hubStatus.out.contains("replica laptop (served)") && hubStatus.out.contains("records changed here after where it stood"),
                "\(hubStatus.out) \(hubStatus.err)")
        let edgeStatus = try Self.run(["status", "--store", edge])
        #expect(edgeStatus.out.contains("hub \(url)"), "\(edgeStatus.out)")
    }
}
