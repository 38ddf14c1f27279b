import NIOCore
import RESP

/// Sorted-set commands (Redis's t_zset.c), over the `zsets` table and its (score, member) index.
enum SortedSetCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("zadd") { context, arguments in try add(&context, arguments, increment: false) }
        registry.register("zincrby") { context, arguments in try add(&context, arguments, increment: true) }
        registry.register("zrem") { context, arguments in
            try context.write { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .zset, forWrite: true) else {
                    return .integer(0)
                }
                var removed: Int64 = 0
                for index in 2..<arguments.count where try connection.zsetRemove(record.id, arguments[index]) { removed += 1 }
                if removed > 0 { try connection.updateSize(id: record.id, by: -removed, now: context.now) }
                return .integer(removed)
            }
        }
        registry.register("zscore") { context, arguments in
            try context.read { connection in
                guard let record = try zset(connection, context, arguments[1]) else { return .nullBulkString }
                return try connection.zsetScore(record.id, arguments[2]).map { .double($0) } ?? .nullBulkString
            }
        }
        registry.register("zmscore") { context, arguments in
            try context.read { connection in
                let record = try zset(connection, context, arguments[1])
                var scores: [RESPValue] = []
                for index in 2..<arguments.count {
                    let score = try record.flatMap { try connection.zsetScore($0.id, arguments[index]) }
                    scores.append(score.map { .double($0) } ?? .nullBulkString)
                }
                return .array(scores)
            }
        }
        registry.register("zcard") { context, arguments in
            try context.read { connection in .integer(try zset(connection, context, arguments[1])?.size ?? 0) }
        }
        registry.register("zrank") { context, arguments in try rank(&context, arguments, reverse: false) }
        registry.register("zrevrank") { context, arguments in try rank(&context, arguments, reverse: true) }
        registry.register("zcount") { context, arguments in
            let range = try ScoreRange(min: arguments[2], max: arguments[3])
            return try context.read { connection in
                guard let record = try zset(connection, context, arguments[1]) else { return .integer(0) }
                return .integer(try connection.zsetCount(record.id, scores: range))
            }
        }
        registry.register("zlexcount") { context, arguments in
            let range = try LexRange(min: arguments[2], max: arguments[3])
            return try context.read { connection in
                guard let record = try zset(connection, context, arguments[1]) else { return .integer(0) }
                return .integer(Int64(try connection.zsetRange(record.id, lex: range, reverse: false).count))
            }
        }
        registry.register("zrange") { context, arguments in try range(&context, arguments, .init(first: 1)) }
        registry.register("zrangestore") { context, arguments in try range(&context, arguments, .init(first: 2, store: true)) }
        registry.register("zrevrange") { context, arguments in try range(&context, arguments, .init(first: 1, type: .rank, reverse: true)) }
        registry.register("zrangebyscore") { context, arguments in try range(&context, arguments, .init(first: 1, type: .score, reverse: false)) }
        registry.register("zrevrangebyscore") { context, arguments in try range(&context, arguments, .init(first: 1, type: .score, reverse: true)) }
        registry.register("zrangebylex") { context, arguments in try range(&context, arguments, .init(first: 1, type: .lex, reverse: false)) }
        registry.register("zrevrangebylex") { context, arguments in try range(&context, arguments, .init(first: 1, type: .lex, reverse: true)) }
        registry.register("zremrangebyrank") { context, arguments in
            let start = try arguments.integer(2)
            let end = try arguments.integer(3)
            return try removeRange(&context, arguments) { connection, record in
                guard let window = IndexWindow(start: start, end: end, length: record.size) else { return [] }
                return try connection.zsetRange(record.id, offset: window.offset, count: window.count, reverse: false)
            }
        }
        registry.register("zremrangebyscore") { context, arguments in
            let range = try ScoreRange(min: arguments[2], max: arguments[3])
            return try removeRange(&context, arguments) { connection, record in
                try connection.zsetRange(record.id, scores: range, reverse: false)
            }
        }
        registry.register("zremrangebylex") { context, arguments in
            let range = try LexRange(min: arguments[2], max: arguments[3])
            return try removeRange(&context, arguments) { connection, record in
                try connection.zsetRange(record.id, lex: range, reverse: false)
            }
        }
        registry.register("zpopmin") { context, arguments in try pop(&context, arguments, max: false) }
        registry.register("zpopmax") { context, arguments in try pop(&context, arguments, max: true) }
        registry.register("zmpop") { context, arguments in try multiPop(&context, arguments) }
        registry.register("zrandmember") { context, arguments in try randomMember(&context, arguments) }
        registry.register("zunion") { context, arguments in try combine(&context, arguments, .union, destination: nil) }
        registry.register("zinter") { context, arguments in try combine(&context, arguments, .intersection, destination: nil) }
        registry.register("zdiff") { context, arguments in try combine(&context, arguments, .difference, destination: nil) }
        registry.register("zunionstore") { context, arguments in try combine(&context, arguments, .union, destination: arguments[1]) }
        registry.register("zinterstore") { context, arguments in try combine(&context, arguments, .intersection, destination: arguments[1]) }
        registry.register("zdiffstore") { context, arguments in try combine(&context, arguments, .difference, destination: arguments[1]) }
        registry.register("zintercard") { context, arguments in
            // ZINTERCARD shares ZINTER's argument checks (unlike SINTERCARD).
            let keyCount = try arguments.integer(1)
            guard keyCount >= 1 else { throw RedisError("ERR at least 1 input key is needed for 'zintercard' command") }
            guard keyCount <= Int64(arguments.count - 2) else { throw RedisError.syntax }
            let limit = try arguments.trailingOption("limit", from: 2 + Int(keyCount), minimum: 0, repeatable: true, error: RedisError("ERR LIMIT can't be negative")) ?? 0
            let sources = try context.read { connection in
                try loadSources(connection, context, arguments, keys: 2..<(2 + Int(keyCount)))
            }
            let count = Int64(aggregate(sources, weights: Array(repeating: 1, count: sources.count), .intersection, .sum).count)
            return .integer(limit == 0 ? count : min(count, limit))
        }
        registry.register("zscan") { context, arguments in
            guard KeyCommands.parseCursor(arguments[2]) != nil else { throw RedisError.invalidCursor }
            return try context.read { connection in
                guard let record = try zset(connection, context, arguments[1]) else { return .array([.bulk("0"), .array([])]) }
                let pattern = try ScanOptions.parse(arguments, from: 3)
                var items: [RESPValue] = []
                for element in try connection.zsetAll(record.id) where pattern?.matches(element.member) ?? true {
                    items.append(.bulkString(element.member))
                    items.append(.bulk(RESPDouble.format(element.score)))
                }
                return .array([.bulk("0"), .array(items)])
            }
        }
    }

    static func zset(_ connection: SQLiteConnection, _ context: CommandContext, _ key: ByteBuffer, forWrite: Bool = false) throws -> KeyRecord? {
        try connection.lookupKey(db: context.db, key: key, now: context.now, type: .zset, forWrite: forWrite)
    }

    /// Members with their scores: `[member, score, …]` for RESP2, `[[member, score], …]` for RESP3.
    static func withScores(_ members: [ScoredMember], resp3: Bool) -> [RESPValue] {
        if resp3 { return members.map { .array([.bulkString($0.member), .double($0.score)]) } }
        return members.flatMap { [RESPValue.bulkString($0.member), .double($0.score)] }
    }

    // MARK: ZADD / ZINCRBY

    static func add(_ context: inout CommandContext, _ arguments: CommandArguments, increment forcedIncrement: Bool) throws -> RESPValue {
        var nx = false, xx = false, gt = false, lt = false, ch = false, increment = forcedIncrement
        var first = 2
        // ZINCRBY shares ZADD's parsing in Redis, flags included: `ZINCRBY k NX 5` reads NX as a flag
        // and answers a syntax error for the lone `5`.
        while first < arguments.count {
            if arguments.matches(first, "nx") { nx = true }
            else if arguments.matches(first, "xx") { xx = true }
            else if arguments.matches(first, "ch") { ch = true }
            else if arguments.matches(first, "incr") { increment = true }
            else if arguments.matches(first, "gt") { gt = true }
            else if arguments.matches(first, "lt") { lt = true }
            else { break }
            first += 1
        }
        let remaining = arguments.count - first
        guard remaining > 0, remaining % 2 == 0 else { throw RedisError.syntax }
        if nx && xx { throw RedisError("ERR XX and NX options at the same time are not compatible") }
        if (gt && nx) || (lt && nx) || (gt && lt) { throw RedisError("ERR GT, LT, and/or NX options at the same time are not compatible") }
        if increment && remaining > 2 { throw RedisError("ERR INCR option supports a single increment-element pair") }
        var pairs: [(score: Double, member: ByteBuffer)] = []
        for index in stride(from: first, to: arguments.count, by: 2) {
            guard let score = parseScore(arguments[index]) else { throw RedisError.notFloat }
            pairs.append((score, arguments[index + 1]))
        }
        var changed = false
        let reply = try context.write { connection -> RESPValue in
            var record = try zset(connection, context, arguments[1], forWrite: true)
            if record == nil {
                if xx { return increment ? .nullBulkString : .integer(0) }
                let id = try connection.createKey(db: context.db, key: arguments[1], type: .zset, now: context.now)
                record = KeyRecord(id: id, type: .zset, expireAt: nil, value: nil, size: 0)
            }
            let id = record!.id
            var added: Int64 = 0, updated: Int64 = 0, processed = 0
            var lastScore = 0.0
            for (score, member) in pairs {
                if let current = try connection.zsetScore(id, member) {
                    if nx { continue }
                    var newScore = score
                    if increment {
                        newScore = current + score
                        guard !newScore.isNaN else { throw RedisError("ERR resulting score is not a number (NaN)") }
                    }
                    if (lt && newScore >= current) || (gt && newScore <= current) { continue }
                    processed += 1
                    lastScore = newScore
                    if newScore != current {
                        try connection.zsetUpdateScore(id, member, newScore)
                        updated += 1
                    }
                } else {
                    if xx { continue }
                    try connection.zsetInsert(id, member, score)
                    added += 1
                    processed += 1
                    lastScore = score
                }
            }
            if added > 0 || updated > 0 {
                try connection.adjustSize(id: id, by: added, now: context.now)
            } else if record!.size == 0 {
                try connection.deleteKey(id: id)  // created for nothing
            }
            changed = added > 0 || updated > 0
            if increment { return processed > 0 ? .double(lastScore) : .nullBulkString }
            return .integer(ch ? added + updated : added)
        }
        // As Redis, no zadd or zincr event (nor a wake-up) when no member was added or changed.
        if !changed { context.changedNothing = true }
        return reply
    }

    private static func rank(_ context: inout CommandContext, _ arguments: CommandArguments, reverse: Bool) throws -> RESPValue {
        try context.read { connection in
            guard let record = try zset(connection, context, arguments[1]),
                  let score = try connection.zsetScore(record.id, arguments[2]) else { return .nullBulkString }
            let before = try connection.zsetRank(record.id, score: score, member: arguments[2])
            return .integer(reverse ? record.size - 1 - before : before)
        }
    }

    // MARK: Ranges

    struct RangeCommand {
        enum Kind { case rank, score, lex }
        /// Index of the key (the source key for ZRANGESTORE).
        var first: Int
        var store = false
        var type: Kind?
        var reverse: Bool?
    }

    private static func range(_ context: inout CommandContext, _ arguments: CommandArguments, _ command: RangeCommand) throws -> RESPValue {
        var type = command.type
        var reverse = command.reverse
        var withScores = false
        var offset: Int64 = 0
        var limit: Int64 = -1
        var limitGiven = false
        var index = command.first + 3
        while index < arguments.count {
            let left = arguments.count - index - 1
            if !command.store && arguments.matches(index, "withscores") {
                withScores = true
            } else if arguments.matches(index, "limit") && left >= 2 {
                offset = try arguments.integer(index + 1)
                limit = try arguments.integer(index + 2)
                limitGiven = true
                index += 2
            } else if reverse == nil && arguments.matches(index, "rev") {
                reverse = true
            } else if type == nil && arguments.matches(index, "bylex") {
                type = .lex
            } else if type == nil && arguments.matches(index, "byscore") {
                type = .score
            } else {
                throw RedisError.syntax
            }
            index += 1
        }
        let kind = type ?? .rank
        let isReverse = reverse ?? false
        if limitGiven && kind == .rank {
            throw RedisError("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX")
        }
        if withScores && kind == .lex {
            throw RedisError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
        }
        // Reversed score and lex ranges are given as max, min.
        var low = arguments[command.first + 1], high = arguments[command.first + 2]
        if isReverse && kind != .rank { swap(&low, &high) }
        var rankBounds: (Int64, Int64) = (0, 0)
        var scoreRange: ScoreRange?
        var lexRange: LexRange?
        switch kind {
        case .rank: rankBounds = (try arguments.integer(command.first + 1), try arguments.integer(command.first + 2))
        case .score: scoreRange = try ScoreRange(min: low, max: high)
        case .lex: lexRange = try LexRange(min: low, max: high)
        }
        let resp3 = context.resp3
        let select = { (connection: SQLiteConnection, record: KeyRecord) throws -> [ScoredMember] in
            switch kind {
            case .rank:
                guard let window = IndexWindow(start: rankBounds.0, end: rankBounds.1, length: record.size) else { return [] }
                return try connection.zsetRange(record.id, offset: window.offset, count: window.count, reverse: isReverse)
            case .score:
                // A negative offset skips everything in Redis; a negative limit means no limit.
                if offset < 0 { return [] }
                return try connection.zsetRange(record.id, scores: scoreRange!, reverse: isReverse, offset: offset, count: limit < 0 ? -1 : limit)
            case .lex:
                if offset < 0 { return [] }
                return try connection.zsetRange(record.id, lex: lexRange!, reverse: isReverse, offset: offset, count: limit < 0 ? -1 : limit)
            }
        }
        if command.store {
            return try context.write { connection in
                let source = try zset(connection, context, arguments[2])
                let members = try source.map { try select(connection, $0) } ?? []
                return .integer(try storeZSet(connection, context, arguments[1], members))
            }
        }
        return try context.read { connection in
            guard let record = try zset(connection, context, arguments[command.first]) else { return .array([]) }
            let members = try select(connection, record)
            return .array(withScores ? Self.withScores(members, resp3: resp3) : members.map { .bulkString($0.member) })
        }
    }

    /// Replaces `key` with a sorted set of `members` (deleting it when empty); returns the count.
    static func storeZSet(_ connection: SQLiteConnection, _ context: CommandContext, _ key: ByteBuffer, _ members: [ScoredMember]) throws -> Int64 {
        if let existing = try connection.lookupKeyForWrite(db: context.db, key: key, now: context.now, loadingChunks: false) {
            try connection.deleteKey(id: existing.id)
        }
        guard !members.isEmpty else { return 0 }
        let id = try connection.createKey(db: context.db, key: key, type: .zset, now: context.now)
        for element in members { try connection.zsetSetScore(id, element.member, element.score) }
        return try connection.updateSize(id: id, by: Int64(members.count), now: context.now)
    }

    private static func removeRange(_ context: inout CommandContext, _ arguments: CommandArguments,
                                    _ select: @escaping (SQLiteConnection, KeyRecord) throws -> [ScoredMember]) throws -> RESPValue {
        try context.write { connection in
            guard let record = try zset(connection, context, arguments[1], forWrite: true) else { return .integer(0) }
            let members = try select(connection, record)
            for element in members { _ = try connection.zsetRemove(record.id, element.member) }
            if !members.isEmpty { try connection.updateSize(id: record.id, by: -Int64(members.count), now: context.now) }
            return .integer(Int64(members.count))
        }
    }

    // MARK: Pops and random members

    private static func pop(_ context: inout CommandContext, _ arguments: CommandArguments, max: Bool) throws -> RESPValue {
        if arguments.count > 3 { throw RedisError.syntax }
        var count: Int64?
        if arguments.count == 3 {
            guard let parsed = RedisNumbers.parseInteger(arguments[2]), parsed >= 0 else { throw RedisError.mustBePositive }
            count = parsed
        }
        let resp3 = context.resp3
        return try context.write { connection in
            guard let record = try zset(connection, context, arguments[1], forWrite: true) else { return .array([]) }
            let members = try connection.zsetRange(record.id, offset: 0, count: count ?? 1, reverse: max)
            for element in members { _ = try connection.zsetRemove(record.id, element.member) }
            if !members.isEmpty { try connection.updateSize(id: record.id, by: -Int64(members.count), now: context.now) }
            if count == nil { return .array(members.flatMap { [RESPValue.bulkString($0.member), .double($0.score)] }) }
            return .array(withScores(members, resp3: resp3))
        }
    }

    private static func multiPop(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let whereIndex = try arguments.multiPopWhereIndex()
        let max: Bool
        if arguments.matches(whereIndex, "min") { max = false }
        else if arguments.matches(whereIndex, "max") { max = true }
        else { throw RedisError.syntax }
        let count = try arguments.trailingOption("count", from: whereIndex + 1, minimum: 1, repeatable: false, error: RedisError("ERR count should be greater than 0"))
        return try context.write { connection in
            for keyIndex in 2..<whereIndex {
                guard let record = try zset(connection, context, arguments[keyIndex], forWrite: true) else { continue }
                let members = try connection.zsetRange(record.id, offset: 0, count: count ?? 1, reverse: max)
                guard !members.isEmpty else { continue }
                for element in members { _ = try connection.zsetRemove(record.id, element.member) }
                try connection.updateSize(id: record.id, by: -Int64(members.count), now: context.now)
                return .array([.bulkString(arguments[keyIndex]), .array(members.map { .array([.bulkString($0.member), .double($0.score)]) })])
            }
            return .nullArray
        }
    }

    private static func randomMember(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let resp3 = context.resp3
        guard arguments.count >= 3 else {
            return try context.read { connection in
                guard let record = try zset(connection, context, arguments[1]) else { return .nullBulkString }
                return try connection.zsetMembers(record.id, at: RandomPositions.distinct(1, of: record.size)).first
                    .map { .bulkString($0.member) } ?? .nullBulkString
            }
        }
        let requested = try arguments.integer(2)
        guard requested > -Int64.max else {
            throw RedisError("ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807")
        }
        var withScores = false
        if arguments.count == 4 {
            guard arguments.matches(3, "withscores") else { throw RedisError.syntax }
            withScores = true
        } else if arguments.count > 4 {
            throw RedisError.syntax
        }
        if withScores && (requested < -Int64.max / 2 || requested > Int64.max / 2) { throw RedisError.outOfRange }
        return try context.read { connection in
            guard let record = try zset(connection, context, arguments[1]) else { return .array([]) }
            if requested == 0 { return .array([]) }
            let chosen: [ScoredMember]
            if requested < 0 {
                let positions = RandomPositions.withRepetition(Int(min(-requested, 10_000_000)), of: record.size)
                chosen = try connection.zsetMembers(record.id, at: positions).shuffled()
            } else if requested >= record.size {
                chosen = try connection.zsetAll(record.id)
            } else {
                chosen = try connection.zsetMembers(record.id, at: RandomPositions.distinct(requested, of: record.size)).shuffled()
            }
            return .array(withScores ? Self.withScores(chosen, resp3: resp3) : chosen.map { .bulkString($0.member) })
        }
    }

    // MARK: ZUNION / ZINTER / ZDIFF

    enum Operation { case union, intersection, difference }
    enum Aggregate { case sum, min, max }

    /// Members and scores of each input (sets count with score 1; nil for a missing key).
    static func loadSources(_ connection: SQLiteConnection, _ context: CommandContext, _ arguments: CommandArguments, keys: Range<Int>) throws -> [[ScoredMember]?] {
        var sources: [[ScoredMember]?] = []
        for index in keys {
            guard let record = try connection.lookupKey(db: context.db, key: arguments[index], now: context.now, loadingChunks: false) else {
                sources.append(nil)
                continue
            }
            switch record.type {
            case .zset: sources.append(try connection.zsetAll(record.id))
            case .set: sources.append(try connection.setMembers(record.id).map { ScoredMember(member: $0, score: 1) })
            default: throw RedisError.wrongType
            }
        }
        return sources
    }

    static func aggregate(_ sources: [[ScoredMember]?], weights: [Double], _ operation: Operation, _ aggregate: Aggregate) -> [ScoredMember] {
        func weighted(_ score: Double, _ weight: Double) -> Double {
            let value = score * weight
            return value.isNaN ? 0 : value
        }
        func combine(_ a: Double, _ b: Double) -> Double {
            switch aggregate {
            case .sum:
                let sum = a + b
                return sum.isNaN ? 0 : sum  // inf + -inf is 0 in Redis
            case .min: return Swift.min(a, b)
            case .max: return Swift.max(a, b)
            }
        }
        var result: [ByteBuffer: Double] = [:]
        switch operation {
        case .union:
            for (index, source) in sources.enumerated() {
                for element in source ?? [] {
                    let score = weighted(element.score, weights[index])
                    result[element.member] = result[element.member].map { combine($0, score) } ?? score
                }
            }
        case .intersection:
            guard !sources.contains(where: { $0 == nil }), let first = sources.first ?? nil else { return [] }
            let lookups = sources.dropFirst().map { source in Dictionary(source!.map { ($0.member, $0.score) }, uniquingKeysWith: { a, _ in a }) }
            outer: for element in first {
                var score = weighted(element.score, weights[0])
                for (offset, lookup) in lookups.enumerated() {
                    guard let other = lookup[element.member] else { continue outer }
                    score = combine(score, weighted(other, weights[offset + 1]))
                }
                result[element.member] = score
            }
        case .difference:
            guard let first = sources.first ?? nil else { return [] }
            let removed = Set(sources.dropFirst().compactMap { $0 }.flatMap { $0.map(\.member) })
            for element in first where !removed.contains(element.member) { result[element.member] = element.score }
        }
        return result.map { ScoredMember(member: $0.key, score: $0.value) }.sorted {
            $0.score != $1.score ? $0.score < $1.score : compare($0.member, $1.member) < 0
        }
    }

    private static func combine(_ context: inout CommandContext, _ arguments: CommandArguments, _ operation: Operation, destination: ByteBuffer?) throws -> RESPValue {
        let numberIndex = destination == nil ? 1 : 2
        let name = arguments.string(0).lowercased()
        guard let keyCount = RedisNumbers.parseInteger(arguments[numberIndex]) else { throw RedisError.notInteger }
        guard keyCount >= 1 else { throw RedisError("ERR at least 1 input key is needed for '\(name)' command") }
        guard keyCount <= Int64(arguments.count - numberIndex - 1) else { throw RedisError.syntax }
        let keys = (numberIndex + 1)..<(numberIndex + 1 + Int(keyCount))
        let resp3 = context.resp3
        // Inputs are read (WRONGTYPE first, as Redis checks types before options), options parsed, the
        // result computed and, for the STORE forms, written, all in one transaction.
        let body = { (connection: SQLiteConnection) throws -> RESPValue in
            let sources = try loadSources(connection, context, arguments, keys: keys)
            var weights = Array(repeating: 1.0, count: Int(keyCount))
            var aggregation = Aggregate.sum
            var withScores = false
            var index = keys.upperBound
            while index < arguments.count {
                let remaining = arguments.count - index
                if operation != .difference && remaining >= Int(keyCount) + 1 && arguments.matches(index, "weights") {
                    for offset in 0..<Int(keyCount) {
                        guard let weight = parseScore(arguments[index + 1 + offset]) else { throw RedisError("ERR weight value is not a float") }
                        weights[offset] = weight
                    }
                    index += Int(keyCount) + 1
                } else if operation != .difference && remaining >= 2 && arguments.matches(index, "aggregate") {
                    if arguments.matches(index + 1, "sum") { aggregation = .sum }
                    else if arguments.matches(index + 1, "min") { aggregation = .min }
                    else if arguments.matches(index + 1, "max") { aggregation = .max }
                    else { throw RedisError.syntax }
                    index += 2
                } else if remaining >= 1 && destination == nil && arguments.matches(index, "withscores") {
                    withScores = true
                    index += 1
                } else {
                    throw RedisError.syntax
                }
            }
            let result = aggregate(sources, weights: weights, operation, aggregation)
            if let destination { return .integer(try storeZSet(connection, context, destination, result)) }
            return .array(withScores ? Self.withScores(result, resp3: resp3) : result.map { .bulkString($0.member) })
        }
        return destination == nil ? try context.read(body) : try context.write(body)
    }
}
