import Hummingbird
import HTTPTypes
import Logging
import ReadModel
import SiglogCore

/// The outermost middleware: times the request, turns every error into the service's error body,
/// counts the request and writes the access-log line — method, path (without the query), status,
/// duration and the job run — to the access logger. Headers are never logged (tokens travel in them).
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let logger: Logger
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.response(for: error, logger: logger)
        }
        let duration = clock.now - start
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        metrics.recordRequest(route: route, method: method, status: response.status.code, duration: duration)
        var metadata: Logger.Metadata = [
            "method": .string(method), "path": .string(request.uri.path), "status": .stringConvertible(response.status.code),
            "duration_ms": .string(String(format: "%.3f", Double(duration.nanoseconds) / 1e6)),
        ]
        if let run = context.facts.jobRunID { metadata["job_run_id"] = .stringConvertible(run) }
        logger.info("request", metadata: metadata)
        return response
    }

    /// The `{"detail": …}` response of an error that reached the edge. Unexpected errors are logged
    /// here and answered 500 without their text.
    static func response(for error: any Error, logger: Logger) -> Response {
        switch error {
        case let error as ServiceError:
            return error.response
        case let error as SiglogError:
            return ServiceError.api(error).response
        case let error as InvalidValue:
            return ServiceError.invalid(error).response
        case let error as HTTPError:
            return ServiceError(error.status, error.body ?? error.status.reasonPhrase).response
        default:
            logger.error("unexpected error", metadata: ["error": .string(String(describing: error))])
            return ServiceError(.internalServerError, "Internal server error").response
        }
    }
}

/// Request-body limits: an NDJSON body may be `ndjsonLimit` bytes, any other `limit`. A declared
/// `Content-Length` over the limit is refused (413) before anything is read; a streamed NDJSON body
/// is counted by the route that spools it; any other streamed body is collected here up to `limit`.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = ServiceRequestContext
    let ndjsonLimit: Int
    let limit: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let ndjson = request.isNDJSON
        let allowed = ndjson ? ndjsonLimit : limit
        if let length = request.declaredLength, length > allowed { throw ServiceError.tooLarge(limit: allowed) }
        guard !ndjson, request.declaredLength == nil, request.headers[.transferEncoding] != nil else {
            return try await next(request, context)
        }
        var request = request
        do {
            _ = try await request.collectBody(upTo: allowed)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw ServiceError.tooLarge(limit: allowed)
        }
        return try await next(request, context)
    }
}

extension Request {
    /// Whether the body is NDJSON (`application/x-ndjson`, parameters ignored).
    var isNDJSON: Bool {
        guard let type = headers[.contentType] else { return false }
        return type.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() == "application/x-ndjson"
    }

    /// `Content-Length`, when declared.
    var declaredLength: Int? { headers[.contentLength].flatMap { Int($0) } }

    /// Whether the request carries a body: an NDJSON content type, a non-zero length, or a
    /// streamed (chunked) body.
    var hasBody: Bool {
        isNDJSON || (declaredLength ?? 0) > 0 || headers[.transferEncoding] != nil
    }
}
