@testable import ConcordConnectors
import ConcordCore
import ConcordMapping

/// Field values a CRM sent, through the shipped mappings: each value is converted by its
/// field's transform (dates, date-times, phone numbers, decimals, picklists, multi-selects,
/// references), validated, and what is accepted is converted back for every CRM. The first
/// byte picks the mapping (CRM and object); the rest is a JSON array whose elements are
/// given, in order, to that mapping's CRM fields, so every input reaches the transforms.
enum MappingTarget {
    /// The shipped defaults, loaded once (libFuzzer runs one input at a time on one thread).
    nonisolated(unsafe) static let pipeline: MappingPipeline = {
        do { return MappingPipeline(config: try ConfigLoader.defaults()) } catch { fatalError("the shipped defaults do not load: \(error)") }
    }()
    static let mappings: [ObjectMapping] = pipeline.mapper.config.mappings.sorted { ($0.crm, $0.object) < ($1.crm, $1.object) }

    static func run(_ bytes: [UInt8]) {
        var input = InputReader(bytes)
        let mapping = input.pick(mappings)
        let isCreate = input.pick([false, true])
        guard let values = (try? ExactJSON.parse(input.rest))?.arrayValue else { return }
        var raw: [String: WireValue] = [:]
        for (field, value) in zip(mapping.fields, values) {
            // As the connectors keep them: scalars as sent, anything else as its JSON text.
            raw[field.crmField] = value.wireValue ?? .string(value.text)
        }
        let outcome = pipeline.inbound(crm: mapping.crm, object: mapping.object, recordKey: "fuzz", raw: raw,
                                       isCreate: isCreate, holdBackUnresolved: true)
        let accepted: [String: Value]
        switch outcome {
        case .accepted(let v), .held(let v, _): accepted = v
        case .rejected: return
        }
        for crm in CRMKind.allCases {
            _ = try? pipeline.mapper.outbound(crm: crm.rawValue, object: mapping.object, values: accepted, isCreate: isCreate)
        }
    }
}
