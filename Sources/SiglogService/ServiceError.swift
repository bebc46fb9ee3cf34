public import Hummingbird
import HTTPTypes
public import ReadModel
public import SiglogCore

/// A failure answered with a status and the one error body of the service, `{"detail": "…"}`
/// (the shape of the reference's framework). `Retry-After` is sent when set.
public struct ServiceError: Error, HTTPResponseError, Sendable {
    /// The response status.
    public var status: HTTPResponse.Status
    /// The `detail` text.
    public var detail: String
    /// Seconds for `Retry-After` (503, 429).
    public var retryAfter: Int?

    /// Creates an error response.
    public init(_ status: HTTPResponse.Status, _ detail: String, retryAfter: Int? = nil) {
        self.status = status
        self.detail = detail
        self.retryAfter = retryAfter
    }

    /// The response: status, `{"detail": …}` as JSON, `Retry-After` when set.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        response
    }

    /// The response without a request.
    public var response: Response {
        var response = JSONResponse.make(.object(["detail": .string(detail)]), status: status)
        if let retryAfter { response.headers[.retryAfter] = String(retryAfter) }
        return response
    }

    // MARK: - The statuses of the service

    /// The status of a failure class (`/api/*`, and `/internal/*` where §9.3 keeps a status):
    /// a bad value 422 (the reference's validation status), bad input 422, not found 404,
    /// a conflict 409, the rate limit 429, a stage that cannot run 400 (D4), a stage stopped by the
    /// server's shutdown 503, a full disk 507 (Insufficient Storage), a damaged store 500.
    public static func status(for kind: SiglogError.Kind) -> HTTPResponse.Status {
        switch kind {
        case .usage, .badInput: .unprocessableContent
        case .notFound: .notFound
        case .conflict: .conflict
        case .rateLimited: .tooManyRequests
        case .cannotRun: .badRequest
        case .interrupted: .serviceUnavailable
        case .noSpace: HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")
        case .damaged: .internalServerError
        }
    }

    /// `error` as a read route answers it.
    public static func api(_ error: SiglogError) -> ServiceError {
        ServiceError(status(for: error.kind), error.message)
    }

    /// 422 for a value that does not parse.
    public static func invalid(_ value: InvalidValue) -> ServiceError {
        ServiceError(.unprocessableContent, value.message)
    }

    /// 413 for a body over its limit.
    public static func tooLarge(limit: Int) -> ServiceError {
        ServiceError(.contentTooLarge, "Request body too large: the limit is \(limit) bytes")
    }

    /// 401 of `/api/*`.
    public static let notAuthenticated = ServiceError(.unauthorized, "Not authenticated")
    /// 403 of a bearer token without the workspace.
    public static let noWorkspaceAccess = ServiceError(.forbidden, "You do not have access to this workspace")
    /// 403 of `/internal/*`.
    public static let invalidInternalToken = ServiceError(.forbidden, "Invalid internal token")
    /// 422 of `/internal/*` without the header.
    public static let missingInternalToken = ServiceError(.unprocessableContent, "Missing header: X-Internal-Token")
}

/// JSON responses: the project's writer, `application/json`.
public enum JSONResponse {
    /// `value` as a JSON response with `status`.
    public static func make(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: body(value)))
    }

    /// `value` as a response body: compact JSON and a newline.
    public static func body(_ value: JSONValue) -> ByteBuffer {
        var bytes = JSONWriter().bytes(value)
        bytes.append(UInt8(ascii: "\n"))
        return ByteBuffer(bytes: bytes)
    }

    /// `object` as a JSON response with `status`.
    public static func make(_ object: JSONObject, status: HTTPResponse.Status = .ok) -> Response {
        make(.object(object), status: status)
    }
}
