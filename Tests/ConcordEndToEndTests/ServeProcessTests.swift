import ConcordStore
import ConcordWebhooks
import CRMEmulators
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `concord serve` as a process: `kill -9` right after it acknowledged a webhook loses
/// nothing; SIGTERM drains and exits 0 in time.
@Suite("Serve: the process", .serialized)
struct ServeProcessTests {
    static let secret = "process-hs-secret"

    /// Starts `concord serve` on the stack (webhooks configured, a debounce of 3 s so the
    /// events of a request are still pending when it is killed) and returns it with its port.
    static func serve(_ stack: Stack) async throws -> (Process, Int) {
        let yaml = try String(contentsOfFile: stack.configPath, encoding: .utf8) + """

            service:
              listen: 127.0.0.1:0
              safety_net_seconds: 86400
              debounce_ms: 3000
              webhooks:
                hubspot: {secret: "\(secret)"}

            """
        let path = stack.configPath + ".serve.yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: KillNineTests.concordBinary)
        process.arguments = ["serve", "--config", path, "--store", stack.storePath]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The port, from the line it prints once listening.
        var text = ""
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, process.isRunning {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: "listening on port "), let end = text[range.upperBound...].firstIndex(of: ";"),
               let port = Int(text[range.upperBound..<end]) {
                // Keep draining its output so it never blocks on a full pipe.
                Thread.detachNewThread { while !out.fileHandleForReading.availableData.isEmpty {} }
                return (process, port)
            }
        }
        process.terminate()
        throw CancellationError()
    }

    @Test("kill -9 right after a webhook is acknowledged: the event is in the inbox, and the restarted service syncs it")
    func killAfterAcknowledgement() async throws {
        let stack = try await Stack.start(people: 8, seed: 51)
        defer { Task { await stack.stop() } }
        let (process, port) = try await Self.serve(stack)
        // The first pass links everything; then a person edits a HubSpot contact.
        let hs = try #require(stack.emulator("hubspot").control.store.all("contacts").sorted { $0.id < $1.id }.first?.id)
        let linked = try await ServeEndToEndTests.eventually {
            guard let store = try? ConcordStore.open(path: stack.storePath, wallClock: .system, readOnly: true) else { return false }
            return try store.linkedRecord(replica: "hubspot", objectType: "contact", externalID: hs) != nil
        }
        #expect(linked)
        // The emulator posts nothing itself (serve subscribed it: switch that off); the test delivers.
        stack.emulator("hubspot").control.webhookTarget = nil
        try stack.userEdit("hubspot", "contacts", hs, ["jobtitle": .string("Edited before the crash")])
        let url = "http://127.0.0.1:\(port)/webhooks/hubspot"
        let body = Array("[{\"eventId\": 777001, \"subscriptionType\": \"contact.propertyChange\", \"objectId\": \(hs), \"occurredAt\": 1, \"propertyName\": \"jobtitle\"}]".utf8)
        let ts = String(UInt64(Date().timeIntervalSince1970 * 1000))
        let status = try await ServeEndToEndTests.post(url, headers: [
            "Content-Type": "application/json", "X-HubSpot-Request-Timestamp": ts,
            "X-HubSpot-Signature-v3": HubSpotIntake.signature(secret: Self.secret, method: "POST", uri: url, body: body, timestamp: ts),
        ], body: body)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(status == 200)
        let store = try ConcordStore.open(path: stack.storePath, wallClock: .system, readOnly: true)
        let pending = try store.pendingInbox(limit: 10_000).filter { $0.event.eventID == "777001" }
        #expect(pending.count == 1, "acknowledged means committed: the event survived the kill")
        // Restarted, it works the inbox: the edit reaches Salesforce.
        let (again, _) = try await Self.serve(stack)
        defer { again.terminate(); again.waitUntilExit() }
        let gid = try #require(try store.linkedRecord(replica: "hubspot", objectType: "contact", externalID: hs))
        let sf = try #require(try store.links(of: gid)["salesforce"])
        #expect(try await ServeEndToEndTests.eventually {
            stack.emulator("salesforce").control.store.get("Contact", sf)?.fields["Title"] == .string("Edited before the crash")
        })
        #expect(try await ServeEndToEndTests.eventually {
            guard let s = try? ConcordStore.open(path: stack.storePath, wallClock: .system, readOnly: true) else { return false }
            return try s.pendingInbox(limit: 10_000).allSatisfy { $0.event.eventID != "777001" }
        }, "and marks it done")
    }

    @Test("SIGTERM: the service drains and exits 0")
    func sigtermDrains() async throws {
        let stack = try await Stack.start(people: 8, seed: 52)
        defer { Task { await stack.stop() } }
        let (process, port) = try await Self.serve(stack)
        #expect(try await ServeEndToEndTests.eventually {
            guard let (_, r) = try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/readyz")!) else { return false }
            return (r as? HTTPURLResponse)?.statusCode == 200
        })
        kill(process.processIdentifier, SIGTERM)
        // The 60 s bound only catches a hang; how fast it stops is not what this test measures.
        let exited = try await KillNineTests.waitFor(process, seconds: 60) { !process.isRunning }
        #expect(exited, "it exited on its own after SIGTERM")
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }
}
