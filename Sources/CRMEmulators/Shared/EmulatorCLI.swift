import Foundation

/// The body of `concord emulate`, shared with the `crm-emulate` test executable.
public enum EmulatorCLI {
    /// Starts the emulators, prints one JSON line when ready, runs until SIGINT/SIGTERM, saves state
    /// (also every 5 seconds, so a killed emulator loses at most a few seconds of changes).
    public static func run(crm: String, port: Int, seed: UInt64, records: Int, faults: String?, writeConfig: String?, state: String?) async throws {
        let crms = crm == "all" ? ["salesforce", "hubspot", "dynamics"] : [crm]
        guard crms.allSatisfy({ ["salesforce", "hubspot", "dynamics"].contains($0) }) else {
            throw EmulatorCLIError(message: "--crm must be salesforce, hubspot, dynamics or all, not '\(crm)'")
        }
        let patch = try faults.map(FaultSettings.parsePatch)
        let cluster = try await EmulatorCluster.start(ClusterOptions(crms: crms, port: port, seed: seed, records: records, faults: patch, statePath: state))
        if let writeConfig {
            try cluster.configYAML.write(toFile: writeConfig, atomically: true, encoding: .utf8)
        }
        let line = JSONValue.object(["ready": true, "emulators": cluster.description]).serialized() + "\n"
        FileHandle.standardOutput.write(Data(line.utf8))
        let autosave = Task {
            while !Task.isCancelled, state != nil {
                try? await Task.sleep(nanoseconds: 5_000_000_000)
                try? cluster.saveState()
            }
        }
        await InterruptSignal.wait()
        autosave.cancel()
        try cluster.saveState()
        await cluster.stop()
    }

    /// Parses `--name value` pairs (the test executable has no ArgumentParser).
    public static func runFromArguments(_ arguments: [String]) async throws {
        var values: [String: String] = [:]
        var index = 0
        while index < arguments.count {
            let name = arguments[index]
            guard name.hasPrefix("--"), index + 1 < arguments.count else { throw EmulatorCLIError(message: "expected --option value at '\(name)'") }
            values[String(name.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
        try await run(
            crm: values["crm"] ?? "all", port: Int(values["port"] ?? "0") ?? 0, seed: UInt64(values["seed"] ?? "1") ?? 1,
            records: Int(values["records"] ?? "100") ?? 100, faults: values["faults"], writeConfig: values["write-config"], state: values["state"])
    }
}

/// Raised for bad command-line input.
public struct EmulatorCLIError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
