import ArgumentParser
import Foundation
import GRDBSQLite
import NIOCore
import Redlite

/// `scripts/bench-engine`: Redlite's executor against the raw limit of the same SQLite, in one run.
///
/// Random keys among 100,000 and 100-byte values. The raw side is a C-API loop of prepared
/// statements on a plain key/value table with the same pragmas (WAL, synchronous NORMAL, the same
/// cache and mmap sizes); the Redlite side is `RedliteStore.execute`, the path the server takes.
struct EngineBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "engine", abstract: "Redlite engine vs raw SQLite.")

    @Option(help: "Operations per test.")
    var operations = 20_000

    @Option(help: "Key space.")
    var keys = 100_000

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redlite-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        let raw = try RawSQLite(path: directory.appendingPathComponent("raw.db").path)
        let store = try RedliteStore.open(path: directory.appendingPathComponent("redlite.db").path)
        var session = RedliteSession()
        var rng = SystemRandomNumberGenerator()
        let value = ByteBuffer(repeating: UInt8(ascii: "x"), count: 100)
        let keyNames = (0..<keys).map { ByteBuffer(string: "key:\($0)") }
        func randomKey() -> ByteBuffer { keyNames[Int.random(in: 0..<keys, using: &rng)] }
        let set = ByteBuffer(string: "SET"), get = ByteBuffer(string: "GET"), hset = ByteBuffer(string: "HSET")
        let incr = ByteBuffer(string: "INCR"), field = ByteBuffer(string: "field")

        // Both sides start with every key present, loaded in batches.
        try raw.batch(keyNames, value: value)
        for start in stride(from: 0, to: keys, by: 1000) {
            try store.transaction { tx in
                for index in start..<min(start + 1000, keys) { _ = tx.execute([set, keyNames[index], value]) }
            }
        }

        var rows: [(String, Double, Double)] = []
        rows.append(("SET", try measure(operations) { try raw.insert(randomKey(), value) },
                     try measure(operations) { precondition(store.execute([set, randomKey(), value], session: &session) == .ok) }))
        rows.append(("GET", try measure(operations) { try raw.select(randomKey()) },
                     try measure(operations) { _ = store.execute([get, randomKey()], session: &session) }))
        rows.append(("HSET", try measure(operations) { try raw.hashInsert(randomKey(), field, value) },
                     try measure(operations) { _ = store.execute([hset, ByteBuffer(string: "h:\(Int.random(in: 0..<keys))"), field, value], session: &session) }))
        rows.append(("INCR", try measure(operations) { try raw.increment(randomKey()) },
                     try measure(operations) { _ = store.execute([incr, ByteBuffer(string: "n:\(Int.random(in: 0..<keys))")], session: &session) }))
        let batches = operations / 100
        let batchedRaw = try measure(batches) { try raw.batch((0..<100).map { _ in randomKey() }, value: value) } * 100
        let batchedRedlite = try measure(batches) {
            try store.transaction { tx in
                for _ in 0..<100 { _ = tx.execute([set, randomKey(), value]) }
            }
        } * 100
        rows.append(("SET in transactions of 100", batchedRaw, batchedRedlite))

        print("| test | raw ops/s | redlite ops/s | ratio |")
        print("|---|---:|---:|---:|")
        for (name, rawRate, redliteRate) in rows {
            print("| \(name) | \(Int(rawRate)) | \(Int(redliteRate)) | \(String(format: "%.2f", redliteRate / rawRate)) |")
        }
    }

    /// Operations per second of `body` over `count` runs.
    private func measure(_ count: Int, _ body: () throws -> Void) throws -> Double {
        let start = ContinuousClock.now
        for _ in 0..<count { try body() }
        let elapsed = ContinuousClock.now - start
        return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

/// The raw limit: SQLite's C API, prepared statements, nothing else.
final class RawSQLite {
    private var db: OpaquePointer?
    private var insertStatement: OpaquePointer?
    private var selectStatement: OpaquePointer?
    private var hashStatement: OpaquePointer?
    private var incrementStatement: OpaquePointer?
    private var begin: OpaquePointer?
    private var commit: OpaquePointer?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw RedliteError.storage("cannot open \(path)")
        }
        try exec("""
            PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
            PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;
            CREATE TABLE kv (key BLOB PRIMARY KEY, value BLOB);
            CREATE TABLE hash (key BLOB, field BLOB, value BLOB, PRIMARY KEY (key, field));
            """)
        insertStatement = try prepare("INSERT OR REPLACE INTO kv (key, value) VALUES (?1, ?2)")
        selectStatement = try prepare("SELECT value FROM kv WHERE key = ?1")
        hashStatement = try prepare("INSERT OR REPLACE INTO hash (key, field, value) VALUES (?1, ?2, ?3)")
        incrementStatement = try prepare("INSERT INTO kv (key, value) VALUES (?1, 1) ON CONFLICT (key) DO UPDATE SET value = value + 1")
        begin = try prepare("BEGIN")
        commit = try prepare("COMMIT")
    }

    deinit {
        for statement in [insertStatement, selectStatement, hashStatement, incrementStatement, begin, commit] { sqlite3_finalize(statement) }
        sqlite3_close(db)
    }

    private func exec(_ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw RedliteError.storage(String(cString: sqlite3_errmsg(db))) }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw RedliteError.storage(String(cString: sqlite3_errmsg(db))) }
        return statement
    }

    private func bind(_ statement: OpaquePointer?, _ index: Int32, _ bytes: ByteBuffer) {
        bytes.withUnsafeReadableBytes { sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
    }

    private func step(_ statement: OpaquePointer?) {
        while sqlite3_step(statement) == SQLITE_ROW {}
        sqlite3_reset(statement)
    }

    func insert(_ key: ByteBuffer, _ value: ByteBuffer) throws {
        bind(insertStatement, 1, key)
        bind(insertStatement, 2, value)
        step(insertStatement)
    }

    func select(_ key: ByteBuffer) throws {
        bind(selectStatement, 1, key)
        if sqlite3_step(selectStatement) == SQLITE_ROW {
            let count = Int(sqlite3_column_bytes(selectStatement, 0))
            if let pointer = sqlite3_column_blob(selectStatement, 0) {
                _ = ByteBuffer(bytes: UnsafeRawBufferPointer(start: pointer, count: count))
            }
        }
        sqlite3_reset(selectStatement)
    }

    func hashInsert(_ key: ByteBuffer, _ field: ByteBuffer, _ value: ByteBuffer) throws {
        bind(hashStatement, 1, key)
        bind(hashStatement, 2, field)
        bind(hashStatement, 3, value)
        step(hashStatement)
    }

    func increment(_ key: ByteBuffer) throws {
        bind(incrementStatement, 1, key)
        step(incrementStatement)
    }

    func batch(_ keys: [ByteBuffer], value: ByteBuffer) throws {
        for start in stride(from: 0, to: keys.count, by: 1000) {
            step(begin)
            for key in keys[start..<min(start + 1000, keys.count)] { try insert(key, value) }
            step(commit)
        }
    }
}
