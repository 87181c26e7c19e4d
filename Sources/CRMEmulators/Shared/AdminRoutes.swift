/// `/__admin/...`: fault knobs, rate limits, webhook target, the change log and the human-user driver.
struct AdminRoutes {
    let control: EmulatorControl
    let profile: () -> DriverProfile

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
        case ("GET", "stalled"):
            return .json(200, .array(control.stalledCommits.map { event in
                ["sequence": .int(event.sequence), "type": .string(event.type), "id": .string(event.id), "kind": .string(event.kind.rawValue)]
            }))
        case ("POST", "driver"):
            let body = (try? request.jsonBody()) ?? [:]
            let rate = body["perSecond"]?.doubleValue ?? 1
            let seed = UInt64(body["seed"]?.intValue ?? 1)
            control.startDriver(HumanUserDriver(profiles: [profile()], seed: seed), perSecond: rate)
            return .json(200, ["running": true, "perSecond": .double(rate)])
        case ("DELETE", "driver"):
            control.stopDriver()
            return .empty(204)
        case ("GET", "driver/log"):
            return .json(200, .array(control.driverLog.map { change in
                [
                    "crm": .string(change.crm), "type": .string(change.type), "id": .string(change.id), "kind": .string(change.kind.rawValue),
                    "field": change.field.map { .string($0) } ?? .null, "value": change.value ?? .null,
                    "mergedId": change.mergedID.map { .string($0) } ?? .null, "at": .int(change.at),
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
            "answerLossRate": .double(faults.answerLossRate),
            "partialBatchFailureRate": .double(faults.partialBatchFailureRate),
            "clockSkewMs": .int(faults.clockSkewMs),
            "offlineUntil": faults.offlineUntil.map { .int($0) } ?? .null,
            "stallAfterCommitSeconds": .double(faults.stallAfterCommitSeconds),
            "stallAfterCommitTypes": .array(faults.stallAfterCommitTypes.map { .string($0) }),
            "stallAfterCommitKinds": .array(faults.stallAfterCommitKinds.map { .string($0) }),
            "stalledCommits": .int(Int64(control.stalledCommits.count)),
            "throttleRequests": .int(Int64(faults.throttleRequests)),
            "throttledResponses": .int(Int64(control.throttledResponses)),
            "failedBatchItems": .int(Int64(control.failedBatchItems)),
            "committedWriteRequests": .int(Int64(control.committedWriteRequests)),
            "rateLimitsEnabled": .bool(control.rateLimiter.enabled),
            "rateLimits": .array(limits),
        ]
    }
}
