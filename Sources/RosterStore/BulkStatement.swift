import GRDB
import GRDBSQLite

/// A prepared statement bound and stepped through SQLite's C API. Used for the rows an
/// apply writes by the million (invitations, audit entries): GRDB's `StatementArguments`
/// box every value, which costs more than the insert itself at that scale.
struct BulkStatement {
    private let statement: Statement

    init(_ db: Database, sql: String) throws {
        statement = try db.makeStatement(sql: sql)
    }

    /// Binds `values` (text, integers or nil) in order, runs the statement once and resets it.
    func run(_ values: [BulkValue]) throws {
        let handle = try bind(values)
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
            sqlite3_reset(handle)
            throw StoreError(.io, "cannot write to the store: \(message)")
        }
    }

    /// Binds `values`, runs the query and says whether it returned a row.
    func returnsRow(_ values: [BulkValue]) throws -> Bool {
        let handle = try bind(values)
        defer { sqlite3_reset(handle) }
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw StoreError(.io, "cannot read the store: \(String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))")
        }
    }

    private func bind(_ values: [BulkValue]) throws -> OpaquePointer {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .null: sqlite3_bind_null(handle, position)
            case .integer(let number): sqlite3_bind_int64(handle, position, number)
            case .text(let text):
                var text = text
                text.withUTF8 { bytes in
                    _ = sqlite3_bind_text(handle, position, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                                          Int32(bytes.count), sqliteTransient)
                }
            }
        }
        return handle
    }
}

/// A value for `BulkStatement.run`.
enum BulkValue {
    case null
    case integer(Int64)
    case text(String)

    init(_ text: String?) { self = text.map(BulkValue.text) ?? .null }
}

/// SQLite's SQLITE_TRANSIENT (copy the bound bytes), which Swift cannot import as a macro.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
