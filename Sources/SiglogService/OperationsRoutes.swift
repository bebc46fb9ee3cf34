import EventLog
public import Hummingbird
import Pipeline
import Projections
import SiglogCore

/// `/healthz` and `/metrics`: for load balancers and Prometheus; no token (the server listens on
/// loopback unless told otherwise, and neither route shows tenant data).
extension SiglogServer {
    /// Registers the operations routes on `router`.
    public func addOperationsRoutes(to router: Router<ServiceRequestContext>) {
        router.get("healthz") { _, _ in try self.health() }
        router.get("metrics") { _, _ in try self.metricsResponse() }
    }

    /// The log head and how far the views are behind it, from one read transaction.
    func storePosition() throws -> ReadPosition {
        try store.read { reader in try reader.position() }
    }

    /// 200 `{status: "ok", head, views_behind}` when the store reads and the head record passes its
    /// checksum; 503 `{"detail": …}` otherwise.
    func health() throws -> Response {
        do {
            let position = try storePosition()
            if position.head > 0 { _ = try store.log.record(at: position.head) }
            return JSONResponse.make(["status": "ok", "head": .int(Int64(position.head)), "views_behind": .int(position.viewsBehind)])
        } catch {
            logger.error("health check failed", metadata: ["error": .string(String(describing: error))])
            throw ServiceError(.serviceUnavailable, "Store check failed: \(error)")
        }
    }

    /// The metrics in Prometheus text format, the store gauges read now.
    func metricsResponse() throws -> Response {
        let position = try storePosition()
        metrics.recordStore(head: position.head, viewsBehind: position.viewsBehind)
        let shipping = try store.log.shippingFigures(now: SystemClock().now().microseconds)
        metrics.recordReplication(
            role: shipping.replica == nil ? "writer" : "replica",
            position: shipping.replica == nil ? shipping.published?.sequence : shipping.head,
            lagRecords: shipping.lagRecords, lagSeconds: shipping.lagSeconds)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
}
