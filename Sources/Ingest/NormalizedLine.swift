import SiglogCore

/// One ingest line parsed and normalized (spec §2.5): the event to store, the company to resolve,
/// and the domain most companies are matched on. What `siglog-append events` needs of a line.
public struct NormalizedLine: Sendable, Hashable {
    /// The event part.
    public var event: NormalizedEvent
    /// The company part.
    public var company: CompanyInput
    /// `CompanyIdentity.extractDomain(company.websiteURL)`.
    public var domain: String?

    /// Creates a normalized line from its parts.
    public init(event: NormalizedEvent, company: CompanyInput, domain: String?) {
        self.event = event
        self.company = company
        self.domain = domain
    }

    /// Normalizes a raw event (`EventNormalizer.normalize`) and extracts the website's domain.
    public init(_ raw: RawEvent) {
        let (event, company) = EventNormalizer.normalize(raw)
        self.init(event: event, company: company, domain: company.websiteURL.flatMap(CompanyIdentity.extractDomain))
    }
}

extension RawEventLineParser {
    /// Parses and normalizes a line from `NDJSONLineSplitter`: the same result as
    /// `NormalizedLine(parse(line))` and the same errors, nil for a blank line.
    public func parseNormalized(_ line: NDJSONLine) throws(RawEventLineError) -> NormalizedLine? {
        var result: NormalizedLine?
        _ = try parseNormalized(line) { event, company, domain in
            result = NormalizedLine(event: event, company: company, domain: domain)
        }
        return result
    }

    /// `parseNormalized` handing the line's parts to `body`, which owns them (the ingest hot path:
    /// no `NormalizedLine` around them to copy them out of). Returns false, without calling
    /// `body`, for a blank line.
    public func parseNormalized(_ line: NDJSONLine, into body: NormalizedLineParts) throws(RawEventLineError) -> Bool {
        if line.isOverLimit || line.byteCount > maxLineBytes { throw lineTooLong(line.number) }
        return try parseNormalized(buffer: line.bytes, lineNumber: line.number, into: body)
    }

    /// `parseNormalized` of a line given as text (tests).
    public func parseNormalized(_ line: String, lineNumber: Int) throws(RawEventLineError) -> NormalizedLine? {
        let bytes = Array(line.utf8)
        return try bytes.withUnsafeBufferPointer { buffer throws(RawEventLineError) -> NormalizedLine? in
            if buffer.count > maxLineBytes { throw lineTooLong(lineNumber) }
            var result: NormalizedLine?
            _ = try parseNormalized(buffer: buffer, lineNumber: lineNumber) { event, company, domain in
                result = NormalizedLine(event: event, company: company, domain: domain)
            }
            return result
        }
    }

    /// The common line — a flat object of plain ASCII strings without escapes, `null`, and a
    /// simple `confidence` number — is read straight from its bytes by `IngestLineScan`, one String
    /// per kept field. Anything else (escapes, non-ASCII, nesting, a value that would be an error,
    /// …) goes through `parse` and `EventNormalizer`, so the strict parser alone decides every
    /// error and every unusual value.
    func parseNormalized(buffer line: UnsafeBufferPointer<UInt8>, lineNumber: Int, into body: NormalizedLineParts)
        throws(RawEventLineError) -> Bool
    {
        if let scan = IngestLineScan(line), scan.normalized(defaultSource: defaultSource, into: body) { return true }
        guard let raw = try parse(buffer: line, lineNumber: lineNumber) else { return false }
        let (event, company) = EventNormalizer.normalize(raw)
        let domain = company.websiteURL.flatMap(CompanyIdentity.extractDomain)
        body(consume event, consume company, consume domain)
        return true
    }
}

/// Receives a normalized line's event, company and domain (`NormalizedLine`'s parts), owned.
public typealias NormalizedLineParts = (consuming NormalizedEvent, consuming CompanyInput, consuming String?) -> Void

/// Where the members of an ingest line sit in its bytes, read by a scanner that accepts only a
/// subset of JSON: whatever it does not take (`init?` returns nil) the general parser reads.
/// Every string value it keeps is ASCII without escapes or control characters, so its bytes are
/// its text, its byte count its code-point count, and the only whitespace it can hold is U+0020.
/// `normalized` repeats `RawEventLineParser`'s checks and `EventNormalizer`'s rules for the lines it
/// takes: a change to those must be made here too (`NormalizedLineTests` and the `ndjson` fuzz
/// target compare the two paths).
struct IngestLineScan {
    /// A member's value in the line; absent (or `null`, which reads the same) when `count` < 0.
    struct Span {
        var start = 0
        var count = -1
        var isPresent: Bool { count >= 0 }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var source = Span(), sourceEventID = Span(), companyName = Span(), domain = Span(), websiteURL = Span()
    var companyProfileURL = Span(), eventType = Span(), eventTypeCandidate = Span(), eventTime = Span()
    var title = Span(), summary = Span(), url = Span()
    var confidence: Double?

    /// Scans a line; nil when it is anything but the common shape (see the type's comment).
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        var index = 0
        let end = bytes.count
        @inline(__always) func skipWhitespace() {
            while index < end {
                let byte = bytes[index]
                guard byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D else { return }
                index += 1
            }
        }
        /// A plain string (cursor on its opening quote): its content's span, the cursor after it.
        @inline(__always) func plainString() -> Span? {
            let start = index + 1
            var at = start
            while at < end {
                let byte = bytes[at]
                if byte == UInt8(ascii: "\"") {
                    index = at + 1
                    return Span(start: start, count: at - start)
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return nil }
                at += 1
            }
            return nil
        }
        skipWhitespace()
        guard index < end, bytes[index] == UInt8(ascii: "{") else { return nil }
        index += 1
        skipWhitespace()
        if index < end, bytes[index] == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                skipWhitespace()
                guard index < end, bytes[index] == UInt8(ascii: "\""), let key = plainString() else { return nil }
                skipWhitespace()
                guard index < end, bytes[index] == UInt8(ascii: ":") else { return nil }
                index += 1
                skipWhitespace()
                guard index < end else { return nil }
                let first = bytes[index]
                if first == UInt8(ascii: "\"") {
                    guard let value = plainString() else { return nil }
                    guard set(key, value) else { return nil }
                } else if first == UInt8(ascii: "n") {
                    guard index + 4 <= end, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
                        bytes[index + 3] == UInt8(ascii: "l")
                    else { return nil }
                    index += 4
                    guard set(key, Span()) else { return nil }
                    if isNamed(key, "confidence") { confidence = nil }
                } else if isNamed(key, "confidence") {
                    guard let number = Self.simpleNumber(bytes, &index) else { return nil }
                    confidence = number
                } else {
                    return nil  // another value type: for a known member an error, else the general parser skips it
                }
                skipWhitespace()
                guard index < end else { return nil }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; break }
                return nil
            }
        }
        skipWhitespace()
        guard index == end else { return nil }
    }

    private func isNamed(_ key: Span, _ name: StaticString) -> Bool {
        guard key.count == name.utf8CodeUnitCount else { return false }
        let expected = name.utf8Start
        for offset in 0..<key.count where bytes[key.start + offset] != expected[offset] { return false }
        return true
    }

    /// Keeps a string (or absent) value of a member the line parser reads; false for a member whose
    /// value must be something else (`confidence`, `raw_payload`: the general parser decides).
    private mutating func set(_ key: Span, _ value: Span) -> Bool {
        switch key.count {
        case 3: if isNamed(key, "url") { url = value }
        case 5: if isNamed(key, "title") { title = value }
        case 6:
            if isNamed(key, "source") { source = value } else if isNamed(key, "domain") { domain = value }
        case 7: if isNamed(key, "summary") { summary = value }
        case 10:
            if isNamed(key, "event_type") {
                eventType = value
            } else if isNamed(key, "event_time") {
                eventTime = value
            } else if isNamed(key, "confidence") {
                return !value.isPresent
            }
        case 11:
            if isNamed(key, "website_url") { websiteURL = value } else if isNamed(key, "raw_payload") { return !value.isPresent }
        case 12: if isNamed(key, "company_name") { companyName = value }
        case 15: if isNamed(key, "source_event_id") { sourceEventID = value }
        case 19: if isNamed(key, "company_profile_url") { companyProfileURL = value }
        case 20: if isNamed(key, "event_type_candidate") { eventTypeCandidate = value }
        default: break
        }
        return true
    }

    /// A JSON number (cursor on its first byte) whose `Double` this can compute exactly as
    /// `JSONParser` does (`Int64` then `Double(_:)`, or `Double(text)`, both correctly rounded):
    /// an integer of at most 18 digits, or at most 15 significant digits scaled by a power of ten
    /// of at most 22 — one correctly rounded division or multiplication of exact values (Clinger's
    /// fast path). Nil for anything else, including text that is not a number.
    static func simpleNumber(_ bytes: UnsafeBufferPointer<UInt8>, _ index: inout Int) -> Double? {
        let end = bytes.count
        var at = index
        @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let negative = bytes[at] == UInt8(ascii: "-")
        if negative { at += 1 }
        guard at < end, isDigit(bytes[at]) else { return nil }
        var mantissa: UInt64 = 0
        var digits = 0  // significant digits in `mantissa`
        var scale = 0  // the power of ten `mantissa` is multiplied by
        var isInteger = true
        if bytes[at] == UInt8(ascii: "0") {
            at += 1
        } else {
            while at < end, isDigit(bytes[at]) {
                mantissa = mantissa &* 10 &+ UInt64(bytes[at] - UInt8(ascii: "0"))
                digits += 1
                at += 1
            }
        }
        if at < end, bytes[at] == UInt8(ascii: ".") {
            isInteger = false
            at += 1
            guard at < end, isDigit(bytes[at]) else { return nil }
            while at < end, isDigit(bytes[at]) {
                let digit = UInt64(bytes[at] - UInt8(ascii: "0"))
                if digits > 0 || digit != 0 {
                    mantissa = mantissa &* 10 &+ digit
                    digits += 1
                }
                scale -= 1
                at += 1
            }
        }
        if at < end, bytes[at] == UInt8(ascii: "e") || bytes[at] == UInt8(ascii: "E") {
            isInteger = false
            at += 1
            var exponentNegative = false
            if at < end, bytes[at] == UInt8(ascii: "+") || bytes[at] == UInt8(ascii: "-") {
                exponentNegative = bytes[at] == UInt8(ascii: "-")
                at += 1
            }
            guard at < end, isDigit(bytes[at]) else { return nil }
            var exponent = 0
            var exponentDigits = 0
            while at < end, isDigit(bytes[at]) {
                exponent = exponent * 10 + Int(bytes[at] - UInt8(ascii: "0"))
                exponentDigits += 1
                guard exponentDigits <= 4 else { return nil }
                at += 1
            }
            scale += exponentNegative ? -exponent : exponent
        }
        if isInteger {
            guard digits <= 18 else { return nil }
            index = at
            return Double(negative ? -Int64(mantissa) : Int64(mantissa))
        }
        guard digits <= 15 else { return nil }
        var value = Double(mantissa)  // exact: below 10^15 < 2^53
        if mantissa != 0 {
            guard (-22...22).contains(scale) else { return nil }
            let power = powersOfTen[abs(scale)]  // exact: 10^22 < 2^53 · 2^22
            value = scale < 0 ? value / power : value * power
        }
        index = at
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    // MARK: - Normalizing

    /// The span without U+0020 at either end (the only whitespace a kept value can hold).
    private func trimmed(_ span: Span) -> Span {
        var start = span.start
        var end = span.start + span.count
        while start < end, bytes[start] == 0x20 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 { end -= 1 }
        return Span(start: start, count: end - start)
    }

    private func text(_ span: Span) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[span.start..<(span.start + span.count)]), as: UTF8.self)
    }

    private func buffer(_ span: Span) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: bytes[span.start..<(span.start + span.count)])
    }

    /// A present value's trimmed form, nil when it is over `max` (the line is an error).
    private func checked(_ span: Span, max: Int) -> Span? {
        let trimmed = trimmed(span)
        return trimmed.count > max ? nil : trimmed
    }

    /// The trimmed text of a present value, nil when absent or blank (`Text.nonBlank`).
    private func nonBlank(_ trimmed: Span?) -> String? {
        guard let trimmed, trimmed.count > 0 else { return nil }
        return text(trimmed)
    }

    /// Hands `body` what `RawEventLineParser.parse` and `NormalizedLine(_:)` make of the line;
    /// false (`body` not called) when the line is an error (the general path then reports it).
    func normalized(defaultSource: String?, into body: NormalizedLineParts) -> Bool {
        // The length limits the decoder checks, on the trimmed values; a value over its limit is an error.
        let span: (Span, Int) -> Span?? = { span, max in
            guard span.isPresent else { return .some(nil) }
            guard let trimmed = self.checked(span, max: max) else { return nil }
            return .some(trimmed)
        }
        guard let sourceSpan = span(source, FieldLimit.source), let sourceEventIDSpan = span(sourceEventID, FieldLimit.sourceEventID),
            let domainSpan = span(domain, FieldLimit.domain), let websiteSpan = span(websiteURL, FieldLimit.url),
            let profileSpan = span(companyProfileURL, FieldLimit.url), let titleSpan = span(title, FieldLimit.title),
            let urlSpan = span(url, FieldLimit.url)
        else { return false }

        let eventSource: String
        if let given = sourceSpan, given.count > 0 {
            eventSource = text(given)
        } else if let fallback = defaultSource.flatMap(Text.nonBlank) {
            eventSource = fallback
        } else {
            return false
        }

        guard companyName.isPresent else { return false }
        let name = trimmed(companyName)
        guard name.count > 0, name.count <= FieldLimit.companyName else { return false }

        // `event_type` wins (null reads as absent); its text is kept untrimmed.
        let typeSpan = eventType.isPresent ? eventType : eventTypeCandidate
        guard typeSpan.isPresent, typeSpan.count > 0, typeSpan.count <= FieldLimit.eventType else { return false }

        guard eventTime.isPresent, let time = Timestamp(isoUTF8: buffer(trimmed(eventTime))) else { return false }

        let event = NormalizedEvent(
            source: eventSource,
            sourceEventID: nonBlank(sourceEventIDSpan),
            eventType: text(typeSpan),
            eventTime: time,
            title: nonBlank(titleSpan),
            summary: summary.isPresent ? nonBlank(trimmed(summary)) : nil,
            url: nonBlank(urlSpan),
            rawPayload: nil,
            confidence: confidence
        )

        // §2.5, as `EventNormalizer.websiteURL` and `linkedinURL` read the raw fields.
        let website = websiteSpan.flatMap { $0.count > 0 ? $0 : nil }
        let profile = profileSpan.flatMap { $0.count > 0 ? $0 : nil }
        var websiteURL: String?
        if let website {
            websiteURL = text(website)
        } else if let domain = domainSpan, domain.count > 0 {
            let hasScheme = domain.count >= 4 && Self.startsWithHTTP(buffer(domain))
            let prefix = hasScheme ? 0 : 8
            websiteURL = String(unsafeUninitializedCapacity: prefix + domain.count) { out in
                if !hasScheme {
                    let scheme: StaticString = "https://"
                    for offset in 0..<8 { out[offset] = scheme.utf8Start[offset] }
                }
                for offset in 0..<domain.count { out[prefix + offset] = Self.lowerASCII(bytes[domain.start + offset]) }
                return prefix + domain.count
            }
        } else if let profile, !Text.containsASCIICaseInsensitive(buffer(profile), "linkedin.com") {
            websiteURL = text(profile)
        }
        var linkedinURL: String?
        if let profile, Text.containsASCIICaseInsensitive(buffer(profile), "linkedin.com") {
            linkedinURL = text(profile)
        } else if let website, Text.containsASCIICaseInsensitive(buffer(website), "linkedin.com") {
            linkedinURL = websiteURL
        }
        let domain = websiteURL.flatMap(CompanyIdentity.extractDomain)
        let company = CompanyInput(name: text(name), websiteURL: websiteURL, linkedinURL: linkedinURL, source: "research")
        body(consume event, consume company, consume domain)
        return true
    }

    /// Whether the bytes start with `http` in any case (the lower-cased domain's `hasPrefix("http")`).
    private static func startsWithHTTP(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        lowerASCII(bytes[0]) == UInt8(ascii: "h") && lowerASCII(bytes[1]) == UInt8(ascii: "t")
            && lowerASCII(bytes[2]) == UInt8(ascii: "t") && lowerASCII(bytes[3]) == UInt8(ascii: "p")
    }

    @inline(__always)
    private static func lowerASCII(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }
}
