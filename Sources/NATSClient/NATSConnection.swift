import CNATS
import Foundation

/// A connection to a NATS cluster, given as a list of server URLs (`nats://127.0.0.1:4222`). The
/// library reconnects by itself to any server of the list (and to the servers the cluster
/// announces) when the one in use goes away; publishes made meanwhile are buffered.
///
/// The C handle is used from one task at a time by its owner; the library itself is thread-safe.
public final class NATSConnection: @unchecked Sendable {
    let handle: OpaquePointer
    /// The servers this connection was given.
    public let servers: [String]

    /// Connects to the first reachable server of `servers`.
    /// - Parameters:
    ///   - name: the client name the servers show in their monitoring.
    ///   - timeoutMilliseconds: how long one connection attempt may take.
    ///   - writeDeadlineMilliseconds: how long one write to the server's socket may block. A server
    ///     that stops reading (hung, or its host's network gone without a reset) would otherwise hold
    ///     a publish in `write` for ever; past the deadline the write fails and the caller's error
    ///     handling (retry, give up after its own limit) takes over. 0 means no deadline.
    public init(servers: [String], name: String, timeoutMilliseconds: Int64 = 2_000,
                writeDeadlineMilliseconds: Int64 = 10_000) throws {
        guard !servers.isEmpty else {
            throw NATSError(status: NATS_INVALID_ARG, operation: "connect: no server URL given")
        }
        self.servers = servers
        var options: OpaquePointer?
        try check(natsOptions_Create(&options), "natsOptions_Create")
        defer { natsOptions_Destroy(options) }
        var list: [UnsafePointer<CChar>?] = servers.map { UnsafePointer(strdup($0)) }
        defer { list.forEach { free(UnsafeMutablePointer(mutating: $0)) } }
        let status = list.withUnsafeMutableBufferPointer { natsOptions_SetServers(options, $0.baseAddress, Int32($0.count)) }
        try check(status, "natsOptions_SetServers")
        try check(natsOptions_SetName(options, name), "natsOptions_SetName")
        try check(natsOptions_SetTimeout(options, timeoutMilliseconds), "natsOptions_SetTimeout")
        try check(natsOptions_SetWriteDeadline(options, writeDeadlineMilliseconds), "natsOptions_SetWriteDeadline")
        // Keep trying while a cluster node restarts or the cluster elects leaders.
        try check(natsOptions_SetMaxReconnect(options, -1), "natsOptions_SetMaxReconnect")
        try check(natsOptions_SetReconnectWait(options, 100), "natsOptions_SetReconnectWait")
        try check(natsOptions_SetReconnectBufSize(options, 64 << 20), "natsOptions_SetReconnectBufSize")
        var connection: OpaquePointer?
        try check(natsConnection_Connect(&connection, options), "connect to \(redactedServerList(servers))")
        handle = connection!
    }

    /// Sends everything buffered and waits for the server's answer, at most `timeoutMilliseconds`.
    public func flush(timeoutMilliseconds: Int64 = 5_000) throws {
        try check(natsConnection_FlushTimeout(handle, timeoutMilliseconds), "natsConnection_FlushTimeout")
    }

    deinit {
        natsConnection_Close(handle)
        natsConnection_Destroy(handle)
    }
}

/// `url` without its user information (`nats://user:secret@host` → `nats://***@host`), for messages:
/// credentials in a server URL are never printed.
public func redactedServerURL(_ url: String) -> String {
    guard let scheme = url.range(of: "://"), let at = url[scheme.upperBound...].lastIndex(of: "@") else { return url }
    return String(url[..<scheme.upperBound]) + "***" + String(url[at...])
}

/// A server list for messages, credentials removed.
public func redactedServerList(_ servers: [String]) -> String {
    servers.map(redactedServerURL).joined(separator: ",")
}
