/// Where a connector keeps a credential the CRM rotated (a new OAuth refresh token), so a
/// restart uses the current one instead of the configured one the CRM no longer accepts.
///
/// Each saved value carries its `basis`: a digest of the configured credential it replaced.
/// When the configuration names a different credential (an admin installed the app again),
/// the saved one is ignored.
public protocol CredentialVault: Sendable {
    /// The saved value of `name` and the basis it was saved with.
    func credential(_ name: String) -> (value: String, basis: String)?
    /// Saves `value` for `name`; a failure to save is reported by the vault, not thrown.
    func saveCredential(_ name: String, value: String, basis: String)
}

extension CredentialVault {
    /// The current value of a credential configured as `configured`: the saved rotation of
    /// that configured value, or the configured value itself.
    func current(_ name: String, configured: String) -> String {
        guard let saved = credential(name), saved.basis == Self.basis(of: configured) else { return configured }
        return saved.value
    }

    /// A digest of a configured credential (FNV-1a, 64 bits, hex): tells a saved rotation's
    /// origin without keeping the configured secret a second time.
    static func basis(of configured: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in configured.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}
