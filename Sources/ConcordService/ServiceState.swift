import Foundation

/// What the HTTP side and the sync loop of `concord serve` share: whether the service is
/// ready or draining, and a flag that says events are waiting.
public final class ServiceState: @unchecked Sendable {
    private let lock = NSLock()
    private var _ready = false
    private var _draining = false
    private var _wake = true  // the first round looks at what a previous run left in the inbox

    /// Creates the state of a service that is starting.
    public init() {}

    /// Set once the listener is bound and the first look at the store succeeded.
    public var ready: Bool {
        get { lock.withLock { _ready } }
        set { lock.withLock { _ready = newValue } }
    }

    /// Set by SIGTERM: webhooks are refused with 503 (the CRMs deliver them again later).
    public var draining: Bool {
        get { lock.withLock { _draining } }
        set { lock.withLock { _draining = newValue } }
    }

    private var _publicURL = ""
    /// The URL the CRMs post to, without a trailing slash (`service.public_url`, or the
    /// bound address): HubSpot signs the full URI.
    public var publicURL: String {
        get { lock.withLock { _publicURL } }
        set { lock.withLock { _publicURL = newValue } }
    }

    private var _peerWake = false
    /// Says that a peer store's batch planned writes to the CRMs.
    public func wakeForPeers() { lock.withLock { _peerWake = true } }

    /// Whether a peer's batch planned writes since the last call (and clears the flag).
    public func takePeerWake() -> Bool {
        lock.withLock {
            defer { _peerWake = false }
            return _peerWake
        }
    }

    /// Says that events were committed to the inbox.
    public func wake() { lock.withLock { _wake = true } }

    /// Whether events were committed since the last call (and clears the flag).
    public func takeWake() -> Bool {
        lock.withLock {
            defer { _wake = false }
            return _wake
        }
    }
}
