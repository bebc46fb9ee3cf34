public import Hummingbird
import Synchronization

/// The request context of every route: Hummingbird's core storage, what authentication found, and
/// a box the route fills for the access log.
public struct ServiceRequestContext: RequestContext {
    /// Hummingbird's per-request storage (logger, route parameters, matched path).
    public var coreContext: CoreRequestContextStorage
    /// The workspaces the request's bearer token may read (set by the `/api` authentication).
    public var access: WorkspaceAccess = .only([])
    /// Facts the route reports back to the middleware around it.
    public let facts = RequestFacts()

    /// The client's IP address, nil when the connection has none (the in-process test client).
    public let clientAddress: String?

    /// A context for one request.
    public init(source: Source) {
        coreContext = .init(source: source)
        clientAddress = source.channel.remoteAddress?.ipAddress
    }
}

/// What a route found out that the access log prints after the response: the job run it ran or
/// returned. A reference, so the middleware sees what the route set on its copy of the context.
public final class RequestFacts: Sendable {
    private let state = Mutex<UInt64?>(nil)

    /// Creates an empty box.
    public init() {}

    /// The job run of the request's stage, if any.
    public var jobRunID: UInt64? {
        get { state.withLock { $0 } }
        set { state.withLock { $0 = newValue } }
    }
}
