import RESP
import RedisTestSupport
import Redlite
import Testing

/// Hand-written differential cases: every command and option of engine I, with edge cases and the
/// error texts. Each case starts from empty databases on both sides. Every divergence ever found
/// stays here as a case.
@Suite("Differential: hand-written cases against redis-server")
struct DifferentialCaseTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let commands: [[String]]
        var testDescription: String { name }
        init(_ name: String, _ commands: [[String]]) {
            self.name = name
            self.commands = commands
        }
    }

    static let cases: [Case] = [
        Case("GET and SET basics", [
            ["GET", "k"], ["SET", "k", "v"], ["GET", "k"], ["SET", "k", ""], ["GET", "k"], ["STRLEN", "k"],
            ["SET", "bin", "a\u{0}b\r\nc"], ["GET", "bin"], ["GET"], ["SET", "k"], ["get", "k", "x"],
        ]),
        Case("SET options", [
            ["SET", "k", "v", "NX"], ["SET", "k", "w", "NX"], ["GET", "k"], ["SET", "k", "x", "XX"], ["GET", "k"],
            ["SET", "missing", "x", "XX"], ["GET", "missing"], ["SET", "k", "y", "GET"], ["SET", "new", "y", "GET"],
            ["SET", "k", "z", "NX", "GET"], ["SET", "k", "z", "XX", "GET"], ["SET", "k", "a", "NX", "XX"],
            ["SET", "k", "a", "EX", "10"], ["TTL", "k"], ["SET", "k", "a", "PX", "10000"], ["PTTL", "k"],
            ["SET", "k", "a", "KEEPTTL"], ["TTL", "k"], ["SET", "k", "b"], ["TTL", "k"],
            ["SET", "k", "a", "EX", "0"], ["SET", "k", "a", "EX", "-5"], ["SET", "k", "a", "EX", "abc"],
            ["SET", "k", "a", "EX", "10", "PX", "100"], ["SET", "k", "a", "EX"], ["SET", "k", "a", "KEEPTTL", "EX", "10"],
            ["SET", "k", "a", "EX", "9223372036854775807"], ["SET", "k", "a", "PX", "9223372036854775807"],
            ["SET", "k", "a", "EXAT", "1"], ["GET", "k"], ["EXISTS", "k"], ["SET", "k", "a", "PXAT", "99999999999999"], ["PTTL", "k"],
            ["SET", "k", "a", "ex", "10", "ex", "20"], ["TTL", "k"], ["SET", "k", "a", "BOGUS"], ["set", "k", "v", "nx", "nx"],
            ["HSET", "h", "f", "v"], ["SET", "h", "x", "GET"], ["SET", "h", "x"], ["TYPE", "h"], ["GET", "h"],
        ]),
        Case("SETNX SETEX PSETEX GETSET GETDEL", [
            ["SETNX", "k", "1"], ["SETNX", "k", "2"], ["GET", "k"], ["SETEX", "e", "100", "v"], ["TTL", "e"],
            ["SETEX", "e", "0", "v"], ["SETEX", "e", "-1", "v"], ["SETEX", "e", "x", "v"], ["PSETEX", "p", "100000", "v"], ["PTTL", "p"],
            ["PSETEX", "p", "0", "v"], ["GETSET", "k", "3"], ["GETSET", "nope", "1"], ["GET", "nope"], ["SETEX", "g", "100", "v"],
            ["GETSET", "g", "w"], ["TTL", "g"], ["GETDEL", "g"], ["GETDEL", "g"], ["EXISTS", "g"],
            ["HSET", "h", "f", "v"], ["GETSET", "h", "x"], ["GETDEL", "h"], ["SETNX", "h", "x"],
        ]),
        Case("GETEX", [
            ["SET", "k", "v"], ["GETEX", "k"], ["GETEX", "k", "EX", "100"], ["TTL", "k"], ["GETEX", "k", "PERSIST"], ["TTL", "k"],
            ["GETEX", "k", "PX", "50000"], ["PTTL", "k"], ["GETEX", "k", "EXAT", "1"], ["EXISTS", "k"], ["GETEX", "missing", "EX", "x"],
            ["SET", "k", "v"], ["GETEX", "k", "EX", "0"], ["GETEX", "k", "EX", "x"], ["GETEX", "k", "PERSIST", "EX", "10"],
            ["GETEX", "k", "BOGUS"], ["GETEX", "k", "EX"], ["GETEX", "k", "PXAT", "99999999999999"], ["PTTL", "k"],
            ["HSET", "h", "f", "v"], ["GETEX", "h"], ["GETEX", "h", "EX", "10"],
        ]),
        Case("MGET MSET MSETNX", [
            ["MSET", "a", "1", "b", "2"], ["MGET", "a", "b", "c"], ["MSET", "a"], ["MSET", "a", "1", "b"],
            ["MSETNX", "c", "3", "d", "4"], ["MSETNX", "d", "5", "e", "6"], ["MGET", "c", "d", "e"], ["MSETNX", "x"],
            ["HSET", "h", "f", "v"], ["MGET", "a", "h"], ["MSET", "h", "s"], ["TYPE", "h"],
        ]),
        Case("INCR family", [
            ["INCR", "n"], ["INCR", "n"], ["DECR", "n"], ["INCRBY", "n", "10"], ["DECRBY", "n", "3"], ["INCRBY", "n", "-20"],
            ["INCRBY", "n", "x"], ["INCRBY", "n", "1.5"], ["SET", "s", "abc"], ["INCR", "s"], ["SET", "s", " 1"], ["INCR", "s"],
            ["SET", "s", "01"], ["INCR", "s"], ["SET", "s", "-0"], ["INCR", "s"], ["SET", "m", "9223372036854775807"], ["INCR", "m"],
            ["SET", "m", "-9223372036854775808"], ["DECR", "m"], ["DECRBY", "x", "-9223372036854775808"], ["INCRBY", "x", "9223372036854775808"],
            ["SETEX", "t", "100", "5"], ["INCR", "t"], ["TTL", "t"], ["HSET", "h", "f", "1"], ["INCR", "h"], ["INCRBY", "n"],
        ]),
        Case("INCRBYFLOAT", [
            ["INCRBYFLOAT", "f", "1.5"], ["INCRBYFLOAT", "f", "0.1"], ["INCRBYFLOAT", "f", "-1.6"], ["GET", "f"],
            ["INCRBYFLOAT", "f", "1e3"], ["INCRBYFLOAT", "f", "abc"], ["INCRBYFLOAT", "f", "inf"], ["INCRBYFLOAT", "f", " 1"],
            ["SET", "g", "3"], ["INCRBYFLOAT", "g", "0.5"], ["SET", "g", "x"], ["INCRBYFLOAT", "g", "1"],
            ["SET", "g", "1.0e2"], ["INCRBYFLOAT", "g", "5"], ["INCRBYFLOAT", "h", "-0"], ["INCRBYFLOAT", "h", "0x10"],
            ["SET", "big", "1.7e308"], ["INCRBYFLOAT", "big", "1.7e308"], ["INCRBYFLOAT", "small", "0.0000001"],
            ["HSET", "h", "f", "v"], ["INCRBYFLOAT", "h", "abc"], ["INCRBYFLOAT", "g", "abc"],
        ]),
        Case("APPEND STRLEN GETRANGE SETRANGE", [
            ["APPEND", "a", "hello"], ["APPEND", "a", " world"], ["GET", "a"], ["STRLEN", "a"], ["STRLEN", "none"],
            ["GETRANGE", "a", "0", "4"], ["GETRANGE", "a", "-5", "-1"], ["GETRANGE", "a", "5", "2"], ["GETRANGE", "a", "0", "-100"],
            ["GETRANGE", "a", "-100", "100"], ["GETRANGE", "a", "-1", "-5"], ["GETRANGE", "none", "0", "1"], ["GETRANGE", "a", "x", "1"],
            ["SETRANGE", "a", "6", "WORLD"], ["GET", "a"], ["SETRANGE", "b", "3", "xy"], ["GET", "b"], ["SETRANGE", "c", "5", ""],
            ["EXISTS", "c"], ["SETRANGE", "a", "0", ""], ["SETRANGE", "a", "-1", "x"], ["SETRANGE", "a", "536870912", "x"],
            ["SETRANGE", "a", "x", "y"], ["SETEX", "t", "100", "abc"], ["APPEND", "t", "d"], ["TTL", "t"],
            ["HSET", "h", "f", "v"], ["APPEND", "h", "x"], ["STRLEN", "h"], ["GETRANGE", "h", "0", "1"], ["SETRANGE", "h", "0", "x"],
        ]),
        Case("bits", [
            ["SETBIT", "b", "7", "1"], ["GET", "b"], ["GETBIT", "b", "7"], ["GETBIT", "b", "6"], ["GETBIT", "b", "100"],
            ["SETBIT", "b", "100", "1"], ["STRLEN", "b"], ["SETBIT", "b", "7", "0"], ["SETBIT", "b", "-1", "1"], ["SETBIT", "b", "1", "2"],
            ["SETBIT", "b", "4294967296", "1"], ["SETBIT", "b", "x", "1"], ["GETBIT", "none", "3"],
            ["SET", "s", "foobar"], ["BITCOUNT", "s"], ["BITCOUNT", "s", "0", "0"], ["BITCOUNT", "s", "1", "1"], ["BITCOUNT", "s", "1", "1", "BYTE"],
            ["BITCOUNT", "s", "5", "30", "BIT"], ["BITCOUNT", "s", "-3", "-1"], ["BITCOUNT", "s", "-1", "-3"], ["BITCOUNT", "s", "0"],
            ["BITCOUNT", "s", "0", "1", "BOGUS"], ["BITCOUNT", "none"], ["BITCOUNT", "s", "a", "1"],
            ["BITCOUNT", "none", "0"], ["BITCOUNT", "none", "x", "y"], ["HSET", "hb", "f", "v"], ["BITCOUNT", "hb", "0"],
            ["SET", "p", "\u{00}\u{0F}"], ["BITPOS", "p", "1"], ["BITPOS", "p", "0"], ["BITPOS", "p", "1", "1"], ["BITPOS", "p", "0", "1", "1"],
            ["BITPOS", "p", "1", "2"], ["BITPOS", "p", "1", "7", "15", "BIT"], ["BITPOS", "p", "0", "12", "15", "BIT"], ["BITPOS", "p", "2"],
            ["BITPOS", "none", "0"], ["BITPOS", "none", "1"], ["SET", "ones", "\u{7F}"], ["BITPOS", "ones", "0", "0", "-1"],
            ["BITPOS", "p", "1", "0", "-1", "BYTE"], ["BITPOS", "p", "1", "0", "-1", "BOGUS"],
            ["SET", "x", "abc"], ["SET", "y", "ab"], ["BITOP", "AND", "dst", "x", "y"], ["GET", "dst"], ["BITOP", "OR", "dst", "x", "y"],
            ["GET", "dst"], ["BITOP", "XOR", "dst", "x", "y", "none"], ["GET", "dst"], ["BITOP", "NOT", "dst", "x"], ["GET", "dst"],
            ["BITOP", "NOT", "dst", "x", "y"], ["BITOP", "NAND", "dst", "x"], ["BITOP", "AND", "dst", "none1", "none2"], ["EXISTS", "dst"],
            ["HSET", "h", "f", "v"], ["BITOP", "AND", "dst", "x", "h"], ["SETBIT", "h", "1", "1"], ["GETBIT", "h", "1"], ["BITCOUNT", "h"],
        ]),
        Case("LCS", [
            ["MSET", "key1", "ohmytext", "key2", "mynewtext"], ["LCS", "key1", "key2"], ["LCS", "key1", "key2", "LEN"],
            ["LCS", "key1", "key2", "IDX"], ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"], ["LCS", "key1", "key2", "IDX", "WITHMATCHLEN"],
            ["LCS", "key1", "key2", "IDX", "LEN"], ["LCS", "key1", "missing"], ["LCS", "key1", "key2", "BOGUS"],
            ["LCS", "key1", "key2", "MINMATCHLEN", "x"], ["HSET", "h", "f", "v"], ["LCS", "key1", "h"],
        ]),
        Case("DEL EXISTS TYPE TOUCH UNLINK", [
            ["SET", "a", "1"], ["SET", "b", "2"], ["HSET", "h", "f", "v"], ["EXISTS", "a", "a", "b", "c"], ["TYPE", "a"], ["TYPE", "h"],
            ["TYPE", "none"], ["TOUCH", "a", "none", "h"], ["DEL", "a", "a", "none"], ["UNLINK", "b", "h"], ["EXISTS", "a", "b", "h"],
            ["DEL"], ["EXISTS"],
        ]),
        Case("KEYS glob patterns", [
            ["MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5", "h[llo", "6", "a*b", "7", "a?b", "8"],
            ["KEYS", "*"], ["KEYS", "h?llo"], ["KEYS", "h*llo"], ["KEYS", "h[ae]llo"], ["KEYS", "h[^e]llo"], ["KEYS", "h[a-b]llo"],
            ["KEYS", "h[b-a]llo"], ["KEYS", "h\\[llo"], ["KEYS", "a\\*b"], ["KEYS", "a\\?b"], ["KEYS", "h[llo"], ["KEYS", "*llo*"],
            ["KEYS", "[h"], ["KEYS", "h["], ["KEYS", "***"], ["KEYS", "nomatch"], ["KEYS", "h[\\]]llo"], ["KEYS", "?"],
        ]),
        Case("TTL family and EXPIRE options", [
            ["SET", "k", "v"], ["TTL", "k"], ["PTTL", "k"], ["TTL", "none"], ["EXPIRE", "k", "100"], ["TTL", "k"], ["EXPIRETIME", "k"],
            ["PEXPIRETIME", "k"], ["EXPIRE", "k", "50", "NX"], ["EXPIRE", "k", "50", "XX"], ["TTL", "k"], ["EXPIRE", "k", "10", "GT"],
            ["EXPIRE", "k", "100", "GT"], ["EXPIRE", "k", "200", "LT"], ["EXPIRE", "k", "20", "LT"], ["TTL", "k"],
            ["EXPIRE", "k", "10", "NX", "XX"], ["EXPIRE", "k", "10", "GT", "LT"], ["EXPIRE", "k", "10", "BOGUS"], ["EXPIRE", "k", "x"],
            ["PERSIST", "k"], ["PERSIST", "k"], ["TTL", "k"], ["EXPIRE", "k", "10", "GT"], ["EXPIRE", "k", "10", "LT"], ["TTL", "k"],
            ["PERSIST", "k"], ["EXPIRE", "k", "10", "XX"], ["PEXPIRE", "k", "100000"], ["PTTL", "k"], ["EXPIREAT", "k", "99999999999"],
            ["EXPIRETIME", "k"], ["PEXPIREAT", "k", "99999999999000"], ["PEXPIRETIME", "k"], ["EXPIRE", "none", "10"],
            ["EXPIRE", "k", "9223372036854775807"], ["EXPIRE", "k", "-9223372036854775808"], ["PEXPIRE", "k", "9223372036854775807"],
            ["EXPIRE", "k", "0"], ["EXISTS", "k"], ["SET", "k", "v"], ["EXPIRE", "k", "-1"], ["EXISTS", "k"], ["SET", "k", "v"],
            ["EXPIREAT", "k", "1"], ["EXISTS", "k"], ["SET", "k", "v"], ["PEXPIREAT", "k", "0"], ["TTL", "k"], ["EXPIRETIME", "none"],
        ]),
        Case("expired keys are invisible everywhere", [
            ["SET", "gone", "v", "PXAT", "1000"], ["HSET", "h", "f", "v"], ["PEXPIREAT", "h", "1000"], ["SET", "live", "v"],
            ["GET", "gone"], ["EXISTS", "gone", "h"], ["TYPE", "gone"], ["TYPE", "h"], ["KEYS", "*"], ["DBSIZE"], ["HGET", "h", "f"],
            ["HLEN", "h"], ["TTL", "gone"], ["STRLEN", "gone"], ["APPEND", "gone", "x"], ["GET", "gone"], ["HSET", "h", "g", "w"],
            ["HGETALL", "h"], ["RANDOMKEY"], ["DEL", "live", "gone", "h"], ["DBSIZE"],
        ]),
        Case("RENAME RENAMENX", [
            ["SET", "a", "1"], ["RENAME", "a", "b"], ["GET", "a"], ["GET", "b"], ["RENAME", "none", "x"], ["RENAMENX", "none", "x"],
            ["SET", "c", "3"], ["RENAMENX", "b", "c"], ["RENAMENX", "b", "d"], ["RENAME", "d", "d"], ["RENAMENX", "d", "d"],
            ["SETEX", "t", "100", "v"], ["RENAME", "t", "u"], ["TTL", "u"], ["HSET", "h", "f", "v"], ["RENAME", "h", "c"],
            ["TYPE", "c"], ["HGETALL", "c"], ["RENAME", "u", "c"], ["TYPE", "c"],
        ]),
        Case("COPY and MOVE", [
            ["SET", "a", "1"], ["COPY", "a", "b"], ["GET", "b"], ["COPY", "a", "b"], ["SET", "a", "2"], ["COPY", "a", "b", "REPLACE"],
            ["GET", "b"], ["COPY", "a", "a"], ["COPY", "none", "x"], ["COPY", "a", "z", "DB", "1"], ["SELECT", "1"], ["GET", "z"],
            ["SELECT", "0"], ["COPY", "a", "z", "DB", "16"], ["COPY", "a", "z", "DB", "x"], ["COPY", "a", "z", "BOGUS"],
            ["COPY", "a", "a", "DB", "1"], ["HSET", "h", "f", "v", "g", "w"], ["COPY", "h", "h2"], ["HGETALL", "h2"],
            ["SETEX", "t", "100", "v"], ["COPY", "t", "t2"], ["TTL", "t2"], ["MOVE", "a", "1"], ["MOVE", "a", "2"], ["MOVE", "b", "0"],
            ["MOVE", "b", "16"], ["MOVE", "b", "x"], ["MOVE", "none", "1"], ["SET", "m", "1"], ["SELECT", "3"], ["SET", "m", "2"],
            ["SELECT", "0"], ["MOVE", "m", "3"], ["SELECT", "1"], ["KEYS", "*"], ["GET", "a"],
        ]),
        Case("databases", [
            ["SET", "k", "0"], ["SELECT", "1"], ["GET", "k"], ["SET", "k", "1"], ["DBSIZE"], ["SELECT", "16"], ["SELECT", "-1"],
            ["SELECT", "x"], ["SELECT", "0"], ["GET", "k"], ["SWAPDB", "0", "1"], ["GET", "k"], ["SWAPDB", "0", "x"],
            ["SWAPDB", "x", "0"], ["SWAPDB", "0", "16"], ["SWAPDB", "0", "0"], ["FLUSHDB"], ["DBSIZE"], ["SELECT", "1"], ["GET", "k"],
            ["FLUSHDB", "ASYNC"], ["FLUSHDB", "SYNC"], ["FLUSHDB", "BOGUS"], ["FLUSHDB", "SYNC", "x"], ["SET", "a", "1"],
            ["SELECT", "5"], ["SET", "b", "2"], ["FLUSHALL"], ["DBSIZE"], ["SELECT", "1"], ["DBSIZE"], ["FLUSHALL", "BOGUS"],
        ]),
        Case("connection commands and unknown commands", [
            ["PING"], ["PING", "hi"], ["PING", "a", "b"], ["ECHO", "x"], ["ECHO"], ["NOSUCHCOMMAND"], ["NOSUCHCOMMAND", "a", "b"],
            ["nosuch", "arg\r\nwith newline"], ["TIME"],
        ]),
        Case("hashes", [
            ["HSET", "h", "a", "1", "b", "2"], ["HSET", "h", "a", "3", "c", "4"], ["HGET", "h", "a"], ["HGET", "h", "none"],
            ["HGET", "none", "a"], ["HMGET", "h", "a", "x", "c"], ["HMGET", "none", "a"], ["HGETALL", "h"], ["HGETALL", "none"],
            ["HKEYS", "h"], ["HVALS", "h"], ["HLEN", "h"], ["HLEN", "none"], ["HEXISTS", "h", "a"], ["HEXISTS", "h", "z"],
            ["HSTRLEN", "h", "a"], ["HSTRLEN", "h", "z"], ["HSETNX", "h", "a", "9"], ["HSETNX", "h", "d", "9"], ["HGET", "h", "d"],
            ["HMSET", "h", "e", "5"], ["HSET", "h", "x"], ["HSET", "h", "x", "1", "y"], ["HMSET", "h", "x"],
            ["HDEL", "h", "a", "none", "b"], ["HDEL", "none", "a"], ["HDEL", "h", "c", "d", "e"], ["EXISTS", "h"],
            ["SET", "s", "v"], ["HSET", "s", "f", "v"], ["HGET", "s", "f"], ["HGETALL", "s"], ["HDEL", "s", "f"], ["HLEN", "s"],
            ["HSET", "e", "", ""], ["HGET", "e", ""], ["HLEN", "e"],
        ]),
        Case("HINCRBY HINCRBYFLOAT", [
            ["HINCRBY", "h", "n", "5"], ["HINCRBY", "h", "n", "-10"], ["HINCRBY", "h", "n", "x"], ["HSET", "h", "s", "abc"],
            ["HINCRBY", "h", "s", "1"], ["HSET", "h", "m", "9223372036854775807"], ["HINCRBY", "h", "m", "1"],
            ["HINCRBYFLOAT", "h", "f", "1.5"], ["HINCRBYFLOAT", "h", "f", "0.1"], ["HINCRBYFLOAT", "h", "s", "1"],
            ["HINCRBYFLOAT", "h", "f", "x"], ["HINCRBYFLOAT", "h", "f", "inf"], ["HINCRBYFLOAT", "h", "n", "2.5"], ["HGETALL", "h"],
            ["SET", "str", "1"], ["HINCRBY", "str", "f", "1"], ["HINCRBYFLOAT", "str", "f", "1"],
        ]),
        Case("HRANDFIELD and HSCAN", [
            ["HSET", "h", "a", "1", "b", "2", "c", "3"], ["HRANDFIELD", "none"], ["HRANDFIELD", "none", "2"], ["HRANDFIELD", "h", "0"],
            ["HRANDFIELD", "h", "2"], ["HRANDFIELD", "h", "5"], ["HRANDFIELD", "h", "-5"], ["HRANDFIELD", "h", "2", "WITHVALUES"],
            ["HRANDFIELD", "h", "-4", "WITHVALUES"], ["HRANDFIELD", "h", "2", "BOGUS"], ["HRANDFIELD", "h", "x"],
            ["HRANDFIELD", "h", "1", "WITHVALUES", "x"], ["HRANDFIELD", "h", "-9223372036854775808"],
            ["HSCAN", "h", "0"], ["HSCAN", "h", "0", "MATCH", "a*"], ["HSCAN", "h", "0", "COUNT", "1"], ["HSCAN", "h", "0", "COUNT", "0"],
            ["HSCAN", "h", "x"], ["HSCAN", "none", "0"], ["HSCAN", "h", "0", "BOGUS", "1"], ["SET", "s", "v"], ["HSCAN", "s", "0"],
            ["HRANDFIELD", "s"],
        ]),
        Case("arity errors use the command's name", [
            ["GET"], ["SET"], ["HSET", "h"], ["HGET", "h"], ["EXPIRE", "k"], ["TTL"], ["RENAME", "a"], ["MGET"], ["INCRBY", "k"],
            ["KEYS"], ["SCAN"], ["DBSIZE", "x"], ["SELECT"], ["SWAPDB", "0"], ["COPY", "a"], ["GETRANGE", "k", "0"],
        ]),
    ]

    @Test("case", arguments: cases)
    func differential(_ testCase: Case) throws {
        var pair = try DifferentialPair()
        let divergences = try pair.run(testCase.commands)
        for divergence in divergences { Issue.record("\(divergence)") }
    }

    @Test("a whole SCAN iteration returns every key, and TYPE/MATCH filter like Redis")
    func scanIteration() throws {
        let pair = try DifferentialPair()
        let redis = try pair.redis.connect()
        let embedded = EmbeddedTarget(store: pair.store)
        var expected: Set<String> = []
        for index in 0..<250 {
            let key = "key:\(index)"
            for target in [redis as any RESPCommandTarget, embedded] {
                _ = try target.send(index % 3 == 0 ? ["HSET", key, "f", "v"].map { .init(string: $0) } : ["SET", key, "v"].map { .init(string: $0) })
            }
            expected.insert(key)
        }
        func iterate(_ target: any RESPCommandTarget, _ options: [String]) throws -> [String] {
            var cursor = "0"
            var keys: [String] = []
            for _ in 0..<10_000 {
                let reply = try target.send((["SCAN", cursor] + options).map { .init(string: $0) })
                guard let parts = reply.elements, parts.count == 2, let next = parts[0].string, let batch = parts[1].elements else {
                    Issue.record("bad SCAN reply \(reply)")
                    return keys
                }
                keys += batch.compactMap(\.string)
                cursor = next
                if cursor == "0" { break }
            }
            return keys
        }
        for options in [[], ["COUNT", "7"], ["MATCH", "key:1*"], ["TYPE", "hash", "COUNT", "50"], ["TYPE", "string"], ["TYPE", "nosuchtype"]] {
            let ours = try iterate(embedded, options)
            let theirs = try iterate(redis, options)
            #expect(Set(ours) == Set(theirs), "SCAN \(options)")
            #expect(ours.count == Set(ours).count, "no key twice: SCAN \(options)")
        }
        #expect(Set(try iterate(embedded, [])) == expected)
    }
}
