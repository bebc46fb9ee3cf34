public import Foundation

extension RequestIDs {
    /// The most bundle ids one watchlist seed takes (§9.3: 1…500).
    public static let maxBundleIDs = 500

    /// `bundle_ids` of a watchlist seed: 1…500 UUIDs, repeats dropped (first occurrence kept); any
    /// other count or an id that is not a UUID is an `InvalidValue` naming it.
    public static func bundleIDs(_ texts: [String]) throws(InvalidValue) -> [UUID] {
        guard (1...maxBundleIDs).contains(texts.count) else {
            throw InvalidValue("bundle_ids must hold 1 to \(maxBundleIDs) bundle ids, got \(texts.count)")
        }
        var seen = Set<UUID>()
        var result: [UUID] = []
        for text in texts {
            guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
                throw InvalidValue("Invalid bundle_ids: '\(text)' is not a valid UUID")
            }
            if seen.insert(id).inserted { result.append(id) }
        }
        return result
    }
}
