/// `/__admin/...`: fault knobs, rate limits, webhook target and the change log.
struct AdminRoutes {
    let control: EmulatorControl

    func handle(_ request: EmulatorRequest) -> EmulatorResponse {
        let path = request.segments.dropFirst().joined(separator: "/")
        switch (request.method, path) {
        case ("GET", "faults"):
            return .json(200, status())
        case ("POST", "faults"):
            do {
                let patch = try JSONDecoderShim.decode(FaultSettings.Patch.self, from: request.body)
                control.applyFaults(patch)
                return .json(200, status())
            } catch {
                return .json(400, ["error": .string("bad fault settings: \(error)")])
            }
        case ("POST", "webhooks"):
            do {
                control.webhookTarget = try JSONDecoderShim.decode(WebhookTarget.self, from: request.body)
                return .json(200, ["ok": true])
            } catch {
                return .json(400, ["error": .string("bad webhook target: \(error)")])
            }
        case ("DELETE", "webhooks"):
            control.webhookTarget = nil
            return .empty(204)
        case ("GET", "events"):
            let after = Int64(request.queryValue("after") ?? "0") ?? 0
            let events = control.store.events(after: after)
            return .json(200, .array(events.map { event in
                [
                    "sequence": .int(event.sequence), "type": .string(event.type), "id": .string(event.id),
                    "kind": .string(event.kind.rawValue), "at": .int(event.at),
                    "changedFields": .array(event.changedFields.map { .string($0) }), "source": .string(event.source),
                ]
            }))
        default:
            return .json(404, ["error": .string("unknown admin route \(request.method) /__admin/\(path)")])
        }
    }

    private func status() -> JSONValue {
        let faults = control.faults
        let limits = control.rateLimiter.limits.map { limit -> JSONValue in
            ["name": .string(limit.name), "limit": .int(Int64(limit.limit)), "windowMs": .int(limit.windowMs)]
        }
        return [
            "latencyMs": .int(Int64(faults.latencyMs)),
            "errorRates": .object(faults.errorRates.mapValues { .double($0) }),
            "throttleStormUntil": faults.throttleStormUntil.map { .int($0) } ?? .null,
            "dropConnectionRate": .double(faults.dropConnectionRate),
            "partialBatchFailureRate": .double(faults.partialBatchFailureRate),
            "clockSkewMs": .int(faults.clockSkewMs),
            "offlineUntil": faults.offlineUntil.map { .int($0) } ?? .null,
            "rateLimitsEnabled": .bool(control.rateLimiter.enabled),
            "rateLimits": .array(limits),
        ]
    }
}
