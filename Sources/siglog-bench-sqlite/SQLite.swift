import CSQLite

/// A failed SQLite call: the result code, SQLite's message and the statement it concerned.
struct SQLiteError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var sql: String

    var description: String { "SQLite error \(code): \(message) (in: \(sql.prefix(120)))" }
}

/// One open database connection. The benchmark needs only a handful of calls, so this is a thin
/// layer over the C API rather than a general wrapper.
final class SQLiteDatabase {
    let handle: OpaquePointer

    /// Opens (or creates) `path` read-write, for use by one thread at a time (no connection mutex).
    init(path: String) throws(SQLiteError) {
        var db: OpaquePointer?
        let code = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard code == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw SQLiteError(code: code, message: message, sql: "open \(path)")
        }
        handle = db
    }

    deinit { sqlite3_close_v2(handle) }

    /// Turns off what a process with one connection per thread does not need: SQLite's global
    /// memory statistics and its serialized threading mode. Call before the first `init`.
    static func configureForSingleUser() throws(SQLiteError) {
        let code = csqlite_configure_single_user()
        guard code == SQLITE_OK else {
            throw SQLiteError(code: code, message: String(cString: sqlite3_errstr(code)), sql: "sqlite3_config")
        }
    }

    /// Runs one or more statements that return no rows the caller needs.
    func execute(_ sql: String) throws(SQLiteError) {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_free(message)
            throw SQLiteError(code: code, message: text, sql: sql)
        }
    }

    /// Compiles a statement once; the caller resets and rebinds it for every use.
    func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var statement: OpaquePointer?
        let code = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard code == SQLITE_OK, let statement else { throw error(code, sql) }
        return SQLiteStatement(handle: statement, database: self, sql: sql)
    }

    /// The rowid of the last successful INSERT on this connection.
    var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    var changes: Int { Int(sqlite3_changes(handle)) }

    func error(_ code: Int32, _ sql: String) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

/// A prepared statement, reused for the whole run: `reset`, bind, `step`.
final class SQLiteStatement {
    let handle: OpaquePointer
    private let database: SQLiteDatabase
    let sql: String

    fileprivate init(handle: OpaquePointer, database: SQLiteDatabase, sql: String) {
        self.handle = handle
        self.database = database
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Makes the statement ready to run again; bindings are kept until rebound.
    @inline(__always)
    func reset() { sqlite3_reset(handle) }

    /// Runs the statement one step: true while it yields a row, false when done.
    @inline(__always)
    func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(handle)
        if code == SQLITE_ROW { return true }
        if code == SQLITE_DONE { return false }
        throw database.error(code, sql)
    }

    /// Runs a statement that yields no row of interest to completion, then resets it.
    @inline(__always)
    func run() throws(SQLiteError) {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    // MARK: - Binding (parameters are 1-based)

    @inline(__always)
    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    @inline(__always)
    func bind(_ index: Int32, _ value: Double) { sqlite3_bind_double(handle, index, value) }

    @inline(__always)
    func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }

    /// Binds text that SQLite copies (`SQLITE_TRANSIENT`); nil binds NULL.
    @inline(__always)
    func bind(_ index: Int32, _ value: String?) {
        guard var value else { sqlite3_bind_null(handle, index); return }
        value.withUTF8 { utf8 in
            _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(utf8.baseAddress).map { $0.assumingMemoryBound(to: CChar.self) },
                                  Int32(utf8.count), csqlite_transient())
        }
    }

    /// Binds UTF-8 bytes without a copy (`SQLITE_STATIC`): the bytes must stay valid and unchanged
    /// until the statement is reset or rebound.
    @inline(__always)
    func bindNoCopy(_ index: Int32, _ bytes: UnsafeRawBufferPointer) {
        // A NULL pointer would bind SQL NULL, not ''.
        let text = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
        sqlite3_bind_text(handle, index, text.assumingMemoryBound(to: CChar.self), Int32(bytes.count), csqlite_static())
    }

    // MARK: - Columns (0-based)

    @inline(__always)
    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    @inline(__always)
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }

    @inline(__always)
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// The column's text bytes, valid until the next step, reset or column call on this column.
    @inline(__always)
    func bytes(_ column: Int32) -> UnsafeRawBufferPointer {
        guard let text = sqlite3_column_text(handle, column) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column)))
    }

    /// The column's text as a String; nil for NULL.
    func string(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: Int(sqlite3_column_bytes(handle, column))),
                      as: UTF8.self)
    }
}
