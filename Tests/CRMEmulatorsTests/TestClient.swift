import CRMEmulators
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Minimal loopback HTTP client for the tests.
struct TestClient {
    let baseURL: String
    var token: String?

    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: JSONValue? { try? JSONValue.parse(Array(body)) }
        var text: String { String(decoding: body, as: UTF8.self) }
        func header(_ name: String) -> String? { headers.first { $0.key.lowercased() == name.lowercased() }?.value }
    }

    func send(_ method: String, _ target: String, json: JSONValue? = nil, body: Data? = nil,
              headers: [String: String] = [:]) async throws -> Reply {
        let url = target.hasPrefix("http") ? target : baseURL + target
        guard let parsed = URL(string: url) else { throw URLError(.badURL) }
        var request = URLRequest(url: parsed)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(json.serialized().utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let body { request.httpBody = body }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as? HTTPURLResponse
        var replyHeaders: [String: String] = [:]
        for (key, value) in http?.allHeaderFields ?? [:] { replyHeaders["\(key)"] = "\(value)" }
        return Reply(status: http?.statusCode ?? 0, headers: replyHeaders, body: data)
    }
}

/// Starts an emulator behind its pipeline on an ephemeral loopback port, runs `body`, stops it.
func withServer<E: CRMEmulator>(_ emulator: E, _ body: (TestClient) async throws -> Void) async throws {
    let pipeline = EmulatorPipeline(emulator: emulator)
    let server = try await EmulatorServer.start { await pipeline.handle($0) }
    do {
        try await body(TestClient(baseURL: server.baseURL, token: emulator.control.credentials.staticToken))
    } catch {
        await server.stop()
        throw error
    }
    await server.stop()
}
