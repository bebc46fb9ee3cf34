import Ingest
import SiglogCore

/// Delaware incorporation filings (Socrata SODA rows) → raw events (ADAPTERS.md §6). Pure.
enum DelawareSocrataMapping {
    /// Rows per page; a shorter page is the last.
    static let pageSize = 1000

    /// Columns that may hold the entity name, in order of preference.
    static let nameKeys = ["entity_name", "entityname", "company_name", "name", "restname"]
    /// Columns that may hold the filing date.
    static let dateKeys = ["file_date", "filedate", "insp_date", "created_at", "date"]
    /// Columns that may hold the entity type.
    static let typeKeys = ["entity_type", "entitytype", "type"]

    /// The server-side filter column: unset → `file_date`; blank or not `[A-Za-z0-9_]+` → none.
    static func dateColumn(_ value: String?) -> String? {
        guard let value else { return "file_date" }
        let column = PythonValue.trimmed(value)
        guard !column.isEmpty, column.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0)
            || ("0"..."9").contains($0) || $0 == "_" })
        else { return nil }
        return column
    }

    /// The query string of one page.
    static func query(offset: Int, dateColumn: String?, sinceDate: String) -> String {
        var pairs = [("$limit", String(pageSize)), ("$offset", String(offset))]
        if let dateColumn { pairs.append(("$where", "\(dateColumn) >= '\(sinceDate)'")) }
        return URLEncoding.query(pairs)
    }

    /// F(keys): with the row's keys lower-cased (a later key wins over an earlier one that differs
    /// only in case), the trimmed text of the first candidate whose value is non-null and non-blank.
    static func field(_ keys: [String], in row: [String: JSONValue]) -> String? {
        for key in keys {
            guard let value = row[key], !value.isNull else { continue }
            let text = PythonValue.trimmed(PythonValue.text(value))
            if !text.isEmpty { return text }
        }
        return nil
    }

    /// The row's members under lower-cased keys.
    static func lowercasedKeys(_ row: JSONObject) -> [String: JSONValue] {
        var lowered: [String: JSONValue] = [:]
        for member in row { lowered[member.key.lowercased()] = member.value }
        return lowered
    }

    /// The event of one row of dataset `datasetID`; nil when the row is not an object.
    static func event(from rowValue: JSONValue, datasetID: String, now: Timestamp) throws(AdapterError) -> RawEvent? {
        guard case .object(let object) = rowValue else { return nil }
        let row = lowercasedKeys(object)
        let name = field(nameKeys, in: row)
        let date = field(dateKeys, in: row)
        let type = field(typeKeys, in: row)
        let companyName = name.map { PythonValue.truncated($0, to: 255) } ?? "Unknown"
        let hashed = "\(datasetID):\(name ?? "unknown"):\(date ?? ""):\(type ?? "")"
        let sourceEventID = datasetID + ":" + NewsAPIMapping.sha256Hex(hashed).prefix(48)
        let title = type.map { "\($0) formation: \(companyName)" } ?? "Incorporation: \(companyName)"
        return try RawEventLimits.checked(RawEvent(
            source: DelawareSocrataAdapter.sourceName,
            sourceEventID: PythonValue.truncated(sourceEventID, to: 255),
            companyName: companyName,
            eventType: "incorporation",
            eventTime: date.map { ReferenceTime.t3($0, now: now) } ?? now,
            title: PythonValue.truncated(title, to: 512),
            summary: type,
            url: "https://data.delaware.gov/resource/\(datasetID).json",
            rawPayload: ["entity_type": type.map(JSONValue.string) ?? .null, "dataset_id": .string(datasetID)]))
    }
}
