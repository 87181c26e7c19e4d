import ConcordCore
import ConcordMapping

/// Decodes with a transform in a context, for brevity.
func dec(_ t: Transform, _ w: WireValue, _ type: FieldType, _ kind: CRMKind = .salesforce,
         resolver: (any ReferenceResolver)? = nil) throws -> Value {
    try t.decode(w, context: TransformContext(crm: kind.rawValue, kind: kind, type: type, resolver: resolver))
}

/// Encodes with a transform in a context, for brevity.
func enc(_ t: Transform, _ v: Value, _ type: FieldType, _ kind: CRMKind = .salesforce,
         resolver: (any ReferenceResolver)? = nil) throws -> WireValue {
    try t.encode(v, context: TransformContext(crm: kind.rawValue, kind: kind, type: type, resolver: resolver))
}

/// The transform error code thrown by `body`, or nil.
func errorCode(_ body: () throws -> Any) -> TransformError.Code? {
    do { _ = try body(); return nil } catch let e as TransformError { return e.code } catch { return nil }
}

/// The ConfigError thrown when loading `yaml` as `file`, or nil.
func configError(_ yaml: String, file: String = "concord.yaml") -> ConfigError? {
    do { _ = try ConfigLoader.load(text: yaml, file: file); return nil } catch { return error }
}

/// Epoch milliseconds of a UTC civil time.
func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int = 0, _ mi: Int = 0, _ s: Int = 0, ms: Int = 0) -> Int64 {
    Int64(CalendarDate.daysFromCivil(y, mo, d)) * 86_400_000 + Int64(h * 3_600_000 + mi * 60_000 + s * 1000 + ms)
}
