/// Salesforce 15/18-character record ids.
enum SalesforceIDs {
    private static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    private static let checksumAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ012345")

    /// An 18-char id: 3-char key prefix, pod `5g0`, 9-char base-62 counter, 3-char checksum.
    static func make(prefix: String, counter: Int64) -> String {
        var digits: [Character] = []
        var n = UInt64(max(0, counter))
        for _ in 0..<9 {
            digits.append(base62[Int(n % 62)])
            n /= 62
        }
        return to18(prefix + "5g0" + String(digits.reversed()))
    }

    /// Adds the case-safe checksum to a 15-char id (18-char ids are returned as is).
    static func to18(_ id: String) -> String {
        let chars = Array(id)
        guard chars.count == 15 else { return id }
        var suffix = ""
        for chunk in 0..<3 {
            var bits = 0
            for i in 0..<5 where chars[chunk * 5 + i].isUppercase && chars[chunk * 5 + i].isASCII {
                bits |= 1 << i
            }
            suffix.append(checksumAlphabet[bits])
        }
        return id + suffix
    }

    /// Normalises a client-supplied id to 18 chars; nil when it cannot be an id.
    static func normalise(_ id: String) -> String? {
        guard id.count == 15 || id.count == 18, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else { return nil }
        if id.count == 18 { return to18(String(id.prefix(15))) == id ? id : nil }
        return to18(id)
    }

    /// The object a key prefix belongs to.
    static func objectName(forID id: String) -> String? {
        SalesforceSchema.prefixes.first { id.hasPrefix($0.value) }?.key
    }
}
