import NIOCore
import RESP

/// Hash commands (Redis's t_hash.c). Fields live in the `hashes` table, one row per field.
enum HashCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("hset") { context, arguments in
            guard arguments.count % 2 == 0 else { throw RedisError.wrongArity("hset") }
            return .integer(try set(&context, arguments, onlyNew: false))
        }
        registry.register("hmset") { context, arguments in
            guard arguments.count % 2 == 0 else { throw RedisError.wrongArity("hmset") }
            _ = try set(&context, arguments, onlyNew: false)
            return .ok
        }
        registry.register("hsetnx") { context, arguments in
            .integer(try set(&context, arguments, onlyNew: true))
        }
        registry.register("hget") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else {
                    return .nullBulkString
                }
                return try connection.hashField(record.id, arguments[2]).map { .bulkString($0) } ?? .nullBulkString
            }
        }
        registry.register("hmget") { context, arguments in
            try context.read { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash)
                var values: [RESPValue] = []
                for index in 2..<arguments.count {
                    let value = try record.flatMap { try connection.hashField($0.id, arguments[index]) }
                    values.append(value.map { .bulkString($0) } ?? .nullBulkString)
                }
                return .array(values)
            }
        }
        registry.register("hgetall") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else {
                    return .map([])
                }
                return .map(try connection.hashEntries(record.id).map { .init(.bulkString($0.field), .bulkString($0.value)) })
            }
        }
        registry.register("hkeys") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else { return .array([]) }
                return .array(try connection.hashEntries(record.id).map { .bulkString($0.field) })
            }
        }
        registry.register("hvals") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else { return .array([]) }
                return .array(try connection.hashEntries(record.id).map { .bulkString($0.value) })
            }
        }
        registry.register("hlen") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else { return .integer(0) }
                return .integer(record.size)
            }
        }
        registry.register("hexists") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else { return .integer(0) }
                return .integer(try connection.hashField(record.id, arguments[2]) == nil ? 0 : 1)
            }
        }
        registry.register("hstrlen") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else { return .integer(0) }
                return .integer(Int64(try connection.hashField(record.id, arguments[2])?.readableBytes ?? 0))
            }
        }
        registry.register("hdel") { context, arguments in
            try context.write { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash, forWrite: true) else {
                    return .integer(0)
                }
                var deleted: Int64 = 0
                let statement = try connection.statement("DELETE FROM hashes WHERE key_id = ?1 AND field = ?2")
                for index in 2..<arguments.count {
                    statement.bind(1, record.id).bind(2, arguments[index])
                    try statement.run()
                    deleted += Int64(statement.changes)
                }
                if deleted > 0 { try connection.updateSize(id: record.id, by: -deleted, now: context.now) }
                return .integer(deleted)
            }
        }
        registry.register("hincrby") { context, arguments in
            let increment = try arguments.integer(3)
            return try context.write { connection in
                let id = try connection.hashForWrite(db: context.db, key: arguments[1], now: context.now)
                var current: Int64 = 0
                if let value = try connection.hashField(id, arguments[2]) {
                    guard let parsed = RedisNumbers.parseInteger(value) else { throw RedisError.hashNotInteger }
                    current = parsed
                }
                let (result, overflow) = current.addingReportingOverflow(increment)
                guard !overflow else { throw RedisError.overflow }
                var text = ByteBuffer()
                text.writeDecimal(result)
                let created = try connection.setHashField(id, arguments[2], text)
                try connection.adjustSize(id: id, by: created ? 1 : 0, now: context.now)
                return .integer(result)
            }
        }
        registry.register("hincrbyfloat") { context, arguments in
            guard let increment = RedisNumbers.parseLongDouble(arguments[3]) else { throw RedisError.notFloat }
            guard increment.isFinite else { throw RedisError("ERR value is NaN or Infinity") }
            return try context.write { connection in
                let id = try connection.hashForWrite(db: context.db, key: arguments[1], now: context.now)
                var current: Float80 = 0
                if let value = try connection.hashField(id, arguments[2]) {
                    guard let parsed = RedisNumbers.parseLongDouble(value) else { throw RedisError.hashNotFloat }
                    current = parsed
                }
                let result = current + increment
                guard !result.isNaN, !result.isInfinite else { throw RedisError.nanOrInfinity }
                let text = ByteBuffer(string: RedisNumbers.formatHuman(result))
                let created = try connection.setHashField(id, arguments[2], text)
                try connection.adjustSize(id: id, by: created ? 1 : 0, now: context.now)
                return .bulkString(text)
            }
        }
        registry.register("hrandfield") { context, arguments in try randomField(&context, arguments) }
        registry.register("hscan") { context, arguments in
            guard KeyCommands.parseCursor(arguments[2]) != nil else { throw RedisError.invalidCursor }
            return try context.read { connection in
                // As in Redis: the cursor, then the key (missing: an empty reply whatever the options;
                // WRONGTYPE), then the options.
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else {
                    return .array([.bulk("0"), .array([])])
                }
                let pattern = try ScanOptions.parse(arguments, from: 3)
                // The whole hash in one reply with cursor 0, as Redis does for small hashes: a cursor
                // over a changing hash could skip fields, a complete reply cannot.
                var items: [RESPValue] = []
                for entry in try connection.hashEntries(record.id) where pattern?.matches(entry.field) ?? true {
                    items.append(.bulkString(entry.field))
                    items.append(.bulkString(entry.value))
                }
                return .array([.bulk("0"), .array(items)])
            }
        }
    }

    /// HSET / HMSET / HSETNX: the number of fields created.
    private static func set(_ context: inout CommandContext, _ arguments: CommandArguments, onlyNew: Bool) throws -> Int64 {
        try context.write { connection in
            let id = try connection.hashForWrite(db: context.db, key: arguments[1], now: context.now)
            var created: Int64 = 0
            for index in stride(from: 2, to: arguments.count, by: 2) {
                if onlyNew {
                    if try connection.hashField(id, arguments[index]) != nil { continue }
                }
                if try connection.setHashField(id, arguments[index], arguments[index + 1]) { created += 1 }
            }
            if created > 0 || !onlyNew {
                try connection.adjustSize(id: id, by: created, now: context.now)
            }
            return created
        }
    }

    private static func randomField(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        guard arguments.count >= 3 else {
            return try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else {
                    return .nullBulkString
                }
                return try connection.hashEntries(record.id, at: RandomPositions.distinct(1, of: record.size)).first
                    .map { .bulkString($0.field) } ?? .nullBulkString
            }
        }
        let requested = try arguments.integer(2)
        guard requested > -Int64.max else {
            throw RedisError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
        }
        var withValues = false
        if arguments.count == 4 {
            guard arguments.matches(3, "withvalues") else { throw RedisError.syntax }
            withValues = true
        } else if arguments.count > 4 {
            throw RedisError.syntax
        }
        if withValues && (requested < -Int64.max / 2 || requested > Int64.max / 2) { throw RedisError.outOfRange }
        let resp3 = context.resp3
        return try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .hash) else {
                return .array([])
            }
            if requested == 0 { return .array([]) }
            let chosen: [(field: ByteBuffer, value: ByteBuffer)]
            if requested < 0 {
                // Negative count: that many picks, repetitions allowed.
                let positions = RandomPositions.withRepetition(Int(min(-requested, 10_000_000)), of: record.size)
                chosen = try connection.hashEntries(record.id, at: positions).shuffled()
            } else if requested >= record.size {
                chosen = try connection.hashEntries(record.id)
            } else {
                chosen = try connection.hashEntries(record.id, at: RandomPositions.distinct(requested, of: record.size)).shuffled()
            }
            guard withValues else { return .array(chosen.map { .bulkString($0.field) }) }
            if resp3 { return .array(chosen.map { .array([.bulkString($0.field), .bulkString($0.value)]) }) }
            return .array(chosen.flatMap { [RESPValue.bulkString($0.field), .bulkString($0.value)] })
        }
    }
}

/// MATCH and COUNT of the *SCAN commands over one key (COUNT is validated; the reply is complete).
enum ScanOptions {
    static func parse(_ arguments: CommandArguments, from first: Int) throws -> GlobPattern? {
        var pattern: GlobPattern?
        var index = first
        while index < arguments.count {
            let remaining = arguments.count - index
            if arguments.matches(index, "count") && remaining >= 2 {
                let count = try arguments.integer(index + 1)
                guard count >= 1 else { throw RedisError.syntax }
            } else if arguments.matches(index, "match") && remaining >= 2 {
                let candidate = GlobPattern(arguments[index + 1])
                pattern = candidate.matchesEverything ? nil : candidate
            } else {
                throw RedisError.syntax
            }
            index += 2
        }
        return pattern
    }
}

extension SQLiteConnection {
    /// The id of the hash at `key`, created if missing; WRONGTYPE if the key holds another type.
    func hashForWrite(db: Int64, key: ByteBuffer, now: Int64) throws -> Int64 {
        if let record = try lookupKey(db: db, key: key, now: now, type: .hash, forWrite: true) { return record.id }
        return try createKey(db: db, key: key, type: .hash, now: now)
    }

    func hashField(_ id: Int64, _ field: ByteBuffer) throws -> ByteBuffer? {
        let statement = try statement("SELECT value FROM hashes WHERE key_id = ?1 AND field = ?2")
        defer { statement.reset() }
        statement.bind(1, id).bind(2, field)
        return try statement.step() ? statement.bytes(0) : nil
    }

    /// Sets a field; true when the field is new.
    func setHashField(_ id: Int64, _ field: ByteBuffer, _ value: ByteBuffer) throws -> Bool {
        let insert = try statement("INSERT OR IGNORE INTO hashes (key_id, field, value) VALUES (?1, ?2, ?3)")
        insert.bind(1, id).bind(2, field).bind(3, value)
        try insert.run()
        if insert.changes == 1 { return true }
        let update = try statement("UPDATE hashes SET value = ?3 WHERE key_id = ?1 AND field = ?2")
        update.bind(1, id).bind(2, field).bind(3, value)
        try update.run()
        return false
    }

    /// The entries at `positions` of the hash's stored order (increasing, repeats allowed).
    func hashEntries(_ id: Int64, at positions: [Int64]) throws -> [(field: ByteBuffer, value: ByteBuffer)] {
        var collector = ByteCollector(expectedValues: min(2 * positions.count, 1024))
        try rows("SELECT field, value FROM hashes WHERE key_id = ?1 LIMIT -1 OFFSET ?2", of: id, at: positions) { row in
            collector.append(row, column: 0)
            collector.append(row, column: 1)
        }
        return stride(from: 0, to: collector.count, by: 2).map { (collector.value($0), collector.value($0 + 1)) }
    }

    func hashEntries(_ id: Int64) throws -> [(field: ByteBuffer, value: ByteBuffer)] {
        let statement = try statement("SELECT field, value FROM hashes WHERE key_id = ?1")
        defer { statement.reset() }
        statement.bind(1, id)
        var collector = ByteCollector(expectedValues: 32)
        while try statement.step() {
            collector.append(statement, column: 0)
            collector.append(statement, column: 1)
        }
        return stride(from: 0, to: collector.count, by: 2).map { (collector.value($0), collector.value($0 + 1)) }
    }
}
