import ConcordCore
import ConcordStore

/// The text form of a quarantined change (``ChangeCodec``), read back from the store: any
/// text decodes or gives `nil`; what decodes encodes to text that decodes to the same change.
enum ChangeTarget {
    static func run(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        guard let change = ChangeCodec.decode(text) else { return }
        let again = ChangeCodec.decode(ChangeCodec.encode(change))
        check(again == change, "a change changed through its text: \(ChangeCodec.encode(change))")
    }
}
