/// How the generated client decodes a command's reply.
///
/// The kinds are kept by hand, here, on purpose: the command-spec artifact says nothing reliable
/// about reply shapes (COMMAND DOCS has no reply schema in Redis 7.0), and guessing from the
/// summary text would silently mistype commands. A command is listed only when its reply has the
/// same meaning whatever optional arguments are given; everything else returns the raw `RESPValue`.
public enum ReplyKind: Sendable, Hashable {
    /// The raw `RESPValue` (the default).
    case raw
    /// An integer reply → `Int`.
    case integer
    /// An integer reply or null (`ZRANK` of a missing member) → `Int?`.
    case optionalInteger
    /// An integer reply that is 0 or 1 → `Bool`.
    case boolean
    /// `+OK` → nothing (a non-OK reply is a protocol violation).
    case ok
    /// A status reply such as `TYPE`'s → `String`.
    case status
    /// A bulk string → `ByteBuffer`.
    case bulk
    /// A bulk string or null → `ByteBuffer?`.
    case optionalBulk
    /// A double (RESP3) or a bulk string holding one (RESP2) → `Double`.
    case double
    /// A double or null → `Double?`.
    case optionalDouble
    /// An array (or set) of bulk strings → `[ByteBuffer]`.
    case bulkArray
    /// An array of bulk strings or nulls → `[ByteBuffer?]`.
    case optionalBulkArray
    /// An array of integers → `[Int]`.
    case integerArray
    /// An array of doubles or nulls → `[Double?]`.
    case optionalDoubleArray
    /// A map (RESP3) or a flat field/value array (RESP2) → `[String: ByteBuffer]`.
    case bulkMap
    /// A map of strings (`CONFIG GET`) → `[String: String]`.
    case stringMap
    /// `TIME` → `RedisServerTime`.
    case serverTime
    /// `INFO` → sections of fields, `[String: [String: String]]`.
    case info

    /// The Swift return type.
    var swiftType: String? {
        switch self {
        case .raw: return "RESPValue"
        case .integer: return "Int"
        case .optionalInteger: return "Int?"
        case .boolean: return "Bool"
        case .ok: return nil
        case .status: return "String"
        case .bulk: return "ByteBuffer"
        case .optionalBulk: return "ByteBuffer?"
        case .double: return "Double"
        case .optionalDouble: return "Double?"
        case .bulkArray: return "[ByteBuffer]"
        case .optionalBulkArray: return "[ByteBuffer?]"
        case .integerArray: return "[Int]"
        case .optionalDoubleArray: return "[Double?]"
        case .bulkMap: return "[String: ByteBuffer]"
        case .stringMap: return "[String: String]"
        case .serverTime: return "RedisServerTime"
        case .info: return "[String: [String: String]]"
        }
    }

    /// The name of the `RedisReplyDecoder` function that turns the raw reply into `swiftType`.
    var decoder: String? {
        switch self {
        case .raw: return nil
        case .integer: return "integer"
        case .optionalInteger: return "optionalInteger"
        case .boolean: return "boolean"
        case .ok: return "ok"
        case .status: return "status"
        case .bulk: return "bulk"
        case .optionalBulk: return "optionalBulk"
        case .double: return "double"
        case .optionalDouble: return "optionalDouble"
        case .bulkArray: return "bulkArray"
        case .optionalBulkArray: return "optionalBulkArray"
        case .integerArray: return "integerArray"
        case .optionalDoubleArray: return "optionalDoubleArray"
        case .bulkMap: return "bulkMap"
        case .stringMap: return "stringMap"
        case .serverTime: return "serverTime"
        case .info: return "info"
        }
    }

    /// The hand-kept table: command name (as in the artifact) → reply kind. Commands whose reply
    /// shape depends on their arguments (LPOP with COUNT, ZRANGE WITHSCORES, SET … GET) are
    /// deliberately absent.
    public static let table: [String: ReplyKind] = {
        var table: [String: ReplyKind] = [:]
        let integer = """
            append bitcount bitop bitpos dbsize decr decrby del exists expiretime geoadd getbit hdel \
            hincrby hlen hset hstrlen incr incrby lastsave linsert llen lpush lpushx lrem pexpiretime \
            pfcount pttl publish rpush rpushx sadd scard sdiffstore setbit setrange sinterstore \
            sintercard srem strlen sunionstore touch ttl unlink zcard zcount zdiffstore zintercard \
            zinterstore zlexcount zrangestore zrem zremrangebylex zremrangebyrank zremrangebyscore \
            zunionstore xack xdel xlen xtrim client|id object|freq object|idletime object|refcount \
            spublish pubsub|numpat wait command|count xgroup|destroy xgroup|createconsumer xgroup|delconsumer
            """
        for name in integer.split(whereSeparator: \.isWhitespace) { table[String(name)] = .integer }
        for name in ["zrank", "zrevrank", "memory|usage"] { table[name] = .optionalInteger }
        for name in ["copy", "expire", "expireat", "pexpire", "pexpireat", "persist", "hsetnx", "hexists",
                     "msetnx", "renamenx", "move", "sismember", "smove", "pfadd", "setnx", "client|unblock"] {
            table[name] = .boolean
        }
        for name in ["mset", "flushdb", "flushall", "rename", "ltrim", "lset", "setex", "psetex", "hmset",
                     "pfmerge", "client|setname", "config|set", "config|resetstat", "script|flush", "swapdb",
                     "select", "xgroup|setid", "xgroup|create", "restore", "client|no-evict", "client|no-touch",
                     "multi", "discard", "watch", "unwatch", "function|flush", "function|delete",
                     "config|rewrite", "slowlog|reset", "memory|purge", "readwrite", "readonly",
                     "auth"] {
            table[name] = .ok
        }
        table["type"] = .status
        table["echo"] = .bulk
        table["getrange"] = .bulk
        table["substr"] = .bulk
        for name in ["get", "getdel", "getex", "getset", "hget", "lindex", "rpoplpush", "lmove",
                     "dump", "randomkey", "client|getname", "object|encoding"] {
            table[name] = .optionalBulk
        }
        for name in ["script|load", "function|load", "client|list", "client|info", "acl|whoami", "acl|genpass"] {
            table[name] = .bulk
        }
        // XADD: the new entry's ID, or null when NOMKSTREAM found no stream.
        table["xadd"] = .optionalBulk
        table["geodist"] = .optionalDouble
        table["geohash"] = .optionalBulkArray
        table["acl|users"] = .bulkArray
        table["incrbyfloat"] = .double
        table["hincrbyfloat"] = .double
        table["zincrby"] = .double
        table["zscore"] = .optionalDouble
        for name in ["keys", "smembers", "sinter", "sunion", "sdiff", "lrange", "hkeys", "hvals",
                     "pubsub|channels", "pubsub|shardchannels"] {
            table[name] = .bulkArray
        }
        table["mget"] = .optionalBulkArray
        table["hmget"] = .optionalBulkArray
        table["script|exists"] = .integerArray
        table["smismember"] = .integerArray
        table["zmscore"] = .optionalDoubleArray
        table["hgetall"] = .bulkMap
        table["config|get"] = .stringMap
        table["time"] = .serverTime
        table["info"] = .info
        return table
    }()
}
