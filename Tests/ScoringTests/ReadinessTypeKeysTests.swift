import Scoring
import SiglogCore
import Testing

/// `ReadinessEngine.compute` given each event's type key (the score stage passes its decoder's
/// type index) must give exactly what it gives when it looks every event's type up itself.
@Suite("Readiness with type keys")
struct ReadinessTypeKeysTests {
    /// The cto pack with a disqualifier and a quiet type of its own, so every table is exercised.
    static let config: ReadinessConfig = {
        guard case .object(var members) = ReadinessFixture.ctoPack else { preconditionFailure("an object") }
        members["disqualifier_signals"] = .object(["layoffs": 90, "cto_hired": 30])
        return ReadinessConfig(document: .object(members))
    }()

    /// Types of every kind: tabled in several dimensions, quiet, bucketed, funding, `cto_hired`,
    /// disqualifying, not named by the pack at all, and the empty type.
    static let types = ["funding_raised", "job_posted_infra", "job_posted_engineering", "api_launched",
                        "compliance_mentioned", "cto_role_posted", "no_cto_detected", "cto_hired", "layoffs",
                        "founder_urgency_language", "repo_activity", "unknown_type", "", "enterprise_customer"]

    /// `count` events, caller-ordered, spread over 400 days, some without time or confidence.
    static func events(_ count: Int, seed: Int, types: [String] = types) -> [ReadinessEvent] {
        var events: [ReadinessEvent] = []
        for index in 0..<count {
            let value = (index * 7919 + seed * 104_729) % 1_000_003
            let type = types[value % types.count]
            let days = value % 400
            let confidence: Double? = value % 9 == 0 ? nil : Double(value % 13) / 10 - 0.1
            var event = ReadinessFixture.event(type, days, confidence, url: value % 3 == 0 ? nil : "u\(index)")
            if value % 17 == 0 { event.eventTime = nil }
            events.append(event)
        }
        return ReadinessFixture.callerOrdered(events)
    }

    /// Scored with the pack's table, keys or none.
    static func compute(_ events: [ReadinessEvent], typeKeys: [Int]?) -> ReadinessResult? {
        ReadinessEngine.compute(
            events: events, asOf: ReadinessFixture.asOf, config: config, types: ReadinessTypeTable(config),
            companyStatus: nil, previousComposite: 41, typeKeys: typeKeys)
    }

    /// `events` without funding (quiet amplification on) or as they are.
    static func funded(_ events: [ReadinessEvent], _ funded: Bool) -> [ReadinessEvent] {
        funded ? events : events.filter { $0.eventType != "funding_raised" }
    }

    @Test("Keys of one type each give the same result as lookups by type", arguments: [1, 2, 9, 60, 3000])
    func keysPerType(count: Int) {
        for seed in 0..<4 {
            for funded in [true, false] {
                let events = Self.funded(Self.events(count, seed: seed), funded)
                let keys = events.map { Self.types.firstIndex(of: $0.eventType)! }
                let expected = Self.compute(events, typeKeys: nil)
                #expect(Self.compute(events, typeKeys: keys) == expected)
                if count >= 60 { #expect(expected?.explain.quietSignalAmplificationApplied.isEmpty == funded) }
            }
        }
    }

    @Test("Keys out of range or negative are looked up by type; keys of the same type may differ")
    func mixedKeys() {
        let events = Self.events(500, seed: 7)
        // Each type under several keys, some of them at or past 256, some negative.
        let keys = events.enumerated().map { index, event -> Int in
            let type = Self.types.firstIndex(of: event.eventType)!
            switch index % 4 {
            case 0: return type
            case 1: return type + Self.types.count
            case 2: return 256 + type
            default: return -1 - type
            }
        }
        #expect(Self.compute(events, typeKeys: keys) == Self.compute(events, typeKeys: nil))
    }

    @Test("The quiet types present, disqualifiers and top events come out as with lookups by type")
    func explainParts() throws {
        // Only quiet and disqualifying types, with no funding: amplification and disqualifiers apply.
        let types = ["compliance_mentioned", "api_launched", "layoffs", "job_posted_infra", "unknown_type"]
        let events = Self.events(40, seed: 3, types: types)
        let keys = events.map { types.firstIndex(of: $0.eventType)! }
        let expected = try #require(Self.compute(events, typeKeys: nil))
        #expect(Set(expected.explain.quietSignalAmplificationApplied) == ["job_posted_infra", "compliance_mentioned", "api_launched"])
        #expect(!expected.explain.disqualifiersApplied.isEmpty)
        #expect(expected.explain.topEvents.count == ReadinessEngine.topEventLimit)
        #expect(Self.compute(events, typeKeys: keys) == expected)
    }
}

@Suite("Top signal ids")
struct TopSignalIDsTests {
    /// Blank and non-blank types: ASCII and Unicode whitespace, control bytes that are not
    /// whitespace, combining marks after a space, and ordinary types.
    static let types = ["", " ", "\t\n", "\r\n", "\u{0B}\u{0C}", "\u{1C}", "\u{A0}", "\u{2003} ", "\u{85}", " \u{301}",
                        "e\u{301}", " a", "a ", "funding_raised", "\u{1F}x", "é", "\u{3000}", "  ", "job_posted_infra"]

    @Test("Blank types are skipped and the rest de-duplicated in order, as the character-by-character rule does")
    func sameAsCharacterRule() {
        for start in Self.types.indices {
            // Eight at a time, with repeats, from every starting point.
            let chosen = (0..<10).map { Self.types[(start + $0 * 3) % Self.types.count] }
            let topEvents = chosen.map {
                ReadinessTopEvent(eventType: $0, eventTime: Timestamp(microseconds: 0), source: "", url: "",
                                  contributionPoints: 1, confidence: 1)
            }
            let explain = ReadinessExplain(
                weights: [:], momentum: 0, complexity: 0, pressure: 0, leadershipGap: 0, composite: 0,
                topEvents: topEvents, suppressorsApplied: [], quietSignalAmplificationApplied: [],
                disqualifiersApplied: [], minimumThreshold: 0, recommendationBand: nil, delta1d: 0)
            var expected: [String] = []
            for type in chosen.prefix(8) where !type.allSatisfy(\.isWhitespace) && !expected.contains(type) {
                expected.append(type)
            }
            #expect(explain.topSignalIDs == expected)
        }
    }
}
