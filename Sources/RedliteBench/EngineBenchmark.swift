import ArgumentParser
import Foundation
import VaporCSQLite
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

        // Engine II: one list, set and sorted set, as redis-benchmark uses them.
        let lpush = ByteBuffer(string: "LPUSH"), rpop = ByteBuffer(string: "RPOP"), sadd = ByteBuffer(string: "SADD")
        let zadd = ByteBuffer(string: "ZADD"), zrange = ByteBuffer(string: "ZRANGE"), lrange = ByteBuffer(string: "LRANGE")
        let list = ByteBuffer(string: "mylist"), setKey = ByteBuffer(string: "myset"), zset = ByteBuffer(string: "myzset")
        let zero = ByteBuffer(string: "0"), ninetyNine = ByteBuffer(string: "99")
        let members = (0..<keys).map { ByteBuffer(string: "member:\($0)") }
        func randomMember() -> ByteBuffer { members[Int.random(in: 0..<keys, using: &rng)] }
        rows.append(("LPUSH", try measure(operations) { try raw.listPush(list, value) },
                     try measure(operations) { _ = store.execute([lpush, list, value], session: &session) }))
        rows.append(("RPOP", try measure(operations) { try raw.listPop(list) },
                     try measure(operations) { _ = store.execute([rpop, list], session: &session) }))
        rows.append(("SADD", try measure(operations) { try raw.setAdd(setKey, randomMember()) },
                     try measure(operations) { _ = store.execute([sadd, setKey, randomMember()], session: &session) }))
        rows.append(("ZADD", try measure(operations) { try raw.zsetAdd(zset, randomMember(), Double(Int.random(in: 0..<1_000_000, using: &rng))) },
                     try measure(operations) {
                         _ = store.execute([zadd, zset, ByteBuffer(string: String(Int.random(in: 0..<1_000_000))), randomMember()], session: &session)
                     }))
        for _ in 0..<200 {
            try raw.listPush(list, value)
            _ = store.execute([lpush, list, value], session: &session)
        }
        let rangeOperations = max(operations / 10, 100)
        rows.append(("ZRANGE (100 elements)", try measure(rangeOperations) { try raw.zsetRange(zset, 100) },
                     try measure(rangeOperations) { _ = store.execute([zrange, zset, zero, ninetyNine], session: &session) }))
        rows.append(("LRANGE (100 elements)", try measure(rangeOperations) { try raw.listRange(list, 100) },
                     try measure(rangeOperations) { _ = store.execute([lrange, list, zero, ninetyNine], session: &session) }))

        print("| test | raw ops/s | redlite ops/s | ratio |")
        print("|---|---:|---:|---:|")
        for (name, rawRate, redliteRate) in rows {
            print("| \(name) | \(Int(rawRate)) | \(Int(redliteRate)) | \(String(format: "%.2f", redliteRate / rawRate)) |")
        }
        try middleOfLongList(store: store, raw: raw, value: value)
    }

    /// LINDEX and LSET in the middle of a 100,000-element list: O(n) here as in Redis (an OFFSET walk
    /// of the position index; Redis walks its quicklist). The raw baseline is the same OFFSET query.
    private func middleOfLongList(store: RedliteStore, raw: RawSQLite, value: ByteBuffer) throws {
        var session = RedliteSession()
        let key = ByteBuffer(string: "longlist")
        let rpush = ByteBuffer(string: "RPUSH")
        for _ in 0..<100 {
            try store.transaction { tx in
                _ = tx.execute([rpush, key] + Array(repeating: value, count: 1000))
            }
        }
        try raw.fillList(key, count: 100_000, value: value)
        let middle = ByteBuffer(string: "50000")
        let rounds = 200
        let rawIndex = try measure(rounds) { try raw.listIndex(key, 50_000) }
        let lindex = try measure(rounds) { precondition(store.execute([ByteBuffer(string: "LINDEX"), key, middle], session: &session) == .bulkString(value)) }
        let lset = try measure(rounds) { precondition(store.execute([ByteBuffer(string: "LSET"), key, middle, value], session: &session) == .ok) }
        print("")
        print("| 100,000-element list, index 50,000 | raw OFFSET query ops/s | redlite ops/s | ratio |")
        print("|---|---:|---:|---:|")
        print("| LINDEX | \(Int(rawIndex)) | \(Int(lindex)) | \(String(format: "%.2f", lindex / rawIndex)) |")
        print("| LSET | \(Int(rawIndex)) | \(Int(lset)) | \(String(format: "%.2f", lset / rawIndex)) |")
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
    private var listPushStatement: OpaquePointer?
    private var listPopStatement: OpaquePointer?
    private var listRangeStatement: OpaquePointer?
    private var listIndexStatement: OpaquePointer?
    private var setAddStatement: OpaquePointer?
    private var zsetAddStatement: OpaquePointer?
    private var zsetRangeStatement: OpaquePointer?
    /// The raw list's head position, kept in memory as a hand-written loop would.
    private var head: Int64 = 0
    private var begin: OpaquePointer?
    private var commit: OpaquePointer?
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        guard sqlite_nio_sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil) == SQLITE_OK else {
            throw RedliteError.storage("cannot open \(path)")
        }
        try exec("""
            PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;
            PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;
            CREATE TABLE kv (key BLOB PRIMARY KEY, value BLOB);
            CREATE TABLE hash (key BLOB, field BLOB, value BLOB, PRIMARY KEY (key, field));
            CREATE TABLE list (key BLOB, position INTEGER, value BLOB, PRIMARY KEY (key, position));
            CREATE TABLE sets (key BLOB, member BLOB, PRIMARY KEY (key, member));
            CREATE TABLE zsets (key BLOB, member BLOB, score REAL, PRIMARY KEY (key, member));
            CREATE INDEX zsets_by_score ON zsets (key, score, member);
            """)
        listPushStatement = try prepare("INSERT INTO list (key, position, value) VALUES (?1, ?2, ?3)")
        listPopStatement = try prepare("DELETE FROM list WHERE key = ?1 AND position = (SELECT max(position) FROM list WHERE key = ?1) RETURNING value")
        listRangeStatement = try prepare("SELECT value FROM list WHERE key = ?1 ORDER BY position LIMIT ?2")
        listIndexStatement = try prepare("SELECT value FROM list WHERE key = ?1 ORDER BY position LIMIT 1 OFFSET ?2")
        setAddStatement = try prepare("INSERT OR IGNORE INTO sets (key, member) VALUES (?1, ?2)")
        zsetAddStatement = try prepare("INSERT OR REPLACE INTO zsets (key, member, score) VALUES (?1, ?2, ?3)")
        zsetRangeStatement = try prepare("SELECT member, score FROM zsets WHERE key = ?1 ORDER BY score, member LIMIT ?2")
        insertStatement = try prepare("INSERT OR REPLACE INTO kv (key, value) VALUES (?1, ?2)")
        selectStatement = try prepare("SELECT value FROM kv WHERE key = ?1")
        hashStatement = try prepare("INSERT OR REPLACE INTO hash (key, field, value) VALUES (?1, ?2, ?3)")
        incrementStatement = try prepare("INSERT INTO kv (key, value) VALUES (?1, 1) ON CONFLICT (key) DO UPDATE SET value = value + 1")
        begin = try prepare("BEGIN")
        commit = try prepare("COMMIT")
    }

    deinit {
        for statement in [insertStatement, selectStatement, hashStatement, incrementStatement, listPushStatement, listPopStatement, listRangeStatement,
                          listIndexStatement, setAddStatement, zsetAddStatement, zsetRangeStatement, begin, commit] { sqlite_nio_sqlite3_finalize(statement) }
        sqlite_nio_sqlite3_close(db)
    }

    private func exec(_ sql: String) throws {
        guard sqlite_nio_sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw RedliteError.storage(String(cString: sqlite_nio_sqlite3_errmsg(db))) }
    }

    private func prepare(_ sql: String) throws -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite_nio_sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw RedliteError.storage(String(cString: sqlite_nio_sqlite3_errmsg(db))) }
        return statement
    }

    private func bind(_ statement: OpaquePointer?, _ index: Int32, _ bytes: ByteBuffer) {
        _ = bytes.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob(statement, index, $0.baseAddress, Int32($0.count), Self.transient) }
    }

    private func step(_ statement: OpaquePointer?) {
        while sqlite_nio_sqlite3_step(statement) == SQLITE_ROW {}
        sqlite_nio_sqlite3_reset(statement)
    }

    func insert(_ key: ByteBuffer, _ value: ByteBuffer) throws {
        bind(insertStatement, 1, key)
        bind(insertStatement, 2, value)
        step(insertStatement)
    }

    func select(_ key: ByteBuffer) throws {
        bind(selectStatement, 1, key)
        if sqlite_nio_sqlite3_step(selectStatement) == SQLITE_ROW {
            let count = Int(sqlite_nio_sqlite3_column_bytes(selectStatement, 0))
            if let pointer = sqlite_nio_sqlite3_column_blob(selectStatement, 0) {
                _ = ByteBuffer(bytes: UnsafeRawBufferPointer(start: pointer, count: count))
            }
        }
        sqlite_nio_sqlite3_reset(selectStatement)
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

    func listPush(_ key: ByteBuffer, _ value: ByteBuffer) throws {
        head -= 1
        bind(listPushStatement, 1, key)
        sqlite_nio_sqlite3_bind_int64(listPushStatement, 2, head)
        bind(listPushStatement, 3, value)
        step(listPushStatement)
    }

    func listPop(_ key: ByteBuffer) throws {
        bind(listPopStatement, 1, key)
        step(listPopStatement)
    }

    func listRange(_ key: ByteBuffer, _ count: Int64) throws {
        bind(listRangeStatement, 1, key)
        sqlite_nio_sqlite3_bind_int64(listRangeStatement, 2, count)
        readRows(listRangeStatement, columns: 1)
    }

    func listIndex(_ key: ByteBuffer, _ index: Int64) throws {
        bind(listIndexStatement, 1, key)
        sqlite_nio_sqlite3_bind_int64(listIndexStatement, 2, index)
        readRows(listIndexStatement, columns: 1)
    }

    func fillList(_ key: ByteBuffer, count: Int, value: ByteBuffer) throws {
        for start in stride(from: 0, to: count, by: 1000) {
            step(begin)
            for offset in start..<min(start + 1000, count) {
                bind(listPushStatement, 1, key)
                sqlite_nio_sqlite3_bind_int64(listPushStatement, 2, Int64(offset))
                bind(listPushStatement, 3, value)
                step(listPushStatement)
            }
            step(commit)
        }
    }

    func setAdd(_ key: ByteBuffer, _ member: ByteBuffer) throws {
        bind(setAddStatement, 1, key)
        bind(setAddStatement, 2, member)
        step(setAddStatement)
    }

    func zsetAdd(_ key: ByteBuffer, _ member: ByteBuffer, _ score: Double) throws {
        bind(zsetAddStatement, 1, key)
        bind(zsetAddStatement, 2, member)
        sqlite_nio_sqlite3_bind_double(zsetAddStatement, 3, score)
        step(zsetAddStatement)
    }

    func zsetRange(_ key: ByteBuffer, _ count: Int64) throws {
        bind(zsetRangeStatement, 1, key)
        sqlite_nio_sqlite3_bind_int64(zsetRangeStatement, 2, count)
        readRows(zsetRangeStatement, columns: 2)
    }

    /// Steps through every row, copying each blob column out as a real reader would.
    private func readRows(_ statement: OpaquePointer?, columns: Int32) {
        while sqlite_nio_sqlite3_step(statement) == SQLITE_ROW {
            for column in 0..<columns where sqlite_nio_sqlite3_column_type(statement, column) == SQLITE_BLOB {
                let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                if let pointer = sqlite_nio_sqlite3_column_blob(statement, column) {
                    _ = ByteBuffer(bytes: UnsafeRawBufferPointer(start: pointer, count: count))
                }
            }
        }
        sqlite_nio_sqlite3_reset(statement)
    }

    func batch(_ keys: [ByteBuffer], value: ByteBuffer) throws {
        for start in stride(from: 0, to: keys.count, by: 1000) {
            step(begin)
            for key in keys[start..<min(start + 1000, keys.count)] { try insert(key, value) }
            step(commit)
        }
    }
}
