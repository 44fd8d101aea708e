import GRDB
import GRDBSQLite

/// Inserts rows into one table many at a time, for the million-row writes of a large apply.
///
/// SQLite spends about as much on running a statement (opening cursors, the statement's
/// savepoint, closing) as on inserting the row, so rows are collected and inserted
/// `rowsPerStatement` at a time with one multi-row `INSERT … VALUES (…), (…), …`. Rows are
/// kept as bytes in one reused buffer until then (`Rows`), so adding a row allocates
/// nothing. Values that are the same for every row are bound once, as shared parameters.
///
/// Rows are in the table only after `flush()` (or once a full statement's worth was
/// added): flush before anything reads the table. A failed insert leaves the statement's
/// earlier rows in place (`OR FAIL`): the caller must roll the transaction back, as every
/// write here does on any error. Immediate foreign keys would still need the statement
/// journal: declare them deferred on tables written this way.
struct BulkInsert {
    /// Rows waiting to be inserted, as bytes. A plain value: it can be filled on another
    /// thread and handed to `insert(_:)`.
    struct Rows: Sendable {
        fileprivate enum Value {
            case null
            case integer(Int64)
            case text(start: Int, count: Int)
            case blob(start: Int, count: Int)
        }

        fileprivate var values: [Value] = []
        fileprivate var bytes: [UInt8] = []

        /// Room for `rows` rows of `columns` values without growing.
        init(rows: Int, columns: Int) {
            values.reserveCapacity(rows * columns)
            bytes.reserveCapacity(rows * columns * 24)
        }

        // The next column of the row being added.

        mutating func add(_ text: String?) {
            guard let text else { values.append(.null); return }
            let start = bytes.count
            // In place (no copy of the string to make it contiguous: Swift's own strings are).
            if text.utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
                bytes.append(contentsOf: text.utf8)
            }
            values.append(.text(start: start, count: bytes.count - start))
        }

        mutating func add(_ integer: Int64) { values.append(.integer(integer)) }

        mutating func add(text: some Collection<UInt8>) {
            let start = bytes.count
            bytes.append(contentsOf: text)
            values.append(.text(start: start, count: bytes.count - start))
        }

        /// `first`, `separator` and `second` as one text (`first` alone when `second` is nil).
        mutating func add(_ first: String, joinedBy separator: UInt8, _ second: String?) {
            let start = bytes.count
            bytes.append(contentsOf: first.utf8)
            if let second {
                bytes.append(separator)
                bytes.append(contentsOf: second.utf8)
            }
            values.append(.text(start: start, count: bytes.count - start))
        }

        mutating func add(blob: some Collection<UInt8>) {
            let start = bytes.count
            bytes.append(contentsOf: blob)
            values.append(.blob(start: start, count: bytes.count - start))
        }

        /// How many values were added: rows times the columns each takes.
        var valueCount: Int { values.count }

        /// Whether no value was added.
        var isEmpty: Bool { values.isEmpty }

        mutating func removeAll() {
            values.removeAll(keepingCapacity: true)
            bytes.removeAll(keepingCapacity: true)
        }
    }

    /// Values each row takes (the columns that are not shared).
    let columnsPerRow: Int
    let rowsPerStatement: Int
    private let sharedCount: Int32
    private let many: BulkStatement
    private let one: BulkStatement
    private var pending: Rows

    /// `columns` in order; `shared` maps columns to shared parameters `?1`, `?2`, … (bound
    /// with `bindShared`), the others take one value per row from the `add…` calls.
    init(_ db: Database, table: String, columns: [String], shared: [String: Int32] = [:], rowsPerStatement: Int = 64)
        throws
    {
        columnsPerRow = columns.filter { shared[$0] == nil }.count
        sharedCount = shared.values.max() ?? 0
        self.rowsPerStatement = rowsPerStatement
        func sql(rows: Int) -> String {
            var parameter = shared.values.max() ?? 0
            var tuples: [String] = []
            for _ in 0..<rows {
                var placeholders: [String] = []
                for column in columns {
                    if let number = shared[column] {
                        placeholders.append("?\(number)")
                    } else {
                        parameter += 1
                        placeholders.append("?\(parameter)")
                    }
                }
                tuples.append("(" + placeholders.joined(separator: ", ") + ")")
            }
            // OR FAIL: a failed insert fails the whole write, which is rolled back, so there is
            // no need for SQLite's default (ABORT), which undoes just the failed statement and,
            // to be able to, copies every page a multi-row insert touches into a statement
            // journal first (gigabytes of temporary file for a million rows).
            return "INSERT OR FAIL INTO \(table) (\(columns.joined(separator: ", "))) VALUES " + tuples.joined(separator: ", ")
        }
        many = try BulkStatement(db, sql: sql(rows: rowsPerStatement))
        one = try BulkStatement(db, sql: sql(rows: 1))
        pending = Rows(rows: rowsPerStatement, columns: columnsPerRow)
    }

    /// Binds shared parameter `number` (as numbered in `init`) for every row to come.
    func bindShared(_ number: Int32, _ text: String?) {
        many.bind(number, text)
        one.bind(number, text)
    }

    /// Binds shared parameter `number` for every row to come.
    func bindShared(_ number: Int32, _ integer: Int64) {
        many.bind(number, integer)
        one.bind(number, integer)
    }

    // The next column of the row being added.

    mutating func add(_ text: String?) { pending.add(text) }
    mutating func add(_ integer: Int64) { pending.add(integer) }
    mutating func add(text: some Collection<UInt8>) { pending.add(text: text) }
    mutating func add(blob: some Collection<UInt8>) { pending.add(blob: blob) }

    /// Ends the row being added; inserts the rows collected when they fill a statement.
    mutating func endRow() throws {
        if pending.valueCount == rowsPerStatement * columnsPerRow { try flush() }
    }

    /// Inserts every row added so far.
    mutating func flush() throws {
        defer { pending.removeAll() }
        try insert(pending)
    }

    /// Inserts `rows` (built elsewhere, for this table's columns): a statement's worth at a
    /// time, then what is left one row at a time.
    func insert(_ rows: Rows) throws {
        let rowCount = rows.values.count / columnsPerRow
        let statementValues = rowsPerStatement * columnsPerRow
        var start = 0
        for _ in 0..<rowCount / rowsPerStatement {
            try insert(rows, start..<start + statementValues, into: many)
            start += statementValues
        }
        while start < rows.values.count {
            try insert(rows, start..<start + columnsPerRow, into: one)
            start += columnsPerRow
        }
    }

    private func insert(_ rows: Rows, _ range: Range<Int>, into statement: BulkStatement) throws {
        // Bound in place: the bytes stay put until the statement has run, inside this closure.
        // Every per-row parameter is bound again before the statement runs again.
        try rows.bytes.withUnsafeBytes { buffer in
            for index in range {
                let position = sharedCount + 1 + Int32(index - range.lowerBound)
                switch rows.values[index] {
                case .null: statement.bind(position, nil as String?)
                case .integer(let number): statement.bind(position, number)
                case .text(let start, let count):
                    statement.bindNoCopy(position, text: UnsafeRawBufferPointer(rebasing: buffer[start..<start + count]))
                case .blob(let start, let count):
                    statement.bindNoCopy(position, blob: UnsafeRawBufferPointer(rebasing: buffer[start..<start + count]))
                }
            }
            try statement.step()
        }
    }
}
