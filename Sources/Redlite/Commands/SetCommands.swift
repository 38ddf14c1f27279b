import NIOCore
import RESP

/// Set commands (Redis's t_set.c), over the `sets` table.
enum SetCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("sadd") { context, arguments in
            try context.write { connection in
                let id = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set, forWrite: true)?.id
                    ?? connection.createKey(db: context.db, key: arguments[1], type: .set, now: context.now)
                var added: Int64 = 0
                for index in 2..<arguments.count where try connection.addSetMember(id, arguments[index]) { added += 1 }
                try connection.adjustSize(id: id, by: added, now: context.now)
                return .integer(added)
            }
        }
        registry.register("srem") { context, arguments in
            try context.write { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set, forWrite: true) else {
                    return .integer(0)
                }
                var removed: Int64 = 0
                for index in 2..<arguments.count where try connection.removeSetMember(record.id, arguments[index]) { removed += 1 }
                if removed > 0 { try connection.updateSize(id: record.id, by: -removed, now: context.now) }
                return .integer(removed)
            }
        }
        registry.register("smembers") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set) else { return .set([]) }
                return .set(try connection.setMembers(record.id).map { .bulkString($0) })
            }
        }
        registry.register("sismember") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set) else { return .integer(0) }
                return .integer(try connection.isSetMember(record.id, arguments[2]) ? 1 : 0)
            }
        }
        registry.register("smismember") { context, arguments in
            try context.read { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set)
                var replies: [RESPValue] = []
                for index in 2..<arguments.count {
                    let member = try record.map { try connection.isSetMember($0.id, arguments[index]) } ?? false
                    replies.append(.integer(member ? 1 : 0))
                }
                return .array(replies)
            }
        }
        registry.register("scard") { context, arguments in
            try context.read { connection in
                .integer(try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set)?.size ?? 0)
            }
        }
        registry.register("spop") { context, arguments in try pop(&context, arguments) }
        registry.register("srandmember") { context, arguments in try randomMember(&context, arguments) }
        registry.register("smove") { context, arguments in
            try context.write { connection in
                let source = try connection.lookupKeyForWrite(db: context.db, key: arguments[1], now: context.now, loadingChunks: false)
                let destination = try connection.lookupKeyForWrite(db: context.db, key: arguments[2], now: context.now, loadingChunks: false)
                guard let source else { return .integer(0) }
                if source.type != .set || (destination != nil && destination?.type != .set) { throw RedisError.wrongType }
                if source.id == destination?.id {
                    return .integer(try connection.isSetMember(source.id, arguments[3]) ? 1 : 0)
                }
                guard try connection.removeSetMember(source.id, arguments[3]) else { return .integer(0) }
                try connection.updateSize(id: source.id, by: -1, now: context.now)
                let target = try destination?.id ?? connection.createKey(db: context.db, key: arguments[2], type: .set, now: context.now)
                let added = try connection.addSetMember(target, arguments[3])
                try connection.adjustSize(id: target, by: added ? 1 : 0, now: context.now)
                return .integer(1)
            }
        }
        registry.register("sinter") { context, arguments in try combine(&context, arguments, .intersection, keys: 1..<arguments.count, store: nil) }
        registry.register("sunion") { context, arguments in try combine(&context, arguments, .union, keys: 1..<arguments.count, store: nil) }
        registry.register("sdiff") { context, arguments in try combine(&context, arguments, .difference, keys: 1..<arguments.count, store: nil) }
        registry.register("sinterstore") { context, arguments in try combine(&context, arguments, .intersection, keys: 2..<arguments.count, store: arguments[1]) }
        registry.register("sunionstore") { context, arguments in try combine(&context, arguments, .union, keys: 2..<arguments.count, store: arguments[1]) }
        registry.register("sdiffstore") { context, arguments in try combine(&context, arguments, .difference, keys: 2..<arguments.count, store: arguments[1]) }
        registry.register("sintercard") { context, arguments in
            guard let keyCount = RedisNumbers.parseInteger(arguments[1]), keyCount >= 1 else {
                throw RedisError("ERR numkeys should be greater than 0")
            }
            guard keyCount <= Int64(arguments.count - 2) else { throw RedisError("ERR Number of keys can't be greater than number of args") }
            let limit = try arguments.trailingOption("limit", from: 2 + Int(keyCount), minimum: 0, repeatable: true, error: RedisError("ERR LIMIT can't be negative")) ?? 0
            let members = try context.read { connection in
                try loadSets(connection, context, arguments, keys: 2..<(2 + Int(keyCount)))
            }
            let result = intersect(members)
            return .integer(limit == 0 ? Int64(result.count) : min(Int64(result.count), limit))
        }
        registry.register("sscan") { context, arguments in
            guard KeyCommands.parseCursor(arguments[2]) != nil else { throw RedisError.invalidCursor }
            return try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set) else {
                    return .array([.bulk("0"), .array([])])
                }
                let pattern = try ScanOptions.parse(arguments, from: 3)
                let members = try connection.setMembers(record.id).filter { pattern?.matches($0) ?? true }
                return .array([.bulk("0"), .array(members.map { .bulkString($0) })])
            }
        }
    }

    enum Operation { case intersection, union, difference }

    /// The members of each set at `keys` (nil for a missing key); WRONGTYPE if any key is not a set.
    static func loadSets(_ connection: SQLiteConnection, _ context: CommandContext, _ arguments: CommandArguments, keys: Range<Int>) throws -> [[ByteBuffer]?] {
        var sets: [[ByteBuffer]?] = []
        for index in keys {
            let record = try connection.lookupKey(db: context.db, key: arguments[index], now: context.now, type: .set)
            sets.append(try record.map { try connection.setMembers($0.id) })
        }
        return sets
    }

    static func intersect(_ sets: [[ByteBuffer]?]) -> [ByteBuffer] {
        guard !sets.contains(where: { $0 == nil }), let first = sets.first.flatMap({ $0 }) else { return [] }
        let others = sets.dropFirst().map { Set($0!) }
        return first.filter { member in others.allSatisfy { $0.contains(member) } }
    }

    private static func combine(_ context: inout CommandContext, _ arguments: CommandArguments, _ operation: Operation,
                                keys: Range<Int>, store destination: ByteBuffer?) throws -> RESPValue {
        let body = { (connection: SQLiteConnection) throws -> RESPValue in
            let sets = try loadSets(connection, context, arguments, keys: keys)
            var result: [ByteBuffer]
            switch operation {
            case .intersection:
                result = intersect(sets)
            case .union:
                var seen = Set<ByteBuffer>()
                result = sets.compactMap { $0 }.flatMap { $0 }.filter { seen.insert($0).inserted }
            case .difference:
                let removed = Set(sets.dropFirst().compactMap { $0 }.flatMap { $0 })
                result = (sets.first ?? nil)?.filter { !removed.contains($0) } ?? []
            }
            guard let destination else { return .set(result.map { .bulkString($0) }) }
            if let existing = try connection.lookupKeyForWrite(db: context.db, key: destination, now: context.now, loadingChunks: false) {
                try connection.deleteKey(id: existing.id)
            }
            if result.isEmpty { return .integer(0) }
            let id = try connection.createKey(db: context.db, key: destination, type: .set, now: context.now)
            for member in result { _ = try connection.addSetMember(id, member) }
            try connection.adjustSize(id: id, by: Int64(result.count), now: context.now)
            return .integer(Int64(result.count))
        }
        return destination == nil ? try context.read(body) : try context.write(body)
    }

    private static func pop(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        if arguments.count > 3 { throw RedisError.syntax }
        var count: Int64?
        if arguments.count == 3 {
            count = try arguments.integer(2, error: .mustBePositive)
            guard count! >= 0 else { throw RedisError.mustBePositive }
        }
        return try context.write { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set, forWrite: true) else {
                return count == nil ? .nullBulkString : .set([])
            }
            guard let count else {
                let member = try connection.randomSetMembers(record.id, count: 1, size: record.size).first!
                _ = try connection.removeSetMember(record.id, member)
                try connection.updateSize(id: record.id, by: -1, now: context.now)
                return .bulkString(member)
            }
            if count == 0 { return .set([]) }
            let members = try connection.randomSetMembers(record.id, count: count, size: record.size)
            for member in members { _ = try connection.removeSetMember(record.id, member) }
            try connection.updateSize(id: record.id, by: -Int64(members.count), now: context.now)
            return .set(members.map { .bulkString($0) })
        }
    }

    private static func randomMember(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        if arguments.count > 3 { throw RedisError.syntax }
        var count: Int64?
        if arguments.count == 3 {
            count = try arguments.integer(2)
            guard count! > -Int64.max else {
                throw RedisError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
            }
        }
        return try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .set) else {
                return count == nil ? .nullBulkString : .array([])
            }
            guard let count else {
                return try connection.randomSetMembers(record.id, count: 1, size: record.size).first.map { .bulkString($0) } ?? .nullBulkString
            }
            if count >= 0 {
                return .array(try connection.randomSetMembers(record.id, count: count, size: record.size).map { .bulkString($0) })
            }
            // A negative count: that many picks, repetitions allowed.
            return .array(try connection.randomSetPicks(record.id, count: Int(min(-count, 10_000_000)), size: record.size).map { .bulkString($0) })
        }
    }
}

extension SQLiteConnection {
    /// Adds a member; true when it was new.
    func addSetMember(_ id: Int64, _ member: ByteBuffer) throws -> Bool {
        let statement = try statement("INSERT OR IGNORE INTO sets (key_id, member) VALUES (?1, ?2)")
        statement.bind(1, id).bind(2, member)
        try statement.run()
        return statement.changes == 1
    }

    /// Removes a member; true when it was there.
    func removeSetMember(_ id: Int64, _ member: ByteBuffer) throws -> Bool {
        let statement = try statement("DELETE FROM sets WHERE key_id = ?1 AND member = ?2")
        statement.bind(1, id).bind(2, member)
        try statement.run()
        return statement.changes == 1
    }

    func isSetMember(_ id: Int64, _ member: ByteBuffer) throws -> Bool {
        let statement = try statement("SELECT 1 FROM sets WHERE key_id = ?1 AND member = ?2")
        defer { statement.reset() }
        statement.bind(1, id).bind(2, member)
        return try statement.step()
    }

    func setMembers(_ id: Int64) throws -> [ByteBuffer] {
        let statement = try statement("SELECT member FROM sets WHERE key_id = ?1")
        defer { statement.reset() }
        statement.bind(1, id)
        return try statement.collectBytes(0, expectedRows: 16)
    }

    /// Up to `count` distinct members of a set of `size`, chosen uniformly at random, in random
    /// order (all of them, in stored order, when `count >= size`).
    func randomSetMembers(_ id: Int64, count: Int64, size: Int64) throws -> [ByteBuffer] {
        var members = try setMembers(id, at: RandomPositions.distinct(count, of: size))
        if count < size { members.shuffle() }
        return members
    }

    /// `count` members picked independently (repeats allowed), in random order.
    func randomSetPicks(_ id: Int64, count: Int, size: Int64) throws -> [ByteBuffer] {
        try setMembers(id, at: RandomPositions.withRepetition(count, of: size)).shuffled()
    }

    private func setMembers(_ id: Int64, at positions: [Int64]) throws -> [ByteBuffer] {
        var collector = ByteCollector(expectedValues: min(positions.count, 1024))
        try rows("SELECT member FROM sets WHERE key_id = ?1 LIMIT -1 OFFSET ?2", of: id, at: positions) { collector.append($0, column: 0) }
        return collector.values()
    }
}
