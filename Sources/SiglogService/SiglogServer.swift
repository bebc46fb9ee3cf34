public import Adapters
import Foundation
public import Hummingbird
public import Logging
public import Pipeline
public import Projections
public import ServiceLifecycle

/// The HTTP service over one store: the store opened for writing once, its one writer, the
/// configuration, metrics and loggers every route uses. Routes are registered per area
/// (`addOperationsRoutes`, `addInternalRoutes`, `addReadRoutes`); other areas add theirs through
/// `makeRouter(extraRoutes:)`, and background work joins the server's lifecycle through
/// `run(services:)`.
public final class SiglogServer: Sendable {
    /// The write side over the store (every stage request goes through it, on `writer`).
    public let runner: StageRunner
    /// The configuration.
    public let configuration: ServiceConfiguration
    /// The store's one writer.
    public let writer: WriteQueue
    /// Request, stage and store metrics.
    public let metrics: ServiceMetrics
    /// Answers of the read API kept while the store does not move.
    public let readCache: ReadCache
    /// The stage and error log.
    public let logger: Logger
    /// The access log: one line per request.
    public let accessLogger: Logger
    let spoolDirectory: SpoolDirectory
    /// The source adapters of an ingest without a body (by default those the server's environment
    /// enables, ADAPTERS.md §7).
    public let sources: @Sendable (StageRunner) -> [any SourceAdapter]

    /// The store reads go through: the same one the writer writes (LMDB readers never wait for it).
    public var store: Store { runner.store }

    /// A server over `runner`'s store. Creates the store's `spool` directory (NDJSON uploads) and
    /// removes uploads a previous server left there. `sources` gives the adapters of an ingest
    /// without a body (default: those the environment enables, their warnings in `logger`).
    public init(runner: StageRunner, configuration: ServiceConfiguration, logger: Logger = Logger(label: "siglog.serve"),
                accessLogger: Logger = Logger(label: "siglog.access"),
                sources: (@Sendable (StageRunner) -> [any SourceAdapter])? = nil) throws {
        self.sources = sources ?? { runner in
            runner.sourceAdapters(log: { message in logger.warning("source adapter", metadata: ["message": .string(message)]) })
        }
        self.runner = runner
        self.configuration = configuration
        self.logger = logger
        self.accessLogger = accessLogger
        writer = WriteQueue(limit: configuration.writeQueueLimit)
        metrics = ServiceMetrics()
        readCache = ReadCache(byteLimit: configuration.readCacheBytes)
        spoolDirectory = try SpoolDirectory.prepare(store: runner.store.path)
    }

    /// The router: access log and error bodies, body limits, then every area's routes and
    /// `extraRoutes`.
    public func makeRouter(extraRoutes: (Router<ServiceRequestContext>) -> Void = { _ in }) -> Router<ServiceRequestContext> {
        let router = Router(context: ServiceRequestContext.self)
        router.add(middleware: AccessLogMiddleware(logger: accessLogger, metrics: metrics))
        router.add(middleware: BodyLimitMiddleware(ndjsonLimit: configuration.ndjsonBodyLimit, limit: configuration.bodyLimit))
        addOperationsRoutes(to: router)
        addInternalRoutes(to: router.group("internal"))
        addReadRoutes(to: router.group("api"))
        extraRoutes(router)
        return router
    }

    /// The Hummingbird application on `host:port` (port 0: a free port, reported to
    /// `onServerRunning`).
    public func makeApplication(
        host: String, port: Int, router: Router<ServiceRequestContext>? = nil,
        onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }
    ) -> Application<RouterResponder<ServiceRequestContext>> {
        Application(
            router: router ?? makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: stops accepting connections,
    /// refuses stage requests still waiting (503), lets the running stage finish and be recorded,
    /// answers the requests in flight, and returns. `services` run beside the server and are
    /// stopped before it (they may still submit to the writer while they stop).
    public func run(host: String, port: Int, services: [any Service] = [],
                    extraRoutes: (Router<ServiceRequestContext>) -> Void = { _ in },
                    onServerRunning: @escaping @Sendable (_ port: Int) async -> Void = { _ in }) async throws {
        let app = makeApplication(host: host, port: port, router: makeRouter(extraRoutes: extraRoutes), onServerRunning: onServerRunning)
        let group = ServiceGroup(configuration: .init(
            services: [HTTPServerService(app: app, writer: writer)] + services,
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The HTTP server as a lifecycle service: on graceful shutdown the writer stops taking new work
/// at once, the server drains, and the running stage is waited for.
struct HTTPServerService: Service {
    let app: Application<RouterResponder<ServiceRequestContext>>
    let writer: WriteQueue

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            writer.beginClosing()
        }
        await writer.close()
    }
}
