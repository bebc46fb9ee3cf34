import SiglogCore

/// Which event types an ingest accepts (spec §2.4): the 20 core ids always; other ids only when the
/// ingest pack's taxonomy lists a non-empty `signal_ids` containing them. Built once per run so the
/// per-event check is a set lookup.
public struct EventTypeAcceptance: Sendable, Hashable {
    /// The pack's extra ids; empty when there is no pack or it lists no `signal_ids`.
    public let packSignalIDs: Set<String>

    /// Creates the rule for a pack's taxonomy `signal_ids` (nil or empty: core ids only).
    public init(packSignalIDs: [String]? = nil) {
        self.packSignalIDs = Set(packSignalIDs ?? [])
    }

    /// The rule without a pack (or for a pack without `signal_ids`): core ids only.
    public static let coreOnly = EventTypeAcceptance()

    /// Whether an event with this candidate type is stored (otherwise it counts as `skipped_invalid`).
    public func accepts(_ eventType: String) -> Bool {
        CoreTaxonomy.contains(eventType) || packSignalIDs.contains(eventType)
    }

    /// The reason given for a rejected type, e.g. `unknown event type "foo"`.
    public func rejectionReason(for eventType: String) -> String {
        "unknown event type \"\(eventType)\""
    }
}
