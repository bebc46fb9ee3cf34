import Foundation
import Ingest

/// The environment variables the adapters read (ADAPTERS.md §0.2, §7, §9), as a value: built from
/// the process environment at the edge (`AdapterEnvironment.process`), from a dictionary in tests,
/// so no test has to change the process environment.
public struct AdapterEnvironment: Sendable, Equatable {
    /// The variables by name, values as given.
    public var values: [String: String]

    /// An environment holding exactly `values`.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// The environment of this process.
    public static var process: AdapterEnvironment { AdapterEnvironment(ProcessInfo.processInfo.environment) }

    /// The raw value of a variable, nil when unset.
    public subscript(name: String) -> String? { values[name] }

    /// A flag (§0.2): true only when the value, lower-cased and untrimmed, is `1` or `true`.
    public func flag(_ name: String) -> Bool {
        guard let value = values[name] else { return false }
        let lowered = value.lowercased()
        return lowered == "1" || lowered == "true"
    }

    /// A credential or similar setting (§0.2): the trimmed value, nil when unset or blank.
    /// siglog trims every credential (the reference trims only some; §0.2 allows trimming all).
    public func trimmedValue(_ name: String) -> String? {
        guard let value = values[name] else { return nil }
        let trimmed = value.trimmingReferenceWhitespace
        return trimmed.isEmpty ? nil : trimmed
    }

    /// A base URL override (§9): trimmed, blank means `defaultURL`, one trailing `/` dropped.
    public func baseURL(_ name: String, default defaultURL: String) -> String {
        guard var url = trimmedValue(name) else { return defaultURL }
        if url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
