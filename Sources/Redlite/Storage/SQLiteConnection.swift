import VaporCSQLite
import NIOCore

/// One SQLite connection used through the C API with cached prepared statements.
///
/// The SQLite is the one sqlite-nio compiles into the package (`VaporCSQLite`, its C API prefixed
/// `sqlite_nio_`), not the machine's libsqlite3: see the package manifest. The engine drives the
/// handle directly; the hot paths (GET, SET) are a few C calls each. Not thread-safe: the store hands
/// each connection to one thread at a time (the writer behind a mutex, readers through a pool), so
/// it is opened without SQLite's per-connection mutex.
final class SQLiteConnection {
    let handle: OpaquePointer
    private var statements: [UnsafeRawPointer: OpaquePointer] = [:]
    /// Aggregate keys emptied (and so deleted) by the current command, for keyspace notifications.
    var emptiedKeys: [(database: Int, key: ByteBuffer)] = []
    /// Keys the current command found expired and removed or replaced (Redis's lazy expiry on a
    /// write), for their `expired` events.
    var expiredKeys: [(database: Int, key: ByteBuffer)] = []
    /// The earliest expiry a write on this connection has set since the store last looked (Unix ms),
    /// for the expiry cleaner's wake-up.
    var earliestExpirySet: Int64?
    /// Rows `redlite_replaced_expired()` saw replaced since the caller last looked (see `writeString`).
    var replacedExpiredRows = 0
    /// Where the store counts this connection's key lookups and expired keys (nil: not counted).
    var keyspaceStatistics: KeyspaceStatistics?

    /// Opens the database file at `path` (created if missing, unless `readOnly`), or a private
    /// in-memory database when `path` is nil, with foreign keys enforced and SQLite's extended result
    /// codes. Throws, and leaves nothing open, if the file cannot be opened or is not a database.
    init(path: String?, readOnly: Bool, busyTimeoutMilliseconds: Int32) throws {
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        var opened: OpaquePointer?
        let code = sqlite_nio_sqlite3_open_v2(path ?? ":memory:", &opened, flags, nil)
        guard let opened else { throw RedliteError.sqlite(code: code, message: "out of memory opening \(path ?? ":memory:")") }
        guard code == SQLITE_OK else {
            let message = String(cString: sqlite_nio_sqlite3_errmsg(opened))
            sqlite_nio_sqlite3_close_v2(opened)
            throw RedliteError.sqlite(code: code, message: "\(message): \(path ?? ":memory:")")
        }
        handle = opened
        sqlite_nio_sqlite3_extended_result_codes(handle, 1)
        sqlite_nio_sqlite3_busy_timeout(handle, busyTimeoutMilliseconds)
        // Called by SQL only where a write replaces a row that had expired, so that the write can count
        // it (one function call in that case, nothing on the usual path).
        sqlite_nio_sqlite3_create_function_v2(handle, "redlite_replaced_expired", 1, SQLITE_UTF8, Unmanaged.passUnretained(self).toOpaque(),
                                   replacedExpiredFunction, nil, nil, nil)
        // The first read of the file: a file that is not a database fails here, not at the first command.
        try execute("PRAGMA foreign_keys = ON; SELECT count(*) FROM sqlite_master")
    }

    deinit {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_close_v2(handle)
    }

    /// A prepared statement for `sql`, prepared once per connection and reused.
    func statement(_ sql: StaticString) throws -> SQLiteStatement {
        let key = UnsafeRawPointer(sql.utf8Start)
        if let cached = statements[key] { return SQLiteStatement(handle: cached, connection: handle) }
        var prepared: OpaquePointer?
        let code = sql.withUTF8Buffer { text in
            text.withMemoryRebound(to: CChar.self) { sqlite_nio_sqlite3_prepare_v3(handle, $0.baseAddress, Int32($0.count), UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil) }
        }
        guard code == SQLITE_OK, let prepared else { throw RedliteError.sqlite(code: code, message: lastErrorMessage) }
        statements[key] = prepared
        return SQLiteStatement(handle: prepared, connection: handle)
    }

    /// Runs SQL text without results (schema, pragmas, maintenance).
    func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite_nio_sqlite3_exec(handle, sql, nil, nil, &message)
        if code != SQLITE_OK {
            let text = message.map { String(cString: $0) } ?? lastErrorMessage
            sqlite_nio_sqlite3_free(message)
            throw RedliteError.sqlite(code: code, message: text)
        }
    }

    var lastErrorMessage: String { String(cString: sqlite_nio_sqlite3_errmsg(handle)) }

    var isInTransaction: Bool { sqlite_nio_sqlite3_get_autocommit(handle) == 0 }

    /// Runs `body` in one write transaction (BEGIN IMMEDIATE … COMMIT), rolled back if it throws.
    /// Nested calls join the enclosing transaction.
    func transaction<T>(_ body: () throws -> T) throws -> T {
        if isInTransaction { return try body() }
        try statement("BEGIN IMMEDIATE").run()
        do {
            let result = try body()
            try statement("COMMIT").run()
            return result
        } catch {
            if isInTransaction { try? statement("ROLLBACK").run() }
            throw error
        }
    }
}

/// `redlite_replaced_expired(x)`: counts one replaced expired row on the connection it was registered
/// with and returns `x`.
private let replacedExpiredFunction: @convention(c) (OpaquePointer?, Int32, UnsafeMutablePointer<OpaquePointer?>?) -> Void = { context, _, arguments in
    if let connection = sqlite_nio_sqlite3_user_data(context) {
        Unmanaged<SQLiteConnection>.fromOpaque(connection).takeUnretainedValue().replacedExpiredRows += 1
    }
    sqlite_nio_sqlite3_result_value(context, arguments?[0])
}

/// A prepared statement being bound and stepped. Always `reset()` after use (the helpers do).
struct SQLiteStatement {
    let handle: OpaquePointer
    let connection: OpaquePointer

    /// SQLite copies bound blobs with this destructor value.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    @discardableResult
    func bind(_ index: Int32, _ value: Int64) -> SQLiteStatement {
        sqlite_nio_sqlite3_bind_int64(handle, index, value)
        return self
    }

    @discardableResult
    func bind(_ index: Int32, _ value: Int64?) -> SQLiteStatement {
        if let value { sqlite_nio_sqlite3_bind_int64(handle, index, value) } else { sqlite_nio_sqlite3_bind_null(handle, index) }
        return self
    }

    @discardableResult
    func bind(_ index: Int32, _ value: Double) -> SQLiteStatement {
        sqlite_nio_sqlite3_bind_double(handle, index, value)
        return self
    }

    /// Binds a string as TEXT.
    @discardableResult
    func bind(_ index: Int32, text: String) -> SQLiteStatement {
        sqlite_nio_sqlite3_bind_text(handle, index, text, -1, Self.transient)
        return self
    }

    /// Binds bytes as a BLOB; an empty buffer binds an empty BLOB, never NULL.
    @discardableResult
    func bind(_ index: Int32, _ bytes: ByteBuffer) -> SQLiteStatement {
        _ = bytes.withUnsafeReadableBytes { raw in
            if raw.isEmpty {
                sqlite_nio_sqlite3_bind_zeroblob(handle, index, 0)
            } else {
                sqlite_nio_sqlite3_bind_blob(handle, index, raw.baseAddress, Int32(raw.count), Self.transient)
            }
        }
        return self
    }

    /// Advances to the next row: true when there is one.
    func step() throws -> Bool {
        let code = sqlite_nio_sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = String(cString: sqlite_nio_sqlite3_errmsg(connection))
            sqlite_nio_sqlite3_reset(handle)
            throw RedliteError.sqlite(code: code, message: message)
        }
    }

    func reset() {
        sqlite_nio_sqlite3_reset(handle)
    }

    /// Steps to completion and resets.
    func run() throws {
        defer { reset() }
        while try step() {}
    }

    func isNull(_ column: Int32) -> Bool { sqlite_nio_sqlite3_column_type(handle, column) == SQLITE_NULL }

    func int64(_ column: Int32) -> Int64 { sqlite_nio_sqlite3_column_int64(handle, column) }

    func optionalInt64(_ column: Int32) -> Int64? { isNull(column) ? nil : sqlite_nio_sqlite3_column_int64(handle, column) }

    func double(_ column: Int32) -> Double { sqlite_nio_sqlite3_column_double(handle, column) }

    func bytes(_ column: Int32) -> ByteBuffer {
        let count = Int(sqlite_nio_sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite_nio_sqlite3_column_blob(handle, column) else { return ByteBuffer() }
        return ByteBuffer(bytes: UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Calls `body` with the current row's `column` in place (valid only inside `body`): no copy.
    func withBlob<T>(_ column: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        let count = Int(sqlite_nio_sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite_nio_sqlite3_column_blob(handle, column) else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        return try body(UnsafeRawBufferPointer(start: pointer, count: count))
    }

    /// Every remaining row's `column` as bytes (see `ByteCollector`).
    func collectBytes(_ column: Int32, expectedRows: Int) throws -> [ByteBuffer] {
        var collector = ByteCollector(expectedValues: expectedRows)
        while try step() { collector.append(self, column: column) }
        return collector.values()
    }

    /// Number of rows the last write statement on the connection changed.
    var changes: Int { Int(sqlite_nio_sqlite3_changes(connection)) }
}

/// Column values of many rows copied into one buffer and handed out as slices of it: a range of many
/// small values costs a few allocations instead of two per value. The slices keep the whole buffer
/// alive, so this is for values that leave together (one reply, one set operation).
struct ByteCollector {
    private var arena = ByteBuffer()
    private var ranges: [(start: Int, count: Int)] = []

    init(expectedValues: Int) {
        ranges.reserveCapacity(expectedValues)
    }

    /// Copies the current row's `column`.
    mutating func append(_ statement: SQLiteStatement, column: Int32) {
        let count = Int(sqlite_nio_sqlite3_column_bytes(statement.handle, column))
        let start = arena.writerIndex
        if count > 0, let pointer = sqlite_nio_sqlite3_column_blob(statement.handle, column) {
            if arena.capacity == 0 { arena.reserveCapacity(min(count * max(ranges.capacity, 1), 64 * 1024)) }
            arena.writeBytes(UnsafeRawBufferPointer(start: pointer, count: count))
        }
        ranges.append((start, count))
    }

    var count: Int { ranges.count }

    /// The `index`th value appended.
    func value(_ index: Int) -> ByteBuffer {
        arena.getSlice(at: ranges[index].start, length: ranges[index].count) ?? ByteBuffer()
    }

    /// Every value, in the order appended.
    func values() -> [ByteBuffer] {
        ranges.indices.map(value)
    }
}

// A connection is used by one thread at a time: the writer only inside `RedliteStore.writer`'s mutex,
// readers only between leaving and returning to the reader pool (itself behind a mutex). Those
// hand-offs are what make passing it between threads safe.
extension SQLiteConnection: @unchecked Sendable {}
