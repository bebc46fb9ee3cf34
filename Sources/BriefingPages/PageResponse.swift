import Foundation
import HTTPTypes
import Hummingbird
import ReadModel
import SiglogCore
import SiglogService

extension HTTPField.Name {
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}

/// HTML responses of the pages: the page's body rendered into the layout, with the headers every
/// page carries — UTF-8 HTML, never cached (pages show tenant data and change with every stage),
/// and a content security policy that allows the one stylesheet and nothing else (no scripts at
/// all, so even a missed escape could not run one).
enum PageResponse {
    /// The policy of every page.
    static let contentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

    /// What the layout shows around a page's body.
    struct Layout {
        var title: String
        var pageName: String
        var body: String
        var stylesheet = Stylesheet.url
        var scopeQuery: String
        var signedIn: Bool
        var navBriefing = false
        var navRanked = false
        var navJobs = false
        var navQueue = false
        var renderedAt: String
    }

    /// `model` rendered with `template` inside the layout.
    static func page(_ template: String, _ model: Any, title: String, scopeQuery: String = "", signedIn: Bool = true,
                     status: HTTPResponse.Status = .ok) -> Response {
        let body = Templates.library.render(model, withTemplate: template) ?? ""
        var layout = Layout(title: title, pageName: template, body: body, scopeQuery: scopeQuery, signedIn: signedIn,
                            renderedAt: PageFormat.time(Timestamp.now))
        switch template {
        case "briefing": layout.navBriefing = true
        case "ranked": layout.navRanked = true
        case "jobs": layout.navJobs = true
        case "queue": layout.navQueue = true
        default: break
        }
        return html(Templates.library.render(layout, withTemplate: "layout") ?? "", status: status)
    }

    /// `text` as an HTML response with the pages' headers.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [
            .contentType: "text/html; charset=utf-8", .cacheControl: "no-store", .contentSecurityPolicy: contentSecurityPolicy,
            .xContentTypeOptions: "nosniff", .referrerPolicy: "same-origin",
        ], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// The error page of `error`, with the status the `/api/*` routes give the same failure.
    static func error(_ error: any Error, signedIn: Bool) -> Response? {
        let failure: ServiceError
        switch error {
        case let error as ServiceError: failure = error
        case let error as SiglogError: failure = ServiceError.api(error)
        case let error as InvalidValue: failure = ServiceError.invalid(error)
        case let error as HTTPError: failure = ServiceError(error.status, error.body ?? error.status.reasonPhrase)
        default: return nil
        }
        struct Model { var status: Int; var reason: String; var detail: String }
        return page("error", Model(status: failure.status.code, reason: failure.status.reasonPhrase, detail: failure.detail),
                    title: "\(failure.status.code) \(failure.status.reasonPhrase)", signedIn: signedIn, status: failure.status)
    }
}

/// How the pages print values.
enum PageFormat {
    /// `2026-02-28 10:13` (UTC, to the minute).
    static func time(_ timestamp: Timestamp) -> String {
        // Not `replacingOccurrences`: Foundation's bridge made it a tenth of a company page's time.
        var text = String(timestamp.isoNaive.prefix(16))
        if let t = text.firstIndex(of: "T") { text.replaceSubrange(t...t, with: " ") }
        return text
    }

    /// `time` or an en dash.
    static func time(_ timestamp: Timestamp?) -> String { timestamp.map { time($0) } ?? "–" }

    /// A fraction with two decimals.
    static func decimal(_ value: Double) -> String { String(format: "%.2f", value) }

    /// `value` or an en dash when it is nil or empty.
    static func text(_ value: String?) -> String {
        guard let value, !value.isEmpty else { return "–" }
        return value
    }

    /// `url` when it is an absolute http(s) URL (the only links the pages make from stored
    /// values: a `javascript:` URL from an event must never become a link).
    static func link(_ url: String?) -> String? {
        guard let url, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
            scheme == "http" || scheme == "https", parsed.host != nil
        else { return nil }
        return url
    }
}

extension Timestamp {
    /// The current time.
    static var now: Timestamp { Timestamp(microseconds: Int64(Date().timeIntervalSince1970 * 1_000_000)) }
}
