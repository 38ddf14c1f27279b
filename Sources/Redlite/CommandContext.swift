import NIOCore

/// What a command handler works with: the store, the client's selected database, the time the command
/// started (Redis evaluates expiry against one time per command), and, inside a transaction, the
/// connection every read and write must use.
struct CommandContext {
    let store: RedliteStore
    var database: Int
    /// Set inside `RedliteStore.transaction` (the writer lock is held): all work goes here.
    let connection: SQLiteConnection?
    /// Set by a `RedliteReader`: reads use its read connection (already in a read
    /// transaction), so a run of read commands shares one snapshot.
    var snapshot: SQLiteConnection? = nil
    /// The client speaks RESP3.
    let resp3: Bool
    let now: Int64 = Clock.milliseconds()
    /// Keyspace events of the command, published once its effect is committed.
    var events: [KeyspaceNotifications.Event] = []
    /// Set by a write that turned out to change nothing although it answered as if it might have
    /// (ZADD of a member at its score): no keyspace events, no wake-ups.
    var changedNothing = false
    /// Events a command works out itself, before those of its name: `del` for the keys DEL and
    /// UNLINK actually deleted, SORT … STORE's `sortstore` or `del`, BITFIELD's `setbit`.
    var deletedKeyEvents: [KeyspaceNotifications.Event] = []

    /// The aggregate keys the command emptied and the keys it found expired (from the writer
    /// connection), for their keyspace events.
    func takeKeyChanges() -> (emptied: [(database: Int, key: ByteBuffer)], expired: [(database: Int, key: ByteBuffer)]) {
        let take = { (connection: SQLiteConnection) -> (emptied: [(database: Int, key: ByteBuffer)], expired: [(database: Int, key: ByteBuffer)]) in
            defer {
                connection.emptiedKeys.removeAll()
                connection.expiredKeys.removeAll()
            }
            return (connection.emptiedKeys, connection.expiredKeys)
        }
        if let connection { return take(connection) }
        return store.writer.withLockedValue { take($0) }
    }

    /// Forgets the keys the command emptied or found expired when no events are published for them
    /// (they are taken only while keyspace notifications are on). The lists live on the writer
    /// connection: left there, they grew by one entry per such key for as long as the process ran,
    /// and handed stale events to the first write after notifications were turned on.
    func discardKeyChanges() {
        let discard = { (connection: SQLiteConnection) in
            connection.emptiedKeys.removeAll(keepingCapacity: true)
            connection.expiredKeys.removeAll(keepingCapacity: true)
        }
        if let connection {
            discard(connection)
        } else if snapshot == nil {
            store.writer.withLockedValue { discard($0) }
        }
    }

    var db: Int64 { Int64(database) }

    /// Runs a read-only body on a read connection (or the transaction's connection).
    func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        if let connection { return try body(connection) }
        if let snapshot { return try body(snapshot) }
        return try store.withReader(body)
    }

    /// Runs a body that writes (and reads what it needs) atomically on the writer.
    func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        if let connection { return try body(connection) }
        if snapshot != nil { throw RedisError.writeInReadSnapshot }
        return try store.withWriter(body)
    }

    /// Runs a body made of a single SQL statement on the writer, without a surrounding transaction.
    func writeOneStatement<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        if let connection { return try body(connection) }
        if snapshot != nil { throw RedisError.writeInReadSnapshot }
        return try store.withWriterAutocommit(body)
    }
}

/// The arguments of one command (the name at index 0) with Redis's parsing rules.
struct CommandArguments {
    let values: [ByteBuffer]

    var count: Int { values.count }

    subscript(index: Int) -> ByteBuffer { values[index] }

    /// The argument as text (lossy for invalid UTF-8; for option names and numbers).
    func string(_ index: Int) -> String { String(buffer: values[index]) }

    /// Case-insensitive comparison with an ASCII option name.
    func matches(_ index: Int, _ option: StaticString) -> Bool {
        values[index].equalsIgnoringCase(option)
    }

    /// An integer as Redis parses it (`string2ll`), or `ERR value is not an integer or out of range`.
    func integer(_ index: Int, error: RedisError = .notInteger) throws(RedisError) -> Int64 {
        guard let value = RedisNumbers.parseInteger(values[index]) else { throw error }
        return value
    }

    /// A double as Redis's getDoubleFromObject reads it (strtod, out of range and NaN refused), or
    /// `ERR value is not a valid float`.
    func double(_ index: Int, error: RedisError = .notFloat) throws(RedisError) -> Double {
        guard let value = parseScore(values[index]) else { throw error }
        return value
    }

    /// The `numkeys key [key ...] <where>` head of LMPOP and ZMPOP (numkeys at index 1): the index of
    /// `<where>`, with Redis's errors for a bad or too large key count.
    func multiPopWhereIndex() throws(RedisError) -> Int {
        guard let keyCount = RedisNumbers.parseInteger(values[1]), keyCount >= 1 else {
            throw RedisError("ERR numkeys should be greater than 0")
        }
        let whereIndex = 2 + Int(min(keyCount, Int64(count)))
        guard keyCount < Int64(count), whereIndex < count else { throw RedisError.syntax }
        return whereIndex
    }

    /// The one optional `<option> n` pair allowed from `index` to the end (COUNT of LMPOP/ZMPOP, LIMIT of
    /// SINTERCARD/ZINTERCARD); anything else there is a syntax error. A value below `minimum` throws
    /// `error`. Redis accepts LIMIT more than once (the last wins) but COUNT only once, hence `repeatable`.
    func trailingOption(_ option: StaticString, from index: Int, minimum: Int64, repeatable: Bool, error: RedisError) throws(RedisError) -> Int64? {
        var value: Int64?
        var index = index
        while index < count {
            guard repeatable || value == nil, matches(index, option), index + 1 < count else { throw RedisError.syntax }
            guard let parsed = RedisNumbers.parseInteger(values[index + 1]), parsed >= minimum else { throw error }
            value = parsed
            index += 2
        }
        return value
    }
}

extension ByteBuffer {
    /// ASCII case-insensitive equality with `option`.
    func equalsIgnoringCase(_ option: StaticString) -> Bool {
        guard readableBytes == option.utf8CodeUnitCount else { return false }
        return withUnsafeReadableBytes { raw in
            option.withUTF8Buffer { expected in
                for index in 0..<expected.count where raw[index] | 0x20 != expected[index] | 0x20 {
                    // `| 0x20` folds ASCII letters; compare exactly for anything that is not a letter.
                    let a = raw[index], b = expected[index]
                    let isLetter = (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7a
                    if !isLetter || (a | 0x20) != (b | 0x20) { return false }
                }
                return true
            }
        }
    }
}
