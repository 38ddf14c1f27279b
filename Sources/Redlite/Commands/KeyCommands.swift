import NIOCore
import RESP

/// Generic key commands (Redis's db.c and expire.c): existence, types, iteration, renaming,
/// copying, moving and expiry.
enum KeyCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("del") { context, arguments in try delete(&context, arguments) }
        registry.register("unlink") { context, arguments in try delete(&context, arguments) }
        // TOUCH only counts: Redlite keeps no access times to update.
        registry.register("exists") { context, arguments in try countExisting(&context, arguments) }
        registry.register("touch") { context, arguments in try countExisting(&context, arguments) }
        registry.register("type") { context, arguments in
            try context.read { connection in
                .simpleString(try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, loadingChunks: false)?.type.name ?? "none")
            }
        }
        registry.register("keys") { context, arguments in
            let pattern = GlobPattern(arguments[1])
            return try context.read { connection in
                let statement = try connection.statement("SELECT key FROM keys WHERE db = ?1 AND (expire_at IS NULL OR expire_at > ?2)")
                defer { statement.reset() }
                statement.bind(1, context.db).bind(2, context.now)
                var keys: [RESPValue] = []
                while try statement.step() {
                    let key = statement.bytes(0)
                    if pattern.matches(key) { keys.append(.bulkString(key)) }
                }
                return .array(keys)
            }
        }
        registry.register("scan") { context, arguments in try scan(&context, arguments) }
        registry.register("randomkey") { context, _ in
            try context.read { connection in try connection.randomKey(db: context.db, now: context.now).map { .bulkString($0) } ?? .nullBulkString }
        }
        registry.register("rename") { context, arguments in try rename(&context, arguments, onlyIfNew: false) }
        registry.register("renamenx") { context, arguments in try rename(&context, arguments, onlyIfNew: true) }
        registry.register("copy") { context, arguments in try copy(&context, arguments) }
        registry.register("move") { context, arguments in try move(&context, arguments) }
        registry.register("ttl") { context, arguments in try ttl(&context, arguments, milliseconds: false) }
        registry.register("pttl") { context, arguments in try ttl(&context, arguments, milliseconds: true) }
        registry.register("expiretime") { context, arguments in try expireTime(&context, arguments, milliseconds: false) }
        registry.register("pexpiretime") { context, arguments in try expireTime(&context, arguments, milliseconds: true) }
        registry.register("expire") { context, arguments in try expire(&context, arguments, unit: .seconds, absolute: false, command: "expire") }
        registry.register("pexpire") { context, arguments in try expire(&context, arguments, unit: .milliseconds, absolute: false, command: "pexpire") }
        registry.register("expireat") { context, arguments in try expire(&context, arguments, unit: .seconds, absolute: true, command: "expireat") }
        registry.register("pexpireat") { context, arguments in try expire(&context, arguments, unit: .milliseconds, absolute: true, command: "pexpireat") }
        registry.register("persist") { context, arguments in
            try context.write { connection in
                guard let record = try connection.lookupKeyForWrite(db: context.db, key: arguments[1], now: context.now, loadingChunks: false), record.expireAt != nil else {
                    return .integer(0)
                }
                try connection.setExpiry(id: record.id, expireAt: nil, now: context.now)
                return .integer(1)
            }
        }
    }

    /// How many of the arguments name live keys (a key named twice counts twice).
    private static func countExisting(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        try context.read { connection in
            var count: Int64 = 0
            for index in 1..<arguments.count where try connection.lookupKey(db: context.db, key: arguments[index], now: context.now, loadingChunks: false) != nil {
                count += 1
            }
            return .integer(count)
        }
    }

    private static func delete(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let (count, deleted) = try context.write { connection -> (Int64, [ByteBuffer]) in
            var deleted: [ByteBuffer] = []
            for index in 1..<arguments.count {
                if let record = try connection.lookupKeyForWrite(db: context.db, key: arguments[index], now: context.now, loadingChunks: false) {
                    try connection.deleteKey(id: record.id)
                    deleted.append(arguments[index])
                }
            }
            return (Int64(deleted.count), deleted)
        }
        let database = context.database
        context.deletedKeyEvents = deleted.map { .init(database: database, key: $0, name: "del", kind: "g") }
        return .integer(count)
    }

    /// SCAN's cursor is the id of the last key row returned. Ids only grow, and a key keeps its id for
    /// as long as it exists, so every key present for the whole iteration is returned (exactly once).
    private static func scan(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        guard let cursor = parseCursor(arguments[1]) else { throw RedisError.invalidCursor }
        var count: Int64 = 10
        var pattern: GlobPattern?
        var type: String?
        var index = 2
        while index < arguments.count {
            let remaining = arguments.count - index
            if arguments.matches(index, "count") && remaining >= 2 {
                count = try arguments.integer(index + 1)
                guard count >= 1 else { throw RedisError.syntax }
            } else if arguments.matches(index, "match") && remaining >= 2 {
                pattern = GlobPattern(arguments[index + 1])
            } else if arguments.matches(index, "type") && remaining >= 2 {
                type = arguments.string(index + 1).lowercased()
            } else {
                throw RedisError.syntax
            }
            index += 2
        }
        // The cursor is a row id: SCAN walks the keys table in row id order, every database's rows
        // together, and visits `count` keys of this database or, in a database sparse among others,
        // at most ten times as many rows, so one call's work is bounded by COUNT as in Redis (a call
        // may answer fewer keys, or none, before the end). Selecting `db = ?` instead made SQLite
        // read the whole database through the (db, key) index and sort it by id on every call: a
        // full iteration was quadratic (60 ms per call with 160,000 keys).
        let examined = count > Int64.max / 10 ? Int64.max : count * 10
        return try context.read { connection in
            let statement = try connection.statement("""
                SELECT id, db, key, type, expire_at FROM keys NOT INDEXED WHERE id > ?1 ORDER BY id LIMIT ?2
                """)
            defer { statement.reset() }
            statement.bind(1, Int64(bitPattern: cursor)).bind(2, examined)
            var keys: [RESPValue] = []
            var lastID: Int64 = 0
            var rows: Int64 = 0, visited: Int64 = 0
            while visited < count, try statement.step() {
                rows += 1
                lastID = statement.int64(0)
                guard statement.int64(1) == context.db else { continue }
                visited += 1
                if let expireAt = statement.optionalInt64(4), expireAt <= context.now { continue }
                let key = statement.bytes(2)
                if let pattern, !pattern.matches(key) { continue }
                if let type, Schema.KeyType(rawValue: statement.int64(3))?.name != type { continue }
                keys.append(.bulkString(key))
            }
            // The end: fewer rows than the walk allowed, and this database's quota not reached.
            let next = visited < count && rows < examined ? "0" : String(lastID)
            return .array([.bulk(next), .array(keys)])
        }
    }

    /// A SCAN cursor as Redis reads it (`strtoul`, no leading space, nothing after the digits): an
    /// optional sign, then decimal digits below 2^64; a minus negates modulo 2^64 (`-1` is 2^64 − 1),
    /// and an empty string is 0.
    static func parseCursor(_ raw: ByteBuffer) -> UInt64? {
        var bytes = raw.readableBytesView[...]
        guard let first = bytes.first else { return 0 }
        var negative = false
        if first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            negative = first == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return nil }  // a sign alone: no digits, strtoul stops at the sign
        var value: UInt64 = 0
        for byte in bytes {
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            let (times10, overflowed) = value.multipliedReportingOverflow(by: 10)
            let (sum, carried) = times10.addingReportingOverflow(UInt64(byte - 0x30))
            guard !overflowed, !carried else { return nil }  // ERANGE
            value = sum
        }
        return negative ? 0 &- value : value
    }

    private static func rename(_ context: inout CommandContext, _ arguments: CommandArguments, onlyIfNew: Bool) throws -> RESPValue {
        try context.write { connection in
            guard let source = try connection.lookupKeyForWrite(db: context.db, key: arguments[1], now: context.now, loadingChunks: false) else {
                throw RedisError.noSuchKey
            }
            if arguments[1] == arguments[2] { return onlyIfNew ? .integer(0) : .ok }
            if let target = try connection.lookupKeyForWrite(db: context.db, key: arguments[2], now: context.now, loadingChunks: false) {
                if onlyIfNew { return .integer(0) }
                try connection.deleteKey(id: target.id)
            }
            let statement = try connection.statement("UPDATE keys SET key = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1")
            statement.bind(1, source.id).bind(2, arguments[2]).bind(3, context.now)
            try statement.run()
            return onlyIfNew ? .integer(1) : .ok
        }
    }

    private static func databaseIndex(_ arguments: CommandArguments, _ index: Int) throws(RedisError) -> Int64 {
        let value = try arguments.integer(index)
        guard value >= Int64(Int32.min), value <= Int64(Int32.max) else { throw .intOutOfRange }
        guard value >= 0, value < ServerCommands.databaseCount else { throw .dbIndexOutOfRange }
        return value
    }

    private static func copy(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        var targetDB = context.db
        var replace = false
        var index = 3
        while index < arguments.count {
            if arguments.matches(index, "replace") {
                replace = true
            } else if arguments.matches(index, "db") && index < arguments.count - 1 {
                targetDB = try databaseIndex(arguments, index + 1)
                index += 1
            } else {
                throw RedisError.syntax
            }
            index += 1
        }
        if targetDB == context.db && arguments[1] == arguments[2] { throw RedisError.sameObject }
        return try context.write { connection in
            guard let source = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, loadingChunks: false) else { return .integer(0) }
            if let target = try connection.lookupKeyForWrite(db: targetDB, key: arguments[2], now: context.now, loadingChunks: false) {
                guard replace else { return .integer(0) }
                try connection.deleteKey(id: target.id)
            }
            try connection.copyKey(source, toDB: targetDB, key: arguments[2], now: context.now)
            return .integer(1)
        }
    }

    private static func move(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let targetDB = try databaseIndex(arguments, 2)
        if targetDB == context.db { throw RedisError.sameObject }
        return try context.write { connection in
            guard let source = try connection.lookupKeyForWrite(db: context.db, key: arguments[1], now: context.now, loadingChunks: false) else { return .integer(0) }
            if try connection.lookupKeyForWrite(db: targetDB, key: arguments[1], now: context.now, loadingChunks: false) != nil { return .integer(0) }
            let statement = try connection.statement("UPDATE keys SET db = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1")
            statement.bind(1, source.id).bind(2, targetDB).bind(3, context.now)
            try statement.run()
            return .integer(1)
        }
    }

    private static func ttl(_ context: inout CommandContext, _ arguments: CommandArguments, milliseconds: Bool) throws -> RESPValue {
        try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, loadingChunks: false) else { return .integer(-2) }
            guard let expireAt = record.expireAt else { return .integer(-1) }
            let remaining = max(0, expireAt - context.now)
            return .integer(milliseconds ? remaining : (remaining + 500) / 1000)
        }
    }

    private static func expireTime(_ context: inout CommandContext, _ arguments: CommandArguments, milliseconds: Bool) throws -> RESPValue {
        try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, loadingChunks: false) else { return .integer(-2) }
            guard let expireAt = record.expireAt else { return .integer(-1) }
            return .integer(milliseconds ? expireAt : expireAt / 1000)
        }
    }

    private static func expire(
        _ context: inout CommandContext, _ arguments: CommandArguments,
        unit: ExpireArgument.Unit, absolute: Bool, command: String
    ) throws -> RESPValue {
        var nx = false, xx = false, gt = false, lt = false
        for index in 3..<max(3, arguments.count) {
            if arguments.matches(index, "nx") { nx = true }
            else if arguments.matches(index, "xx") { xx = true }
            else if arguments.matches(index, "gt") { gt = true }
            else if arguments.matches(index, "lt") { lt = true }
            else { throw RedisError("ERR Unsupported option \(arguments.string(index))") }
        }
        if nx && (xx || gt || lt) { throw RedisError("ERR NX and XX, GT or LT options at the same time are not compatible") }
        if gt && lt { throw RedisError("ERR GT and LT options at the same time are not compatible") }
        var when = try arguments.integer(2)
        if unit == .seconds {
            guard when <= Int64.max / 1000, when >= Int64.min / 1000 else { throw RedisError.invalidExpire(command) }
            when *= 1000
        }
        let base = absolute ? 0 : context.now
        guard when <= Int64.max - base else { throw RedisError.invalidExpire(command) }
        when += base
        let expireAt = when
        return try context.write { connection in
            guard let record = try connection.lookupKeyForWrite(db: context.db, key: arguments[1], now: context.now, loadingChunks: false) else { return .integer(0) }
            let current = record.expireAt
            if nx && current != nil { return .integer(0) }
            if xx && current == nil { return .integer(0) }
            if gt && (current == nil || expireAt <= current!) { return .integer(0) }
            if lt, let current, expireAt >= current { return .integer(0) }
            if expireAt <= context.now {
                try connection.deleteKey(id: record.id)
            } else {
                try connection.setExpiry(id: record.id, expireAt: expireAt, now: context.now)
            }
            return .integer(1)
        }
    }
}

extension SQLiteConnection {
    /// Copies a key (row and elements) to `key` in `toDB`, with its expiry. The target must not exist.
    func copyKey(_ source: KeyRecord, toDB db: Int64, key: ByteBuffer, now: Int64) throws {
        let statement = try statement("""
            INSERT INTO keys (db, key, type, value, expire_at, size, created_at, updated_at)
            SELECT ?2, ?3, type, value, expire_at, size, ?4, ?4 FROM keys WHERE id = ?1
            """)
        statement.bind(1, source.id).bind(2, db).bind(3, key).bind(4, now)
        try statement.run()
        noteExpirySet(source.expireAt)
        let copyID = sqlite3LastInsertRowID
        switch source.type {
        case .hash:
            let elements = try self.statement("INSERT INTO hashes (key_id, field, value) SELECT ?2, field, value FROM hashes WHERE key_id = ?1")
            elements.bind(1, source.id).bind(2, copyID)
            try elements.run()
        case .list:
            let elements = try self.statement("INSERT INTO lists (key_id, position, value) SELECT ?2, position, value FROM lists WHERE key_id = ?1")
            elements.bind(1, source.id).bind(2, copyID)
            try elements.run()
        case .set:
            let elements = try self.statement("INSERT INTO sets (key_id, member) SELECT ?2, member FROM sets WHERE key_id = ?1")
            elements.bind(1, source.id).bind(2, copyID)
            try elements.run()
        case .zset:
            let elements = try self.statement("INSERT INTO zsets (key_id, member, score) SELECT ?2, member, score FROM zsets WHERE key_id = ?1")
            elements.bind(1, source.id).bind(2, copyID)
            try elements.run()
        case .string:
            guard source.isChunkedString else { break }
            let chunks = try self.statement("INSERT INTO string_chunks (key_id, chunk, bytes) SELECT ?2, chunk, bytes FROM string_chunks WHERE key_id = ?1")
            chunks.bind(1, source.id).bind(2, copyID)
            try chunks.run()
        }
    }
}

extension SQLiteConnection {
    /// A live key of `db` picked at random (RANDOMKEY), nil when it has none: the first live key of
    /// the database at or after a random row id, wrapping around to the start. Like Redis's (a random
    /// bucket of its hash table) the choice is not uniform: a key after a run of deleted ids is
    /// likelier. It costs a few index seeks where counting the keys and skipping a random number of
    /// them read every row.
    func randomKey(db: Int64, now: Int64) throws -> ByteBuffer? {
        guard try liveKeyCount(db: db, now: now) > 0 else { return nil }
        // Two queries: SQLite reads a lone min() or max() of the row id from one end of the table,
        // but scans the whole table for both at once.
        let lowest = try statement("SELECT min(id) FROM keys"), highest = try statement("SELECT max(id) FROM keys")
        defer {
            lowest.reset()
            highest.reset()
        }
        guard try lowest.step(), try highest.step(), let low = lowest.optionalInt64(0), let high = highest.optionalInt64(0) else { return nil }
        let start = Int64.random(in: low...high)
        let after = try statement("""
            SELECT key FROM keys NOT INDEXED WHERE id >= ?3 AND db = ?1 AND (expire_at IS NULL OR expire_at > ?2) ORDER BY id LIMIT 1
            """)
        defer { after.reset() }
        after.bind(1, db).bind(2, now).bind(3, start)
        if try after.step() { return after.bytes(0) }
        let before = try statement("""
            SELECT key FROM keys NOT INDEXED WHERE id < ?3 AND db = ?1 AND (expire_at IS NULL OR expire_at > ?2) ORDER BY id LIMIT 1
            """)
        defer { before.reset() }
        before.bind(1, db).bind(2, now).bind(3, start)
        return try before.step() ? before.bytes(0) : nil
    }
}
