import EventLog
import Foundation
import FuzzSupport
import Ingest
import Queries
import ReadModel
import SiglogCore
import SiglogRecords
import StoreMaintenance

/// What `siglog-append import` and `restore` read from outside: the lines of a `siglog-query export`
/// stream (`LogImport.record`) and a backup's `manifest.json` (`BackupManifest(json:file:)`). The
/// first byte picks which; the rest is the input. A line gives a record or a `SiglogError` naming
/// the line; a record it gives exports to a line that imports as the same record, byte for byte
/// (import ∘ export is the identity). A manifest gives a value or a `SiglogError`; a value written
/// back as JSON reads as the same manifest.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImport(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size) { input in
        guard let first = input.first else { return }
        let rest = UnsafeBufferPointer(rebasing: input.dropFirst())
        if first & 1 == 0 { checkExportLines(rest) } else { checkManifest(rest) }
    }
}

/// Every line of `bytes` through the import's line reader.
private func checkExportLines(_ bytes: UnsafeBufferPointer<UInt8>) {
    var splitter = NDJSONLineSplitter(maxLineBytes: 1 << 20)
    let check: (NDJSONLine) -> Void = { line in
        guard !line.isOverLimit else { return }
        do {
            let (sequence, envelope) = try LogImport.record(line, name: "fuzz")
            let exported = exportLine(sequence: sequence, envelope: envelope)
            let again = importLine(exported)
            invariant(again?.0 == sequence && again?.1 == envelope, "export then import changed record \(sequence): \(exported)")
        } catch let error as SiglogError {
            invariant(error.message.hasPrefix("fuzz:\(line.number): "), "the error does not name the line: \(error.message)")
        } catch {
            invariant(false, "threw \(type(of: error)), not a SiglogError: \(error)")
        }
    }
    splitter.feed(UnsafeRawBufferPointer(bytes), check)
    splitter.finish(check)
}

/// The `siglog-query export` line of a record.
private func exportLine(sequence: UInt64, envelope: Envelope) -> String {
    let stored = envelope.encoded(sequence: sequence)
    return stored.withUnsafeBytes { raw in
        do {
            let view = try RecordView(sequence: sequence, bytes: raw, knownTypes: RecordType.siglogTypes)
            return JSONWriter().string(.object(try LogQueries.exportJSON(view)))
        } catch {
            invariant(false, "a record the import accepted does not read back: \(error)")
            return ""
        }
    }
}

/// `LogImport.record` of one line of text; nil when it is refused.
private func importLine(_ text: String) -> (UInt64, Envelope)? {
    var splitter = NDJSONLineSplitter(maxLineBytes: 1 << 24)
    var result: (UInt64, Envelope)?
    let read: (NDJSONLine) -> Void = { line in result = try? LogImport.record(line, name: "again") }
    var bytes = Array(text.utf8)
    bytes.append(0x0A)
    bytes.withUnsafeBytes { splitter.feed($0, read) }
    return result
}

/// A manifest read from `bytes`, checked.
private func checkManifest(_ bytes: UnsafeBufferPointer<UInt8>) {
    guard let value = try? JSONParser.parse(Array(bytes)) else { return }
    do {
        let manifest = try BackupManifest(json: value, file: "manifest.json")
        let written = JSONWriter().string(.object(manifest.json))
        let reread = try? BackupManifest(json: try JSONParser.parse(Array(written.utf8)), file: "manifest.json")
        invariant(reread == manifest, "a manifest written back reads differently: \(written)")
    } catch let error as SiglogError {
        invariant(error.message.hasPrefix("manifest.json: "), "the error does not name the file: \(error.message)")
    } catch {
        invariant(false, "threw \(type(of: error)), not a SiglogError: \(error)")
    }
}
