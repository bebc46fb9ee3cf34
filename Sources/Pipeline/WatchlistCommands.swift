public import Foundation
public import Ingest
import Projections
import ReadModel
public import SiglogCore
import SiglogRecords

extension StageRunner {
    /// Puts a company on the watchlist (§1.11) with `reason`. A company already watched keeps its
    /// row and nothing is written (at most one active row per company).
    ///
    /// Returns `{watchlist_id, company_id, added_at, added_reason, is_active, changed}`.
    @discardableResult
    public func addToWatchlist(_ company: CompanyReference, reason: String?) throws -> JSONObject {
        try store.write { writer in
            let row = try writer.reader.company(company)
            var changed = false
            if try writer.reader.activeWatchlistRow(ofCompany: row.id) == nil {
                try writer.append(WatchlistAdded(companyID: row.id, reason: Self.nonBlank(reason)), at: clock.now())
                changed = true
            }
            guard let active = try writer.reader.activeWatchlistRow(ofCompany: row.id) else {
                throw SiglogError.conflict("company \(row.id) could not be put on the watchlist")
            }
            var answer = Self.watchlistJSON(active)
            answer["changed"] = .bool(changed)
            return answer
        }
    }

    /// Takes a company off the watchlist: its active row is closed with `reason`. A company not
    /// watched writes nothing (`changed: false`).
    ///
    /// Returns `{company_id, removed_reason, changed}`.
    @discardableResult
    public func removeFromWatchlist(_ company: CompanyReference, reason: String?) throws -> JSONObject {
        try store.write { writer in
            let row = try writer.reader.company(company)
            guard try writer.reader.activeWatchlistRow(ofCompany: row.id) != nil else {
                return ["company_id": .int(row.id), "removed_reason": .null, "changed": false]
            }
            let reason = Self.nonBlank(reason)
            try writer.append(WatchlistRemoved(companyID: row.id, reason: reason), at: clock.now())
            return ["company_id": .int(row.id), "removed_reason": reason.map(JSONValue.string) ?? .null, "changed": true]
        }
    }

    /// Stores an evidence bundle for the watchlist seeder under `id`, else the bundle's own `id`,
    /// else a new UUID. The same content under the same id again writes nothing; other content
    /// under an id already used is refused (`conflict`).
    ///
    /// Returns `{bundle_id, company_name, events, changed}`.
    @discardableResult
    public func storeBundle(_ bundle: EvidenceBundle, id requested: UUID? = nil) throws -> JSONObject {
        var own: UUID?
        if let text = bundle.id {
            guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else {
                throw SiglogError.invalidValue(InvalidValue("id: must be a valid UUID, got '\(text)'"))
            }
            own = id
        }
        if let requested, let own, requested != own {
            throw SiglogError.usage("the bundle's id \(own.lowercased) differs from --id \(requested.lowercased)")
        }
        let id = requested ?? own ?? UUID()
        let record = EvidenceBundleStored(
            bundleID: id, companyName: bundle.companyName, domain: bundle.domain, websiteURL: bundle.websiteURL,
            companyProfileURL: bundle.companyProfileURL, reason: bundle.reason,
            events: bundle.events.map { JSONWriter().string(.object($0)) })
        return try store.write { writer in
            var changed = false
            if let stored = try writer.reader.bundle(id) {
                guard stored.record == record else {
                    throw SiglogError.conflict("bundle \(id.lowercased) is already stored with other content; store the change "
                        + "under a new id")
                }
            } else {
                try writer.append(record, at: clock.now())
                changed = true
            }
            return ["bundle_id": .string(id.lowercased), "company_name": .string(bundle.companyName),
                    "events": .int(Int64(bundle.events.count)), "changed": .bool(changed)]
        }
    }

    /// `storeBundle` of a bundle file's bytes; a malformed file is `badInput` naming `name` and the
    /// member at fault.
    @discardableResult
    public func storeBundle(parsing bytes: [UInt8], name: String, id: UUID? = nil) throws -> JSONObject {
        let bundle: EvidenceBundle
        do throws(EvidenceBundleError) { bundle = try EvidenceBundle.parse(bytes) } catch {
            throw SiglogError.badInput(error.formatted(file: name))
        }
        return try storeBundle(bundle, id: id)
    }

    /// `{watchlist_id, company_id, added_at, added_reason, bundle_id, is_active}` of a row.
    static func watchlistJSON(_ row: WatchlistRow) -> JSONObject {
        ["watchlist_id": .int(Int64(row.id)), "company_id": .int(row.companyID), "added_at": .string(row.addedAt.description),
         "added_reason": row.added.reason.map(JSONValue.string) ?? .null,
         "bundle_id": row.added.bundleID.map { .string($0.lowercased) } ?? .null, "is_active": .bool(row.isActive)]
    }

    static func nonBlank(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}

extension EvidenceBundle {
    /// The bundle a stored record holds (its events parsed back from their JSON text).
    init(_ stored: EvidenceBundleStored) throws {
        let events = try stored.events.map { text -> JSONObject in
            guard let object = try JSONParser.parse(text).objectValue else { throw SiglogError.badInput("bundle event is not an object") }
            return object
        }
        self.init(id: stored.bundleID.lowercased, companyName: stored.companyName, domain: stored.domain,
                  websiteURL: stored.websiteURL, companyProfileURL: stored.companyProfileURL, reason: stored.reason, events: events)
    }
}
