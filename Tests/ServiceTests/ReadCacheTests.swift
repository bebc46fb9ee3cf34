import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Pipeline
import Projections
import SiglogCore
import SiglogService
import Testing

@Suite("Read cache of /api/*: answers kept while the store does not move")
struct ReadCacheTests {
    static let day = Day(year: 2026, month: 2, day: 28)!

    static func key(_ route: String, _ parameters: [(String, String)] = []) -> ReadCache.Key {
        ReadCache.Key(route: route, parameters: parameters.map { (name: $0.0, value: $0.1) }, today: day)
    }

    @Test("keys: parameter order does not matter, repeated names keep their order, values cannot run together")
    func keys() {
        #expect(Self.key("/r", [("b", "2"), ("a", "1")]) == Self.key("/r", [("a", "1"), ("b", "2")]))
        #expect(Self.key("/r", [("a", "2"), ("a", "1")]) != Self.key("/r", [("a", "1"), ("a", "2")]))
        #expect(Self.key("/r", [("a", "b&c=")]) != Self.key("/r", [("a", "b"), ("c", "")]))
        #expect(Self.key("/r") != ReadCache.Key(route: "/r", parameters: [], today: Day(year: 2026, month: 3, day: 1)!))
        #expect(Self.key("/r") != Self.key("/s"))
    }

    @Test("an answer is served at its position only; a later position drops every answer; an older read is not kept")
    func positions() {
        let cache = ReadCache(byteLimit: 1 << 20)
        let at10 = ReadPosition(head: 10, applied: 10)
        let at11 = ReadPosition(head: 11, applied: 10)
        let folded = ReadPosition(head: 11, applied: 11)
        let key = Self.key("/api/lead-feed")
        cache.keep(ByteBuffer(string: "ten"), for: key, at: at10)
        #expect(cache.answer(for: key, at: at10).map { String(buffer: $0) } == "ten")
        #expect(cache.answer(for: key, at: at11) == nil)
        // at11 was seen: the answer of 10 is gone even for a reader still at 10.
        #expect(cache.answer(for: key, at: at10) == nil)
        cache.keep(ByteBuffer(string: "stale"), for: key, at: at10)
        #expect(cache.answer(for: key, at: at10) == nil)
        cache.keep(ByteBuffer(string: "eleven"), for: key, at: at11)
        #expect(cache.answer(for: key, at: at11).map { String(buffer: $0) } == "eleven")
        #expect(folded.isLater(than: at11) && at11.isLater(than: at10) && !at10.isLater(than: at10))
        #expect(cache.answer(for: key, at: folded) == nil)
        #expect(cache.counts.hits == 2)
    }

    @Test("the byte and entry limits: least recently used answers go first; an answer over a quarter of the limit is not kept; 0 keeps nothing")
    func limit() {
        let position = ReadPosition(head: 1, applied: 1)
        let cache = ReadCache(byteLimit: 4_000)
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 900)
        for name in ["a", "b", "c", "d"] { cache.keep(body, for: Self.key("/" + name), at: position) }
        #expect(cache.answer(for: Self.key("/a"), at: position) != nil)  // a is now the most recent
        cache.keep(body, for: Self.key("/e"), at: position)
        #expect(cache.answer(for: Self.key("/b"), at: position) == nil)
        for name in ["a", "c", "d", "e"] { #expect(cache.answer(for: Self.key("/" + name), at: position) != nil, "\(name)") }
        cache.keep(ByteBuffer(repeating: 0, count: 1_001), for: Self.key("/big"), at: position)
        #expect(cache.answer(for: Self.key("/big"), at: position) == nil)
        let few = ReadCache(byteLimit: 1 << 20, entryLimit: 2)
        for name in ["a", "b", "c"] { few.keep(body, for: Self.key("/" + name), at: position) }
        #expect(few.answer(for: Self.key("/a"), at: position) == nil)
        #expect(few.answer(for: Self.key("/b"), at: position) != nil && few.answer(for: Self.key("/c"), at: position) != nil)
        let off = ReadCache(byteLimit: 0)
        off.keep(ByteBuffer(string: "x"), for: Self.key("/a"), at: position)
        #expect(off.answer(for: Self.key("/a"), at: position) == nil)
    }

    @Test("If-None-Match: the exact tag, weak or strong, in a list; never `*`")
    func entityTags() {
        let tag = ReadCache.entityTag(ReadPosition(head: 7, applied: 6), today: Self.day)
        #expect(tag == "\"7-6-2026-02-28\"")
        #expect(ReadCache.matches(ifNoneMatch: tag, tag: tag))
        #expect(ReadCache.matches(ifNoneMatch: "\"x\", W/\(tag)", tag: tag))
        #expect(!ReadCache.matches(ifNoneMatch: "*", tag: tag))
        #expect(!ReadCache.matches(ifNoneMatch: "\"7-6-2026-02-27\"", tag: tag))
    }

    @Test("served: the second request is a hit with the same bytes, a stage run moves the answer on, 304 on the tag, 403 before the cache")
    func served() async throws {
        let harness = try ServiceHarness()
        let day = try Day(parsing: Repository.sampleDay)
        _ = try harness.runner.runDailyAggregation(asOf: day, events: Repository.sampleEvents)
        try await harness.test { client in
            let uri = "/api/lead-feed?threshold=0&as_of=\(Repository.sampleDay)"
            let first = try await client.execute(uri: uri, method: .get, headers: bearer())
            #expect(first.status == .ok)
            #expect(harness.server.readCache.counts == (hits: 0, misses: 1))
            let tag = try #require(first.headers[.eTag])
            #expect(first.headers[.cacheControl] == "private, no-cache")
            let second = try await client.execute(uri: "/api/lead-feed?as_of=\(Repository.sampleDay)&threshold=0", method: .get,
                                                  headers: bearer())
            #expect(second.text == first.text)
            #expect(second.headers[.eTag] == tag)
            #expect(harness.server.readCache.counts.hits == 1)

            var conditional = bearer()
            conditional[.ifNoneMatch] = tag
            let notModified = try await client.execute(uri: uri, method: .get, headers: conditional)
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)
            #expect(notModified.headers[.eTag] == tag)

            // A token without the workspace is refused whatever is kept, tag or not.
            var scoped = bearer(Secrets.scopedToken)
            scoped[.ifNoneMatch] = tag
            let refused = try await client.execute(uri: uri, method: .get, headers: scoped)
            #expect(refused.status == .forbidden)

            let jobsBefore = try await client.execute(uri: "/api/jobs", method: .get, headers: bearer())
            let jobsAgain = try await client.execute(uri: "/api/jobs", method: .get, headers: bearer())
            #expect(jobsAgain.text == jobsBefore.text)

            // The store moves: a new run is in the jobs list, the old tag no longer matches.
            _ = try harness.runner.runDailyAggregation(asOf: day, events: URL?.none, sources: [])
            let jobsAfter = try await client.execute(uri: "/api/jobs", method: .get, headers: bearer())
            #expect((jobsAfter.json.arrayValue?.count ?? 0) > (jobsBefore.json.arrayValue?.count ?? 0))
            let moved = try await client.execute(uri: uri, method: .get, headers: conditional)
            #expect(moved.status == .ok)
            #expect(moved.headers[.eTag] != tag)
            #expect(moved.text == first.text)  // the same cards, read again at the new position
        }
    }

    @Test("SIGLOG_READ_CACHE_BYTES=0: nothing kept, the same answers")
    func disabled() async throws {
        let harness = try ServiceHarness { $0.readCacheBytes = 0 }
        let cached = try ServiceHarness()
        for target in [harness, cached] {
            _ = try target.runner.runDailyAggregation(asOf: try Day(parsing: Repository.sampleDay), events: Repository.sampleEvents)
        }
        let uri = "/api/companies/1?events=3"
        let plain = try await harness.test { client in
            var texts: [String] = []
            for _ in 0..<2 { texts.append(try await client.execute(uri: uri, method: .get, headers: bearer()).text) }
            return texts
        }
        let kept = try await cached.test { client in try await client.execute(uri: uri, method: .get, headers: bearer()).text }
        #expect(plain[0] == plain[1])
        #expect(harness.server.readCache.counts.hits == 0)
        #expect(try ServiceConfiguration(environment: ["SIGLOG_READ_CACHE_BYTES": "0"]).readCacheBytes == 0)
        #expect(throws: InvalidValue.self) { try ServiceConfiguration(environment: ["SIGLOG_READ_CACHE_BYTES": "-1"]) }
        // Two stores built from the same input give the same answer, kept or not (ids are per store).
        #expect(JSONParser.parseOrNull(kept)?["company"]?["name"] == JSONParser.parseOrNull(plain[0])?["company"]?["name"])
    }
}

extension JSONParser {
    /// `text` parsed, nil when it is not JSON.
    fileprivate static func parseOrNull(_ text: String) -> JSONValue? { try? parse(text) }
}
