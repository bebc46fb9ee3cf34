public import Projections
public import SiglogCore
import SiglogRecords

/// Company names and domains beside the ids a query prints, so leads have names. Looked up once per
/// company per query.
public struct CompanyLabels {
    /// Only the name and domain of each company, not its whole row: less to decode and to hold.
    private var labels: [Int64: CompanyLabel?] = [:]
    private let lookup: (Int64) throws -> CompanyLabel?

    /// Labels read through `reader` (inside its transaction).
    public init(reader: ViewReader) { lookup = reader.companyLabel }

    /// Labels read in a short transaction of `store` per company not seen yet (for lists streamed
    /// over several transactions).
    public init(store: Store) { lookup = { id in try store.read { try $0.companyLabel(id) } } }

    /// `company_name` and `company_domain` of `company` (null when the company is gone).
    public mutating func fields(_ company: Int64) throws -> [JSONObject.Member] {
        if labels[company] == nil { labels[company] = .some(try lookup(company)) }
        let label = labels[company] ?? nil
        return [.init(key: "company_name", value: nullable(label?.name)), .init(key: "company_domain", value: nullable(label?.domain))]
    }

    /// `object` with the company's name and domain inserted after `key`.
    public mutating func labelled(_ object: JSONObject, company: Int64, after key: String) throws -> JSONObject {
        var members = object.members
        let index = (members.firstIndex { $0.key == key }).map { $0 + 1 } ?? members.endIndex
        members.insert(contentsOf: try fields(company), at: index)
        return JSONObject(members)
    }
}

/// `columns` with `company_name` and `company_domain` inserted after `key`.
func labelledColumns(_ columns: [String], after key: String) -> [String] {
    var result = columns
    let index = (result.firstIndex(of: key)).map { $0 + 1 } ?? result.endIndex
    result.insert(contentsOf: ["company_name", "company_domain"], at: index)
    return result
}
