// Test helper for the crash-safety test: appends batches to a log until it is killed.
//
// Usage: siglog-crash-writer STORE
// Each batch is one write transaction of a varying number of records; every record's payload says
// which batch it belongs to, its index in the batch and the batch size, and each record also writes
// a dedup-index entry. After a SIGKILL at any moment, the store must hold whole batches only.
import EventLog
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    FileHandle.standardError.write(Data("usage: siglog-crash-writer STORE\n".utf8))
    exit(2)
}
let crashRecordType = RecordType(rawValue: 0xC0DE)
do {
    let log = try EventLog(path: arguments[1], mode: .create)
    // Continue after the last complete batch found in the log.
    var batch: Int64 = 0
    if let last = try log.record(at: try log.head()) {
        try last.payload.withUnsafeBytes { raw in
            var reader = PayloadReader(raw)
            while let field = try reader.next() { if field.number == 1 { batch = try field.int64() + 1 } }
        }
    }
    while true {
        let size = Int(1 + (batch * 7919) % 300)
        try log.write { writer in
            for index in 0..<size {
                var payload = PayloadWriter()
                payload.write(1, batch)
                payload.write(2, index)
                payload.write(3, size)
                payload.write(4, String(repeating: "x", count: 200))
                let seq = try writer.append(type: crashRecordType, appendedAt: batch, workspace: nil, payload: payload.bytes)
                try writer.recordDedup(Array("batch-\(batch)-\(index)".utf8), sequence: seq)
            }
        }
        batch += 1
    }
} catch {
    FileHandle.standardError.write(Data("siglog-crash-writer: \(error)\n".utf8))
    exit(1)
}
