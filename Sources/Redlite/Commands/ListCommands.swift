import NIOCore
import RESP

/// How list positions are laid out: integers with wide gaps.
///
/// The first element sits at 0; LPUSH takes `head - gap`, RPUSH `tail + gap`, and LINSERT the midpoint
/// of the two neighbours, so no insert renumbers other elements. When a midpoint no longer exists
/// (neighbours adjacent, after about 32 inserts at one spot) or a push would leave the safe range, the
/// list is renumbered once with fresh gaps (`rebalance`), which costs O(n) and is rare.
enum ListPositions {
    static let gap: Int64 = 1 << 32
    /// Pushes stay within ±2^62, so positions never overflow.
    static let limit: Int64 = 1 << 62
}

/// List commands (Redis's t_list.c), over the `lists` table.
enum ListCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("lpush") { context, arguments in try push(&context, arguments, head: true, onlyExisting: false) }
        registry.register("rpush") { context, arguments in try push(&context, arguments, head: false, onlyExisting: false) }
        registry.register("lpushx") { context, arguments in try push(&context, arguments, head: true, onlyExisting: true) }
        registry.register("rpushx") { context, arguments in try push(&context, arguments, head: false, onlyExisting: true) }
        registry.register("lpop") { context, arguments in try pop(&context, arguments, head: true) }
        registry.register("rpop") { context, arguments in try pop(&context, arguments, head: false) }
        registry.register("llen") { context, arguments in
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list) else { return .integer(0) }
                return .integer(record.size)
            }
        }
        registry.register("lrange") { context, arguments in
            let start = try arguments.integer(2)
            let end = try arguments.integer(3)
            return try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list) else { return .array([]) }
                guard let window = IndexWindow(start: start, end: end, length: record.size) else { return .array([]) }
                return .array(try connection.listValues(record.id, offset: window.offset, count: window.count).map { .bulkString($0) })
            }
        }
        registry.register("lindex") { context, arguments in
            // The key is looked up (and type-checked) before the index is parsed, as in Redis.
            try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list) else { return .nullBulkString }
                var index = try arguments.integer(2)
                if index < 0 {
                    // From the tail: no need to know the length. `~index` is `-index - 1` without
                    // overflowing at Int64.min.
                    index = ~index
                    return try connection.listSlice(record.id, offset: index, count: 1, fromTail: true).first.map { .bulkString($0.value) } ?? .nullBulkString
                }
                return try connection.listSlice(record.id, offset: index, count: 1).first.map { .bulkString($0.value) } ?? .nullBulkString
            }
        }
        registry.register("lset") { context, arguments in
            try context.write { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list, forWrite: true) else {
                    throw RedisError.noSuchKey
                }
                let index = try arguments.integer(2)
                let element = index < 0
                    ? try connection.listSlice(record.id, offset: ~index, count: 1, fromTail: true).first
                    : try connection.listSlice(record.id, offset: index, count: 1).first
                guard let element else { throw RedisError("ERR index out of range") }
                let statement = try connection.statement("UPDATE lists SET value = ?3 WHERE key_id = ?1 AND position = ?2")
                statement.bind(1, record.id).bind(2, element.position).bind(3, arguments[3])
                try statement.run()
                try connection.touchKey(id: record.id, now: context.now)
                return .ok
            }
        }
        registry.register("ltrim") { context, arguments in
            let start = try arguments.integer(2)
            let end = try arguments.integer(3)
            return try context.write { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list, forWrite: true) else { return .ok }
                let length = record.size
                guard let window = IndexWindow(start: start, end: end, length: length) else {
                    try connection.deleteKey(id: record.id)
                    return .ok
                }
                let kept = try connection.listSlice(record.id, offset: window.offset, count: window.count)
                let statement = try connection.statement("DELETE FROM lists WHERE key_id = ?1 AND (position < ?2 OR position > ?3)")
                statement.bind(1, record.id).bind(2, kept.first!.position).bind(3, kept.last!.position)
                try statement.run()
                try connection.updateSize(id: record.id, by: Int64(kept.count) - length, now: context.now)
                return .ok
            }
        }
        registry.register("linsert") { context, arguments in
            let before: Bool
            if arguments.matches(2, "after") { before = false }
            else if arguments.matches(2, "before") { before = true }
            else { throw RedisError.syntax }
            return try context.write { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list, forWrite: true) else { return .integer(0) }
                let elements = try connection.listSlice(record.id, offset: 0, count: Int64.max)
                guard let pivot = elements.firstIndex(where: { $0.value == arguments[3] }) else { return .integer(-1) }
                let neighbour = before ? pivot - 1 : pivot + 1
                let low = before ? (neighbour >= 0 ? elements[neighbour].position : nil) : elements[pivot].position
                let high = before ? elements[pivot].position : (neighbour < elements.count ? elements[neighbour].position : nil)
                try connection.listInsert(record.id, between: low, and: high, value: arguments[4], elements: elements, at: before ? pivot : pivot + 1)
                return .integer(try connection.updateSize(id: record.id, by: 1, now: context.now))
            }
        }
        registry.register("lrem") { context, arguments in
            let count = try arguments.integer(2)
            return try context.write { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list, forWrite: true) else { return .integer(0) }
                var elements = try connection.listSlice(record.id, offset: 0, count: Int64.max)
                if count < 0 { elements.reverse() }
                let limit = count == 0 ? Int64.max : count.magnitude > UInt64(Int64.max) ? Int64.max : Int64(count.magnitude)
                var removed: Int64 = 0
                let statement = try connection.statement("DELETE FROM lists WHERE key_id = ?1 AND position = ?2")
                for element in elements where element.value == arguments[3] && removed < limit {
                    statement.bind(1, record.id).bind(2, element.position)
                    try statement.run()
                    removed += 1
                }
                if removed > 0 { try connection.updateSize(id: record.id, by: -removed, now: context.now) }
                return .integer(removed)
            }
        }
        registry.register("lpos") { context, arguments in try position(&context, arguments) }
        registry.register("lmove") { context, arguments in
            let fromHead = try side(arguments, 3)
            let toHead = try side(arguments, 4)
            return try move(&context, source: arguments[1], destination: arguments[2], fromHead: fromHead, toHead: toHead)
        }
        registry.register("rpoplpush") { context, arguments in
            try move(&context, source: arguments[1], destination: arguments[2], fromHead: false, toHead: true)
        }
        registry.register("lmpop") { context, arguments in try multiPop(&context, arguments) }
    }

    static func side(_ arguments: CommandArguments, _ index: Int) throws(RedisError) -> Bool {
        if arguments.matches(index, "left") { return true }
        if arguments.matches(index, "right") { return false }
        throw .syntax
    }

    private static func push(_ context: inout CommandContext, _ arguments: CommandArguments, head: Bool, onlyExisting: Bool) throws -> RESPValue {
        try context.write { connection in
            let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list, forWrite: true)
            if record == nil && onlyExisting { return .integer(0) }
            let id = try record?.id ?? connection.createKey(db: context.db, key: arguments[1], type: .list, now: context.now)
            try connection.listPush(id, values: (2..<arguments.count).map { arguments[$0] }, head: head)
            return .integer(try connection.updateSize(id: id, by: Int64(arguments.count - 2), sizeBefore: record?.size ?? 0, now: context.now))
        }
    }

    private static func pop(_ context: inout CommandContext, _ arguments: CommandArguments, head: Bool) throws -> RESPValue {
        if arguments.count > 3 { throw RedisError.wrongArity(head ? "lpop" : "rpop") }
        var count: Int64?
        if arguments.count == 3 {
            count = try arguments.integer(2, error: .mustBePositive)
            guard count! >= 0 else { throw RedisError.mustBePositive }
        }
        return try context.write { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list, forWrite: true) else {
                return count == nil ? .nullBulkString : .nullArray
            }
            if count == 0 { return .array([]) }
            let values = try connection.listPop(record.id, head: head, count: count ?? 1)
            try connection.updateSize(id: record.id, by: -Int64(values.count), sizeBefore: record.size, now: context.now)
            if count == nil { return values.first.map { .bulkString($0) } ?? .nullBulkString }
            return .array(values.map { .bulkString($0) })
        }
    }

    private static func move(_ context: inout CommandContext, source: ByteBuffer, destination: ByteBuffer, fromHead: Bool, toHead: Bool) throws -> RESPValue {
        try context.write { connection in
            guard let from = try connection.lookupKey(db: context.db, key: source, now: context.now, type: .list, forWrite: true) else {
                return .nullBulkString
            }
            _ = try connection.lookupKey(db: context.db, key: destination, now: context.now, type: .list, forWrite: true)
            guard let value = try connection.listPop(from.id, head: fromHead, count: 1).first else { return .nullBulkString }
            try connection.updateSize(id: from.id, by: -1, now: context.now)
            let target = try connection.lookupKey(db: context.db, key: destination, now: context.now, type: .list, forWrite: true)?.id
                ?? connection.createKey(db: context.db, key: destination, type: .list, now: context.now)
            try connection.listPush(target, values: [value], head: toHead)
            try connection.adjustSize(id: target, by: 1, now: context.now)
            return .bulkString(value)
        }
    }

    private static func position(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        var rank: Int64 = 1
        var count: Int64?
        var maxLength: Int64 = 0
        var index = 3
        while index < arguments.count {
            let more = arguments.count - 1 - index
            if arguments.matches(index, "rank") && more > 0 {
                index += 1
                rank = try arguments.integer(index)
                // Redis 7.0 negates the rank in place: the most negative one stays negative, which makes
                // it behave as RANK -1.
                if rank == Int64.min { rank = -1 }
                guard rank != 0 else {
                    throw RedisError("ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list")
                }
            } else if arguments.matches(index, "count") && more > 0 {
                index += 1
                count = try arguments.integer(index, error: RedisError("ERR COUNT can't be negative"))
                guard count! >= 0 else { throw RedisError("ERR COUNT can't be negative") }
            } else if arguments.matches(index, "maxlen") && more > 0 {
                index += 1
                maxLength = try arguments.integer(index, error: RedisError("ERR MAXLEN can't be negative"))
                guard maxLength >= 0 else { throw RedisError("ERR MAXLEN can't be negative") }
            } else {
                throw RedisError.syntax
            }
            index += 1
        }
        let fromTail = rank < 0
        let wanted = rank.magnitude
        return try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .list) else {
                return count == nil ? .nullBulkString : .array([])
            }
            var elements = try connection.listSlice(record.id, offset: 0, count: Int64.max)
            let length = Int64(elements.count)
            if fromTail { elements.reverse() }
            var matches: UInt64 = 0
            var found: [RESPValue] = []
            for (scanned, element) in elements.enumerated() {
                if maxLength != 0 && Int64(scanned) >= maxLength { break }
                guard element.value == arguments[2] else { continue }
                matches += 1
                guard matches >= wanted else { continue }
                let position = fromTail ? length - Int64(scanned) - 1 : Int64(scanned)
                guard let count else { return .integer(position) }
                found.append(.integer(position))
                if count != 0 && matches - wanted + 1 >= UInt64(count) { break }
            }
            return count == nil ? .nullBulkString : .array(found)
        }
    }

    private static func multiPop(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let whereIndex = try arguments.multiPopWhereIndex()
        let head = try side(arguments, whereIndex)
        let count = try arguments.trailingOption("count", from: whereIndex + 1, minimum: 1, repeatable: false, error: RedisError("ERR count should be greater than 0"))
        return try context.write { connection in
            for keyIndex in 2..<whereIndex {
                guard let record = try connection.lookupKey(db: context.db, key: arguments[keyIndex], now: context.now, type: .list, forWrite: true) else { continue }
                let values = try connection.listPop(record.id, head: head, count: count ?? 1)
                guard !values.isEmpty else { continue }
                try connection.updateSize(id: record.id, by: -Int64(values.count), now: context.now)
                return .array([.bulkString(arguments[keyIndex]), .array(values.map { .bulkString($0) })])
            }
            return .nullArray
        }
    }
}

extension SQLiteConnection {
    /// `count` elements from `offset` (from the head, or from the tail going backwards).
    func listSlice(_ id: Int64, offset: Int64, count: Int64, fromTail: Bool = false) throws -> [(position: Int64, value: ByteBuffer)] {
        let statement = fromTail
            ? try statement("SELECT position, value FROM lists WHERE key_id = ?1 ORDER BY position DESC LIMIT ?2 OFFSET ?3")
            : try statement("SELECT position, value FROM lists WHERE key_id = ?1 ORDER BY position LIMIT ?2 OFFSET ?3")
        defer { statement.reset() }
        statement.bind(1, id).bind(2, count).bind(3, offset)
        var elements: [(position: Int64, value: ByteBuffer)] = []
        while try statement.step() { elements.append((statement.int64(0), statement.bytes(1))) }
        return elements
    }

    /// `count` values from index `offset` (LRANGE), read into one buffer.
    func listValues(_ id: Int64, offset: Int64, count: Int64) throws -> [ByteBuffer] {
        let statement = try statement("SELECT value FROM lists WHERE key_id = ?1 ORDER BY position LIMIT ?2 OFFSET ?3")
        defer { statement.reset() }
        statement.bind(1, id).bind(2, count).bind(3, offset)
        return try statement.collectBytes(0, expectedRows: Int(clamping: min(count, 1024)))
    }

    /// The head or tail position, nil for an empty list.
    private func listEdge(_ id: Int64, head: Bool) throws -> Int64? {
        let statement = head
            ? try statement("SELECT min(position) FROM lists WHERE key_id = ?1")
            : try statement("SELECT max(position) FROM lists WHERE key_id = ?1")
        defer { statement.reset() }
        statement.bind(1, id)
        _ = try statement.step()
        return statement.optionalInt64(0)
    }

    func listPush(_ id: Int64, values: [ByteBuffer], head: Bool) throws {
        var edge = try listEdge(id, head: head)
        if let current = edge, current.magnitude > UInt64(ListPositions.limit - Int64(values.count) * ListPositions.gap) {
            try rebalanceList(id)
            edge = try listEdge(id, head: head)
        }
        let insert = try statement("INSERT INTO lists (key_id, position, value) VALUES (?1, ?2, ?3)")
        for value in values {
            let position = edge.map { head ? $0 - ListPositions.gap : $0 + ListPositions.gap } ?? 0
            insert.bind(1, id).bind(2, position).bind(3, value)
            try insert.run()
            edge = position
        }
    }

    /// Inserts between two neighbouring positions (nil: the list's end), rebalancing when no integer
    /// is left between them. `elements` and `index` describe the list for the rebalanced retry.
    func listInsert(_ id: Int64, between low: Int64?, and high: Int64?, value: ByteBuffer,
                    elements: [(position: Int64, value: ByteBuffer)], at index: Int) throws {
        let position: Int64?
        switch (low, high) {
        case (let low?, let high?): position = high - low > 1 ? low + (high - low) / 2 : nil
        case (let low?, nil): position = low < ListPositions.limit ? low + ListPositions.gap : nil
        case (nil, let high?): position = high > -ListPositions.limit ? high - ListPositions.gap : nil
        case (nil, nil): position = 0
        }
        if let position {
            let insert = try statement("INSERT INTO lists (key_id, position, value) VALUES (?1, ?2, ?3)")
            insert.bind(1, id).bind(2, position).bind(3, value)
            try insert.run()
            return
        }
        // No room: renumber the whole list with the new element in place.
        var values = elements.map(\.value)
        values.insert(value, at: index)
        try rewriteList(id, values: values)
    }

    /// Renumbers a list with fresh gaps around 0.
    func rebalanceList(_ id: Int64) throws {
        try rewriteList(id, values: listSlice(id, offset: 0, count: Int64.max).map(\.value))
    }

    private func rewriteList(_ id: Int64, values: [ByteBuffer]) throws {
        let delete = try statement("DELETE FROM lists WHERE key_id = ?1")
        delete.bind(1, id)
        try delete.run()
        let insert = try statement("INSERT INTO lists (key_id, position, value) VALUES (?1, ?2, ?3)")
        let first = -Int64(values.count / 2) * ListPositions.gap
        for (offset, value) in values.enumerated() {
            insert.bind(1, id).bind(2, first + Int64(offset) * ListPositions.gap).bind(3, value)
            try insert.run()
        }
    }

    func listPop(_ id: Int64, head: Bool, count: Int64) throws -> [ByteBuffer] {
        let elements = try listSlice(id, offset: 0, count: count, fromTail: !head)
        guard let first = elements.first, let last = elements.last else { return [] }
        let statement = try statement("DELETE FROM lists WHERE key_id = ?1 AND position BETWEEN ?2 AND ?3")
        statement.bind(1, id).bind(2, min(first.position, last.position)).bind(3, max(first.position, last.position))
        try statement.run()
        return elements.map(\.value)
    }
}
