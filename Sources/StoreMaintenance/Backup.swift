import Crypto
import EventLog
import Foundation
public import Projections
import ReadModel
public import SiglogCore

/// What a backup directory holds besides its `data.mdb`: what the copy contains and how to check it.
public struct BackupManifest: Sendable, Equatable {
    /// The manifest format.
    public static let format = 1
    /// The file name in a backup directory.
    public static let fileName = "manifest.json"

    /// The last sequence number of the copied log.
    public var logHead: UInt64
    /// The views' checkpoint (equal to `logHead` in a consistent copy).
    public var viewCheckpoint: UInt64
    /// Every view's fingerprint, by name, as `siglog-query stats` prints them.
    public var viewFingerprints: [String: String]
    /// Size and SHA-256 (hex) of the copied `data.mdb`.
    public var dataBytes: Int64
    public var dataSHA256: String
    /// The siglog version that wrote the backup.
    public var toolVersion: String
    /// When the backup was taken.
    public var createdAt: Timestamp

    /// The manifest as JSON.
    public var json: JSONObject {
        [
            "format": .int(Int64(BackupManifest.format)), "tool_version": .string(toolVersion), "created_at": .string("\(createdAt)"),
            "log_head": .int(Int64(logHead)), "view_checkpoint": .int(Int64(viewCheckpoint)),
            "view_fingerprints": .object(JSONObject(viewFingerprints.sorted { $0.key < $1.key }.map { .init(key: $0.key, value: .string($0.value)) })),
            "data_file": "data.mdb", "data_bytes": .int(dataBytes), "data_sha256": .string(dataSHA256),
        ]
    }

    /// Reads a manifest; anything missing or of the wrong type is `badInput` naming the field.
    public init(json value: JSONValue, file: String) throws {
        func field(_ name: String) throws -> JSONValue {
            guard let found = value.objectValue?[name] else { throw SiglogError.badInput("\(file): \(name): missing") }
            return found
        }
        func integer(_ name: String) throws -> Int64 {
            guard case .int(let number) = try field(name), number >= 0 else { throw SiglogError.badInput("\(file): \(name): not a count") }
            return number
        }
        func text(_ name: String) throws -> String {
            guard case .string(let string) = try field(name) else { throw SiglogError.badInput("\(file): \(name): not a string") }
            return string
        }
        guard try integer("format") == Int64(BackupManifest.format) else {
            throw SiglogError.badInput("\(file): format: this siglog reads manifest format \(BackupManifest.format)")
        }
        logHead = UInt64(try integer("log_head"))
        viewCheckpoint = UInt64(try integer("view_checkpoint"))
        dataBytes = try integer("data_bytes")
        dataSHA256 = try text("data_sha256")
        toolVersion = try text("tool_version")
        do {
            createdAt = try Timestamp(parsing: try text("created_at"), name: "created_at")
        } catch let error as InvalidValue {
            throw SiglogError.badInput("\(file): created_at: \(error.message)")
        }
        guard let prints = try field("view_fingerprints").objectValue else {
            throw SiglogError.badInput("\(file): view_fingerprints: not an object")
        }
        var fingerprints: [String: String] = [:]
        for member in prints.members {
            guard case .string(let print) = member.value else { throw SiglogError.badInput("\(file): view_fingerprints.\(member.key): not a string") }
            fingerprints[member.key] = print
        }
        viewFingerprints = fingerprints
    }

    init(logHead: UInt64, viewCheckpoint: UInt64, viewFingerprints: [String: String], dataBytes: Int64, dataSHA256: String,
         toolVersion: String, createdAt: Timestamp) {
        self.logHead = logHead
        self.viewCheckpoint = viewCheckpoint
        self.viewFingerprints = viewFingerprints
        self.dataBytes = dataBytes
        self.dataSHA256 = dataSHA256
        self.toolVersion = toolVersion
        self.createdAt = createdAt
    }
}

/// Hot backup and restore of a store.
public enum Backup {
    /// Copies `store` into the directory `out` while writers and readers go on — LMDB's compacting
    /// copy of one read transaction's snapshot — verifies the copy (every page and record) and
    /// writes its manifest last: a directory without a manifest is an unfinished backup, which the
    /// next backup into it replaces.
    public static func take(of store: Store, into out: String, now: Timestamp) throws -> BackupManifest {
        let manifestPath = (out as NSString).appendingPathComponent(BackupManifest.fileName)
        let dataPath = (out as NSString).appendingPathComponent("data.mdb")
        let files = FileManager.default
        if files.fileExists(atPath: manifestPath) {
            throw SiglogError.conflict("\(out) already holds a backup; choose a new --out directory")
        }
        // What an unfinished backup (a killed run) leaves: the copy, perhaps the manifest being written.
        let temporary = manifestPath + ".partial"
        let unfinished: Set<String> = ["data.mdb", (temporary as NSString).lastPathComponent]
        if let entries = try? files.contentsOfDirectory(atPath: out), !entries.allSatisfy({ unfinished.contains($0) || $0.hasPrefix(".") }) {
            throw SiglogError.conflict("\(out) is not empty and holds no backup; choose a new --out directory")
        }
        try files.createDirectory(atPath: out, withIntermediateDirectories: true)
        for leftover in [dataPath, temporary] where files.fileExists(atPath: leftover) { try files.removeItem(atPath: leftover) }
        try store.log.copy(to: out)
        let copy = try Store(path: out, mode: .readOnly, noLock: true)
        let (head, checkpoint, fingerprints) = try copy.read { reader in
            (try copy.log.head(), try reader.appliedSequence(), try reader.fingerprints())
        }
        let report = try copy.log.verify()
        if let problem = report.firstProblem { throw SiglogError.badInput("the copy in \(out) does not verify: \(problem)") }
        let (bytes, digest) = try sha256(of: dataPath)
        let manifest = BackupManifest(
            logHead: head, viewCheckpoint: checkpoint, viewFingerprints: fingerprintNames(fingerprints), dataBytes: bytes,
            dataSHA256: digest, toolVersion: SiglogVersion.current, createdAt: now)
        try Data((JSONWriter().string(.object(manifest.json)) + "\n").utf8).write(to: URL(fileURLWithPath: temporary))
        try files.moveItem(atPath: temporary, toPath: manifestPath)
        return manifest
    }

    /// Every view's fingerprint by name, as `stats` shows them (absent: the empty fingerprint).
    public static func fingerprintNames(_ fingerprints: [View: Fingerprint]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: View.allCases.map { ($0.name, (fingerprints[$0] ?? Fingerprint()).description) })
    }

    /// Reads and checks the backup in `directory`: its manifest, and that its `data.mdb` has the
    /// manifest's size and SHA-256 (a changed or damaged file is refused).
    public static func checkedManifest(in directory: String) throws -> BackupManifest {
        let manifestPath = (directory as NSString).appendingPathComponent(BackupManifest.fileName)
        guard let text = FileManager.default.contents(atPath: manifestPath) else {
            throw SiglogError.fileNotFound(path: manifestPath)
        }
        let manifest: BackupManifest
        do {
            manifest = try BackupManifest(json: try JSONParser.parse(Array(text)), file: manifestPath)
        } catch let error as JSONParser.Failure {
            throw SiglogError.badInput("\(manifestPath): \(error)")
        }
        let dataPath = (directory as NSString).appendingPathComponent("data.mdb")
        guard FileManager.default.fileExists(atPath: dataPath) else { throw SiglogError.fileNotFound(path: dataPath) }
        let (bytes, digest) = try sha256(of: dataPath)
        guard bytes == manifest.dataBytes, digest == manifest.dataSHA256 else {
            throw SiglogError.conflict("\(dataPath) does not match its manifest (\(bytes) bytes, SHA-256 \(digest); the manifest "
                + "says \(manifest.dataBytes) bytes, \(manifest.dataSHA256)): the backup was changed or damaged; nothing was restored")
        }
        return manifest
    }

    /// Restores the backup in `directory` as a new store at `target` (which must not hold one): checks
    /// the manifest and the file, copies it, opens the copy for writing (the writers' checks), and
    /// checks that its log head and view fingerprints are the manifest's.
    public static func restore(from directory: String, to target: String) throws -> BackupManifest {
        let manifest = try checkedManifest(in: directory)
        let files = FileManager.default
        if let entries = try? files.contentsOfDirectory(atPath: target), !entries.isEmpty {
            throw SiglogError.conflict("\(target) is not empty; restore into a new directory")
        }
        try files.createDirectory(atPath: target, withIntermediateDirectories: true)
        let partial = (target as NSString).appendingPathComponent(".data.mdb.partial")
        try? files.removeItem(atPath: partial)
        try files.copyItem(atPath: (directory as NSString).appendingPathComponent("data.mdb"), toPath: partial)
        try files.moveItem(atPath: partial, toPath: (target as NSString).appendingPathComponent("data.mdb"))
        let restored = try Store(path: target, mode: .readWrite)
        let (head, fingerprints) = try restored.read { reader in (try restored.log.head(), try reader.fingerprints()) }
        let names = fingerprintNames(fingerprints)
        guard head == manifest.logHead, names == manifest.viewFingerprints else {
            let differing = names.keys.filter { names[$0] != manifest.viewFingerprints[$0] }.sorted()
            throw SiglogError.conflict("the restored store at \(target) differs from the manifest (head \(head), manifest "
                + "\(manifest.logHead); fingerprints differ: \(differing.joined(separator: ", ")))")
        }
        return manifest
    }

    /// Size and SHA-256 (lowercase hex) of a file, read in 1 MiB chunks.
    static func sha256(of path: String) throws -> (Int64, String) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw SiglogError.fileNotFound(path: path) }
        defer { try? handle.close() }
        var hasher = SHA256()
        var bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return (bytes, hasher.finalize().map { String(format: "%02x", $0) }.joined())
    }
}
