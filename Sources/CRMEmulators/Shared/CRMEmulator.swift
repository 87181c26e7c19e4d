/// The CRM-specific part of an emulator; `EmulatorPipeline` adds faults, limits and admin routes.
public protocol CRMEmulator: Sendable {
    /// `salesforce`, `hubspot` or `dynamics`.
    var name: String { get }
    var control: EmulatorControl { get }
    /// Answers one API request (authentication included).
    func route(_ request: EmulatorRequest) async -> EmulatorResponse
    /// The CRM's error answer for an injected failure with `status`.
    func errorResponse(status: Int, message: String) -> EmulatorResponse
    /// The CRM's throttling answer.
    func throttledResponse(exceeded: RateUsage?) -> EmulatorResponse
    /// Adds rate-limit headers (`Sforce-Limit-Info`, `X-HubSpot-RateLimit-*`...).
    func decorate(_ response: inout EmulatorResponse, usage: [RateUsage])
    /// Whether a path counts against the rate limits (token endpoints do not).
    func isMetered(path: String) -> Bool
    /// What the human-user driver may do in this CRM.
    var driverProfile: DriverProfile { get }
}

/// Wraps a `CRMEmulator` with admin routes, fault injection and rate limiting.
public struct EmulatorPipeline: Sendable {
    public let emulator: any CRMEmulator

    public init(emulator: any CRMEmulator) { self.emulator = emulator }

    /// Answers one request, with the CRM's own clock (skew included) in `Date`.
    public func handle(_ request: EmulatorRequest) async -> EmulatorResponse {
        var response = await answer(request)
        if !response.headers.contains(where: { $0.0.lowercased() == "date" }) {
            response.headers.append(("Date", Timestamps.httpDate(emulator.control.store.clock.now())))
        }
        return response
    }

    private func answer(_ request: EmulatorRequest) async -> EmulatorResponse {
        if request.path.hasPrefix("/__admin") {
            return AdminRoutes(control: emulator.control, profile: { emulator.driverProfile }).handle(request)
        }
        let control = emulator.control
        let faults = control.faults
        let now = EmulatorClock.systemMillis()
        if let until = faults.offlineUntil, now < until { return .dropped }
        if faults.latencyMs > 0 { try? await Task.sleep(nanoseconds: UInt64(faults.latencyMs) * 1_000_000) }
        if control.roll(faults.dropConnectionRate) { return .dropped }
        if let until = faults.throttleStormUntil, now < until {
            control.countThrottled()
            return emulator.throttledResponse(exceeded: nil)
        }
        if emulator.isMetered(path: request.path), control.takeThrottledRequest() {
            control.countThrottled()
            return emulator.throttledResponse(exceeded: nil)
        }
        for (status, rate) in faults.errorRates.sorted(by: { $0.key < $1.key }) {
            if let code = Int(status), control.roll(rate) {
                if code == 429 {
                    control.countThrottled()
                    return emulator.throttledResponse(exceeded: nil)
                }
                return emulator.errorResponse(status: code, message: "Injected fault: HTTP \(code)")
            }
        }
        var usage: [RateUsage] = []
        if emulator.isMetered(path: request.path) {
            let admitted = control.rateLimiter.admit(path: request.path, now: now)
            if let exceeded = admitted.exceeded {
                control.countThrottled()
                var response = emulator.throttledResponse(exceeded: exceeded)
                emulator.decorate(&response, usage: admitted.usage + [exceeded])
                return response
            }
            usage = admitted.usage
        }
        let writes = RequestWrites(tracksServed: control.store.tracksServed)
        var response = await RequestWrites.$current.withValue(writes) { await emulator.route(request) }
        let committed = writes.changes
        if !committed.isEmpty {
            control.countCommittedWriteRequest(request)
            // The answer to a committed write waits while the stall fault is on; the write stays.
            await control.stallAfterCommit(committed)
        }
        if emulator.isMetered(path: request.path) { emulator.decorate(&response, usage: usage) }
        // Carried out, answer lost: the client must not take a retry for a first attempt.
        if control.roll(control.faults.answerLossRate) { return .dropped }
        control.store.noteServed(writes.served)
        return response
    }
}

/// The changes committed by the store transactions one API request ran (found through a
/// task-local, so concurrent requests are told apart).
final class RequestWrites: Sendable {
    @TaskLocal static var current: RequestWrites?
    private let log = Locked<[ChangeEvent]>([])
    private let rendered = Locked<[RecordStore.ServedKey]>([])
    private let tracksServed: Bool

    init(tracksServed: Bool) { self.tracksServed = tracksServed }

    var changes: [ChangeEvent] { log.current }
    /// The records the request's answer shows (type, id).
    var served: [RecordStore.ServedKey] { rendered.current }

    func record(_ events: [ChangeEvent]) { log.withLock { $0.append(contentsOf: events) } }

    /// Notes that the answer shows `record` (called where a record is rendered for the wire).
    static func serve(_ record: StoredRecord) {
        guard let current, current.tracksServed else { return }
        current.rendered.withLock { $0.append(RecordStore.ServedKey(type: record.type, id: record.id)) }
    }
}
