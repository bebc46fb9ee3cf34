public import Ingest
public import SiglogCore

/// What storing one adapter's events gave (PIPELINE.md §2.8 `runIngest`).
public struct AdapterStoreCounts: Sendable, Hashable {
    /// Events stored.
    public var inserted: Int
    /// Events already stored (same source and id).
    public var skippedDuplicate: Int
    /// Events whose type the pack does not accept.
    public var skippedInvalid: Int
    /// Per-event errors, in event order (`AdapterOrchestrator.eventErrorText`).
    public var errors: [String]

    /// Counts as given.
    public init(inserted: Int = 0, skippedDuplicate: Int = 0, skippedInvalid: Int = 0, errors: [String] = []) {
        self.inserted = inserted
        self.skippedDuplicate = skippedDuplicate
        self.skippedInvalid = skippedInvalid
        self.errors = errors
    }
}

/// How one adapter fared in a run.
public struct AdapterOutcome: Sendable, Hashable {
    /// What happened.
    public enum Result: Sendable, Hashable {
        /// The fetch returned and its events were stored with these counts.
        case stored(AdapterStoreCounts)
        /// The fetch threw; the message is the recorded error without the source prefix.
        case fetchFailed(String)
        /// The fetch returned `fetchedEvents` events, then storing them threw (e.g. pack resolution).
        case storeFailed(String)
    }

    /// The adapter's `sourceName`.
    public var source: String
    /// How many events the fetch returned; nil when it threw.
    public var fetchedEvents: Int?
    /// What happened.
    public var result: Result
}

/// The totals of one run over the selected adapters (ADAPTERS.md §7 steps 5–6).
public struct AdapterRunSummary: Sendable, Hashable {
    /// Sum of the adapters' `inserted`.
    public var inserted = 0
    /// Sum of the adapters' `skipped_duplicate`.
    public var skippedDuplicate = 0
    /// Sum of the adapters' `skipped_invalid`.
    public var skippedInvalid = 0
    /// Every error in order: an adapter that threw adds `"{source}: {message}"`, one that stored
    /// adds its per-event errors.
    public var errors: [String] = []
    /// One entry per adapter, in run order.
    public var outcomes: [AdapterOutcome] = []

    /// Whether at least one adapter fetched without throwing: only then does the run move the next
    /// run's `since` (PIPELINE.md D18). False when no adapter ran.
    public var anyAdapterFetched: Bool { outcomes.contains { $0.fetchedEvents != nil } }

    /// The job run's `error_message`: the first 10 errors joined with `"; "`, nil when none.
    public var errorMessage: String? { errors.isEmpty ? nil : errors.prefix(10).joined(separator: "; ") }

    /// The result's `error`: all errors joined with `"; "`, nil when none.
    public var error: String? { errors.isEmpty ? nil : errors.joined(separator: "; ") }
}

/// Runs the selected adapters one after another with the same `since` (ADAPTERS.md §7 step 5)
/// and sums what storing their events gave. Pure apart from the adapters and `store` it is given.
public enum AdapterOrchestrator {
    /// Fetches each adapter in order and hands its events to `store`. A fetch or a store that
    /// throws records `"{source}: {message}"`, adds nothing to the counts, and the next adapter
    /// still runs.
    public static func run(
        _ adapters: [any SourceAdapter], since: Timestamp,
        store: (_ source: String, _ events: [RawEvent]) async throws -> AdapterStoreCounts
    ) async -> AdapterRunSummary {
        var summary = AdapterRunSummary()
        for adapter in adapters {
            let source = adapter.sourceName
            let events: [RawEvent]
            do {
                events = try await adapter.fetchEvents(since: since)
            } catch {
                let message = String(describing: error)
                summary.errors.append("\(source): \(message)")
                summary.outcomes.append(AdapterOutcome(source: source, fetchedEvents: nil, result: .fetchFailed(message)))
                continue
            }
            do {
                let counts = try await store(source, events)
                summary.inserted += counts.inserted
                summary.skippedDuplicate += counts.skippedDuplicate
                summary.skippedInvalid += counts.skippedInvalid
                summary.errors += counts.errors
                summary.outcomes.append(AdapterOutcome(source: source, fetchedEvents: events.count, result: .stored(counts)))
            } catch {
                let message = String(describing: error)
                summary.errors.append("\(source): \(message)")
                summary.outcomes.append(AdapterOutcome(source: source, fetchedEvents: events.count,
                                                       result: .storeFailed(message)))
            }
        }
        return summary
    }

    /// The text of a per-event storage error (PIPELINE.md §2.8 with D18):
    /// `"{source}:{source_event_id or ?}: {message}"`.
    public static func eventErrorText(source: String, sourceEventID: String?, message: String) -> String {
        "\(source):\(sourceEventID ?? "?"): \(message)"
    }
}
