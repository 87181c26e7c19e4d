/// A Salesforce outbound message (SOAP): the organization and, per notification, its id
/// and the record it is about.
///
/// Read by a small XML scanner of its own, not Foundation's `XMLParser`: fuzzing found
/// inputs on which FoundationXML (libxml2 underneath) traps inside its element callback on
/// Linux, and a webhook receiver must never crash on a body. The scanner takes what this
/// format uses (elements, attributes, text, the five entities and character references,
/// comments, CDATA, the XML declaration), requires tags to nest and the root to close, and
/// refuses a DOCTYPE (no entity expansion, so no billion laughs).
struct OutboundMessage: Sendable {
    struct Notification: Sendable, Hashable {
        var id: String
        var objectType: String
        var recordID: String
    }

    struct ParseError: Error {
        var reason: String
    }

    var organizationID: String
    var notifications: [Notification]

    /// Reads the envelope; anything else (not XML, no organization, a notification without
    /// an id or record id, more than 100 notifications) is an error.
    static func parse(_ body: [UInt8]) throws(ParseError) -> OutboundMessage {
        var scanner = XMLScanner(body)
        var path: [String] = []
        var text = ""
        var organization: String?
        var notifications: [Notification] = []
        var current: (id: String?, type: String?, record: String?)?
        var sawRoot = false
        while let token = try scanner.next() {
            switch token {
            case .start(let name, let attributes, let selfClosing):
                guard !(sawRoot && path.isEmpty) else { throw ParseError(reason: "more than one root element") }
                sawRoot = true
                if name == "Notification" {
                    guard current == nil else { throw ParseError(reason: "a Notification inside a Notification") }
                    current = (nil, nil, nil)
                }
                if name == "sObject", current != nil {
                    let type = attributes.first { $0.key == "type" || $0.key.hasSuffix(":type") }?.value
                    current?.type = type.map { String($0.split(separator: ":").last ?? "") }
                }
                text = ""
                if !selfClosing { path.append(name) }
            case .end(let name):
                guard path.last == name else { throw ParseError(reason: "</\(name.prefix(40))> does not close <\(path.last?.prefix(40) ?? "")>") }
                path.removeLast()
                let parent = path.last
                let value = text.trimmingWhitespace
                switch (name, parent) {
                case ("OrganizationId", "notifications"): organization = value
                case ("Id", "Notification"): current?.id = value
                case ("Id", "sObject"): current?.record = value
                case ("Notification", _):
                    guard let c = current, let id = c.id, let type = c.type, let record = c.record, !id.isEmpty, !type.isEmpty, !record.isEmpty else {
                        throw ParseError(reason: "a notification lacks its Id, sObject type or record Id")
                    }
                    notifications.append(Notification(id: id, objectType: type, recordID: record))
                    guard notifications.count <= 100 else { throw ParseError(reason: "more than 100 notifications") }
                    current = nil
                default: break
                }
                text = ""
            case .text(let t):
                if text.utf8.count < 4_096 { text += t }
            }
        }
        guard sawRoot, path.isEmpty else { throw ParseError(reason: "the SOAP envelope is cut short (it never closes)") }
        guard let organization, !organization.isEmpty else { throw ParseError(reason: "the outbound message has no OrganizationId") }
        return OutboundMessage(organizationID: organization, notifications: notifications)
    }
}

/// The tokens of a small XML subset, local names only (prefixes dropped).
struct XMLScanner {
    enum Token {
        case start(name: String, attributes: [String: String], selfClosing: Bool)
        case end(name: String)
        case text(String)
    }

    let bytes: [UInt8]
    var i = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    typealias ParseError = OutboundMessage.ParseError

    mutating func next() throws(ParseError) -> Token? {
        guard i < bytes.count else { return nil }
        if bytes[i] != UInt8(ascii: "<") {
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "<") { i += 1 }
            return .text(try Self.decode(bytes[start..<i]))
        }
        if starts("<?") { try skip(past: "?>"); return try next() }
        if starts("<!--") { try skip(past: "-->"); return try next() }
        if starts("<![CDATA[") {
            i += 9
            let start = i
            try skip(past: "]]>")
            return .text(String(decoding: bytes[start..<(i - 3)], as: UTF8.self))
        }
        if starts("<!") { throw ParseError(reason: "a DOCTYPE or declaration is not accepted") }
        i += 1
        let closing = i < bytes.count && bytes[i] == UInt8(ascii: "/")
        if closing { i += 1 }
        let name = readName()
        guard !name.isEmpty else { throw ParseError(reason: "a tag without a name at byte \(i)") }
        if closing {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw ParseError(reason: "an end tag that does not close") }
            i += 1
            return .end(name: Self.local(name))
        }
        var attributes: [String: String] = [:]
        while true {
            skipSpace()
            guard i < bytes.count else { throw ParseError(reason: "a tag cut short") }
            if bytes[i] == UInt8(ascii: ">") { i += 1; return .start(name: Self.local(name), attributes: attributes, selfClosing: false) }
            if starts("/>") { i += 2; return .start(name: Self.local(name), attributes: attributes, selfClosing: true) }
            let attribute = readName()
            guard !attribute.isEmpty else { throw ParseError(reason: "an unreadable attribute at byte \(i)") }
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw ParseError(reason: "attribute \(attribute.prefix(40)) has no value") }
            i += 1
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else {
                throw ParseError(reason: "attribute \(attribute.prefix(40)) is not quoted")
            }
            let quote = bytes[i]
            i += 1
            let start = i
            while i < bytes.count, bytes[i] != quote { i += 1 }
            guard i < bytes.count else { throw ParseError(reason: "an attribute value cut short") }
            guard attributes.count < 64 else { throw ParseError(reason: "too many attributes") }
            attributes[attribute] = try Self.decode(bytes[start..<i])
            i += 1
        }
    }

    func starts(_ prefix: String) -> Bool {
        let p = Array(prefix.utf8)
        return i + p.count <= bytes.count && bytes[i..<(i + p.count)].elementsEqual(p)
    }

    mutating func skip(past end: String) throws(ParseError) {
        let e = Array(end.utf8)
        while i + e.count <= bytes.count {
            if bytes[i..<(i + e.count)].elementsEqual(e) { i += e.count; return }
            i += 1
        }
        throw ParseError(reason: "\(end) never comes")
    }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    mutating func readName() -> String {
        let start = i
        while i < bytes.count, i - start < 256 {
            let b = bytes[i]
            guard b == UInt8(ascii: ":") || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
                    || (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b >= 0x80 else { break }
            i += 1
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    static func local(_ name: String) -> String { String(name.split(separator: ":").last ?? Substring(name)) }

    /// Text with the five predefined entities and character references decoded.
    static func decode(_ raw: ArraySlice<UInt8>) throws(ParseError) -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        var out = ""
        var rest = raw
        while let amp = rest.firstIndex(of: UInt8(ascii: "&")) {
            out += String(decoding: rest[rest.startIndex..<amp], as: UTF8.self)
            guard let semi = rest[amp...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { throw ParseError(reason: "an unterminated entity") }
            let name = String(decoding: rest[(amp + 1)..<semi], as: UTF8.self)
            switch name {
            case "amp": out += "&"
            case "lt": out += "<"
            case "gt": out += ">"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let number: UInt32?
                if name.hasPrefix("#x") { number = UInt32(name.dropFirst(2), radix: 16) } else if name.hasPrefix("#") { number = UInt32(name.dropFirst()) } else { number = nil }
                guard let number, let scalar = Unicode.Scalar(number) else { throw ParseError(reason: "an unknown entity &\(name.prefix(12));") }
                out.unicodeScalars.append(scalar)
            }
            rest = rest[(semi + 1)...]
        }
        return out + String(decoding: rest, as: UTF8.self)
    }
}

extension String {
    /// Without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespace: String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(scalars[first...last])
    }
}
