import Foundation
import SiglogCore

/// Reads the files of one pack directory — on disk, or embedded in the executable — turning every
/// failure into a `PackError` that names the directory and the file.
struct PackDirectory {
    let url: URL
    /// Files by path relative to the pack directory, when the pack is embedded rather than on disk.
    let embedded: [String: String]?

    init(url: URL) {
        self.url = url
        embedded = nil
    }

    /// A pack whose files are given in memory (relative path → contents); `name` stands for the
    /// directory in error messages.
    init(name: String, files: [String: String]) {
        url = URL(fileURLWithPath: name)
        embedded = files
    }

    var path: String { url.path }

    private func fail(_ kind: PackError.Kind, _ message: String, file: String? = nil) -> PackError {
        PackError(kind, message, location: path, file: file)
    }

    private func fileURL(_ relative: String) -> URL {
        url.appendingPathComponent(relative, isDirectory: false)
    }

    func isDirectory(_ relative: String? = nil) -> Bool {
        if let embedded {
            guard let relative else { return true }
            return embedded.keys.contains { $0.hasPrefix(relative + "/") }
        }
        var isDirectory: ObjCBool = false
        let target = relative.map { url.appendingPathComponent($0, isDirectory: true) } ?? url
        return FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    func isFile(_ relative: String) -> Bool {
        if let embedded { return embedded[relative] != nil }
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: fileURL(relative).path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }

    /// The first of `candidates` that exists as a file.
    func firstFile(_ candidates: [String]) -> String? { candidates.first(where: isFile) }

    /// The file as UTF-8 text.
    func text(_ relative: String) throws(PackError) -> String {
        if let embedded {
            guard let text = embedded[relative] else { throw fail(.notFound, "cannot read file", file: relative) }
            return text
        }
        guard let data = FileManager.default.contents(atPath: fileURL(relative).path) else {
            throw fail(.notFound, "cannot read file", file: relative)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw fail(.malformedFile, "file is not valid UTF-8", file: relative)
        }
        return text
    }

    /// The file as a JSON document.
    func json(_ relative: String) throws(PackError) -> JSONValue {
        let text = try text(relative)
        do {
            return try JSONParser.parse(text)
        } catch {
            throw fail(.malformedFile, "invalid JSON: \(error)", file: relative)
        }
    }

    /// The file as a YAML mapping; an empty document reads as `{}` (PyYAML gives None, which the
    /// reference treats as an empty section).
    func yamlMapping(_ relative: String) throws(PackError) -> JSONValue {
        let text = try text(relative)
        let value: JSONValue
        do {
            value = try YAMLDocumentReader.read(text)
        } catch {
            throw fail(.malformedFile, error.reason, file: relative)
        }
        switch value {
        case .null: return .object([:])
        case .object: return value
        default: throw fail(.malformedFile, "top level must be a mapping", file: relative)
        }
    }

    /// The stems of the files `<subdirectory>/*.<fileExtension>`, sorted by code point.
    func stems(in subdirectory: String, fileExtension: String) throws(PackError) -> [String] {
        guard isDirectory(subdirectory) else { return [] }
        let names: [String]
        if let embedded {
            names = embedded.keys.filter { $0.hasPrefix(subdirectory + "/") }.map { String($0.dropFirst(subdirectory.count + 1)) }
                .filter { !$0.contains("/") }
        } else {
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: url.appendingPathComponent(subdirectory).path)
            } catch {
                throw fail(.malformedFile, "cannot list directory: \(error)", file: subdirectory)
            }
        }
        return names
            .filter { $0.hasSuffix("." + fileExtension) && isFile(subdirectory + "/" + $0) }
            .map { String($0.dropLast(fileExtension.count + 1)) }
            .filter { !$0.isEmpty }
            .sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    /// `<subdirectory>/*.yaml` as one object keyed by file stem, in stem order.
    func yamlMappings(in subdirectory: String) throws(PackError) -> JSONObject {
        var object = JSONObject()
        for stem in try stems(in: subdirectory, fileExtension: "yaml") {
            object[stem] = try yamlMapping(subdirectory + "/" + stem + ".yaml")
        }
        return object
    }
}
