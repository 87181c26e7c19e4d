/// Salesforce conditional requests: ETags on Account rows, If-Modified-Since / If-Unmodified-Since.
enum SalesforceConditional {
    static func etag(_ record: StoredRecord) -> String { "\"\(record.id)-\(record.version)\"" }

    static let preconditionFailed = SalesforceError(
        status: 412, code: "PRECONDITION_FAILED", message: "The entity has been modified since the specified time or the ETag doesn't match.")

    /// Parses an RFC 7231 HTTP-date (`Thu, 08 Sep 2022 16:54:10 GMT`) to epoch ms.
    static func httpDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3])
        else { return nil }
        let time = parts[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3 else { return nil }
        return (Int64(Timestamps.days(year: year, month: month + 1, day: day)) * 86400 + Int64(time[0] * 3600 + time[1] * 60 + time[2])) * 1000
    }

    /// Checks the preconditions of a read; returns 304 when the client's copy is current.
    static func checkRead(_ request: EmulatorRequest, _ record: StoredRecord) throws -> EmulatorResponse? {
        if record.type == "Account", let tags = request.header("if-none-match"), tags.contains(etag(record)) {
            return .empty(304, headers: [("ETag", etag(record))])
        }
        if let since = request.header("if-modified-since") {
            guard let ms = httpDate(since) else { throw SalesforceError.badRequest("Invalid If-Modified-Since header", code: "INVALID_HEADER_VALUE") }
            if record.modifiedAt / 1000 <= ms / 1000 { return .empty(304) }
        }
        return nil
    }

    /// Checks the preconditions of a write; throws 412 when the record changed.
    static func checkWrite(_ request: EmulatorRequest, _ record: StoredRecord) throws {
        if record.type == "Account", let tags = request.header("if-match"), !tags.contains(etag(record)), tags != "*" {
            throw preconditionFailed
        }
        if record.type == "Account", let tags = request.header("if-none-match"), tags.contains(etag(record)) || tags == "*" {
            throw preconditionFailed
        }
        if let since = request.header("if-unmodified-since") {
            guard let ms = httpDate(since) else { throw SalesforceError.badRequest("Invalid If-Unmodified-Since header", code: "INVALID_HEADER_VALUE") }
            if record.modifiedAt / 1000 > ms / 1000 { throw preconditionFailed }
        }
    }
}
