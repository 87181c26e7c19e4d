import CCurl

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns a curl multi handle and the thread that drives it.
///
/// Callers hand transfers over through a locked inbox and wake the thread with
/// `curl_multi_wakeup`; every other curl call happens on the engine thread, which also
/// keeps a small pool of reset easy handles for reuse.
final class CurlMultiEngine: @unchecked Sendable {
    private struct Inbox {
        var starts: [CurlTransfer] = []
        var cancels: [CurlTransfer] = []
        var stopping = false
    }

    private let multi: UnsafeMutableRawPointer?
    private let inbox = Locked(Inbox())
    // Engine-thread state.
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]
    private var idleHandles: [UnsafeMutableRawPointer] = []
    private let maxIdleHandles = 128

    init(configuration: CurlHTTPClient.Configuration) {
        _ = CurlGlobal.initialized
        multi = curl_multi_init()
        if let multi {
            _ = concord_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, configuration.maxCachedConnections)
            if configuration.maxConnectionsPerHost > 0 {
                _ = concord_curl_multi_setopt_long(
                    multi, CURLMOPT_MAX_HOST_CONNECTIONS, configuration.maxConnectionsPerHost)
            }
            startThread()
        }
    }

    /// Queues `transfer` to be started by the engine thread.
    func submit(_ transfer: CurlTransfer) {
        guard let multi else {
            transfer.finish(.failure(HTTPClientError(
                .transport, request: transfer.request, message: "libcurl could not create a multi handle")))
            return
        }
        let accepted = inbox.withLock { inbox -> Bool in
            guard !inbox.stopping else { return false }
            inbox.starts.append(transfer)
            return true
        }
        if accepted {
            curl_multi_wakeup(multi)
        } else {
            transfer.finish(.failure(HTTPClientError(
                .cancelled, request: transfer.request, message: "the HTTP client was shut down")))
        }
    }

    /// Asks the engine thread to abort `transfer` if it is still running.
    func cancel(_ transfer: CurlTransfer) {
        guard let multi else { return }
        inbox.withLock { $0.cancels.append(transfer) }
        curl_multi_wakeup(multi)
    }

    /// Stops the engine thread; transfers still running fail with `cancelled`.
    func stop() {
        guard let multi else { return }
        inbox.withLock { $0.stopping = true }
        curl_multi_wakeup(multi)
    }

    private func startThread() {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let engine = Unmanaged<CurlMultiEngine>.fromOpaque(raw).takeRetainedValue()
            engine.runLoop()
            return nil
        }, context)
        if created == 0 {
            pthread_detach(thread)
        } else {
            Unmanaged<CurlMultiEngine>.fromOpaque(context).release()
        }
    }

    private func runLoop() {
        guard let multi else { return }
        var stillRunning: Int32 = 0
        var descriptors: Int32 = 0
        while true {
            let batch = inbox.withLock { inbox -> Inbox in
                let taken = inbox
                inbox.starts.removeAll(keepingCapacity: true)
                inbox.cancels.removeAll(keepingCapacity: true)
                return taken
            }
            for transfer in batch.starts { start(transfer) }
            for transfer in batch.cancels { abort(transfer, message: "the task was cancelled") }
            if batch.stopping { break }
            curl_multi_perform(multi, &stillRunning)
            collectCompleted()
            curl_multi_poll(multi, nil, 0, 1000, &descriptors)
        }
        for transfer in Array(running.values) { abort(transfer, message: "the HTTP client was shut down") }
        let late = inbox.withLock { inbox -> [CurlTransfer] in
            defer { inbox.starts.removeAll() }
            return inbox.starts
        }
        for transfer in late {
            transfer.finish(.failure(HTTPClientError(
                .cancelled, request: transfer.request, message: "the HTTP client was shut down")))
        }
        for handle in idleHandles { curl_easy_cleanup(handle) }
        idleHandles.removeAll()
        curl_multi_cleanup(multi)
    }

    private func start(_ transfer: CurlTransfer) {
        if transfer.isCancelRequested {
            transfer.finish(.failure(HTTPClientError(.cancelled, request: transfer.request, message: "the task was cancelled")))
            return
        }
        guard let handle = idleHandles.popLast() ?? curl_easy_init() else {
            transfer.finish(.failure(HTTPClientError(
                .transport, request: transfer.request, message: "libcurl could not create an easy handle")))
            return
        }
        if let error = transfer.configure(handle) {
            recycle(handle)
            transfer.finish(.failure(error))
            return
        }
        let added = curl_multi_add_handle(multi, handle)
        guard added == CURLM_OK else {
            recycle(handle)
            let message = String(cString: curl_multi_strerror(added))
            transfer.finish(.failure(HTTPClientError(.transport, request: transfer.request, message: message)))
            return
        }
        running[handle] = transfer
    }

    private func abort(_ transfer: CurlTransfer, message: String) {
        guard let handle = transfer.easy, running[handle] === transfer else { return }
        running[handle] = nil
        curl_multi_remove_handle(multi, handle)
        recycle(handle)
        transfer.finish(.failure(HTTPClientError(.cancelled, request: transfer.request, message: message)))
    }

    private func collectCompleted() {
        var queued: Int32 = 0
        while let message = curl_multi_info_read(multi, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, handle)
            if let transfer = running.removeValue(forKey: handle) {
                transfer.finish(transfer.outcome(code: code, handle: handle))
            }
            recycle(handle)
        }
    }

    private func recycle(_ handle: UnsafeMutableRawPointer) {
        if idleHandles.count < maxIdleHandles {
            curl_easy_reset(handle)
            idleHandles.append(handle)
        } else {
            curl_easy_cleanup(handle)
        }
    }
}
