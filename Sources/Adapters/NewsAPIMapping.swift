import Crypto
import Ingest
import SiglogCore

/// NewsAPI "everything" articles → raw events (ADAPTERS.md §4): the keyword list, the query, the
/// mapping of one article and the company-name heuristic. Pure.
enum NewsAPIMapping {
    /// Articles per page; a shorter page ends the keyword.
    static let pageSize = 100

    /// The keywords searched when the environment names none.
    static let defaultKeywords = ["series A funding", "raised funding", "seed round", "venture capital funding",
                                  "closes round"]

    /// The keyword list (§4 "Config"): `INGEST_NEWSAPI_KEYWORDS_JSON` when it is a JSON array (even
    /// an empty one), else `INGEST_NEWSAPI_KEYWORDS` split on `,`, else the defaults.
    static func keywords(environment: AdapterEnvironment) -> [String] {
        if let json = environment.trimmedValue("INGEST_NEWSAPI_KEYWORDS_JSON"),
            case .array(let items)? = try? JSONParser.parse(json)
        {
            return items.map { PythonValue.trimmed(PythonValue.text($0)) }.filter { !$0.isEmpty }
        }
        if let csv = environment.trimmedValue("INGEST_NEWSAPI_KEYWORDS") {
            return csv.split(separator: ",", omittingEmptySubsequences: false)
                .map { PythonValue.trimmed(String($0)) }.filter { !$0.isEmpty }
        }
        return defaultKeywords
    }

    /// The query string of one request, parameters in the reference's order.
    static func query(keyword: String, sinceDate: String, page: Int, apiKey: String) -> String {
        URLEncoding.query([("q", keyword), ("from", sinceDate), ("sortBy", "publishedAt"),
                           ("pageSize", String(pageSize)), ("page", String(page)), ("apiKey", apiKey)])
    }

    /// The event of one article, or nil when it has no URL.
    static func event(from articleValue: JSONValue, now: Timestamp) throws(AdapterError) -> RawEvent? {
        guard case .object(let article) = articleValue else {
            throw AdapterError.unexpectedType("article", expected: "an object", got: articleValue)
        }
        let url = try PythonValue.string(article["url"], "url")
        let trimmedURL = PythonValue.trimmed(url)
        if trimmedURL.isEmpty { return nil }
        let titleText = try PythonValue.string(article["title"], "title")
        let descriptionText = try PythonValue.string(article["description"], "description")
        var sourceName: JSONValue = ""
        if case .object(let source)? = article["source"], PythonValue.isTruthy(source["name"]) {
            sourceName = source["name"]!
        }
        return try RawEventLimits.checked(RawEvent(
            source: NewsAPIAdapter.sourceName,
            sourceEventID: sha256Hex(trimmedURL),
            companyName: PythonValue.truncated(companyName(title: titleText, description: descriptionText), to: 255),
            eventType: "funding_raised",
            eventTime: try ReferenceTime.t1(article["publishedAt"], field: "publishedAt", now: now),
            title: titleText.isEmpty ? nil : PythonValue.truncated(titleText, to: 512),
            summary: descriptionText.isEmpty ? nil : PythonValue.truncated(descriptionText, to: 2048),
            url: PythonValue.truncated(url, to: 2048),
            rawPayload: ["source_name": sourceName, "title": .string(titleText)]))
    }

    /// Lower-case hex SHA-256 of the UTF-8 bytes of `text`.
    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// The verbs tried in order; verb order beats position in the text.
    static let verbs = ["raises", "secures", "announces", "closes", "raised"]

    /// The company-name heuristic (§4): for each verb in order, the shortest leading run without
    /// `.`, `!`, `?` that whitespace, the verb (any case) and one whitespace character follow;
    /// else the first `"…"` phrase; else `Unknown`. A candidate counts when, trimmed, it is 1 to
    /// 255 characters long.
    static func companyName(title: String, description: String) -> String {
        let text = Array((title + " " + description).unicodeScalars)
        if text.allSatisfy(\.isReferenceWhitespace) { return "Unknown" }
        for verb in verbs {
            guard let prefixLength = shortestPrefix(before: Array(verb.unicodeScalars), in: text) else { continue }
            if let name = acceptable(text[0..<prefixLength]) { return name }
        }
        if let name = firstQuotedPhrase(text) { return name }
        return "Unknown"
    }

    /// The length of the shortest prefix (at least one character, none of `.!?`) followed by
    /// whitespace, `verb` in any case, and one whitespace character.
    private static func shortestPrefix(before verb: [Unicode.Scalar], in text: [Unicode.Scalar]) -> Int? {
        var length = 1
        while length < text.count {
            let last = text[length - 1]
            if last == "." || last == "!" || last == "?" { return nil }
            var i = length
            while i < text.count, text[i].isReferenceWhitespace { i += 1 }
            if i > length, matches(verb, in: text, at: i), i + verb.count < text.count,
                text[i + verb.count].isReferenceWhitespace
            {
                return length
            }
            length += 1
        }
        return nil
    }

    /// Case-insensitive match of an ASCII lower-case word, as Python's `re.IGNORECASE` folds it
    /// (`ſ` matches `s`).
    private static func matches(_ word: [Unicode.Scalar], in text: [Unicode.Scalar], at start: Int) -> Bool {
        guard start + word.count <= text.count else { return false }
        for (offset, letter) in word.enumerated() {
            let scalar = text[start + offset]
            let lowered = ("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar
            if lowered != letter && !(letter == "s" && scalar == "\u{017F}") { return false }
        }
        return true
    }

    /// The trimmed candidate when it is 1 to 255 characters long.
    private static func acceptable(_ candidate: ArraySlice<Unicode.Scalar>) -> String? {
        var text = ""
        text.unicodeScalars.append(contentsOf: candidate)
        let trimmed = PythonValue.trimmed(text)
        let length = trimmed.unicodeScalars.count
        return length >= 1 && length <= 255 ? trimmed : nil
    }

    /// The trimmed content of the first `"` followed by at least one non-quote character and a `"`,
    /// when acceptable; nil otherwise (later pairs are not tried).
    private static func firstQuotedPhrase(_ text: [Unicode.Scalar]) -> String? {
        var start = 0
        while start < text.count {
            if text[start] == "\"", start + 1 < text.count, text[start + 1] != "\"",
                let close = text[(start + 1)...].firstIndex(of: "\"")
            {
                return acceptable(text[(start + 1)..<close])
            }
            start += 1
        }
        return nil
    }
}
