import NIOCore
import RESP

/// OBJECT (Redis's object.c `objectCommand`), answered from what Redlite stores rather than from an
/// in-memory object: ENCODING names the encoding Redis 7.0 would give the value as it is now, by the
/// same thresholds (Redis also remembers history: a hash once converted to a hashtable stays one, a
/// string changed by APPEND or SETRANGE is `raw`; Redlite knows only the value), REFCOUNT follows
/// Redis's shared integers, FREQ answers Redis's error for a policy without LFU (Redlite's policy is
/// always noeviction), and IDLETIME is refused: Redlite does not track reads, and an idle time counted
/// from the last write would call a key read every second idle, which is what tools that look for
/// idle keys to delete must not be told.
enum ObjectCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("object") { context, arguments in
            let subcommand = arguments[1].lowercasedASCII
            let arity: [String: Int] = ["encoding": 3, "freq": 3, "idletime": 3, "refcount": 3, "help": 2]
            guard let expected = arity[subcommand] else {
                throw RedisError("ERR unknown subcommand '\(String(buffer: arguments[1]).prefix(128))'. Try OBJECT HELP.")
            }
            guard arguments.count == expected else { throw RedisError.wrongArity("object|\(subcommand)") }
            if subcommand == "help" { return help }
            return try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[2], now: context.now, loadingChunks: false) else {
                    return .nullBulkString
                }
                switch subcommand {
                case "encoding": return .bulk(try encoding(of: record, connection))
                case "refcount": return .integer(sharesInteger(record) ? Int64(Int32.max) : 1)
                case "freq":
                    throw RedisError("""
                        ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when \
                        switching between policies at runtime LRU and LFU data will take some time to adjust.
                        """)
                default:
                    throw RedisError("ERR Redlite does not track key access times: OBJECT IDLETIME is not available")
                }
            }
        }
    }

    // Redis 7.0's defaults for the compact encodings (hash-max-listpack-entries and the others).
    static let hashListpackEntries: Int64 = 512
    static let hashListpackValue: Int64 = 64
    static let setIntsetEntries: Int64 = 512
    static let zsetListpackEntries: Int64 = 128
    static let zsetListpackValue: Int64 = 64
    /// Strings up to this length are allocated with their object (`OBJ_ENCODING_EMBSTR_SIZE_LIMIT`).
    static let embeddedStringLimit = 44
    /// Redis shares the integer objects 0 to 9,999 (`OBJ_SHARED_INTEGERS`) under noeviction.
    static let sharedIntegers: Int64 = 10_000

    /// The encoding Redis 7.0 gives a value like this one.
    static func encoding(of record: KeyRecord, _ connection: SQLiteConnection) throws -> String {
        switch record.type {
        case .string:
            // A chunked string is far longer than 44 bytes.
            guard let value = record.value, !record.isChunkedString else { return "raw" }
            if integerValue(value) != nil { return "int" }
            return value.readableBytes <= embeddedStringLimit ? "embstr" : "raw"
        case .list:
            // Redis 7.0 keeps every list in a quicklist (7.2 brought listpack lists).
            return "quicklist"
        case .set:
            guard record.size <= setIntsetEntries else { return "hashtable" }
            let allIntegers = try connection.setMembers(record.id).allSatisfy { RedisNumbers.parseInteger($0) != nil }
            return allIntegers ? "intset" : "hashtable"
        case .hash:
            guard record.size <= hashListpackEntries else { return "hashtable" }
            let longest = try connection.longestElement("SELECT max(max(length(field)), max(length(value))) FROM hashes WHERE key_id = ?1", of: record.id)
            return longest <= hashListpackValue ? "listpack" : "hashtable"
        case .zset:
            guard record.size <= zsetListpackEntries else { return "skiplist" }
            let longest = try connection.longestElement("SELECT max(length(member)) FROM zsets WHERE key_id = ?1", of: record.id)
            return longest <= zsetListpackValue ? "listpack" : "skiplist"
        }
    }

    /// A string Redis stores as an integer: at most 20 bytes that string2l reads whole.
    static func integerValue(_ value: ByteBuffer) -> Int64? {
        value.readableBytes <= 20 ? RedisNumbers.parseInteger(value) : nil
    }

    /// Whether Redis would hand out its shared object for this value (OBJECT REFCOUNT INT_MAX).
    static func sharesInteger(_ record: KeyRecord) -> Bool {
        guard record.type == .string, !record.isChunkedString, let value = record.value, let integer = integerValue(value) else { return false }
        return integer >= 0 && integer < sharedIntegers
    }

    static let help: RESPValue = .array([
        "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.", "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.", "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.", "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified", "    <key>.", "HELP",
        "    Prints this help.",
    ].map { .simpleString($0) })
}

extension SQLiteConnection {
    /// The one integer `sql` answers for the key `id` (0 for none).
    fileprivate func longestElement(_ sql: StaticString, of id: Int64) throws -> Int64 {
        let statement = try statement(sql)
        defer { statement.reset() }
        statement.bind(1, id)
        guard try statement.step() else { return 0 }
        return statement.optionalInt64(0) ?? 0
    }
}
