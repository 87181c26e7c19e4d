import CCurl

/// One request's state while the engine thread runs it: the configured easy handle, the
/// C buffers curl reads from, and the response collected by the write/header callbacks.
///
/// Created by the caller, then touched only by the engine thread, except for the
/// cancellation flag.
final class CurlTransfer: @unchecked Sendable {
    let request: HTTPRequest
    private let configuration: CurlHTTPClient.Configuration
    private let cancelFlag = Locked(false)
    /// Set by the caller before the transfer is submitted; resumed once by ``finish(_:)``.
    var continuation: CheckedContinuation<Result<HTTPResponse, HTTPClientError>, Never>?
    private(set) var easy: UnsafeMutableRawPointer?
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var bodyBuffer: UnsafeMutableRawBufferPointer?
    private var errorBuffer: UnsafeMutablePointer<CChar>?
    private var responseHeaders = HTTPHeaders()
    private var responseBody: [UInt8] = []
    private var exceededLimit = false

    init(request: HTTPRequest, configuration: CurlHTTPClient.Configuration) {
        self.request = request
        self.configuration = configuration
    }

    var isCancelRequested: Bool { cancelFlag.withLock { $0 } }
    func requestCancel() { cancelFlag.withLock { $0 = true } }

    /// Resumes the waiting caller and frees the C buffers. Called exactly once.
    func finish(_ result: Result<HTTPResponse, HTTPClientError>) {
        if let headerList { curl_slist_free_all(headerList) }
        bodyBuffer?.deallocate()
        errorBuffer?.deallocate()
        headerList = nil
        bodyBuffer = nil
        errorBuffer = nil
        easy = nil
        continuation?.resume(returning: result)
        continuation = nil
    }

    /// The response, or the error, once curl reports the transfer done with `code`.
    func outcome(code: CURLcode, handle: UnsafeMutableRawPointer) -> Result<HTTPResponse, HTTPClientError> {
        guard code == CURLE_OK else {
            var detail = errorBuffer.map { String(cString: $0) } ?? ""
            if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
            let kind = exceededLimit ? .tooLarge : CurlErrorMapping.code(for: code)
            if kind == .tooLarge {
                detail = "the response body exceeds the limit of \(configuration.maxResponseBytes) bytes (\(detail))"
            }
            return .failure(HTTPClientError(kind, request: request, message: detail, curlCode: Int(code.rawValue)))
        }
        var status = 0
        _ = concord_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPResponse(status: status, headers: responseHeaders, body: responseBody))
    }

    /// Sets every option for this request on `handle`; returns an error for an invalid request.
    func configure(_ handle: UnsafeMutableRawPointer) -> HTTPClientError? {
        easy = handle
        let url = request.fullURL
        let lower = url.lowercased()
        guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), HTTPDestination(url: url) != nil else {
            return HTTPClientError(.invalidURL, request: request, message: "only absolute http:// and https:// URLs are supported")
        }
        var list: UnsafeMutablePointer<curl_slist>?
        for field in request.headers.fields {
            guard Self.isSafeHeaderText(field.name), Self.isSafeHeaderText(field.value), !field.name.isEmpty else {
                if let list { curl_slist_free_all(list) }
                return HTTPClientError(.invalidRequest, request: request, message: "header \(field.name.debugDescription) contains a line break or is empty")
            }
            list = curl_slist_append(list, "\(field.name): \(field.value)")
        }
        list = curl_slist_append(list, "Expect:")
        if request.body != nil, !request.headers.contains(name: "Content-Type") {
            list = curl_slist_append(list, "Content-Type:")
        }
        headerList = list
        let errors = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errors.initialize(to: 0)
        errorBuffer = errors

        let me = Unmanaged.passUnretained(self).toOpaque()
        var ok = true
        func long(_ option: CURLoption, _ value: Int) { ok = ok && concord_curl_easy_setopt_long(handle, option, value) == CURLE_OK }
        func text(_ option: CURLoption, _ value: String) {
            ok = ok && value.withCString { concord_curl_easy_setopt_ptr(handle, option, $0) } == CURLE_OK
        }
        func pointer(_ option: CURLoption, _ value: UnsafeRawPointer?) {
            ok = ok && concord_curl_easy_setopt_ptr(handle, option, value) == CURLE_OK
        }
        text(CURLOPT_URL, url)
        text(CURLOPT_PROTOCOLS_STR, "http,https")
        long(CURLOPT_NOSIGNAL, 1)
        long(CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout))
        long(CURLOPT_TIMEOUT_MS, Self.milliseconds(request.timeout ?? configuration.timeout))
        long(CURLOPT_SSL_VERIFYPEER, 1)
        long(CURLOPT_SSL_VERIFYHOST, 2)
        if let caFile = configuration.caFile { text(CURLOPT_CAINFO, caFile) }
        // No proxy option unless configured: libcurl then reads the proxy environment variables.
        if let proxy = configuration.proxy { text(CURLOPT_PROXY, proxy) }
        long(CURLOPT_FOLLOWLOCATION, configuration.followRedirects ? 1 : 0)
        if configuration.followRedirects {
            long(CURLOPT_MAXREDIRS, configuration.maxRedirects)
            text(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        }
        if configuration.acceptEncoding { text(CURLOPT_ACCEPT_ENCODING, "") }
        if !request.headers.contains(name: "User-Agent") { text(CURLOPT_USERAGENT, configuration.userAgent) }
        if request.method != .head {
            // Rejects an announced Content-Length over the limit before any body arrives.
            ok = ok && concord_curl_easy_setopt_off(
                handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes)) == CURLE_OK
        }
        pointer(CURLOPT_HTTPHEADER, UnsafeRawPointer(list))
        pointer(CURLOPT_ERRORBUFFER, UnsafeRawPointer(errors))
        ok = ok && concord_curl_easy_setopt_write(handle, curlWriteCallback) == CURLE_OK
        pointer(CURLOPT_WRITEDATA, me)
        ok = ok && concord_curl_easy_setopt_header(handle, curlHeaderCallback) == CURLE_OK
        pointer(CURLOPT_HEADERDATA, me)
        configureMethodAndBody(handle, ok: &ok)
        guard ok else {
            return HTTPClientError(.invalidRequest, request: request, message: "libcurl rejected an option for this request")
        }
        return nil
    }

    private func configureMethodAndBody(_ handle: UnsafeMutableRawPointer, ok: inout Bool) {
        let method = request.method.rawValue
        if let body = request.body {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
            buffer.copyBytes(from: body)
            bodyBuffer = buffer
            ok = ok && concord_curl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)) == CURLE_OK
            ok = ok && concord_curl_easy_setopt_ptr(handle, CURLOPT_POSTFIELDS, buffer.baseAddress) == CURLE_OK
            if method != "POST" {
                ok = ok && method.withCString { concord_curl_easy_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, $0) } == CURLE_OK
            }
        } else if method == "HEAD" {
            ok = ok && concord_curl_easy_setopt_long(handle, CURLOPT_NOBODY, 1) == CURLE_OK
        } else if method == "POST" {
            ok = ok && concord_curl_easy_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, 0) == CURLE_OK
            ok = ok && "".withCString { concord_curl_easy_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, $0) } == CURLE_OK
        } else if method != "GET" {
            ok = ok && method.withCString { concord_curl_easy_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, $0) } == CURLE_OK
        }
    }

    /// Appends body bytes; returns less than `count` (aborting the transfer) past the limit.
    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Int {
        if responseBody.count + bytes.count > configuration.maxResponseBytes {
            exceededLimit = true
            return 0
        }
        responseBody.append(contentsOf: bytes)
        return bytes.count
    }

    /// Records one header line; a new status line starts a fresh header set.
    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) {
        var count = bytes.count
        while count > 0, bytes[count - 1] == 13 || bytes[count - 1] == 10 { count -= 1 }
        let line = Substring(decoding: UnsafeRawBufferPointer(rebasing: bytes[..<count]), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            responseHeaders = HTTPHeaders()
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        responseHeaders.add(name: name, value: String(value))
    }

    private static func isSafeHeaderText(_ text: String) -> Bool {
        !text.utf8.contains { $0 == 13 || $0 == 10 || $0 == 0 }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}

private let curlWriteCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.receiveBody(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let curlHeaderCallback: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}
