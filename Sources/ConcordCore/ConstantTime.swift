/// Comparisons of secrets (webhook signatures, bearer tokens) that take the same time whatever
/// the first difference.
public enum ConstantTime {
    /// Whether `a` and `b` are equal, looking at every byte of the longer.
    public static func equal(_ a: String, _ b: String) -> Bool {
        equal(Array(a.utf8), Array(b.utf8))
    }

    /// Whether `a` and `b` are equal, looking at every byte of the longer.
    public static func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var diff: UInt8 = a.count == b.count ? 0 : 1
        let n = max(a.count, b.count)
        for i in 0..<n {
            let x = i < a.count ? a[i] : 0
            let y = i < b.count ? b[i] : 0
            diff |= x ^ y
        }
        return diff == 0
    }
}
