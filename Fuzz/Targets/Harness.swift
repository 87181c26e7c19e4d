// The libFuzzer entry point of `concord-fuzz`. One binary holds every target; the
// environment variable CONCORD_FUZZ_TARGET picks the one libFuzzer drives (libFuzzer owns
// `main` and its command line, so the choice cannot be an argument). `scripts/fuzz` sets it.

#if canImport(Glibc)
import Glibc
#endif

/// The targets by name, each a function over one input.
let targets: [String: @Sendable ([UInt8]) -> Void] = [
    "json": JSONTarget.run,
    "config": ConfigTarget.run,
    "salesforce": SalesforceTarget.run,
    "hubspot": HubSpotTarget.run,
    "dynamics": DynamicsTarget.run,
    "registers": RegistersTarget.run,
    "change": ChangeTarget.run,
    "mapping": MappingTarget.run,
    "webhooks": WebhooksTarget.run,
    "replication": ReplicationTarget.run,
]

/// The target named by CONCORD_FUZZ_TARGET, looked up once.
let selected: @Sendable ([UInt8]) -> Void = {
    let name = getenv("CONCORD_FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let run = targets[name] else {
        let known = targets.keys.sorted().joined(separator: ", ")
        report("concord-fuzz: set CONCORD_FUZZ_TARGET to one of: \(known)")
        exit(2)
    }
    return run
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selected(bytes)
    return 0
}

/// Stops the run with a message libFuzzer reports as a crash (an invariant that does not hold).
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    if !condition() {
        report("concord-fuzz: invariant failed: \(message())")
        abort()
    }
}

/// Reads small choices off the front of an input, then hands over the rest.
struct InputReader {
    var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    /// One of `options`, picked by the next byte (the first option when the input is spent).
    mutating func pick<T>(_ options: [T]) -> T {
        guard let byte = bytes.popFirst() else { return options[0] }
        return options[Int(byte) % options.count]
    }

    /// Everything not read yet.
    var rest: [UInt8] { Array(bytes) }
}

/// Writes one line to standard error.
func report(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
