/// Where a HubSpot pull stands, kept in the opaque cursor string as JSON.
///
/// A pull cycle reads changes (search on the last-modified property), then deletes (the
/// archived listing), then reports `hasMore == false`. Changes are read by keyset: every
/// search asks for records modified after ``modifiedAfter`` (and before the settle horizon),
/// so no search ever pages with `after` and HubSpot's 10,000-result cap is never reached.
/// When more than a page of records share one timestamp, they are drained by id
/// (``tieTimestamp``/``tieAfterID``), which works for any number of equal timestamps.
struct HubSpotCursor: Equatable, Sendable {
    /// Which part of the cycle comes next.
    enum Phase: String, Sendable { case changes, deletes }

    var phase: Phase = .changes
    /// Every change modified at or before this (Unix ms) has been returned.
    var modifiedAfter: Int64?
    /// Draining records modified exactly at this time, by ascending id.
    var tieTimestamp: Int64?
    /// The last id returned while draining ``tieTimestamp``.
    var tieAfterID: String?
    /// Every archive at or before this time has been returned.
    var archivedAfter: Int64 = 0
    /// The archived-listing page to read next, during a deletes scan.
    var archivedPage: String?
    /// The upper bound of the running deletes scan (archives after it wait for the next scan).
    var archivedUntil: Int64?

    /// JSON text for ``PullPage/cursor``.
    var encoded: String {
        var members: [String: ExactJSON] = ["v": .number("1"), "phase": .string(phase.rawValue),
                                              "del": .number(String(archivedAfter))]
        if let modifiedAfter { members["mod"] = .number(String(modifiedAfter)) }
        if let tieTimestamp { members["tie"] = .number(String(tieTimestamp)) }
        if let tieAfterID { members["tieId"] = .string(tieAfterID) }
        if let archivedPage { members["delPage"] = .string(archivedPage) }
        if let archivedUntil { members["delUntil"] = .number(String(archivedUntil)) }
        return ExactJSON.object(members).text
    }

    init(phase: Phase = .changes, modifiedAfter: Int64? = nil, archivedAfter: Int64 = 0) {
        self.phase = phase
        self.modifiedAfter = modifiedAfter
        self.archivedAfter = archivedAfter
    }

    /// Reads a cursor made by ``encoded``; `nil` when the text is not one.
    init?(_ text: String) {
        guard let json = try? ExactJSON.parse(text), json["v"]?.textValue == "1",
              let phase = json["phase"]?.stringValue.flatMap(Phase.init(rawValue:)),
              let del = json["del"]?.textValue.flatMap({ Int64($0) })
        else { return nil }
        self.phase = phase
        archivedAfter = del
        modifiedAfter = json["mod"]?.textValue.flatMap { Int64($0) }
        tieTimestamp = json["tie"]?.textValue.flatMap { Int64($0) }
        tieAfterID = json["tieId"]?.stringValue
        archivedPage = json["delPage"]?.stringValue
        archivedUntil = json["delUntil"]?.textValue.flatMap { Int64($0) }
    }
}
