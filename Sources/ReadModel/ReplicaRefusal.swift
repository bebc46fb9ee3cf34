public import Projections
import EventLog

extension Store {
    /// Refuses to append to a read-only replica (its records come from its stream only): a
    /// `conflict` naming the stream and the promote command. Every writer — the command-line tools
    /// and the HTTP service's write routes — asks here before it appends.
    public func refuseAppendingIfReplica() throws {
        guard let marker = try log.replicaMarker() else { return }
        let stream = ReplicaMarker(bytes: marker)?.stream ?? "its stream"
        throw SiglogError.conflict(
            "the store at \(path) is a read-only replica of \(stream): promote it with `siglog-replicate promote --store \(path)` before appending")
    }
}
