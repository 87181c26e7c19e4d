/// What the server does with a request.
enum LoopbackReply {
    /// A normal response, written after an optional delay.
    case respond(status: Int, headers: [(name: String, value: String)], body: [UInt8], delayMilliseconds: Int)
    /// Exactly these bytes, then keep the connection open or close it.
    case raw([UInt8], keepOpen: Bool)
    /// Close the connection without answering.
    case drop
}

/// The loopback server's endpoints, each a fault mode:
///
/// | Path | Reply |
/// |---|---|
/// | `/echo` | 200; body is `METHOD target`, the request's header lines, a blank line, the request body |
/// | `/status/N?header=Name:Value&body=text` | status N with those headers and body |
/// | `/flaky?key=K&fail=N&status=503&header=...` | the first N requests with key K get `status`, later ones 200 |
/// | `/slow?ms=N` | 200 after N milliseconds |
/// | `/hang?ms=N` | 200 after N ms (default 10 s), checked every 10 ms, ends early when the server stops |
/// | `/drop` | closes the connection without a reply |
/// | `/truncated` | announces 100 bytes, sends 10, closes |
/// | `/bytes?n=N` | N bytes of `x` |
/// | `/gzip`, `/deflate` | a compressed body with `Content-Encoding` gzip or deflate |
/// | `/bench` | 200 `ok` |
enum LoopbackRoutes {
    static func reply(to request: LoopbackRequest, server: LoopbackHTTPServer) -> LoopbackReply {
        let path = request.path
        let extra = request.query.filter { $0.name == "header" }.compactMap { item -> (name: String, value: String)? in
            guard let colon = item.value.firstIndex(of: ":") else { return nil }
            return (String(item.value[..<colon]), String(item.value[item.value.index(after: colon)...]))
        }
        switch path {
        case "/bench":
            return ok(Array("ok".utf8))
        case "/echo":
            var text = "\(request.method) \(request.target)\n"
            for (name, value) in request.headers { text += "\(name): \(value)\n" }
            return ok(Array((text + "\n").utf8) + request.body)
        case _ where path.hasPrefix("/status/"):
            let status = Int(path.dropFirst("/status/".count)) ?? 500
            return .respond(status: status, headers: extra, body: Array((request.parameter("body") ?? "").utf8), delayMilliseconds: 0)
        case "/flaky":
            let key = request.parameter("key") ?? "default"
            let failures = Int(request.parameter("fail") ?? "1") ?? 1
            let seen = server.bump(key)
            guard seen <= failures else { return ok(Array("recovered after \(seen - 1) failures".utf8)) }
            let status = Int(request.parameter("status") ?? "503") ?? 503
            return .respond(status: status, headers: extra, body: Array((request.parameter("body") ?? "failure \(seen)").utf8), delayMilliseconds: 0)
        case "/slow":
            let delay = Int(request.parameter("ms") ?? "100") ?? 100
            return .respond(status: 200, headers: [], body: Array("slow".utf8), delayMilliseconds: min(delay, 30_000))
        case "/hang":
            let limit = min(Int(request.parameter("ms") ?? "10000") ?? 10_000, 30_000)
            var waited = 0
            while waited < limit, !server.isStopped {
                sleepMilliseconds(10)
                waited += 10
            }
            return ok(Array("finally".utf8))
        case "/drop":
            return .drop
        case "/truncated":
            let head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789"
            return .raw(Array(head.utf8), keepOpen: false)
        case "/bytes":
            let count = min(max(Int(request.parameter("n") ?? "0") ?? 0, 0), 64 << 20)
            return ok([UInt8](repeating: UInt8(ascii: "x"), count: count))
        case "/gzip":
            return .respond(status: 200, headers: [("Content-Encoding", "gzip")], body: CompressedFixture.gzip, delayMilliseconds: 0)
        case "/deflate":
            return .respond(status: 200, headers: [("Content-Encoding", "deflate")], body: CompressedFixture.deflate, delayMilliseconds: 0)
        default:
            return .respond(status: 404, headers: [], body: Array("no route \(path)".utf8), delayMilliseconds: 0)
        }
    }

    private static func ok(_ body: [UInt8]) -> LoopbackReply {
        .respond(status: 200, headers: [], body: body, delayMilliseconds: 0)
    }
}

/// Real compressed bodies (made once with Python's `gzip.compress`/`zlib.compress`, mtime 0).
public enum CompressedFixture {
    /// The decompressed text: `"Concord gzip fixture. "` repeated 40 times (880 bytes).
    public static let text = String(repeating: "Concord gzip fixture. ", count: 40)

    /// ``text`` gzip-compressed (51 bytes).
    public static let gzip: [UInt8] = [
        0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x73, 0xce, 0xcf, 0x4b, 0xce, 0x2f, 0x4a,
        0x51, 0x48, 0xaf, 0xca, 0x2c, 0x50, 0x48, 0xcb, 0xac, 0x28, 0x29, 0x2d, 0x4a, 0xd5, 0x53, 0x70, 0x1e,
        0x15, 0x1d, 0x15, 0x1d, 0x15, 0xa5, 0x81, 0x28, 0x00, 0xca, 0xec, 0x36, 0x93, 0x70, 0x03, 0x00, 0x00,
    ]

    /// ``text`` zlib-compressed, as HTTP's `deflate` coding (39 bytes).
    public static let deflate: [UInt8] = [
        0x78, 0x9c, 0x73, 0xce, 0xcf, 0x4b, 0xce, 0x2f, 0x4a, 0x51, 0x48, 0xaf, 0xca, 0x2c, 0x50, 0x48, 0xcb,
        0xac, 0x28, 0x29, 0x2d, 0x4a, 0xd5, 0x53, 0x70, 0x1e, 0x15, 0x1d, 0x15, 0x1d, 0x15, 0xa5, 0x81, 0x28,
        0x00, 0x5e, 0x8b, 0x43, 0xa8,
    ]
}
