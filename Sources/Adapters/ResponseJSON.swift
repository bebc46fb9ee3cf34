import SiglogCore

extension TransportResponse {
    /// The body parsed as JSON; an `AdapterError.invalidJSON` naming the request (query redacted)
    /// when it is not.
    func json(of request: TransportRequest) throws(AdapterError) -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw AdapterError(.invalidJSON, "invalid JSON in the response to \(request.method.rawValue) "
                + "\(request.redactedURL): \(error.description)")
        }
    }
}
