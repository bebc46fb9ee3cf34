import Foundation
public import Hummingbird
public import Projections
public import SiglogCore
import Synchronization

/// Serialized answers of the read API, kept for as long as the store stays where they were read.
///
/// A read answer is a function of the store's position (log head and the sequence the views
/// reflect), the request's route and query, and the day the request defaults dates to — nothing
/// else: the views change only when records are appended and folded, and replay rebuilds them byte
/// for byte. So an answer read at position P is served again, without reading or serializing, to
/// every request with the same key while the store is still at P; the first request that sees a
/// later position drops every kept answer. Errors are never kept. Memory is bounded by `byteLimit`
/// (least recently used answers go first); 0 keeps nothing.
public final class ReadCache: Sendable {
    /// What an answer depends on besides the store's position.
    public struct Key: Hashable, Sendable {
        /// The route pattern (`/api/lead-feed`).
        public let route: String
        /// The query's parameters as name, value, name, value…, sorted by name (values of one name
        /// keep their order: a route reads the first).
        public let parameters: [String]
        /// The day dates default to (`as_of` omitted).
        public let today: Day

        /// A key; `parameters` are put in a canonical order.
        public init(route: String, parameters: [(name: String, value: String)], today: Day) {
            self.route = route
            self.parameters = parameters.enumerated()
                .sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }
                .flatMap { [$0.element.name, $0.element.value] }
            self.today = today
        }

        var size: Int { route.utf8.count + parameters.reduce(0) { $0 + $1.utf8.count + 16 } }
    }

    private struct Entry {
        let body: ByteBuffer
        var lastUse: UInt64
    }

    private struct State {
        var position: ReadPosition?
        var entries: [Key: Entry] = [:]
        var bytes = 0
        var uses: UInt64 = 0
        var hits = 0
        var misses = 0

        /// Adopts `position` when it is later than the kept answers' (or nothing is kept yet),
        /// dropping those answers; an earlier position changes nothing.
        mutating func moveOn(to position: ReadPosition) {
            if let kept = self.position, !position.isLater(than: kept) { return }
            entries.removeAll(keepingCapacity: true)
            bytes = 0
            self.position = position
        }
    }

    /// The most bytes of answers kept.
    public let byteLimit: Int
    /// The most answers kept, whatever their size (eviction looks for the least recently used
    /// answer among all of them, so their number stays small).
    public let entryLimit: Int
    private let state = Mutex(State())

    /// A cache of at most `byteLimit` bytes and `entryLimit` answers (0 bytes: keep nothing).
    public init(byteLimit: Int, entryLimit: Int = 4_096) {
        self.byteLimit = byteLimit
        self.entryLimit = max(1, entryLimit)
    }

    /// The answer kept for `key` at `position`, if any. A position later than the kept answers'
    /// drops them all.
    public func answer(for key: Key, at position: ReadPosition) -> ByteBuffer? {
        guard byteLimit > 0 else { return nil }
        return state.withLock { state in
            state.moveOn(to: position)
            guard state.position == position, var entry = state.entries[key] else {
                state.misses += 1
                return nil
            }
            state.hits += 1
            state.uses += 1
            entry.lastUse = state.uses
            state.entries[key] = entry
            return entry.body
        }
    }

    /// Keeps `body` as the answer for `key` at `position`, unless the cache already holds answers of
    /// a later position (a read that started before the last write finished) or `body` is larger
    /// than a quarter of the limit.
    public func keep(_ body: ByteBuffer, for key: Key, at position: ReadPosition) {
        let size = body.readableBytes + key.size
        guard byteLimit > 0, size <= byteLimit / 4 else { return }
        state.withLock { state in
            state.moveOn(to: position)
            guard state.position == position else { return }  // read before the last write
            state.uses += 1
            if let old = state.entries.updateValue(Entry(body: body, lastUse: state.uses), forKey: key) {
                state.bytes -= old.body.readableBytes + key.size
            }
            state.bytes += size
            while state.bytes > byteLimit || state.entries.count > entryLimit, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                state.entries[oldest.key] = nil
                state.bytes -= oldest.value.body.readableBytes + oldest.key.size
            }
        }
    }

    /// Answers served from the cache and answers read, since the server started.
    public var counts: (hits: Int, misses: Int) {
        state.withLock { ($0.hits, $0.misses) }
    }

    /// The entity tag of every answer read at `position` with `key`'s day: a client that sends it
    /// back in `If-None-Match` gets 304 while the store has not moved.
    public static func entityTag(_ position: ReadPosition, today: Day) -> String {
        "\"\(position.head)-\(position.applied)-\(today)\""
    }

    /// Whether an `If-None-Match` header value names `tag` (weakly or strongly). `*` is not
    /// honoured: a 304 must only answer a request that read the same answer before.
    public static func matches(ifNoneMatch header: String, tag: String) -> Bool {
        header.split(separator: ",").contains { item in
            let candidate = item.trimmingCharacters(in: .whitespaces)
            return candidate == tag || candidate == "W/" + tag
        }
    }
}
