import Foundation
@testable import EventLog
import LMDB

/// A fresh directory per test: an environment must never be opened twice in one process.
func temporaryStorePath() -> String {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("siglog-eventlog-tests")
    try? FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    return base.appendingPathComponent(UUID().uuidString).path
}

/// A log that skips fsync, for speed; durability is exercised by the crash test.
func scratchLog(path: String = temporaryStorePath(), known: Set<RecordType>? = nil) throws -> EventLog {
    var options = EventLog.Options()
    options.durable = false
    options.knownRecordTypes = known
    return try EventLog(path: path, mode: .create, options: options)
}

/// The directory holding the test bundle, where SwiftPM also puts the package's executables.
func builtProductsDirectory() -> URL {
    let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    return executable.deletingLastPathComponent()
}

let sampleType = RecordType(rawValue: 7)

func samplePayload(_ n: Int) -> [UInt8] {
    var writer = PayloadWriter()
    writer.write(1, n)
    writer.write(2, "record \(n)")
    return writer.bytes
}

func decodeSample(_ payload: UnsafeRawBufferPointer) throws -> (Int, String) {
    var reader = PayloadReader(payload)
    var n = -1
    var text = ""
    while let field = try reader.next() {
        switch field.number {
        case 1: n = try field.int()
        case 2: text = try field.string()
        default: break
        }
    }
    return (n, text)
}

/// Overwrites the stored bytes of one record, bypassing the log (test-only corruption).
func corruptRecord(in log: EventLog, sequence: UInt64, _ mutate: (inout [UInt8]) -> Void) throws {
    let db = try log.environment.database("log")
    var key = sequence.bigEndian
    let keyBytes = withUnsafeBytes(of: &key) { Array($0) }
    try log.environment.write { txn in
        var bytes = try txn.value(db, key: keyBytes)!
        mutate(&bytes)
        try txn.put(db, key: keyBytes, value: bytes)
    }
}
