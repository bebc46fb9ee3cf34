public import Foundation
public import Hummingbird

/// A request body written to a file beside the store (the `spool` directory of the store), so an
/// upload of any size is never held in memory and can be read twice (strict ingest checks every
/// line before writing). The file is removed by `remove()`; files left by a killed server are
/// removed when the next one starts (`SpoolDirectory.prepare`).
public struct SpooledBody: Sendable {
    /// The file holding the body.
    public let url: URL

    /// Removes the file.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The directory request bodies are spooled to.
public struct SpoolDirectory: Sendable {
    /// The directory.
    public let url: URL

    /// `STORE/spool`, created when missing and emptied of files a previous server left.
    public static func prepare(store: String) throws -> SpoolDirectory {
        let url = URL(fileURLWithPath: store).appendingPathComponent("spool")
        let files = FileManager.default
        try files.createDirectory(at: url, withIntermediateDirectories: true)
        for name in (try? files.contentsOfDirectory(atPath: url.path)) ?? [] where name.hasPrefix("upload-") {
            try? files.removeItem(at: url.appendingPathComponent(name))
        }
        return SpoolDirectory(url: url)
    }

    /// Streams `body` into a new file, chunk by chunk. More than `limit` bytes → the file is removed
    /// and the request refused (413) before anything is ingested.
    public func spool(_ body: RequestBody, limit: Int) async throws -> SpooledBody {
        let spooled = SpooledBody(url: url.appendingPathComponent("upload-\(UUID().uuidString).ndjson"))
        guard FileManager.default.createFile(atPath: spooled.url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: spooled.url.path])
        }
        do {
            let handle = try FileHandle(forWritingTo: spooled.url)
            defer { try? handle.close() }
            var total = 0
            for try await buffer in body {
                total += buffer.readableBytes
                if total > limit { throw ServiceError.tooLarge(limit: limit) }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            return spooled
        } catch {
            spooled.remove()
            throw error
        }
    }
}
