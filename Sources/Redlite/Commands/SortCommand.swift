import NIOCore
import RESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SORT and SORT_RO, as Redis 7.0's sort.c: the elements of a list, set or sorted set, ordered by
/// their numeric value (or bytes with ALPHA), or by the values of other keys (BY pattern), or not at
/// all (BY a pattern without `*`); a LIMIT range of the result; for each element the values of
/// other keys (GET pattern, `#` for the element itself, `key->field` for a hash field); the result
/// answered, or stored as a list (STORE, SORT only).
enum SortCommand {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("sort") { context, arguments in try sort(&context, arguments, readOnly: false) }
        registry.register("sort_ro") { context, arguments in try sort(&context, arguments, readOnly: true) }
    }

    struct Options {
        var descending = false
        var alpha = false
        var limitStart: Int64 = 0
        var limitCount: Int64 = -1
        var by: ByteBuffer?
        /// BY names a pattern without `*`: the elements keep their order.
        var dontSort = false
        var gets: [ByteBuffer] = []
        var store: ByteBuffer?

        /// Redis's option loop: each option where it finds enough arguments after it, the last one
        /// of each kind winning; anything else is a syntax error (STORE too, for SORT_RO).
        init(_ arguments: CommandArguments, readOnly: Bool) throws {
            var index = 2
            while index < arguments.count {
                let left = arguments.count - index - 1
                if arguments.matches(index, "asc") {
                    descending = false
                } else if arguments.matches(index, "desc") {
                    descending = true
                } else if arguments.matches(index, "alpha") {
                    alpha = true
                } else if arguments.matches(index, "limit") && left >= 2 {
                    limitStart = try arguments.integer(index + 1)
                    limitCount = try arguments.integer(index + 2)
                    index += 2
                } else if !readOnly && arguments.matches(index, "store") && left >= 1 {
                    store = arguments[index + 1]
                    index += 1
                } else if arguments.matches(index, "by") && left >= 1 {
                    by = arguments[index + 1]
                    // As in Redis, once a BY without `*` is seen nothing is sorted, whatever follows.
                    if !arguments[index + 1].readableBytesView.contains(UInt8(ascii: "*")) { dontSort = true }
                    index += 1
                } else if arguments.matches(index, "get") && left >= 1 {
                    gets.append(arguments[index + 1])
                    index += 1
                } else {
                    throw RedisError.syntax
                }
                index += 1
            }
        }
    }

    /// An element and what it is ordered by.
    private struct Entry {
        let element: ByteBuffer
        var score: Double = 0
        /// The BY value for ALPHA (nil: the key or field is missing).
        var byValue: ByteBuffer?
    }

    private static func sort(_ context: inout CommandContext, _ arguments: CommandArguments, readOnly: Bool) throws -> RESPValue {
        var options = try Options(arguments, readOnly: readOnly)
        let database = context.database
        // The events of a STORE, set once the body has run (it cannot change `context` while
        // `context.write` runs it).
        var storeEvents: [KeyspaceNotifications.Event] = []
        let body = { (connection: SQLiteConnection) throws -> RESPValue in
            let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now)
            if let record, ![.list, .set, .zset].contains(record.type) { throw RedisError.wrongType }
            // A set has no order of its own: stored, it is sorted by its bytes, as Redis does so that
            // replicas and scripts see one result.
            if options.dontSort && record?.type == .set && options.store != nil {
                options.dontSort = false
                options.alpha = true
                options.by = nil
            }
            var elements = try record.map { try Self.elements(of: $0, connection, sortingLater: !options.dontSort) } ?? []
            // LIMIT as Redis clamps it.
            let count = Int64(elements.count)
            var start = min(max(options.limitStart, 0), count)
            let limitCount = min(max(options.limitCount, -1), count)
            var end = limitCount < 0 ? count - 1 : start + limitCount - 1
            if start >= count {
                start = count - 1
                end = count - 2
            }
            if end >= count { end = count - 1 }

            if options.dontSort {
                // Lists and sorted sets in their own order, DESC from the other end; a set as it
                // comes (Redis ignores DESC there too).
                if options.descending && record?.type != .set { elements.reverse() }
            } else {
                var entries = elements.map { Entry(element: $0) }
                var conversionFailed = false
                for index in entries.indices {
                    let byValue: ByteBuffer?
                    if let pattern = options.by {
                        byValue = try Self.lookup(pattern, substituting: entries[index].element, connection, context)
                        guard byValue != nil else { continue }
                    } else {
                        byValue = entries[index].element
                    }
                    if options.alpha {
                        if options.by != nil { entries[index].byValue = byValue }
                    } else if let score = Self.score(byValue!) {
                        entries[index].score = score
                    } else {
                        conversionFailed = true
                    }
                }
                if conversionFailed { throw RedisError("ERR One or more scores can't be converted into double") }
                let alpha = options.alpha, byPattern = options.by != nil, descending = options.descending
                entries.sort { first, second in
                    var order: Int
                    if !alpha {
                        order = first.score > second.score ? 1 : first.score < second.score ? -1 : Self.compare(first.element, second.element)
                    } else if byPattern {
                        switch (first.byValue, second.byValue) {
                        case (nil, nil): order = 0
                        case (nil, _): order = -1
                        case (_, nil): order = 1
                        case (let one?, let other?): order = Self.compare(one, other)
                        }
                    } else {
                        order = Self.compare(first.element, second.element)
                    }
                    return (descending ? -order : order) < 0
                }
                elements = entries.map(\.element)
            }

            let selected = end >= start ? Array(elements[Int(start)...Int(end)]) : []
            var output: [ByteBuffer?] = []
            for element in selected {
                if options.gets.isEmpty { output.append(element) }
                for pattern in options.gets {
                    output.append(try Self.lookup(pattern, substituting: element, connection, context))
                }
            }
            guard let destination = options.store else { return .array(output.map { $0.map { .bulkString($0) } ?? .nullBulkString }) }
            let existing = try connection.lookupKeyForWrite(db: context.db, key: destination, now: context.now, loadingChunks: false)
            if let existing { try connection.deleteKey(id: existing.id) }
            guard !output.isEmpty else {
                if existing != nil { storeEvents = [.init(database: database, key: destination, name: "del", kind: "g")] }
                return .integer(0)
            }
            // Missing GET values are stored as empty strings, as in Redis.
            let id = try connection.createKey(db: context.db, key: destination, type: .list, now: context.now)
            try connection.listPush(id, values: output.map { $0 ?? ByteBuffer() }, head: false)
            try connection.adjustSize(id: id, by: Int64(output.count), now: context.now)
            storeEvents = [.init(database: database, key: destination, name: "sortstore", kind: "l")]
            return .integer(Int64(output.count))
        }
        guard options.store != nil else { return try context.read(body) }
        let reply = try context.write(body)
        context.deletedKeyEvents = storeEvents
        return reply
    }

    /// The key's elements: a list in order, a sorted set by score, a set in Redis's order when it
    /// will not be sorted (an intset's: ascending integers; otherwise no order is promised).
    private static func elements(of record: KeyRecord, _ connection: SQLiteConnection, sortingLater: Bool) throws -> [ByteBuffer] {
        switch record.type {
        case .list: return try connection.listValues(record.id, offset: 0, count: -1)
        case .zset: return try connection.zsetAll(record.id).map(\.member)
        default:
            let members = try connection.setMembers(record.id)
            guard !sortingLater, record.size <= ObjectCommands.setIntsetEntries else { return members }
            let integers = members.compactMap { RedisNumbers.parseInteger($0) }
            guard integers.count == members.count else { return members }
            return integers.sorted().map { ByteBuffer(string: String($0)) }
        }
    }

    /// Redis's lookupKeyByPattern: `#` is the element itself; otherwise the first `*` is replaced
    /// by the element, and a `->field` after it (with a field name) reads that field of a hash;
    /// without one the key must hold a string. A pattern without `*` names no key (nil).
    private static func lookup(_ pattern: ByteBuffer, substituting element: ByteBuffer, _ connection: SQLiteConnection,
                               _ context: CommandContext) throws -> ByteBuffer? {
        let bytes = Array(pattern.readableBytesView)
        if bytes == [UInt8(ascii: "#")] { return element }
        guard let star = bytes.firstIndex(of: UInt8(ascii: "*")) else { return nil }
        var keyEnd = bytes.count
        var field: ByteBuffer?
        var index = star + 1
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "-") && bytes[index + 1] == UInt8(ascii: ">") {
                // Only an arrow with a field name after it.
                if index + 2 < bytes.count {
                    keyEnd = index
                    field = ByteBuffer(bytes: bytes[(index + 2)...])
                }
                break
            }
            index += 1
        }
        var key = ByteBuffer(bytes: bytes[..<star])
        key.writeImmutableBuffer(element)
        key.writeBytes(bytes[(star + 1)..<keyEnd])
        guard let record = try connection.lookupKey(db: context.db, key: key, now: context.now) else { return nil }
        if let field {
            guard record.type == .hash else { return nil }
            return try connection.hashField(record.id, field)
        }
        return record.type == .string ? record.value : nil
    }

    /// strtod as SORT uses it: leading white space allowed, the whole text read (up to a NUL, as C
    /// reads it), neither out of range nor NaN; the empty string is 0.
    static func score(_ value: ByteBuffer) -> Double? {
        errno = 0
        guard let score = strtodWhole(Array(value.readableBytesView)), errno != ERANGE, !score.isNaN else { return nil }
        return score
    }

    /// Redis's compareStringObjects: bytes, then length.
    static func compare(_ one: ByteBuffer, _ other: ByteBuffer) -> Int {
        let (a, b) = (one.readableBytesView, other.readableBytesView)
        for (x, y) in zip(a, b) where x != y { return x < y ? -1 : 1 }
        return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
    }
}
