import Foundation
import GRDB
import GRDBSQLite
import RosterCore
import RosterStore

/// A prepared statement bound and stepped through SQLite's C API. Used for the rows an
/// apply writes by the million (invitations, audit entries): GRDB's `StatementArguments`
/// box every value, which costs more than the insert itself at that scale.
struct BulkStatement {
    private let statement: Statement

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
    }

    /// A query with its parameters bound, to read with `forEachRow`.
    init(_ db: Database, sql: String, arguments: StatementArguments) throws {
        statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
    }

    // Binding one parameter at a time, for the rows an apply writes by the million: no array
    // of values per row, and parameters that are the same for every row are bound once
    // (SQLite keeps bindings across resets). Text and blobs are copied by SQLite, so the
    // bytes need to live only for the call.

    /// Binds `text` to parameter `position` (1-based), or NULL for nil.
    func bind(_ position: Int32, _ text: String?) {
        guard var text else { sqlite3_bind_null(statement.sqliteStatement, position); return }
        text.withUTF8 { bind(position, text: UnsafeRawBufferPointer($0)) }
    }

    /// Binds an integer to parameter `position`.
    func bind(_ position: Int32, _ number: Int64) {
        sqlite3_bind_int64(statement.sqliteStatement, position, number)
    }

    /// Binds UTF-8 `bytes` as text to parameter `position`.
    func bind(_ position: Int32, text bytes: UnsafeRawBufferPointer) {
        // A zero-length buffer may have no base address; SQLite needs a pointer for '' (not NULL).
        let pointer = bytes.baseAddress ?? emptyBytes
        sqlite3_bind_text(
            statement.sqliteStatement, position, pointer.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
            sqliteTransient)
    }

    /// Binds UTF-8 `bytes` as text to parameter `position` without copying them: they must
    /// stay valid and unchanged until the statement has run. Saves SQLite a free and a
    /// malloc per value (a copied binding drops the parameter's previous buffer).
    func bindNoCopy(_ position: Int32, text bytes: UnsafeRawBufferPointer) {
        let pointer = bytes.baseAddress ?? emptyBytes
        sqlite3_bind_text(
            statement.sqliteStatement, position, pointer.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
            sqliteStatic)
    }

    /// Binds `bytes` as a blob to parameter `position` without copying them (as `bindNoCopy(_:text:)`).
    func bindNoCopy(_ position: Int32, blob bytes: UnsafeRawBufferPointer) {
        let pointer = bytes.baseAddress ?? emptyBytes
        sqlite3_bind_blob(statement.sqliteStatement, position, pointer, Int32(bytes.count), sqliteStatic)
    }

    /// Binds `bytes` as a blob to parameter `position`.
    func bind(_ position: Int32, blob bytes: UnsafeRawBufferPointer) {
        let pointer = bytes.baseAddress ?? emptyBytes
        sqlite3_bind_blob(statement.sqliteStatement, position, pointer, Int32(bytes.count), sqliteTransient)
    }

    /// Runs the statement once with the parameters bound so far and resets it (bindings stay).
    func step() throws {
        let handle = statement.sqliteStatement
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
            sqlite3_reset(handle)
            throw StoreError(.io, "cannot write to the store: \(message)")
        }
        sqlite3_reset(handle)
    }

    /// Runs the query once with the parameters bound so far, says whether it returned a row, resets it.
    func stepReturnsRow() throws -> Bool {
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw StoreError(.io, "cannot read the store: \(String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))")
        }
    }

    /// Runs the query and calls `body` with each row, read straight from SQLite's buffers.
    func forEachRow(_ body: (BulkRow) throws -> Void) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        defer { sqlite3_reset(handle) }
        while true {
            switch sqlite3_step(handle) {
            case SQLITE_ROW: try body(BulkRow(handle: handle))
            case SQLITE_DONE: return
            default: throw StoreError(.io, "cannot read the store: \(String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))")
            }
        }
    }
}

/// SQLite's SQLITE_TRANSIENT (copy the bound bytes) and SQLITE_STATIC (use them in place),
/// which Swift cannot import as macros.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// What an empty text or blob is bound from (a valid address; SQLite reads no byte of it).
private var emptyBytes: UnsafeRawPointer { UnsafeRawPointer(("" as StaticString).utf8Start) }
private let sqliteStatic = unsafeBitCast(0, to: sqlite3_destructor_type.self)

/// The current row of a `BulkStatement` query; valid only inside `forEachRow`'s body.
struct BulkRow {
    let handle: OpaquePointer

    /// Column `index` as text ("" for NULL).
    func text(_ index: Int32) -> String {
        guard let pointer = sqlite3_column_text(handle, index) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, index))), as: UTF8.self)
    }

    /// Whether column `index` holds exactly `expected` (compares bytes, makes no String).
    func text(_ index: Int32, equals expected: String) -> Bool {
        guard let pointer = sqlite3_column_text(handle, index) else { return false }
        let count = Int(sqlite3_column_bytes(handle, index))
        var expected = expected
        return expected.withUTF8 { $0.count == count && (count == 0 || memcmp($0.baseAddress!, pointer, count) == 0) }
    }

    /// Column `index` as an integer (0 for NULL).
    func integer(_ index: Int32) -> Int { Int(sqlite3_column_int64(handle, index)) }

    /// Column `index` as a 64-bit integer (0 for NULL).
    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// Column `index` as text, nil for NULL; `previous` itself when the column holds its
    /// bytes, so that a value many rows share (an audit entry's time, commit, run) is one
    /// string rather than one per row.
    func text(_ index: Int32, reusing previous: String?) -> String? {
        guard sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        if let previous, text(index, equals: previous) { return previous }
        return text(index)
    }

    /// Column `index`'s bytes in lowercase hex, nil for NULL.
    func hex(_ index: Int32) -> String? {
        guard sqlite3_column_type(handle, index) != SQLITE_NULL else { return nil }
        let bytes = sqlite3_column_blob(handle, index)
        return AuditChain.hex(UnsafeRawBufferPointer(start: bytes, count: Int(sqlite3_column_bytes(handle, index))))
    }

    /// Column `index` as a role, read from its bytes.
    func role(_ index: Int32) -> Role? {
        guard let pointer = sqlite3_column_text(handle, index) else { return nil }
        switch (pointer[0], Int(sqlite3_column_bytes(handle, index))) {
        case (UInt8(ascii: "a"), 5): return .admin
        case (UInt8(ascii: "d"), 3): return .dev
        case (UInt8(ascii: "b"), 5): return .basic
        case (UInt8(ascii: "b"), 7): return .billing
        default: return nil
        }
    }
}
