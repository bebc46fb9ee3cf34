import Ingest
import SiglogCore

/// Product Hunt GraphQL posts → raw events (ADAPTERS.md §3): the query, its variables, the page of
/// a response and the mapping of one node. Pure.
enum ProductHuntMapping {
    /// Posts per page.
    static let pageSize = 50

    /// The `Posts` query: newest posts after `$postedAfter`, `$first` per page, from cursor `$after`.
    static let query = """
        query Posts($postedAfter: DateTime!, $first: Int!, $after: String) {
          posts(postedAfter: $postedAfter, first: $first, after: $after, order: NEWEST) {
            edges {
              node { id name tagline url website createdAt votesCount commentsCount makers { name } }
              cursor
            }
            pageInfo { hasNextPage endCursor }
          }
        }
        """

    /// `{"query": Q, "variables": {"postedAfter": sinceStamp, "first": 50[, "after": cursor]}}`.
    static func requestBody(sinceStamp: String, after cursor: JSONValue?) -> JSONValue {
        var variables: JSONObject = ["postedAfter": .string(sinceStamp), "first": .int(Int64(pageSize))]
        if let cursor { variables["after"] = cursor }
        return .object(["query": .string(query), "variables": .object(variables)])
    }

    /// What one 200 response holds.
    struct Page {
        /// The truthy `node` of each edge, in order.
        var nodes: [JSONValue]
        /// The next page's cursor; nil when paging ends here.
        var nextCursor: JSONValue?
        /// True when the response carried GraphQL `errors`: the page yields nothing and paging ends.
        var hasErrors: Bool
    }

    /// Reads `errors`, `data.posts.edges[].node` and `pageInfo` of a response.
    static func page(of document: JSONValue) throws(AdapterError) -> Page {
        guard case .object(let top) = document else {
            throw AdapterError.unexpectedType("response", expected: "an object", got: document)
        }
        if PythonValue.isTruthy(top["errors"]) { return Page(nodes: [], nextCursor: nil, hasErrors: true) }
        let data = try PythonValue.object(top["data"], "data")
        let posts = try PythonValue.object(data["posts"], "data.posts")
        var nodes: [JSONValue] = []
        let edges = posts["edges"]
        if case .array(let items)? = edges {
            for edge in items {
                let node = try PythonValue.object(edge, "edge")["node"]
                if PythonValue.isTruthy(node) { nodes.append(node!) }
            }
        } else if PythonValue.isTruthy(edges) {
            throw AdapterError.unexpectedType("data.posts.edges", expected: "an array", got: edges)
        }
        let pageInfo = try PythonValue.object(posts["pageInfo"], "pageInfo")
        let endCursor = pageInfo["endCursor"]
        let more = PythonValue.isTruthy(pageInfo["hasNextPage"]) && PythonValue.isTruthy(endCursor)
        return Page(nodes: nodes, nextCursor: more ? endCursor : nil, hasErrors: false)
    }

    /// The event of one node, or nil when the node has no usable id.
    static func event(from nodeValue: JSONValue, now: Timestamp) throws(AdapterError) -> RawEvent? {
        guard case .object(let node) = nodeValue else {
            throw AdapterError.unexpectedType("node", expected: "an object", got: nodeValue)
        }
        guard PythonValue.isTruthy(node["id"]), let idValue = node["id"] else { return nil }
        let id = PythonValue.truncated(PythonValue.text(idValue), to: 255)
        let name = PythonValue.trimmed(try PythonValue.string(node["name"], "name"))
        let tagline = PythonValue.trimmed(try PythonValue.string(node["tagline"], "tagline"))
        let website = PythonValue.textIfTruthy(node["website"]).map { PythonValue.truncated($0, to: 2048) }

        var payload: JSONObject = ["tagline": tagline.isEmpty ? .null : .string(tagline)]
        if let votes = node["votesCount"] { payload["votesCount"] = votes }
        if let comments = node["commentsCount"] { payload["commentsCount"] = comments }
        if case .array(let makers)? = node["makers"] {
            let named: [JSONValue] = makers.compactMap { maker in
                guard case .object(let object) = maker, let makerName = object["name"], !makerName.isNull else {
                    return nil
                }
                return .object(["name": .string(PythonValue.text(makerName))])
            }
            if !named.isEmpty { payload["makers"] = .array(named) }
        }

        return try RawEventLimits.checked(RawEvent(
            source: ProductHuntAdapter.sourceName,
            sourceEventID: id,
            companyName: name.isEmpty ? "Unknown" : PythonValue.truncated(name, to: 255),
            domain: website.flatMap(domain(fromWebsite:)),
            websiteURL: website,
            companyProfileURL: nil,
            eventType: "launch_major",
            eventTime: try ReferenceTime.t1(node["createdAt"], field: "createdAt", now: now),
            title: name.isEmpty ? nil : PythonValue.truncated(name, to: 512),
            summary: tagline.isEmpty ? nil : tagline,
            url: PythonValue.textIfTruthy(node["url"]).map { PythonValue.truncated($0, to: 2048) }
                ?? "https://www.producthunt.com/posts/" + id,
            rawPayload: payload))
    }

    /// The domain of a website (ADAPTERS.md §3, §10.3): the trimmed text's `scheme://` authority
    /// (case, port and `user@` kept), else the whole text; minus a leading `www.` in any case;
    /// at most 255 characters; nil when empty.
    static func domain(fromWebsite website: String) -> String? {
        let text = PythonValue.trimmed(website)
        var host = authority(of: text) ?? ""
        if host.isEmpty { host = text }
        if host.unicodeScalars.count >= 4, host.unicodeScalars.prefix(4).map({ Character($0).lowercased() }).joined() == "www." {
            host = String(host.unicodeScalars.dropFirst(4))
        }
        host = PythonValue.truncated(host, to: 255)
        return host.isEmpty ? nil : host
    }

    /// The network location as Python's `urlsplit` finds it: after an optional `scheme:` (a letter,
    /// then letters, digits, `+`, `-`, `.`), a `//` starts it and `/`, `?` or `#` ends it.
    private static func authority(of text: String) -> String? {
        var rest = Substring(text)
        if let colon = text.firstIndex(of: ":"), colon > text.startIndex {
            let scheme = text[..<colon]
            let first = scheme.unicodeScalars.first!
            let isLetter: (Unicode.Scalar) -> Bool = { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
            if isLetter(first), scheme.unicodeScalars.allSatisfy({ isLetter($0) || ("0"..."9").contains($0)
                || $0 == "+" || $0 == "-" || $0 == "." })
            {
                rest = text[text.index(after: colon)...]
            }
        }
        guard rest.hasPrefix("//") else { return nil }
        let location = rest.dropFirst(2)
        let end = location.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? location.endIndex
        return String(location[..<end])
    }
}
