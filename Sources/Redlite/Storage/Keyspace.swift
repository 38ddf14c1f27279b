import VaporCSQLite
import NIOCore

/// One row of `keys` as commands see it.
struct KeyRecord {
    let id: Int64
    let type: Schema.KeyType
    let expireAt: Int64?
    /// A string's value (nil for other types, or when not requested).
    let value: ByteBuffer?
    /// Element count of an aggregate key.
    let size: Int64
}

/// Key-level operations shared by every data type: lookup with expiry, creation, deletion, version
/// bumps. Every function takes the connection it runs on, so the same code serves reads (a reader
/// connection) and writes (the writer, inside the command's transaction).
extension SQLiteConnection {
    /// The live key `key` in database `db`, or nil when it does not exist or has expired: a lookup
    /// to read it, counted as a keyspace hit or miss.
    ///
    /// A string's value comes whole, assembled when it is in chunks (see `StringChunks`), unless
    /// `loadingChunks` is false: then a chunked string's `value` is nil and `size` is its length,
    /// for a command that reads or writes only part of it.
    func lookupKey(db: Int64, key: ByteBuffer, now: Int64, loadingChunks: Bool = true) throws -> KeyRecord? {
        let statement = try statement("SELECT id, type, expire_at, value, size FROM keys WHERE db = ?1 AND key = ?2")
        statement.bind(1, db).bind(2, key)
        guard try statement.step() else {
            statement.reset()
            keyspaceStatistics?.recordLookup(found: false)
            return nil
        }
        let expireAt = statement.optionalInt64(2)
        if let expireAt, expireAt <= now {
            statement.reset()
            keyspaceStatistics?.recordLookup(found: false)
            return nil
        }
        keyspaceStatistics?.recordLookup(found: true)
        let id = statement.int64(0), size = statement.int64(4)
        let type = Schema.KeyType(rawValue: statement.int64(1)) ?? .string
        let value = type == .string && size == 0 ? statement.bytes(3) : nil
        statement.reset()
        return try stringRecord(id: id, type: type, expireAt: expireAt, value: value, size: size, loadingChunks: loadingChunks)
    }

    /// Like `lookupKey`, for a command about to write: an expired row is deleted first, so the key
    /// starts afresh. Not a keyspace hit or miss, unless `countedAsRead`: a write command that
    /// answers the old value (GETSET, GETDEL, GETEX, SET … GET) looks it up as a read in Redis.
    func lookupKeyForWrite(db: Int64, key: ByteBuffer, now: Int64, countedAsRead: Bool = false, loadingChunks: Bool = true) throws -> KeyRecord? {
        let statement = try statement("SELECT id, type, expire_at, value, size FROM keys WHERE db = ?1 AND key = ?2")
        statement.bind(1, db).bind(2, key)
        guard try statement.step() else {
            statement.reset()
            if countedAsRead { keyspaceStatistics?.recordLookup(found: false) }
            return nil
        }
        let id = statement.int64(0)
        let expireAt = statement.optionalInt64(2)
        let type = Schema.KeyType(rawValue: statement.int64(1)) ?? .string
        let size = statement.int64(4)
        let value = type == .string && size == 0 ? statement.bytes(3) : nil
        statement.reset()
        if let expireAt, expireAt <= now {
            try deleteKey(id: id)
            keyspaceStatistics?.recordExpired(1)
            expiredKeys.append((Int(db), key))
            if countedAsRead { keyspaceStatistics?.recordLookup(found: false) }
            return nil
        }
        if countedAsRead { keyspaceStatistics?.recordLookup(found: true) }
        return try stringRecord(id: id, type: type, expireAt: expireAt, value: value, size: size, loadingChunks: loadingChunks)
    }

    /// The record of a lookup, with a chunked string's value assembled when `loadingChunks`.
    private func stringRecord(id: Int64, type: Schema.KeyType, expireAt: Int64?, value: ByteBuffer?, size: Int64,
                              loadingChunks: Bool) throws -> KeyRecord {
        guard type == .string, size > 0, loadingChunks else {
            return KeyRecord(id: id, type: type, expireAt: expireAt, value: value, size: size)
        }
        return KeyRecord(id: id, type: type, expireAt: expireAt, value: try chunkedStringValue(id: id, length: size), size: size)
    }

    /// The live key of `type`, nil when missing, WRONGTYPE when of another type.
    func lookupKey(db: Int64, key: ByteBuffer, now: Int64, type: Schema.KeyType, forWrite: Bool = false,
                   countedAsRead: Bool = false, loadingChunks: Bool = true) throws -> KeyRecord? {
        // A string in chunks is assembled only for a string command that asks: any other type's
        // lookup finds it only to answer WRONGTYPE.
        let assemble = loadingChunks && type == .string
        let record = forWrite
            ? try lookupKeyForWrite(db: db, key: key, now: now, countedAsRead: countedAsRead, loadingChunks: assemble)
            : try lookupKey(db: db, key: key, now: now, loadingChunks: assemble)
        if let record, record.type != type { throw RedisError.wrongType }
        return record
    }

    /// Creates an empty key of `type` (for aggregate types) and returns its id.
    func createKey(db: Int64, key: ByteBuffer, type: Schema.KeyType, now: Int64) throws -> Int64 {
        let statement = try statement("""
            INSERT INTO keys (db, key, type, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
            """)
        statement.bind(1, db).bind(2, key).bind(3, type.rawValue).bind(4, now)
        try statement.run()
        return sqlite3LastInsertRowID
    }

    /// Deletes a key row and (by cascade) its elements.
    func deleteKey(id: Int64) throws {
        let statement = try statement("DELETE FROM keys WHERE id = ?1")
        statement.bind(1, id)
        try statement.run()
    }

    /// Remembers the earliest expiry set by this connection's writes (see `earliestExpirySet`).
    func noteExpirySet(_ expireAt: Int64?) {
        guard let expireAt else { return }
        earliestExpirySet = min(earliestExpirySet ?? expireAt, expireAt)
    }

    /// Records a write to a key: version (for WATCH) and update time.
    func touchKey(id: Int64, now: Int64) throws {
        let statement = try statement("UPDATE keys SET version = version + 1, updated_at = ?2 WHERE id = ?1")
        statement.bind(1, id).bind(2, now)
        try statement.run()
    }

    /// Records a write that changed an aggregate's element count by `delta`; deletes the key when it
    /// is left empty (as Redis does). Returns the new count.
    ///
    /// With `sizeBefore` (the count its lookup in this transaction found) the new count is known and
    /// read back only if the key may be empty. Otherwise it is read back with a SELECT rather than
    /// `UPDATE … RETURNING`: SQLite buffers RETURNING rows in a temporary table, which made the
    /// statement 2.5–3 µs slower (0.7–1.1 µs without it, in a C micro-benchmark), a fifth of a ZADD's
    /// or LPUSH's time on the writer.
    @discardableResult
    func updateSize(id: Int64, by delta: Int64, sizeBefore: Int64? = nil, now: Int64) throws -> Int64 {
        try adjustSize(id: id, by: delta, now: now)
        if let sizeBefore, sizeBefore + delta > 0 { return sizeBefore + delta }
        let statement = try statement("SELECT size, db, key FROM keys WHERE id = ?1")
        statement.bind(1, id)
        _ = try statement.step()
        let size = statement.int64(0)
        let emptied = size <= 0 ? (database: Int(statement.int64(1)), key: statement.bytes(2)) : nil
        statement.reset()
        if let emptied {
            try deleteKey(id: id)
            emptiedKeys.append(emptied)
        }
        return size
    }

    /// Records a write that changed an aggregate's element count by `delta` when the caller knows it is
    /// not left empty (it only added): unlike `updateSize` nothing is read back.
    func adjustSize(id: Int64, by delta: Int64, now: Int64) throws {
        let statement = try statement("UPDATE keys SET size = size + ?2, version = version + 1, updated_at = ?3 WHERE id = ?1")
        statement.bind(1, id).bind(2, delta).bind(3, now)
        try statement.run()
    }

    /// Sets or clears a key's expiry (and records the write).
    func setExpiry(id: Int64, expireAt: Int64?, now: Int64) throws {
        let statement = try statement("UPDATE keys SET expire_at = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1")
        statement.bind(1, id).bind(2, expireAt).bind(3, now)
        try statement.run()
        noteExpirySet(expireAt)
    }

    /// Writes a string value (creating the key, or replacing whatever the key held): one statement, or
    /// four when the key held another type or a string in chunks (see `StringChunks`).
    ///
    /// - Parameters:
    ///   - expireAt: the new expiry, or nil for none.
    ///   - keepTTL: keep the current expiry of a live key instead (SET KEEPTTL, SETRANGE, APPEND, INCR…).
    func writeString(db: Int64, key: ByteBuffer, value: ByteBuffer, expireAt: Int64?, keepTTL: Bool, now: Int64) throws {
        // The common case, a string over a string or a new key, leaves `type` alone: naming it in the
        // SET list would run the type-change trigger's program on every write (about 10 % of the
        // statement's cost in a batch of random SETs). Over another type the update's WHERE skips the
        // row, nothing changes, and the upsert runs again once the key is converted. So it does over a
        // string in chunks (`size > 0`), whose chunks go first.
        let statement = try statement("""
            INSERT INTO keys (db, key, type, value, expire_at, created_at, updated_at)
            VALUES (?1, ?2, 1, ?3, ?4, ?5, ?5)
            ON CONFLICT (db, key) DO UPDATE SET
                value = excluded.value,
                expire_at = CASE WHEN ?6 AND (expire_at IS NULL OR expire_at > ?5) THEN expire_at ELSE excluded.expire_at END,
                created_at = CASE WHEN expire_at IS NOT NULL AND expire_at <= ?5 THEN redlite_replaced_expired(?5) ELSE created_at END,
                version = version + 1,
                updated_at = ?5
            WHERE type = 1 AND size = 0
            """)
        statement.bind(1, db).bind(2, key).bind(3, value).bind(4, expireAt).bind(5, now).bind(6, Int64(keepTTL ? 1 : 0))
        noteExpirySet(expireAt)
        defer {
            // A key that had expired and was replaced counts as expired (expired_keys, an `expired`
            // event), as Redis's lookup before its write removes it first.
            if replacedExpiredRows > 0 {
                replacedExpiredRows = 0
                keyspaceStatistics?.recordExpired(1)
                expiredKeys.append((Int(db), key))
            }
        }
        try statement.run()
        if statement.changes > 0 { return }
        // The key holds another type: it becomes an empty string (the trigger deletes its old
        // elements); the upsert, run again with the same bindings (a reset keeps them), now applies.
        // A chunked string's chunks are deleted here, as its type does not change.
        // In one transaction: a caller in autocommit (a SET outside MULTI, embedded) must not leave,
        // or let a reader see, a key between the two.
        try transaction {
            let chunks = try self.statement("DELETE FROM string_chunks WHERE key_id = (SELECT id FROM keys WHERE db = ?1 AND key = ?2 AND type = 1)")
            chunks.bind(1, db).bind(2, key)
            try chunks.run()
            let conversion = try self.statement("UPDATE keys SET type = 1, size = 0 WHERE db = ?1 AND key = ?2")
            conversion.bind(1, db).bind(2, key)
            try conversion.run()
            try statement.run()
        }
    }

    /// Replaces the value of a live string key found by a lookup in this transaction, keeping its
    /// expiry: one update by row id instead of `writeString`'s upsert through the (db, key) index.
    func replaceStringValue(id: Int64, value: ByteBuffer, now: Int64) throws {
        let statement = try statement("UPDATE keys SET value = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1")
        statement.bind(1, id).bind(2, value).bind(3, now)
        try statement.run()
    }

    /// The live keys of `db` (DBSIZE): every key row of the database less the expired ones active
    /// expiry has not removed yet.
    ///
    /// Counted without visiting the rows: SQLite counts a whole index from its pages' cell counts
    /// (`SELECT count(*)` alone), the keys of the other databases are subtracted (index ranges,
    /// empty in the common case of one database in use), and the expired ones come from the
    /// (db, expire_at) index. A `WHERE db = ? AND expire_at …` count had read every row: 180 ms for
    /// 160,000 keys, on the event loop that answered it.
    func liveKeyCount(db: Int64, now: Int64) throws -> Int64 {
        let all = try count("SELECT count(*) FROM keys", bindings: [])
        let others = try count("SELECT count(*) FROM keys WHERE db < ?1", bindings: [db])
            + count("SELECT count(*) FROM keys WHERE db > ?1", bindings: [db])
        return all - others - (try expiredKeyCount(db: db, now: now))
    }

    /// The live keys of every database that has key rows, in database order (INFO keyspace, MEMORY
    /// STATS). With one database in use its count is `liveKeyCount`'s page-level count; with several,
    /// each database's own index range is counted once (`liveKeyCount` per database would read the
    /// other databases' ranges again for each).
    func liveKeyCounts(now: Int64) throws -> [(database: Int64, keys: Int64)] {
        let databases = try databasesWithKeys()
        if databases.count == 1 { return [(databases[0], try liveKeyCount(db: databases[0], now: now))] }
        return try databases.map { database in
            let rows = try count("SELECT count(*) FROM keys WHERE db = ?1", bindings: [database])
            return (database, rows - (try expiredKeyCount(db: database, now: now)))
        }
    }

    /// Keys of `db` whose time has passed but whose rows are still there.
    func expiredKeyCount(db: Int64, now: Int64) throws -> Int64 {
        try count("SELECT count(*) FROM keys INDEXED BY keys_expiry WHERE db = ?1 AND expire_at <= ?2", bindings: [db, now])
    }

    /// The databases that hold key rows, found by one index seek each.
    func databasesWithKeys() throws -> [Int64] {
        let statement = try statement("SELECT db FROM keys WHERE db > ?1 ORDER BY db LIMIT 1")
        var databases: [Int64] = []
        var after: Int64 = -1
        while true {
            statement.bind(1, after)
            guard try statement.step() else { break }
            after = statement.int64(0)
            statement.reset()
            databases.append(after)
        }
        statement.reset()
        return databases
    }

    private func count(_ sql: StaticString, bindings: [Int64]) throws -> Int64 {
        let statement = try statement(sql)
        defer { statement.reset() }
        for (index, value) in bindings.enumerated() { statement.bind(Int32(index + 1), value) }
        _ = try statement.step()
        return statement.int64(0)
    }
}

extension SQLiteConnection {
    var sqlite3LastInsertRowID: Int64 { sqlite_nio_sqlite3_last_insert_rowid(handle) }
}
