#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads requests from and writes replies to one accepted socket.
struct LoopbackConnection {
    let socket: Int32
    private var buffer: [UInt8] = []
    private let maxHead = 64 * 1024

    init(socket: Int32) { self.socket = socket }

    /// The next request, or `nil` when the peer closed or sent garbage.
    mutating func readRequest() -> LoopbackRequest? {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = Self.find([13, 10, 13, 10], in: buffer)
            if headEnd == nil {
                // Anything but an HTTP method token (a TLS ClientHello, say) ends the connection.
                if let first = buffer.first, !(UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(first) { return nil }
                guard buffer.count < maxHead, fill() else { return nil }
            }
        }
        guard let end = headEnd, var request = LoopbackRequest.parseHead(Array(buffer[..<end])) else { return nil }
        buffer.removeFirst(end + 4)
        let length = request.header("Content-Length").flatMap { Int($0) } ?? 0
        guard length >= 0, length <= 64 << 20 else { return nil }
        while buffer.count < length {
            guard fill() else { return nil }
        }
        request.body = Array(buffer[..<length])
        buffer.removeFirst(length)
        return request
    }

    /// Sends `reply`; returns false when the connection must be closed afterwards.
    func write(_ reply: LoopbackReply, to request: LoopbackRequest) -> Bool {
        switch reply {
        case .drop:
            return false
        case .raw(let bytes, let keepOpen):
            return sendAll(bytes) && keepOpen
        case .respond(let status, let headers, let body, let delayMilliseconds):
            var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            if !headers.contains(where: { $0.name.lowercased() == "content-length" }) {
                head += "Content-Length: \(body.count)\r\n"
            }
            head += "\r\n"
            if delayMilliseconds > 0 { sleepMilliseconds(delayMilliseconds) }
            let bytes = Array(head.utf8) + (request.method == "HEAD" ? [] : body)
            return sendAll(bytes)
        }
    }

    private func sendAll(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if sent < 0, errno == EINTR { continue }
            guard sent > 0 else { return false }
            offset += sent
        }
        return true
    }

    private mutating func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let received = chunk.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if received < 0, errno == EINTR { continue }
            guard received > 0 else { return false }
            buffer.append(contentsOf: chunk[..<received])
            return true
        }
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start] == needle[0] {
            if Array(haystack[start..<(start + needle.count)]) == needle { return start }
        }
        return nil
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 204: return "No Content"
        case 302: return "Found"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status"
        }
    }
}
