import Foundation
import SiglogCore

/// Reads the files of one pack directory, turning every failure into a `PackError` that names
/// the directory and the file.
struct PackDirectory {
    let url: URL

    var path: String { url.path }

    private func fail(_ kind: PackError.Kind, _ message: String, file: String? = nil) -> PackError {
        PackError(kind, message, location: path, file: file)
    }

    private func fileURL(_ relative: String) -> URL {
        url.appendingPathComponent(relative, isDirectory: false)
    }

    func isDirectory(_ relative: String? = nil) -> Bool {
        var isDirectory: ObjCBool = false
        let target = relative.map { url.appendingPathComponent($0, isDirectory: true) } ?? url
        return FileManager.default.fileExists(atPath: target.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    func isFile(_ relative: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: fileURL(relative).path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }

    /// The first of `candidates` that exists as a file.
    func firstFile(_ candidates: [String]) -> String? { candidates.first(where: isFile) }

    /// The file as UTF-8 text.
    func text(_ relative: String) throws(PackError) -> String {
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
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: url.appendingPathComponent(subdirectory).path)
        } catch {
            throw fail(.malformedFile, "cannot list directory: \(error)", file: subdirectory)
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
