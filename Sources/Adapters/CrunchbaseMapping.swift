import Foundation
import Ingest
import SiglogCore

/// Crunchbase v4 funding rounds → raw events (ADAPTERS.md §2): the request body, the entity list
/// of a response, the paging cursor and the mapping of one entity. Pure.
enum CrunchbaseMapping {
    /// Entities per page; a shorter page is the last.
    static let pageSize = 100

    /// The search body: rounds announced on or after `sinceDate`, oldest first, after `afterID`.
    static func requestBody(sinceDate: String, afterID: String?) -> JSONValue {
        var body: JSONObject = [
            "field_ids": ["identifier", "announced_on", "funded_organization_identifier", "money_raised",
                          "investment_type"],
            "order": [.object(["field_id": "announced_on", "sort": "asc"])],
            "query": [.object(["type": "predicate", "field_id": "announced_on", "operator_id": "gte",
                               "values": [.string(sinceDate)]])],
            "limit": .int(Int64(pageSize)),
        ]
        if let afterID { body["after_id"] = .string(afterID) }
        return .object(body)
    }

    /// The entity list: `properties.entities` when `properties` is a non-empty object, else the
    /// top-level `entities`; missing or null is empty.
    static func entities(in document: JSONValue) throws(AdapterError) -> [JSONValue] {
        guard case .object(let top) = document else {
            throw AdapterError.unexpectedType("response", expected: "an object", got: document)
        }
        var list = top["entities"]
        if case .object(let properties)? = top["properties"], !properties.isEmpty { list = properties["entities"] }
        if case .array(let items)? = list { return items }
        if !PythonValue.isTruthy(list) { return [] }
        throw AdapterError.unexpectedType("entities", expected: "an array", got: list)
    }

    /// The next page's `after_id`: the entity's `identifier.uuid`, else `identifier.value`.
    static func cursor(after entity: JSONValue) throws(AdapterError) -> String? {
        let identifier = try PythonValue.object(try object(entity)["identifier"], "identifier")
        return PythonValue.textIfTruthy(identifier["uuid"]) ?? PythonValue.textIfTruthy(identifier["value"])
    }

    /// The event of one entity; `now` is the fallback event time.
    static func event(from entity: JSONValue, now: Timestamp) throws(AdapterError) -> RawEvent {
        let e = try object(entity)
        let identifier = try PythonValue.object(e["identifier"], "identifier")
        let id = PythonValue.textIfTruthy(identifier["uuid"]) ?? PythonValue.textIfTruthy(identifier["value"])
            ?? "unknown"
        let card = try PythonValue.object(e["funded_organization_card"], "funded_organization_card")

        var nameValue = card["name"]
        if !PythonValue.isTruthy(nameValue) {
            var fundedOrganization = JSONObject()
            if let member = e["funded_organization_identifier"] {
                guard case .object(let object) = member else {
                    throw AdapterError.unexpectedType("funded_organization_identifier", expected: "an object", got: member)
                }
                fundedOrganization = object
            }
            nameValue = fundedOrganization["value"]
        }
        let name = PythonValue.isTruthy(nameValue)
            ? PythonValue.trimmed(try PythonValue.string(nameValue, "company name")) : "Unknown"

        let announced = e["announced_on"]
        let eventTime: Timestamp
        if case .object(let announcedObject)? = announced {
            eventTime = ReferenceTime.t2(announcedObject["value"], now: now)
        } else {
            eventTime = ReferenceTime.t2(announced, now: now)
        }

        var typeValue = e["investment_type"]
        if case .object(let typeObject)? = typeValue { typeValue = typeObject["value"] ?? "funding" }
        let investmentType = PythonValue.isTruthy(typeValue)
            ? try PythonValue.string(typeValue, "investment_type") : "funding"

        var moneyRaised: JSONValue = .null
        if case .object(let money)? = e["money_raised"] { moneyRaised = money["value_usd"] ?? .null }

        return try RawEventLimits.checked(RawEvent(
            source: CrunchbaseAdapter.sourceName,
            sourceEventID: PythonValue.truncated(id, to: 255),
            companyName: PythonValue.truncated(name, to: 255),
            domain: PythonValue.textIfTruthy(card["domain"]).map { PythonValue.truncated($0, to: 255) },
            websiteURL: PythonValue.textIfTruthy(card["homepage_url"]).map { PythonValue.truncated($0, to: 2048) },
            companyProfileURL: nil,
            eventType: "funding_raised",
            eventTime: eventTime,
            title: PythonValue.truncated(titleCased(investmentType), to: 512),
            summary: moneySummary(moneyRaised),
            url: id == "unknown" ? nil : "https://www.crunchbase.com/funding_round/" + id,
            rawPayload: ["money_raised": moneyRaised, "investment_type": .string(investmentType)]))
    }

    private static func object(_ entity: JSONValue) throws(AdapterError) -> JSONObject {
        guard case .object(let object) = entity else {
            throw AdapterError.unexpectedType("entity", expected: "an object", got: entity)
        }
        return object
    }

    /// `_` → space, then Python's `str.title()`: a cased letter after an uncased character (or at
    /// the start) is title-cased, every other cased letter lower-cased.
    static func titleCased(_ text: String) -> String {
        var out = ""
        var previousIsCased = false
        for scalar in text.unicodeScalars {
            let c: Unicode.Scalar = scalar == "_" ? " " : scalar
            out += previousIsCased ? c.properties.lowercaseMapping : c.properties.titlecaseMapping
            previousIsCased = c.properties.isCased
        }
        return out
    }

    /// `Raised $12.5M` for at least a million (one decimal of the binary quotient, as C `%.1f`
    /// rounds it), else `Raised $750,000`; nil when `valueUSD` is not a number or integer text.
    static func moneySummary(_ valueUSD: JSONValue) -> String? {
        let amount: Double
        let exact: Int64?
        switch valueUSD {
        case .int(let i):
            amount = Double(i)
            exact = i
        case .double(let d):
            let truncated = d.rounded(.towardZero)
            amount = truncated
            exact = truncated.magnitude < 9.2e18 ? Int64(truncated) : nil
        case .string(let text):
            guard let parsed = integerText(text) else { return nil }
            amount = Double(parsed)
            exact = parsed
        default:
            return nil
        }
        if let exact {
            if exact >= 1_000_000 { return "Raised $" + String(format: "%.1f", Double(exact) / 1_000_000) + "M" }
            return "Raised $" + groupedDigits(exact)
        }
        if amount >= 1_000_000 { return "Raised $" + String(format: "%.1f", amount / 1_000_000) + "M" }
        return "Raised $-" + groupedDigits(digits: String(format: "%.0f", amount.magnitude))
    }

    /// Optional blanks, an optional sign, ASCII digits, optional blanks (Python's `int(text)`).
    private static func integerText(_ text: String) -> Int64? {
        var body = Substring(PythonValue.trimmed(text))
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        guard !body.isEmpty, body.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let magnitude = Int64(body) else {
            return nil
        }
        return negative ? -magnitude : magnitude
    }

}
