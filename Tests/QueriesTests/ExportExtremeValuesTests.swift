import EventLog
import Queries
import SiglogCore
import SiglogRecords
import Testing

/// `siglog-query export` is how a damaged log is read out, so it must render any record that
/// passes its checksum. It trapped on a job-run id past `Int64.max` and on an append time near
/// `Int64.min` (found by fuzzing; inputs in Fixtures/fuzz/envelope/regressions/).
@Suite("Export of records holding extreme values")
struct ExportExtremeValuesTests {
    private func exported(_ record: JobRunFinished, appendedAt: Int64) throws -> JSONObject {
        let envelope = Envelope(type: JobRunFinished.recordType, appendedAt: appendedAt, workspace: nil, payload: record.payload())
        return try envelope.encoded(sequence: 7).withUnsafeBytes { bytes in
            try LogQueries.exportJSON(RecordView(sequence: 7, bytes: bytes, knownTypes: RecordType.siglogTypes))
        }
    }

    private func finished(_ jobRunID: UInt64) -> JobRunFinished {
        JobRunFinished(jobRunID: jobRunID, status: .completed, companiesProcessed: nil, companiesESLSuppressed: nil,
                       errorMessage: nil, result: .null)
    }

    @Test("an id past Int64.max is written as its decimal text; others stay integers")
    func hugeJobRunID() throws {
        let huge = try exported(finished(UInt64.max), appendedAt: 0)
        #expect(huge["record"]?["job_run_id"] == .string("18446744073709551615"))
        let usual = try exported(finished(3), appendedAt: 0)
        #expect(usual["record"]?["job_run_id"] == .int(3))
    }

    @Test("the earliest representable append time is printed")
    func earliestAppendTime() throws {
        let line = try exported(finished(3), appendedAt: Int64.min)
        #expect(line["appended_at"] == .string("-290308-12-21T19:59:05.224192Z"))
    }
}
