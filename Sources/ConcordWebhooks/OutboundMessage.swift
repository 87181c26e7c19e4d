import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A Salesforce outbound message (SOAP): the organization and, per notification, its id
/// and the record it is about.
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
    /// an id or record id) is an error.
    static func parse(_ body: [UInt8]) throws(ParseError) -> OutboundMessage {
        let reader = Reader()
        let parser = XMLParser(data: Data(body))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = true
        parser.delegate = reader
        guard parser.parse() else {
            throw ParseError(reason: "the body is not a SOAP outbound message: \(parser.parserError.map { "\($0)" } ?? "unreadable XML")")
        }
        // libxml2 on Linux reports a document cut short as parsed: the envelope must close.
        guard reader.closed else { throw ParseError(reason: "the SOAP envelope is cut short (it never closes)") }
        guard let org = reader.organizationID, !org.isEmpty else { throw ParseError(reason: "the outbound message has no OrganizationId") }
        guard reader.complete, reader.notifications.count <= 100 else {
            throw ParseError(reason: "a notification lacks its Id, sObject type or record Id (or there are more than 100)")
        }
        return OutboundMessage(organizationID: org, notifications: reader.notifications)
    }

    /// Collects the few elements the route needs.
    final class Reader: NSObject, XMLParserDelegate {
        var organizationID: String?
        var notifications: [Notification] = []
        var complete = true
        /// Whether the root element (the envelope) ended.
        var closed = false
        private var path: [String] = []
        private var text = ""
        private var current: (id: String?, type: String?, record: String?)?

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            path.append(name)
            text = ""
            if name == "Notification" { current = (nil, nil, nil) }
            if name == "sObject", current != nil {
                let type = attributes["xsi:type"] ?? attributes["type"] ?? attributes.first { $0.key.hasSuffix(":type") }?.value
                current?.type = type.map { String($0.split(separator: ":").last ?? "") }
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if text.utf8.count < 4_096 { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            let parent = path.dropLast().last
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            switch (name, parent) {
            case ("OrganizationId", "notifications"): organizationID = value
            case ("Id", "Notification"): current?.id = value
            case ("Id", "sObject"): current?.record = value
            case ("Notification", _):
                if let c = current, let id = c.id, let type = c.type, let record = c.record, !id.isEmpty, !type.isEmpty, !record.isEmpty {
                    notifications.append(Notification(id: id, objectType: type, recordID: record))
                } else {
                    complete = false
                }
                current = nil
            default: break
            }
            path.removeLast()
            if path.isEmpty && name == "Envelope" { closed = true }
            text = ""
        }
    }
}
