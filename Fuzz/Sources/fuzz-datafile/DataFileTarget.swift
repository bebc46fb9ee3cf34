import EventLog
import Foundation
import FuzzSupport

/// The checked reader of a store's data file (`EventLog.verify(path:)` and
/// `EventLog.readIntactRecords`, over LMDB's `DataFile`): what `siglog-query verify` and
/// `siglog-append salvage` run on a damaged store. The input damages a small real store: a list of
/// patches `page u8 | offset u16 | length u8 | bytes`, applied to a copy of its `data.mdb`, and a
/// first byte whose high bit truncates the file to a number of pages. Whatever the damage, the
/// readers must return a report or throw a `LogError` — never trap — and salvage must deliver
/// exactly the records the report counts.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDataFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        guard let first = input.first else { return }
        var file = BaseStore.bytes
        let pages = file.count / BaseStore.pageSize
        var index = 1
        while index + 4 <= input.count {
            let page = Int(input[index]) % pages
            let offset = Int(input[index + 1]) | Int(input[index + 2]) << 8
            let length = Int(input[index + 3])
            index += 4
            for k in 0..<length where index + k < input.count {
                let at = page * BaseStore.pageSize + (offset + k) % BaseStore.pageSize
                file[at] = input[index + k]
            }
            index += length
        }
        if first & 0x80 != 0 { file.removeLast(max(0, file.count - Int(first & 0x7F) % pages * BaseStore.pageSize)) }
        _ = FileManager.default.createFile(atPath: BaseStore.scratch + "/data.mdb", contents: Data(file))
        do {
            let report = try EventLog.verify(path: BaseStore.scratch, knownTypes: nil)
            invariant(report.recordsChecked <= max(report.head, report.recordsChecked), "more records checked than the head")
            var delivered: UInt64 = 0
            let salvage = try EventLog.readIntactRecords(path: BaseStore.scratch, knownTypes: nil) { _ in delivered += 1 }
            invariant(delivered == salvage.recordsChecked, "salvage delivered \(delivered) records but counts \(salvage.recordsChecked)")
        } catch {
            invariant(error is LogError, "threw \(type(of: error)), not a LogError: \(error)")
        }
    }
}

/// A small store written once per process: 120 records of varying sizes (a few on overflow pages)
/// with dedup entries, so the file has branch, leaf and overflow pages and several databases.
enum BaseStore {
    static let pageSize = Int(getpagesize())
    static let scratch = NSTemporaryDirectory() + "siglog-fuzz-datafile-\(getpid())"

    static let bytes: [UInt8] = {
        let source = NSTemporaryDirectory() + "siglog-fuzz-datafile-base-\(getpid())"
        try? FileManager.default.removeItem(atPath: source)
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        do {
            var options = EventLog.Options()
            options.durable = false
            let log = try EventLog(path: source, mode: .create, options: options)
            for batch in 0..<4 {
                try log.write { writer in
                    for index in 0..<30 {
                        let size = index == 7 ? 9_000 : 40 + (batch * 30 + index) * 13 % 700
                        let seq = try writer.append(type: RecordType(rawValue: 30), appendedAt: Int64(batch), workspace: nil,
                                                    payload: [UInt8](repeating: UInt8(index), count: size))
                        try writer.recordDedup(Array("event-\(batch)-\(index)".utf8), sequence: seq)
                    }
                }
            }
        } catch {
            fatalError("cannot write the base store: \(error)")
        }
        let contents = FileManager.default.contents(atPath: source + "/data.mdb") ?? Data()
        try? FileManager.default.removeItem(atPath: source)
        return Array(contents)
    }()
}
