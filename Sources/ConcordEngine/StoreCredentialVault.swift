import ConcordConnectors
import ConcordCore
import ConcordStore
import Foundation
import Logging

/// A ``CredentialVault`` in the Concord store, over its own connection (rotations are rare:
/// one short write each, serialised with the sync's commits by the busy timeout).
public final class StoreCredentialVault: CredentialVault, @unchecked Sendable {
    private let lock = NSLock()
    private let store: ConcordStore
    private let logger: Logger

    /// Opens the store at `storePath` for credentials.
    public init(storePath: String, logger: Logger = Logger(label: "concord.credentials")) throws(StoreError) {
        store = try ConcordStore.open(path: storePath, wallClock: .system)
        self.logger = logger
    }

    public func credential(_ name: String) -> (value: String, basis: String)? {
        lock.withLock {
            do { return try store.credential(name) } catch {
                logger.error("reading a saved credential failed; using the configured one", metadata: ["credential": "\(name)", "error": "\(error)"])
                return nil
            }
        }
    }

    public func saveCredential(_ name: String, value: String, basis: String) {
        lock.withLock {
            do { try store.saveCredential(name, value: value, basis: basis) } catch {
                // Not thrown: the token works now; a restart would need the app installed again.
                logger.error("saving a rotated credential failed: after a restart the CRM may refuse the configured one",
                             metadata: ["credential": "\(name)", "error": "\(error)"])
            }
        }
    }
}
