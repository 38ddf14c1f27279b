import NIOCore
import RESP

/// Connection and database-level commands the engine answers itself: PING, ECHO, TIME, SELECT,
/// SWAPDB, DBSIZE, FLUSHDB, FLUSHALL.
enum ServerCommands {
    /// Redis's default `databases`.
    static let databaseCount: Int64 = 16

    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("ping") { _, arguments in
            switch arguments.count {
            case 1: return .simpleString("PONG")
            case 2: return .bulkString(arguments[1])
            default: throw RedisError.wrongArity("ping")
            }
        }
        registry.register("echo") { _, arguments in .bulkString(arguments[1]) }
        registry.register("time") { _, _ in
            let micros = Clock.microseconds()
            return .array([.bulk(String(micros / 1_000_000)), .bulk(String(micros % 1_000_000))])
        }
        registry.register("select") { context, arguments in
            let index = try arguments.integer(1)
            guard index >= Int64(Int32.min), index <= Int64(Int32.max) else { throw RedisError.intOutOfRange }
            guard index >= 0, index < databaseCount else { throw RedisError.dbIndexOutOfRange }
            context.database = Int(index)
            return .ok
        }
        registry.register("swapdb") { context, arguments in
            guard let first = RedisNumbers.parseInteger(arguments[1]), first >= Int64(Int32.min), first <= Int64(Int32.max) else {
                throw RedisError("ERR invalid first DB index")
            }
            guard let second = RedisNumbers.parseInteger(arguments[2]), second >= Int64(Int32.min), second <= Int64(Int32.max) else {
                throw RedisError("ERR invalid second DB index")
            }
            guard first >= 0, first < databaseCount, second >= 0, second < databaseCount else { throw RedisError.dbIndexOutOfRange }
            if first == second { return .ok }
            try context.write { connection in
                // Through a parking number: (db, key) is unique at every step of the update.
                for (from, to) in [(first, -1), (second, first), (-1, second)] {
                    let statement = try connection.statement("UPDATE keys SET db = ?2 WHERE db = ?1")
                    statement.bind(1, from).bind(2, to)
                    try statement.run()
                }
            }
            return .ok
        }
        registry.register("dbsize") { context, _ in
            try context.read { connection in .integer(try connection.liveKeyCount(db: context.db, now: context.now)) }
        }
        registry.register("flushdb") { context, arguments in
            try flushMode(arguments)
            try context.write { connection in
                let statement = try connection.statement("DELETE FROM keys WHERE db = ?1")
                statement.bind(1, context.db)
                try statement.run()
            }
            return .ok
        }
        registry.register("flushall") { context, arguments in
            try flushMode(arguments)
            try context.write { connection in try connection.statement("DELETE FROM keys").run() }
            return .ok
        }
    }

    /// FLUSHDB/FLUSHALL take an optional ASYNC or SYNC (both flush at once here).
    private static func flushMode(_ arguments: CommandArguments) throws(RedisError) {
        if arguments.count > 2 { throw .syntax }
        if arguments.count == 2 && !arguments.matches(1, "sync") && !arguments.matches(1, "async") { throw .syntax }
    }
}

/// Redlite's own commands: KEYINFO, VACUUM, AUTOVACUUM.
enum RedliteCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        // KEYINFO key: type, ttl (seconds, -1 for none), created_at and updated_at (Unix ms); nil if missing.
        registry.register("keyinfo", arity: 2) { context, arguments in
            try context.read { connection in
                let statement = try connection.statement("""
                    SELECT type, expire_at, created_at, updated_at FROM keys WHERE db = ?1 AND key = ?2
                    """)
                defer { statement.reset() }
                statement.bind(1, context.db).bind(2, arguments[1])
                guard try statement.step() else { return .nullBulkString }
                let expireAt = statement.optionalInt64(1)
                if let expireAt, expireAt <= context.now { return .nullBulkString }
                let ttl = expireAt.map { (max(0, $0 - context.now) + 500) / 1000 } ?? -1
                return .map([
                    .init(.bulk("type"), .simpleString(Schema.KeyType(rawValue: statement.int64(0))?.name ?? "none")),
                    .init(.bulk("ttl"), .integer(ttl)),
                    .init(.bulk("created_at"), .integer(statement.int64(2))),
                    .init(.bulk("updated_at"), .integer(statement.int64(3))),
                ])
            }
        }
        // VACUUM: delete expired keys in every database, then SQLite VACUUM. Replies the number deleted.
        registry.register("vacuum", arity: 1) { context, _ in
            guard context.connection == nil else { throw RedisError("ERR VACUUM cannot run inside a transaction") }
            let deleted = try context.store.deleteExpiredKeys()
            try context.store.withWriterAutocommit { connection in
                try connection.execute("VACUUM")
                try connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            }
            return .integer(Int64(deleted))
        }
        // AUTOVACUUM [ON | OFF | INTERVAL ms]: with no argument, the current settings.
        registry.register("autovacuum", arity: -1) { context, arguments in
            let settings = context.store.autovacuum
            switch arguments.count {
            case 1:
                return .map([
                    .init(.bulk("enabled"), .integer(settings.enabled ? 1 : 0)),
                    .init(.bulk("interval_ms"), .integer(settings.intervalMilliseconds)),
                ])
            case 2 where arguments.matches(1, "on"):
                settings.enabled = true
                return .ok
            case 2 where arguments.matches(1, "off"):
                settings.enabled = false
                return .ok
            case 3 where arguments.matches(1, "interval"):
                let interval = try arguments.integer(2)
                guard interval >= AutovacuumSettings.minimumMilliseconds else { throw RedisError("ERR AUTOVACUUM INTERVAL must be at least 1000 ms") }
                guard interval <= AutovacuumSettings.maximumMilliseconds else {
                    throw RedisError("ERR AUTOVACUUM INTERVAL must be at most 86400000 ms (a day)")
                }
                settings.intervalMilliseconds = interval
                return .ok
            default:
                throw RedisError.syntax
            }
        }
    }
}
