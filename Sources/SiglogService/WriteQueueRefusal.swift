/// The one answer to a refusal of the store's writer, for every route that writes through it.
extension ServiceError {
    /// 503 with `Retry-After`: the writer's queue is full, or the server is shutting down.
    public static func refused(_ refusal: WriteQueue.Refusal, retryAfter: Int) -> ServiceError {
        switch refusal {
        case .busy(let waiting):
            ServiceError(.serviceUnavailable, "Stage queue full: \(waiting) requests waiting behind the running stage",
                         retryAfter: retryAfter)
        case .shuttingDown:
            ServiceError(.serviceUnavailable, "The server is shutting down", retryAfter: retryAfter)
        }
    }
}
