/// A named sequence of commands for the differential harness: run from empty databases on both
/// sides, every reply compared.
public struct DifferentialCase: Sendable, CustomStringConvertible {
    public let name: String
    public let commands: [[String]]
    public var description: String { name }

    public init(_ name: String, _ commands: [[String]]) {
        self.name = name
        self.commands = commands
    }
}

/// The hand-written differential cases: every command and option of the engine, with edge cases and
/// error texts. Shared by the in-process tests (Redlite's executor) and the server's network tests
/// (`redlite serve`). Every divergence ever found stays here as a case.
public enum DifferentialCases {
    public static let keysStringsHashes: [DifferentialCase] = [
        DifferentialCase("cursors as strtoul reads them; H/S/ZSCAN look up the key before their options; database indexes as C ints (found by the command fuzzer)", [
            ["SET", "k", "v"], ["HSET", "h", "f", "v"], ["SADD", "s", "m"], ["ZADD", "z", "1", "m"],
            ["SCAN", "-"], ["SCAN", "1x"], ["SCAN", " 1"], ["SCAN", "18446744073709551616"], ["SCAN", "-18446744073709551616"],
            ["SCAN", "+0"], ["SCAN", "-0"], ["SCAN", ""], ["HSCAN", "h", ""], ["HSCAN", "h", "-1x"],
            ["HSCAN", "nokey", "-1", "BOGUS"], ["SSCAN", "nokey", "3", "GT", "COUNT", "s", "l"], ["ZSCAN", "nokey", "-1", "AFTER", "-1", "LIMIT"],
            ["HSCAN", "k", "0", "BOGUS"], ["SSCAN", "h", "-100", "(1", "k"], ["ZSCAN", "s", "1", "GT", "x"], ["HSCAN", "h", "0", "BOGUS"],
            ["HSCAN", "h", "0", "COUNT", "0"], ["SSCAN", "s", "0", "MATCH"], ["ZSCAN", "z", "0", "COUNT", "x"],
            ["SELECT", "2147483648"], ["SELECT", "-2147483649"], ["SELECT", "99999999999999999999"], ["SELECT", "x"], ["SELECT", "-1"],
            ["MOVE", "k", "2147483648"], ["MOVE", "k", "x"], ["MOVE", "k", "99"], ["COPY", "k", "k9", "DB", "2147483648"],
            ["COPY", "k", "k9", "DB", "x"], ["COPY", "k", "k9", "DB", "99"], ["SWAPDB", "2147483648", "0"], ["SWAPDB", "0", "x"],
        ]),
        DifferentialCase("extreme integers everywhere: each of these had to answer, not trap on overflow (found by the integer fuzzer)", [
            ["SET", "k", "10"], ["RPUSH", "l", "a", "b"], ["ZADD", "z", "1", "a"], ["SETBIT", "bits", "7", "1"], ["SET", "big", "9223372036854775806"],
            ["LINDEX", "l", "-9223372036854775808"], ["LSET", "l", "-9223372036854775808", "x"], ["LSET", "l", "9223372036854775807", "x"],
            ["SETRANGE", "k", "9223372036854775807", "x"], ["SETRANGE", "k", "9223372036854775806", "xy"], ["DECRBY", "k", "-9223372036854775808"],
            ["LPOS", "l", "a", "RANK", "-9223372036854775808"], ["LRANGE", "l", "-9223372036854775808", "9223372036854775807"],
            ["LTRIM", "nol", "-9223372036854775808", "-9223372036854775808"], ["GETRANGE", "k", "-9223372036854775808", "-9223372036854775808"],
            ["GETRANGE", "k", "9223372036854775807", "-9223372036854775808"], ["SETBIT", "bits", "9223372036854775807", "1"],
            ["BITCOUNT", "bits", "-9223372036854775808", "9223372036854775807", "BIT"], ["BITPOS", "bits", "1", "-9223372036854775808", "9223372036854775807", "BIT"],
            ["BITCOUNT", "bits", "9223372036854775807", "-9223372036854775808"], ["INCRBY", "big", "9223372036854775807"], ["INCRBY", "big", "1"],
            ["ZRANGE", "z", "-9223372036854775808", "9223372036854775807"], ["ZRANGE", "z", "0", "-1", "BYSCORE", "LIMIT", "-9223372036854775808", "-9223372036854775808"],
            ["ZRANGE", "z", "0", "-1", "BYSCORE", "LIMIT", "9223372036854775807", "9223372036854775807"], ["EXPIRE", "k", "9223372036854775807"],
            ["PEXPIRE", "k", "-9223372036854775808"], ["SET", "x", "y", "EX", "9223372036854775807"], ["SET", "x", "y", "PX", "-9223372036854775808"],
            ["GETEX", "k", "PX", "9223372036854775807"], ["LPOS", "l", "a", "MAXLEN", "-1"], ["LPOS", "l", "a", "COUNT", "-9223372036854775808"],
            ["ZREMRANGEBYRANK", "z", "-9223372036854775808", "9223372036854775807"], ["LREM", "l", "-9223372036854775808", "a"],
            ["ZRANGESTORE", "d", "z", "-9223372036854775808", "-9223372036854775808"], ["EXPIREAT", "k", "-9223372036854775808"],
        ]),
        DifferentialCase("GET and SET basics", [
            ["GET", "k"], ["SET", "k", "v"], ["GET", "k"], ["SET", "k", ""], ["GET", "k"], ["STRLEN", "k"],
            ["SET", "bin", "a\u{0}b\r\nc"], ["GET", "bin"], ["GET"], ["SET", "k"], ["get", "k", "x"],
        ]),
        objectAndSubstr,
        hyperLogLogs,
        DifferentialCase("BITFIELD and BITFIELD_RO: widths, # offsets, WRAP, SAT and FAIL at every edge, growth, errors in Redis's order", [
            ["BITFIELD", "b", "SET", "u8", "0", "255"], ["GET", "b"], ["BITFIELD", "b", "GET", "u8", "0", "GET", "i8", "0", "GET", "u4", "0", "GET", "u4", "4", "GET", "i4", "4"],
            ["BITFIELD", "b", "INCRBY", "u8", "0", "1"], ["BITFIELD", "b", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "300", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1"],
            ["BITFIELD", "b", "overflow", "sat", "incrby", "u8", "0", "-1000", "overflow", "wrap", "incrby", "u8", "0", "-1"],
            ["BITFIELD", "c", "SET", "i8", "#1", "-100", "GET", "i8", "#1", "GET", "i8", "8", "INCRBY", "i8", "#1", "-100",
             "OVERFLOW", "SAT", "INCRBY", "i8", "#1", "-1000", "OVERFLOW", "FAIL", "INCRBY", "i8", "#1", "-1", "INCRBY", "i8", "#1", "300"],
            ["GET", "c"],
            ["BITFIELD", "d", "SET", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-1", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "1",
             "INCRBY", "i64", "0", "-9223372036854775808", "OVERFLOW", "FAIL", "INCRBY", "i64", "0", "-1", "GET", "i64", "0", "GET", "u63", "1"],
            ["BITFIELD", "d", "SET", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0", "1", "OVERFLOW", "SAT", "SET", "u63", "0", "-1",
             "INCRBY", "u63", "0", "-5", "OVERFLOW", "FAIL", "SET", "u63", "0", "-1", "GET", "u63", "0", "GET", "i64", "0"],
            ["BITFIELD", "v", "SET", "u8", "0", "256", "SET", "u8", "0", "-1", "OVERFLOW", "SAT", "SET", "u8", "0", "300", "SET", "u8", "0", "-3",
             "OVERFLOW", "FAIL", "SET", "u8", "0", "300", "SET", "i8", "0", "200", "OVERFLOW", "WRAP", "SET", "i8", "0", "200", "SET", "i8", "0", "-129",
             "SET", "i1", "9", "1", "GET", "i1", "9", "SET", "u1", "10", "3", "GET", "u1", "10"],
            ["BITFIELD", "e", "SET", "u5", "3", "31", "GET", "u5", "3", "GET", "u16", "0", "SET", "i13", "21", "-4000", "GET", "i13", "21", "GET", "u13", "21"],
            ["GET", "e"], ["BITFIELD", "e", "GET", "u8", "1000", "GET", "i64", "20"], ["BITFIELD", "nosuch", "GET", "u8", "0"], ["EXISTS", "nosuch"],
            ["BITFIELD", "f", "OVERFLOW", "FAIL", "SET", "u2", "100", "7"], ["STRLEN", "f"], ["GET", "f"],
            ["SET", "t", "x", "EX", "100"], ["BITFIELD", "t", "SET", "u8", "0", "65"], ["TTL", "t"], ["GET", "t"],
            ["BITFIELD", "big", "SET", "u8", "200000", "1"], ["STRLEN", "big"], ["BITFIELD", "big", "GET", "u8", "200000", "INCRBY", "u16", "199996", "5"],
            ["GETRANGE", "big", "24999", "25001"], ["BITFIELD", "big", "SET", "i64", "160003", "-2", "GET", "i64", "160003", "GET", "u8", "160000"],
            ["SET", "inline", String(repeating: "a", count: 20000)], ["BITFIELD", "inline", "SET", "u8", "8", "66", "INCRBY", "u8", "159992", "1"],
            ["GETRANGE", "inline", "0", "3"], ["GETRANGE", "inline", "19998", "-1"],
            ["BITFIELD", "b", "GET", "x8", "0"], ["BITFIELD", "b", "GET", "u64", "0"], ["BITFIELD", "b", "GET", "i65", "0"], ["BITFIELD", "b", "GET", "i0", "0"],
            ["BITFIELD", "b", "GET", "u", "0"], ["BITFIELD", "b", "GET", "U8", "0"], ["BITFIELD", "b", "GET", "u08", "0"], ["BITFIELD", "b", "GET", "u8", "-1"],
            ["BITFIELD", "b", "GET", "u8", "x"], ["BITFIELD", "b", "GET", "u8", "#x"], ["BITFIELD", "b", "GET", "u8", "#-1"], ["BITFIELD", "b", "GET", "u8", "#"],
            ["BITFIELD", "b", "SET", "u8", "0", "x"], ["BITFIELD", "b", "OVERFLOW", "bogus"], ["BITFIELD", "b", "BOGUS"], ["BITFIELD", "b", "GET", "u8"],
            ["BITFIELD", "b", "SET", "u8", "0"], ["BITFIELD", "b", "OVERFLOW"], ["BITFIELD", "b", "GET", "u8", "4294967296"],
            ["BITFIELD", "b", "GET", "u8", "4294967295"], ["BITFIELD", "b", "GET", "u8", "#536870912"], ["BITFIELD", "b", "GET", "x8", "x", "SET", "u8", "0", "x"],
            ["BITFIELD", "b", "SET", "u8", "0", "1", "GET", "u99", "0"], ["GET", "b"],
            // A GET past the end of a string the writes grew only a little (this trapped Redlite once).
            ["BITFIELD", "short", "SET", "u8", "0", "1", "GET", "u8", "1000"], ["SET", "short2", "a"],
            ["BITFIELD", "short2", "INCRBY", "u8", "0", "1", "GET", "u8", "800", "GET", "i64", "20"], ["GET", "short2"],
            ["RPUSH", "l", "a"], ["BITFIELD", "l", "GET", "u8", "0"], ["BITFIELD", "l", "SET", "u8", "0", "1"], ["BITFIELD", "l", "BOGUS"],
            ["BITFIELD_RO", "b", "GET", "u8", "0", "GET", "i4", "#1"], ["BITFIELD_RO", "b", "SET", "u8", "0", "1"], ["BITFIELD_RO", "b", "INCRBY", "u8", "0", "1"],
            ["BITFIELD_RO", "b", "OVERFLOW", "FAIL", "GET", "u8", "0"], ["BITFIELD_RO", "nosuch", "GET", "i8", "0"], ["BITFIELD", "b"], ["BITFIELD_RO", "b"],
            ["BITFIELD_RO", "l", "GET", "u8", "0"], ["BITFIELD"], ["BITFIELD_RO"], ["GET", "b"],
        ]),
        DifferentialCase("SET options", [
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
        DifferentialCase("SETNX SETEX PSETEX GETSET GETDEL", [
            ["SETNX", "k", "1"], ["SETNX", "k", "2"], ["GET", "k"], ["SETEX", "e", "100", "v"], ["TTL", "e"],
            ["SETEX", "e", "0", "v"], ["SETEX", "e", "-1", "v"], ["SETEX", "e", "x", "v"], ["PSETEX", "p", "100000", "v"], ["PTTL", "p"],
            ["PSETEX", "p", "0", "v"], ["GETSET", "k", "3"], ["GETSET", "nope", "1"], ["GET", "nope"], ["SETEX", "g", "100", "v"],
            ["GETSET", "g", "w"], ["TTL", "g"], ["GETDEL", "g"], ["GETDEL", "g"], ["EXISTS", "g"],
            ["HSET", "h", "f", "v"], ["GETSET", "h", "x"], ["GETDEL", "h"], ["SETNX", "h", "x"],
        ]),
        DifferentialCase("GETEX", [
            ["SET", "k", "v"], ["GETEX", "k"], ["GETEX", "k", "EX", "100"], ["TTL", "k"], ["GETEX", "k", "PERSIST"], ["TTL", "k"],
            ["GETEX", "k", "PX", "50000"], ["PTTL", "k"], ["GETEX", "k", "EXAT", "1"], ["EXISTS", "k"], ["GETEX", "missing", "EX", "x"],
            ["SET", "k", "v"], ["GETEX", "k", "EX", "0"], ["GETEX", "k", "EX", "x"], ["GETEX", "k", "PERSIST", "EX", "10"],
            ["GETEX", "k", "BOGUS"], ["GETEX", "k", "EX"], ["GETEX", "k", "PXAT", "99999999999999"], ["PTTL", "k"],
            ["HSET", "h", "f", "v"], ["GETEX", "h"], ["GETEX", "h", "EX", "10"],
        ]),
        DifferentialCase("MGET MSET MSETNX", [
            ["MSET", "a", "1", "b", "2"], ["MGET", "a", "b", "c"], ["MSET", "a"], ["MSET", "a", "1", "b"],
            ["MSETNX", "c", "3", "d", "4"], ["MSETNX", "d", "5", "e", "6"], ["MGET", "c", "d", "e"], ["MSETNX", "x"],
            ["HSET", "h", "f", "v"], ["MGET", "a", "h"], ["MSET", "h", "s"], ["TYPE", "h"],
        ]),
        DifferentialCase("INCR family", [
            ["INCR", "n"], ["INCR", "n"], ["DECR", "n"], ["INCRBY", "n", "10"], ["DECRBY", "n", "3"], ["INCRBY", "n", "-20"],
            ["INCRBY", "n", "x"], ["INCRBY", "n", "1.5"], ["SET", "s", "abc"], ["INCR", "s"], ["SET", "s", " 1"], ["INCR", "s"],
            ["SET", "s", "01"], ["INCR", "s"], ["SET", "s", "-0"], ["INCR", "s"], ["SET", "m", "9223372036854775807"], ["INCR", "m"],
            ["SET", "m", "-9223372036854775808"], ["DECR", "m"], ["DECRBY", "x", "-9223372036854775808"], ["INCRBY", "x", "9223372036854775808"],
            ["SETEX", "t", "100", "5"], ["INCR", "t"], ["TTL", "t"], ["HSET", "h", "f", "1"], ["INCR", "h"], ["INCRBY", "n"],
        ]),
        DifferentialCase("INCRBYFLOAT", [
            ["INCRBYFLOAT", "f", "1.5"], ["INCRBYFLOAT", "f", "0.1"], ["INCRBYFLOAT", "f", "-1.6"], ["GET", "f"],
            ["INCRBYFLOAT", "f", "1e3"], ["INCRBYFLOAT", "f", "abc"], ["INCRBYFLOAT", "f", "inf"], ["INCRBYFLOAT", "f", " 1"],
            ["SET", "g", "3"], ["INCRBYFLOAT", "g", "0.5"], ["SET", "g", "x"], ["INCRBYFLOAT", "g", "1"],
            ["SET", "g", "1.0e2"], ["INCRBYFLOAT", "g", "5"], ["INCRBYFLOAT", "h", "-0"], ["INCRBYFLOAT", "h", "0x10"],
            ["SET", "big", "1.7e308"], ["INCRBYFLOAT", "big", "1.7e308"], ["INCRBYFLOAT", "small", "0.0000001"],
            ["HSET", "h", "f", "v"], ["INCRBYFLOAT", "h", "abc"], ["INCRBYFLOAT", "g", "abc"],
        ]),
        DifferentialCase("APPEND STRLEN GETRANGE SETRANGE", [
            ["APPEND", "a", "hello"], ["APPEND", "a", " world"], ["GET", "a"], ["STRLEN", "a"], ["STRLEN", "none"],
            ["GETRANGE", "a", "0", "4"], ["GETRANGE", "a", "-5", "-1"], ["GETRANGE", "a", "5", "2"], ["GETRANGE", "a", "0", "-100"],
            ["GETRANGE", "a", "-100", "100"], ["GETRANGE", "a", "-1", "-5"], ["GETRANGE", "none", "0", "1"], ["GETRANGE", "a", "x", "1"],
            ["SETRANGE", "a", "6", "WORLD"], ["GET", "a"], ["SETRANGE", "b", "3", "xy"], ["GET", "b"], ["SETRANGE", "c", "5", ""],
            ["EXISTS", "c"], ["SETRANGE", "a", "0", ""], ["SETRANGE", "a", "-1", "x"], ["SETRANGE", "a", "536870912", "x"],
            ["SETRANGE", "a", "x", "y"], ["SETEX", "t", "100", "abc"], ["APPEND", "t", "d"], ["TTL", "t"],
            ["HSET", "h", "f", "v"], ["APPEND", "h", "x"], ["STRLEN", "h"], ["GETRANGE", "h", "0", "1"], ["SETRANGE", "h", "0", "x"],
        ]),
        DifferentialCase("long strings changed in place (Redlite keeps them in 4 KiB chunks past 16 KiB): across chunk edges, past the end, through COPY, RENAME, MOVE, expiry and whole-value writes", {
            let long = String(repeating: "0123456789abcdef", count: 1100)  // 17,600 bytes
            return [
                ["SET", "s", long], ["APPEND", "s", "tail"], ["STRLEN", "s"], ["GETRANGE", "s", "16380", "16390"], ["GETRANGE", "s", "-10", "-1"],
                ["GETRANGE", "s", "17000", "99999"], ["GETRANGE", "s", "-99999", "3"], ["SETRANGE", "s", "16382", "XYZW"], ["GETRANGE", "s", "16378", "16388"],
                ["SETBIT", "s", "131079", "1"], ["GETBIT", "s", "131079"], ["GETBIT", "s", "131080"], ["SETRANGE", "s", "100000", "far"], ["STRLEN", "s"],
                ["GETRANGE", "s", "50000", "50010"], ["GETBIT", "s", "400000"], ["GETBIT", "s", "800002"], ["GETRANGE", "s", "99995", "100005"],
                ["BITCOUNT", "s"], ["BITCOUNT", "s", "16000", "17000"], ["BITPOS", "s", "1", "6000"], ["BITPOS", "s", "0", "100002"], ["GET", "s"],
                ["BITCOUNT", "s", "131000", "140000", "BIT"], ["BITCOUNT", "s", "-3", "-1"], ["BITCOUNT", "s", "20000", "99999"], ["BITPOS", "s", "1", "16380", "16390"],
                ["BITPOS", "s", "0", "-5", "-1"], ["BITPOS", "s", "1", "131070", "131090", "BIT"], ["BITPOS", "s", "1", "20000", "99999"], ["BITPOS", "s", "0", "20000"],
                ["BITPOS", "s", "1", "799990", "800010", "BIT"],
                ["APPEND", "s", ""], ["SETRANGE", "s", "5", ""], ["STRLEN", "s"], ["SETRANGE", "s", "20478", "abcd"], ["GETRANGE", "s", "20476", "20483"],
                ["COPY", "s", "t"], ["APPEND", "t", "!"], ["STRLEN", "s"], ["STRLEN", "t"], ["GETRANGE", "t", "-3", "-1"], ["GETRANGE", "s", "-3", "-1"],
                ["RENAME", "t", "u"], ["GETRANGE", "u", "0", "20"], ["EXISTS", "t"], ["MOVE", "u", "1"], ["SELECT", "1"], ["GETRANGE", "u", "99990", "-1"],
                ["SETBIT", "u", "7", "1"], ["GETRANGE", "u", "0", "3"], ["SELECT", "0"], ["EXISTS", "u"],
                ["SET", "s", "short"], ["GET", "s"], ["APPEND", "s", "+"], ["GET", "s"], ["STRLEN", "s"],
                ["SETBIT", "bits", "1000000", "1"], ["STRLEN", "bits"], ["BITCOUNT", "bits"], ["GETBIT", "bits", "1000000"], ["BITPOS", "bits", "1"],
                ["SETBIT", "bits", "1000000", "0"], ["BITCOUNT", "bits"], ["BITPOS", "bits", "1"], ["SETBIT", "bits", "40", "1"], ["GETRANGE", "bits", "0", "8"],
                ["SETRANGE", "new", "20000", "x"], ["STRLEN", "new"], ["GETRANGE", "new", "19998", "20000"], ["INCR", "new"], ["GETSET", "new", "7"],
                ["INCR", "new"], ["GET", "new"], ["SETRANGE", "new", "30000", ""], ["STRLEN", "new"],
                ["SETRANGE", "w", "17000", "y"], ["HSET", "w", "f", "v"], ["APPEND", "w", "z"], ["GETRANGE", "w", "16999", "-1"], ["SET", "w", "over"], ["GET", "w"],
                ["SET", "e", long, "EX", "1000"], ["APPEND", "e", "x"], ["TTL", "e"], ["SETRANGE", "e", "0", "y"], ["TTL", "e"], ["GETRANGE", "e", "0", "2"],
                ["SETRANGE", "big", "536870911", "x"], ["STRLEN", "big"], ["GETRANGE", "big", "-2", "-1"], ["SETRANGE", "big", "536870911", "xy"],
                ["APPEND", "big", "z"], ["SETBIT", "big", "4294967296", "1"], ["GETBIT", "big", "4294967295"], ["DEL", "big"], ["GETRANGE", "big", "0", "-1"],
                ["SET", "g", long], ["GETDEL", "g"], ["SET", "g", long], ["SETRANGE", "g", "17599", "end"], ["GETEX", "g", "PERSIST"], ["STRLEN", "g"],
            ]
        }()),
        DifferentialCase("bits", [
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
        DifferentialCase("LCS", [
            ["MSET", "key1", "ohmytext", "key2", "mynewtext"], ["LCS", "key1", "key2"], ["LCS", "key1", "key2", "LEN"],
            ["LCS", "key1", "key2", "IDX"], ["LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"], ["LCS", "key1", "key2", "IDX", "WITHMATCHLEN"],
            ["LCS", "key1", "key2", "IDX", "LEN"], ["LCS", "key1", "missing"], ["LCS", "key1", "key2", "BOGUS"],
            ["LCS", "key1", "key2", "MINMATCHLEN", "x"], ["HSET", "h", "f", "v"], ["LCS", "key1", "h"],
        ]),
        DifferentialCase("DEL EXISTS TYPE TOUCH UNLINK", [
            ["SET", "a", "1"], ["SET", "b", "2"], ["HSET", "h", "f", "v"], ["EXISTS", "a", "a", "b", "c"], ["TYPE", "a"], ["TYPE", "h"],
            ["TYPE", "none"], ["TOUCH", "a", "none", "h"], ["DEL", "a", "a", "none"], ["UNLINK", "b", "h"], ["EXISTS", "a", "b", "h"],
            ["DEL"], ["EXISTS"],
        ]),
        DifferentialCase("KEYS glob patterns", [
            ["MSET", "hello", "1", "hallo", "2", "hxllo", "3", "hllo", "4", "heeeello", "5", "h[llo", "6", "a*b", "7", "a?b", "8"],
            ["KEYS", "*"], ["KEYS", "h?llo"], ["KEYS", "h*llo"], ["KEYS", "h[ae]llo"], ["KEYS", "h[^e]llo"], ["KEYS", "h[a-b]llo"],
            ["KEYS", "h[b-a]llo"], ["KEYS", "h\\[llo"], ["KEYS", "a\\*b"], ["KEYS", "a\\?b"], ["KEYS", "h[llo"], ["KEYS", "*llo*"],
            ["KEYS", "[h"], ["KEYS", "h["], ["KEYS", "***"], ["KEYS", "nomatch"], ["KEYS", "h[\\]]llo"], ["KEYS", "?"],
        ]),
        DifferentialCase("TTL family and EXPIRE options", [
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
        DifferentialCase("expired keys are invisible everywhere", [
            ["SET", "gone", "v", "PXAT", "1000"], ["HSET", "h", "f", "v"], ["PEXPIREAT", "h", "1000"], ["SET", "live", "v"],
            ["GET", "gone"], ["EXISTS", "gone", "h"], ["TYPE", "gone"], ["TYPE", "h"], ["KEYS", "*"], ["DBSIZE"], ["HGET", "h", "f"],
            ["HLEN", "h"], ["TTL", "gone"], ["STRLEN", "gone"], ["APPEND", "gone", "x"], ["GET", "gone"], ["HSET", "h", "g", "w"],
            ["HGETALL", "h"], ["RANDOMKEY"], ["DEL", "live", "gone", "h"], ["DBSIZE"],
        ]),
        DifferentialCase("RENAME RENAMENX", [
            ["SET", "a", "1"], ["RENAME", "a", "b"], ["GET", "a"], ["GET", "b"], ["RENAME", "none", "x"], ["RENAMENX", "none", "x"],
            ["SET", "c", "3"], ["RENAMENX", "b", "c"], ["RENAMENX", "b", "d"], ["RENAME", "d", "d"], ["RENAMENX", "d", "d"],
            ["SETEX", "t", "100", "v"], ["RENAME", "t", "u"], ["TTL", "u"], ["HSET", "h", "f", "v"], ["RENAME", "h", "c"],
            ["TYPE", "c"], ["HGETALL", "c"], ["RENAME", "u", "c"], ["TYPE", "c"],
        ]),
        DifferentialCase("COPY and MOVE", [
            ["SET", "a", "1"], ["COPY", "a", "b"], ["GET", "b"], ["COPY", "a", "b"], ["SET", "a", "2"], ["COPY", "a", "b", "REPLACE"],
            ["GET", "b"], ["COPY", "a", "a"], ["COPY", "none", "x"], ["COPY", "a", "z", "DB", "1"], ["SELECT", "1"], ["GET", "z"],
            ["SELECT", "0"], ["COPY", "a", "z", "DB", "16"], ["COPY", "a", "z", "DB", "x"], ["COPY", "a", "z", "BOGUS"],
            ["COPY", "a", "a", "DB", "1"], ["HSET", "h", "f", "v", "g", "w"], ["COPY", "h", "h2"], ["HGETALL", "h2"],
            ["SETEX", "t", "100", "v"], ["COPY", "t", "t2"], ["TTL", "t2"], ["MOVE", "a", "1"], ["MOVE", "a", "2"], ["MOVE", "b", "0"],
            ["MOVE", "b", "16"], ["MOVE", "b", "x"], ["MOVE", "none", "1"], ["SET", "m", "1"], ["SELECT", "3"], ["SET", "m", "2"],
            ["SELECT", "0"], ["MOVE", "m", "3"], ["SELECT", "1"], ["KEYS", "*"], ["GET", "a"],
        ]),
        DifferentialCase("databases", [
            ["SET", "k", "0"], ["SELECT", "1"], ["GET", "k"], ["SET", "k", "1"], ["DBSIZE"], ["SELECT", "16"], ["SELECT", "-1"],
            ["SELECT", "x"], ["SELECT", "0"], ["GET", "k"], ["SWAPDB", "0", "1"], ["GET", "k"], ["SWAPDB", "0", "x"],
            ["SWAPDB", "x", "0"], ["SWAPDB", "0", "16"], ["SWAPDB", "0", "0"], ["FLUSHDB"], ["DBSIZE"], ["SELECT", "1"], ["GET", "k"],
            ["FLUSHDB", "ASYNC"], ["FLUSHDB", "SYNC"], ["FLUSHDB", "BOGUS"], ["FLUSHDB", "SYNC", "x"], ["SET", "a", "1"],
            ["SELECT", "5"], ["SET", "b", "2"], ["FLUSHALL"], ["DBSIZE"], ["SELECT", "1"], ["DBSIZE"], ["FLUSHALL", "BOGUS"],
        ]),
        DifferentialCase("connection commands and unknown commands", [
            ["PING"], ["PING", "hi"], ["PING", "a", "b"], ["ECHO", "x"], ["ECHO"], ["NOSUCHCOMMAND"], ["NOSUCHCOMMAND", "a", "b"],
            ["nosuch", "arg\r\nwith newline"], ["TIME"],
        ]),
        DifferentialCase("hashes", [
            ["HSET", "h", "a", "1", "b", "2"], ["HSET", "h", "a", "3", "c", "4"], ["HGET", "h", "a"], ["HGET", "h", "none"],
            ["HGET", "none", "a"], ["HMGET", "h", "a", "x", "c"], ["HMGET", "none", "a"], ["HGETALL", "h"], ["HGETALL", "none"],
            ["HKEYS", "h"], ["HVALS", "h"], ["HLEN", "h"], ["HLEN", "none"], ["HEXISTS", "h", "a"], ["HEXISTS", "h", "z"],
            ["HSTRLEN", "h", "a"], ["HSTRLEN", "h", "z"], ["HSETNX", "h", "a", "9"], ["HSETNX", "h", "d", "9"], ["HGET", "h", "d"],
            ["HMSET", "h", "e", "5"], ["HSET", "h", "x"], ["HSET", "h", "x", "1", "y"], ["HMSET", "h", "x"],
            ["HDEL", "h", "a", "none", "b"], ["HDEL", "none", "a"], ["HDEL", "h", "c", "d", "e"], ["EXISTS", "h"],
            ["SET", "s", "v"], ["HSET", "s", "f", "v"], ["HGET", "s", "f"], ["HGETALL", "s"], ["HDEL", "s", "f"], ["HLEN", "s"],
            ["HSET", "e", "", ""], ["HGET", "e", ""], ["HLEN", "e"],
        ]),
        DifferentialCase("HINCRBY HINCRBYFLOAT", [
            ["HINCRBY", "h", "n", "5"], ["HINCRBY", "h", "n", "-10"], ["HINCRBY", "h", "n", "x"], ["HSET", "h", "s", "abc"],
            ["HINCRBY", "h", "s", "1"], ["HSET", "h", "m", "9223372036854775807"], ["HINCRBY", "h", "m", "1"],
            ["HINCRBYFLOAT", "h", "f", "1.5"], ["HINCRBYFLOAT", "h", "f", "0.1"], ["HINCRBYFLOAT", "h", "s", "1"],
            ["HINCRBYFLOAT", "h", "f", "x"], ["HINCRBYFLOAT", "h", "f", "inf"], ["HINCRBYFLOAT", "h", "n", "2.5"], ["HGETALL", "h"],
            ["SET", "str", "1"], ["HINCRBY", "str", "f", "1"], ["HINCRBYFLOAT", "str", "f", "1"],
        ]),
        DifferentialCase("HRANDFIELD and HSCAN", [
            ["HSET", "h", "a", "1", "b", "2", "c", "3"], ["HRANDFIELD", "none"], ["HRANDFIELD", "none", "2"], ["HRANDFIELD", "h", "0"],
            ["HRANDFIELD", "h", "2"], ["HRANDFIELD", "h", "5"], ["HRANDFIELD", "h", "-5"], ["HRANDFIELD", "h", "2", "WITHVALUES"],
            ["HRANDFIELD", "h", "-4", "WITHVALUES"], ["HRANDFIELD", "h", "2", "BOGUS"], ["HRANDFIELD", "h", "x"],
            ["HRANDFIELD", "h", "1", "WITHVALUES", "x"], ["HRANDFIELD", "h", "-9223372036854775808"],
            ["HSCAN", "h", "0"], ["HSCAN", "h", "0", "MATCH", "a*"], ["HSCAN", "h", "0", "COUNT", "1"], ["HSCAN", "h", "0", "COUNT", "0"],
            ["HSCAN", "h", "x"], ["HSCAN", "none", "0"], ["HSCAN", "h", "0", "BOGUS", "1"], ["SET", "s", "v"], ["HSCAN", "s", "0"],
            ["HRANDFIELD", "s"],
        ]),
        DifferentialCase("arity errors use the command's name", [
            ["GET"], ["SET"], ["HSET", "h"], ["HGET", "h"], ["EXPIRE", "k"], ["TTL"], ["RENAME", "a"], ["MGET"], ["INCRBY", "k"],
            ["KEYS"], ["SCAN"], ["DBSIZE", "x"], ["SELECT"], ["SWAPDB", "0"], ["COPY", "a"], ["GETRANGE", "k", "0"],
        ]),
    ]

    public static let lists: [DifferentialCase] = [
        DifferentialCase("SORT: numbers, ALPHA, DESC, LIMIT as Redis clamps it, ties by bytes, strtod's values and errors", [
            ["RPUSH", "l", "3", "1", "2", "10", "-5", "2.5"], ["SORT", "l"], ["SORT", "l", "DESC"], ["SORT", "l", "LIMIT", "1", "2"],
            ["SORT", "l", "LIMIT", "-5", "2"], ["SORT", "l", "LIMIT", "2", "-1"], ["SORT", "l", "LIMIT", "10", "2"], ["SORT", "l", "LIMIT", "0", "0"],
            ["SORT", "l", "DESC", "LIMIT", "0", "3"], ["SORT", "l", "ALPHA"], ["SORT", "l", "alpha", "desc"], ["SORT", "l", "DESC", "ASC"],
            ["SORT", "l", "LIMIT", "9223372036854775807", "9223372036854775807"], ["SORT", "l", "LIMIT", "-9223372036854775808", "1"],
            ["RPUSH", "words", "banana", "apple", "cherry", "Apple"], ["SORT", "words"], ["SORT", "words", "ALPHA"],
            ["SORT", "words", "ALPHA", "LIMIT", "1", "2"], ["SORT", "words", "ALPHA", "DESC"],
            ["RPUSH", "t", "1", "01", "1.0", "1"], ["SORT", "t"], ["SORT", "t", "DESC"],
            ["RPUSH", "sp", "", " 5", "inf", "-inf", "0x10", "1e3"], ["SORT", "sp"], ["SORT", "sp", "DESC"],
            // Not here: out-of-range values (1e400, 1e-400). Redis refuses them through errno, which
            // it does not clear first, so after one the server refuses every numeric SORT until
            // something else resets errno; Redlite refuses only the values out of range.
            ["RPUSH", "nan", "nan"], ["SORT", "nan"],
            ["RPUSH", "trail", "5 "], ["SORT", "trail"], ["SORT", "trail", "ALPHA"],
            ["SADD", "s", "3", "1", "2", "10"], ["SORT", "s"], ["SORT", "s", "DESC"], ["SORT", "s", "ALPHA"],
            ["SADD", "sw", "b", "a", "c"], ["SORT", "sw", "ALPHA"], ["SORT", "sw"],
            ["ZADD", "z", "3", "a", "1", "b", "2", "c"], ["SORT", "z", "ALPHA"], ["SORT", "z"], ["ZADD", "zn", "1", "10", "2", "5", "3", "7"],
            ["SORT", "zn"], ["SORT", "zn", "DESC", "LIMIT", "0", "2"],
            ["SORT", "nosuch"], ["SORT", "nosuch", "ALPHA", "LIMIT", "0", "5"], ["SET", "str", "x"], ["SORT", "str"], ["SORT", "str", "BOGUS"],
            ["HSET", "h", "f", "v"], ["SORT", "h"], ["SORT", "l", "LIMIT", "1"], ["SORT", "l", "LIMIT", "a", "b"], ["SORT", "l", "LIMIT", "1", "x"],
            ["SORT", "l", "STORE"], ["SORT", "l", "BY"], ["SORT", "l", "GET"], ["SORT", "l", "BOGUS"], ["SORT"],
            ["SORT_RO", "l"], ["SORT_RO", "l", "DESC", "LIMIT", "0", "2"], ["SORT_RO", "l", "STORE", "d"], ["SORT_RO", "str"], ["SORT_RO"],
        ]),
        DifferentialCase("SORT BY and GET patterns, BY without *, hash fields, STORE", [
            ["RPUSH", "l", "3", "1", "2", "-5"], ["MSET", "w_3", "30", "w_1", "10", "w_2", "20", "w_-5", "5", "o_1", "x", "o_2", "y", "o_3", "z"],
            ["SORT", "l", "BY", "w_*"], ["SORT", "l", "BY", "w_*", "DESC"], ["SORT", "l", "BY", "w_*", "GET", "#"], ["SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*"],
            ["SORT", "l", "BY", "w_*", "LIMIT", "1", "2", "GET", "o_*"], ["SORT", "l", "GET", "o_*"], ["SORT", "l", "GET", "nostar"],
            ["SORT", "l", "BY", "nosort"], ["SORT", "l", "BY", "nosort", "DESC"], ["SORT", "l", "BY", "nosort", "LIMIT", "1", "2"],
            ["SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"], ["SORT", "l", "BY", "nosort", "BY", "w_*"], ["SORT", "l", "BY", "o_*", "ALPHA"],
            ["SORT", "l", "BY", "o_*"], ["SORT", "l", "BY", "missing_*"],
            ["HSET", "h_1", "f", "c", "n", "3"], ["HSET", "h_2", "f", "a", "n", "1"], ["HSET", "h_3", "f", "b", "n", "2"], ["HSET", "h_-5", "f", "d", "n", "0"],
            ["SORT", "l", "BY", "h_*->f", "ALPHA"], ["SORT", "l", "BY", "h_*->n"], ["SORT", "l", "GET", "h_*->f", "GET", "h_*->n", "GET", "#"],
            ["SORT", "l", "GET", "h_*->"], ["SORT", "l", "GET", "h_*->nofield"], ["SORT", "l", "GET", "w_*->f"], ["SORT", "l", "GET", "h_*"],
            ["SORT", "l", "GET", "*"], ["SORT", "l", "GET", "#", "GET", "#"],
            ["SORT", "l", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"], ["TYPE", "dst"], ["SORT", "l", "DESC", "STORE", "dst"], ["LRANGE", "dst", "0", "-1"],
            ["SORT", "l", "GET", "o_*", "GET", "none_*", "STORE", "dst2"], ["LRANGE", "dst2", "0", "-1"], ["LLEN", "dst2"],
            ["SET", "dst3", "x"], ["EXPIRE", "dst3", "100"], ["SORT", "l", "STORE", "dst3"], ["TTL", "dst3"], ["TYPE", "dst3"],
            ["SORT", "nosuch", "STORE", "dst3"], ["EXISTS", "dst3"], ["SORT", "l", "LIMIT", "0", "0", "STORE", "dst"], ["EXISTS", "dst"],
            ["SORT", "l", "STORE", "l"], ["LRANGE", "l", "0", "-1"], ["SORT", "l", "STORE", "a", "STORE", "b"], ["EXISTS", "a"], ["LRANGE", "b", "0", "-1"],
            ["SADD", "s", "3", "1", "2"], ["SORT", "s", "BY", "nosort"], ["SORT", "s", "BY", "nosort", "STORE", "ds"], ["LRANGE", "ds", "0", "-1"],
            ["SADD", "sw", "b", "a", "c"], ["SORT", "sw", "BY", "nosort", "STORE", "ds2"], ["LRANGE", "ds2", "0", "-1"],
            ["SORT", "sw", "BY", "nosort", "DESC", "STORE", "ds3"], ["LRANGE", "ds3", "0", "-1"],
            ["ZADD", "z", "3", "a", "1", "b", "2", "c", "2", "bb"], ["SORT", "z", "BY", "nosort"], ["SORT", "z", "BY", "nosort", "DESC"],
            ["SORT", "z", "BY", "nosort", "LIMIT", "1", "2"], ["SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "2"],
            ["SORT", "z", "BY", "nosort", "STORE", "dz"], ["LRANGE", "dz", "0", "-1"],
            ["SORT_RO", "l", "BY", "w_*", "GET", "#", "GET", "o_*"],
        ]),
        DifferentialCase("push, pop, length, range", [
            ["LPUSH", "l", "a", "b", "c"], ["RPUSH", "l", "d", "e"], ["LRANGE", "l", "0", "-1"], ["LLEN", "l"], ["LLEN", "none"],
            ["LPUSHX", "none", "x"], ["RPUSHX", "none", "x"], ["LPUSHX", "l", "x"], ["RPUSHX", "l", "y", "z"], ["LRANGE", "l", "0", "-1"],
            ["LPOP", "l"], ["RPOP", "l"], ["LPOP", "l", "2"], ["RPOP", "l", "0"], ["LPOP", "l", "-1"], ["LPOP", "l", "x"],
            ["LPOP", "none"], ["LPOP", "none", "2"], ["RPOP", "l", "100"], ["EXISTS", "l"], ["LPOP", "l", "1", "2"],
            ["LRANGE", "none", "0", "-1"], ["RPUSH", "r", "1", "2", "3", "4", "5"], ["LRANGE", "r", "1", "3"], ["LRANGE", "r", "-2", "-1"],
            ["LRANGE", "r", "-100", "100"], ["LRANGE", "r", "3", "1"], ["LRANGE", "r", "5", "10"], ["LRANGE", "r", "x", "1"],
            ["SET", "s", "v"], ["LPUSH", "s", "x"], ["LRANGE", "s", "0", "1"], ["LLEN", "s"], ["LPOP", "s"], ["LPUSHX", "s", "x"],
        ]),
        DifferentialCase("LINDEX LSET LTRIM", [
            ["RPUSH", "l", "a", "b", "c", "d"], ["LINDEX", "l", "0"], ["LINDEX", "l", "-1"], ["LINDEX", "l", "10"], ["LINDEX", "l", "-10"],
            ["LINDEX", "l", "x"], ["LINDEX", "none", "0"], ["LINDEX", "none", "x"], ["LSET", "none", "x", "v"], ["SET", "str", "v"],
            ["LINDEX", "str", "x"], ["LSET", "str", "x", "v"], ["LSET", "l", "1", "B"], ["LSET", "l", "-1", "D"], ["LSET", "l", "10", "x"],
            ["LSET", "none", "0", "x"], ["LSET", "l", "x", "y"], ["LRANGE", "l", "0", "-1"], ["LTRIM", "l", "1", "-2"], ["LRANGE", "l", "0", "-1"],
            ["LTRIM", "l", "5", "10"], ["EXISTS", "l"], ["RPUSH", "m", "1", "2", "3"], ["LTRIM", "m", "-100", "100"], ["LRANGE", "m", "0", "-1"],
            ["LTRIM", "m", "0", "0"], ["LRANGE", "m", "0", "-1"], ["LTRIM", "none", "0", "1"], ["LTRIM", "m", "x", "1"], ["LLEN", "m"],
            // Empty elements between others, and one large enough to outgrow LRANGE's first buffer guess.
            ["RPUSH", "e", "", "x", "", String(repeating: "long", count: 5_000), "", "y"], ["LRANGE", "e", "0", "-1"],
            ["LRANGE", "e", "1", "2"], ["LRANGE", "e", "-2", "-1"], ["LRANGE", "e", "2", "2"],
        ]),
        DifferentialCase("LINSERT LREM", [
            ["RPUSH", "l", "a", "b", "c", "b"], ["LINSERT", "l", "BEFORE", "b", "x"], ["LINSERT", "l", "AFTER", "b", "y"],
            ["LINSERT", "l", "AFTER", "c", "z"], ["LINSERT", "l", "BEFORE", "a", "first"], ["LINSERT", "l", "AFTER", "none", "q"],
            ["LINSERT", "none", "AFTER", "a", "q"], ["LINSERT", "l", "MIDDLE", "a", "q"], ["LRANGE", "l", "0", "-1"], ["LLEN", "l"],
            ["RPUSH", "r", "a", "b", "a", "c", "a", "b"], ["LREM", "r", "1", "a"], ["LREM", "r", "-1", "b"], ["LRANGE", "r", "0", "-1"],
            ["LREM", "r", "0", "a"], ["LRANGE", "r", "0", "-1"], ["LREM", "r", "0", "zzz"], ["LREM", "none", "0", "a"], ["LREM", "r", "x", "a"],
            ["LREM", "r", "0", "b"], ["LREM", "r", "0", "c"], ["EXISTS", "r"],
        ]),
        DifferentialCase("LINSERT at one spot until positions rebalance", [
            ["RPUSH", "l", "left", "right"],
        ] + (0..<70).map { ["LINSERT", "l", "BEFORE", "right", "m\($0)"] } + [
            ["LRANGE", "l", "0", "-1"], ["LLEN", "l"], ["LINDEX", "l", "35"], ["LINDEX", "l", "-2"],
        ] + (0..<40).map { ["LINSERT", "l", "AFTER", "left", "n\($0)"] } + [
            ["LRANGE", "l", "0", "-1"], ["LPUSH", "l", "head"], ["RPUSH", "l", "tail"], ["LRANGE", "l", "0", "5"], ["LLEN", "l"],
        ]),
        DifferentialCase("LPOS", [
            ["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"], ["LPOS", "l", "c"], ["LPOS", "l", "c", "RANK", "2"], ["LPOS", "l", "c", "RANK", "-1"],
            ["LPOS", "l", "c", "COUNT", "2"], ["LPOS", "l", "c", "COUNT", "0"], ["LPOS", "l", "c", "RANK", "-1", "COUNT", "2"],
            ["LPOS", "l", "c", "MAXLEN", "3"], ["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7"], ["LPOS", "l", "z"], ["LPOS", "l", "z", "COUNT", "1"],
            ["LPOS", "none", "a"], ["LPOS", "none", "a", "COUNT", "1"], ["LPOS", "l", "c", "RANK", "0"], ["LPOS", "l", "c", "COUNT", "-1"],
            ["LPOS", "l", "c", "MAXLEN", "-1"], ["LPOS", "l", "c", "RANK", "x"], ["LPOS", "l", "c", "BOGUS", "1"], ["LPOS", "l", "c", "RANK"],
            ["LPOS", "l", "c", "RANK", "5"], ["LPOS", "l", "c", "RANK", "-9223372036854775808"], ["LPOS", "l", "c", "RANK", "2", "COUNT", "5"],
        ]),
        DifferentialCase("LMOVE RPOPLPUSH LMPOP", [
            ["RPUSH", "a", "1", "2", "3"], ["LMOVE", "a", "b", "LEFT", "RIGHT"], ["LMOVE", "a", "b", "RIGHT", "LEFT"], ["LRANGE", "a", "0", "-1"],
            ["LRANGE", "b", "0", "-1"], ["LMOVE", "a", "a", "LEFT", "RIGHT"], ["LRANGE", "a", "0", "-1"], ["LMOVE", "none", "b", "LEFT", "LEFT"],
            ["LMOVE", "a", "b", "UP", "LEFT"], ["RPOPLPUSH", "b", "c"], ["RPOPLPUSH", "none", "c"], ["LRANGE", "c", "0", "-1"],
            ["SET", "s", "v"], ["LMOVE", "a", "s", "LEFT", "LEFT"], ["LRANGE", "a", "0", "-1"], ["RPOPLPUSH", "s", "a"],
            ["RPUSH", "x", "1", "2", "3", "4"], ["LMPOP", "2", "none", "x", "LEFT"], ["LMPOP", "2", "none", "x", "RIGHT", "COUNT", "2"],
            ["LMPOP", "1", "none", "LEFT"], ["LMPOP", "0", "x", "LEFT"], ["LMPOP", "3", "x", "LEFT"], ["LMPOP", "1", "x", "UP"],
            ["LMPOP", "1", "x", "LEFT", "COUNT", "0"], ["LMPOP", "1", "x", "LEFT", "COUNT", "x"], ["LMPOP", "1", "x", "LEFT", "BOGUS"],
            ["LMPOP", "1", "x", "LEFT", "COUNT", "1", "COUNT", "1"], ["LMPOP", "2", "s", "x", "LEFT"], ["LMPOP", "x", "x", "LEFT"],
            ["LMPOP", "1", "x", "LEFT", "COUNT", "10"], ["EXISTS", "x"], ["LMPOP", "-1", "x", "LEFT"],
        ]),
    ]

    public static let sets: [DifferentialCase] = [
        DifferentialCase("SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD", [
            ["SADD", "s", "a", "b", "c", "a"], ["SADD", "s", "c", "d"], ["SMEMBERS", "s"], ["SCARD", "s"], ["SCARD", "none"],
            ["SISMEMBER", "s", "a"], ["SISMEMBER", "s", "z"], ["SISMEMBER", "none", "a"], ["SMISMEMBER", "s", "a", "z", "d"],
            ["SMISMEMBER", "none", "a"], ["SREM", "s", "a", "z"], ["SREM", "none", "a"], ["SMEMBERS", "none"], ["SREM", "s", "b", "c", "d"],
            ["EXISTS", "s"], ["SET", "str", "v"], ["SADD", "str", "a"], ["SMEMBERS", "str"], ["SCARD", "str"], ["SISMEMBER", "str", "a"],
            ["SADD", "e", ""], ["SMEMBERS", "e"], ["SADD", "s"],
        ]),
        DifferentialCase("SPOP SRANDMEMBER", [
            ["SADD", "s", "a", "b", "c", "d", "e"], ["SPOP", "none"], ["SPOP", "none", "2"], ["SPOP", "s", "0"], ["SPOP", "s", "-1"],
            ["SPOP", "s", "x"], ["SPOP", "s", "2"], ["SCARD", "s"], ["SPOP", "s"], ["SCARD", "s"], ["SPOP", "s", "10"], ["EXISTS", "s"],
            ["SPOP", "s", "1", "2"], ["SADD", "r", "a", "b", "c"], ["SRANDMEMBER", "r"], ["SRANDMEMBER", "none"], ["SRANDMEMBER", "none", "3"],
            ["SRANDMEMBER", "r", "2"], ["SRANDMEMBER", "r", "10"], ["SRANDMEMBER", "r", "-5"], ["SRANDMEMBER", "r", "0"], ["SRANDMEMBER", "r", "x"],
            ["SRANDMEMBER", "r", "-9223372036854775808"], ["SCARD", "r"], ["SRANDMEMBER", "r", "1", "2"], ["SET", "str", "v"], ["SPOP", "str"],
        ]),
        DifferentialCase("SMOVE", [
            ["SADD", "a", "1", "2"], ["SADD", "b", "3"], ["SMOVE", "a", "b", "1"], ["SMOVE", "a", "b", "9"], ["SMOVE", "none", "b", "1"],
            ["SMEMBERS", "a"], ["SMEMBERS", "b"], ["SMOVE", "a", "a", "2"], ["SMOVE", "a", "a", "9"], ["SMOVE", "a", "c", "2"], ["EXISTS", "a"],
            ["SMEMBERS", "c"], ["SET", "str", "v"], ["SMOVE", "str", "c", "2"], ["SMOVE", "c", "str", "2"], ["SMOVE", "none", "str", "2"],
            ["SADD", "d", "3"], ["SMOVE", "b", "d", "3"], ["SMEMBERS", "d"], ["EXISTS", "b"],
        ]),
        DifferentialCase("SINTER SUNION SDIFF and STORE forms", [
            ["SADD", "a", "1", "2", "3", "4"], ["SADD", "b", "3", "4", "5"], ["SADD", "c", "4", "6"], ["SINTER", "a", "b"], ["SINTER", "a", "b", "c"],
            ["SINTER", "a", "none"], ["SUNION", "a", "b", "c"], ["SUNION", "none"], ["SDIFF", "a", "b"], ["SDIFF", "a", "b", "c"], ["SDIFF", "none", "a"],
            ["SDIFF", "a", "none"], ["SINTERSTORE", "d", "a", "b"], ["SMEMBERS", "d"], ["SUNIONSTORE", "d", "a", "c"], ["SMEMBERS", "d"],
            ["SDIFFSTORE", "d", "a", "b"], ["SMEMBERS", "d"], ["SINTERSTORE", "d", "a", "none"], ["EXISTS", "d"], ["SET", "str", "v"],
            ["SINTER", "a", "str"], ["SINTER", "none", "str"], ["SUNION", "a", "str"], ["SDIFF", "str", "a"], ["SDIFF", "none", "str"],
            ["SUNIONSTORE", "str", "a"], ["TYPE", "str"], ["SINTERSTORE", "a", "a", "b"], ["SMEMBERS", "a"],
            ["SET", "str2", "v"], ["SDIFFSTORE", "str2", "none"], ["EXISTS", "str2"],
        ]),
        DifferentialCase("SINTERCARD and SSCAN", [
            ["SADD", "a", "1", "2", "3", "4"], ["SADD", "b", "2", "3", "4", "5"], ["SINTERCARD", "2", "a", "b"], ["SINTERCARD", "2", "a", "b", "LIMIT", "2"],
            ["SINTERCARD", "2", "a", "b", "LIMIT", "0"], ["SINTERCARD", "1", "a"], ["SINTERCARD", "2", "a", "none"], ["SINTERCARD", "0", "a"],
            ["SINTERCARD", "3", "a", "b"], ["SINTERCARD", "x", "a"], ["SINTERCARD", "2", "a", "b", "LIMIT", "-1"], ["SINTERCARD", "2", "a", "b", "BOGUS"],
            ["SINTERCARD", "2", "a", "b", "LIMIT"], ["SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "3"], ["SET", "str", "v"], ["SINTERCARD", "2", "a", "str"],
            ["SSCAN", "a", "0"], ["SSCAN", "a", "0", "MATCH", "[12]"], ["SSCAN", "none", "0"], ["SSCAN", "a", "x"], ["SSCAN", "str", "0"],
        ]),
    ]

    public static let sortedSets: [DifferentialCase] = [
        DifferentialCase("GEORADIUS, GEORADIUSBYMEMBER, GEOSEARCH, GEOSEARCHSTORE: the same members in the same order (unsorted too), options, STORE and errors", [
            ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania", "13.583333", "37.316667", "Agrigento",
             "15.554", "38.193", "Messina", "14.267", "37.083", "Gela", "12.5", "41.9", "Rome", "9.19", "45.46", "Milan", "2.35", "48.85", "Paris",
             "-0.12", "51.5", "London", "139.69", "35.68", "Tokyo", "-73.99", "40.73", "NewYork", "179.9", "-16.5", "Fiji", "-179.9", "-16.6", "Samoa",
             "0", "84.9", "North", "0", "-84.9", "South", "151.2", "-33.87", "Sydney"],
            ["GEORADIUS", "g", "15", "37", "200", "km"], ["GEORADIUS", "g", "15", "37", "200", "km", "ASC"], ["GEORADIUS", "g", "15", "37", "200", "km", "DESC"],
            ["GEORADIUS", "g", "15", "37", "200", "km", "WITHDIST", "WITHCOORD", "WITHHASH", "ASC"], ["GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "2"],
            ["GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "2", "DESC", "WITHDIST"], ["GEORADIUS", "g", "15", "37", "200", "km", "COUNT", "1", "ANY"],
            ["GEORADIUS", "g", "15", "37", "120000", "m", "WITHDIST"], ["GEORADIUS", "g", "15", "37", "100", "mi", "WITHDIST", "ASC"],
            ["GEORADIUS", "g", "15", "37", "500000", "ft"], ["GEORADIUS", "g", "15", "37", "0", "km"], ["GEORADIUS", "g", "13.361389", "38.115556", "0", "m"],
            ["GEORADIUS", "g", "10", "45", "2000", "km"], ["GEORADIUS", "g", "10", "45", "5000", "km", "WITHDIST"], ["GEORADIUS", "g", "0", "0", "20000", "km"],
            ["GEORADIUS", "g", "180", "-16", "200", "km", "WITHDIST"], ["GEORADIUS", "g", "0", "85", "100", "km"], ["GEORADIUS", "g", "0", "-85", "500", "km"],
            ["GEORADIUSBYMEMBER", "g", "Palermo", "200", "km", "WITHDIST"], ["GEORADIUSBYMEMBER", "g", "Palermo", "1000", "km", "ASC", "COUNT", "3"],
            ["GEORADIUSBYMEMBER", "g", "nosuch", "200", "km"], ["GEORADIUSBYMEMBER", "nokey", "Palermo", "200", "km"],
            ["GEORADIUSBYMEMBER_RO", "g", "Rome", "800", "km", "DESC"], ["GEORADIUS_RO", "g", "15", "37", "200", "km", "WITHCOORD"],
            ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "ASC"], ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km"],
            ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYBOX", "400", "400", "km", "ASC", "WITHDIST", "WITHCOORD"],
            ["GEOSEARCH", "g", "FROMLONLAT", "10", "45", "BYBOX", "3000", "1000", "km", "WITHDIST"], ["GEOSEARCH", "g", "FROMLONLAT", "10", "-45", "BYBOX", "20000", "8000", "km"],
            ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "COUNT", "2", "ANY", "DESC"],
            ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
            ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST", "COUNT", "2"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"],
            ["GEOSEARCHSTORE", "dst", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"], ["EXISTS", "dst"],
            ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "r1"], ["ZRANGE", "r1", "0", "-1", "WITHSCORES"],
            ["GEORADIUS", "g", "15", "37", "200", "km", "STOREDIST", "r2", "ASC"], ["ZRANGE", "r2", "0", "-1", "WITHSCORES"],
            ["GEORADIUSBYMEMBER", "g", "Rome", "300", "km", "STORE", "r3"], ["ZRANGE", "r3", "0", "-1"], ["GEORADIUS", "nokey", "1", "1", "1", "km", "STORE", "r3"],
            ["EXISTS", "r3"], ["GEORADIUS", "nokey", "1", "1", "1", "km"],
            ["GEORADIUS", "g", "15", "37", "200", "km", "STORE", "x", "WITHDIST"], ["GEOSEARCHSTORE", "x", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "WITHCOORD"],
            ["GEORADIUS_RO", "g", "15", "37", "200", "km", "STORE", "x"], ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "STORE", "x"],
            ["GEOSEARCH", "g", "BYRADIUS", "1", "km"], ["GEOSEARCH", "g", "FROMLONLAT", "1", "1"], ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
            ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"], ["GEOSEARCH", "g", "FROMMEMBER", "nosuch", "BYRADIUS", "1", "km"],
            ["GEOSEARCH", "nokey", "FROMMEMBER", "nosuch", "BYRADIUS", "1", "km"], ["GEOSEARCH", "nokey", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
            ["GEORADIUS", "g", "15", "37", "-1", "km"], ["GEORADIUS", "g", "15", "37", "x", "km"], ["GEORADIUS", "g", "15", "37", "1", "yd"],
            ["GEORADIUS", "g", "200", "37", "1", "km"], ["GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "0"], ["GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "x"],
            ["GEORADIUS", "g", "15", "37", "1", "km", "ANY"], ["GEORADIUS", "g", "15", "37", "1", "km", "BOGUS"], ["GEORADIUS", "g", "15", "37", "1", "km", "COUNT"],
            ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "-1", "1", "km"], ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "x", "1", "km"],
            ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "1", "x", "km"], ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km", "STOREDIST"],
            ["SET", "s", "x"], ["GEORADIUS", "s", "1", "1", "1", "km"], ["GEOSEARCH", "s", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
            ["GEORADIUS", "g", "0", "0", "1e400", "m"], ["GEORADIUS", "g", "0", "0", "1e-400", "m"], ["GEORADIUS", "g", "0", "0", "inf", "m"],
            ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "1e400", "1", "km"], ["GEOSEARCH", "g", "FROMLONLAT", "1", "1", "BYBOX", "1", "1e-400", "km"],
            ["GEORADIUS", "s", "bad", "1", "1", "km"], ["GEOSEARCHSTORE", "d", "s", "FROMLONLAT", "1", "1", "BYRADIUS", "1", "km"],
        ]),
        DifferentialCase("GEOADD, GEOPOS, GEODIST, GEOHASH: scores, decoded positions, distances and errors as Redis's", [
            ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"], ["ZRANGE", "g", "0", "-1", "WITHSCORES"],
            ["GEOPOS", "g", "Palermo", "Catania", "nosuch"], ["GEODIST", "g", "Palermo", "Catania"], ["GEODIST", "g", "Palermo", "Catania", "km"],
            ["GEODIST", "g", "Palermo", "Catania", "MI"], ["GEODIST", "g", "Palermo", "Catania", "ft"], ["GEODIST", "g", "Palermo", "Palermo"],
            ["GEODIST", "g", "Palermo", "nosuch"], ["GEODIST", "nosuch", "a", "b"], ["GEODIST", "g", "Palermo", "Catania", "yd"],
            ["GEODIST", "g", "Palermo", "Catania", "km", "x"], ["GEOHASH", "g", "Palermo", "Catania", "nosuch"], ["GEOHASH", "nosuch", "a"],
            ["GEOHASH", "g"], ["GEOPOS", "nosuch", "a", "b"], ["GEOPOS", "g"],
            ["GEOADD", "g", "-180", "-85.05112878", "sw", "180", "85.05112878", "ne", "0", "0", "origin", "-0.0000001", "0.0000001", "tiny"],
            ["GEOPOS", "g", "sw", "ne", "origin", "tiny"], ["GEOHASH", "g", "sw", "ne", "origin", "tiny"], ["GEODIST", "g", "sw", "ne"],
            ["GEODIST", "g", "origin", "tiny"], ["ZSCORE", "g", "ne"], ["ZSCORE", "g", "sw"],
            ["GEOADD", "g", "180.0000001", "0", "x"], ["GEOADD", "g", "0", "85.06", "x"], ["GEOADD", "g", "200", "100", "x"], ["GEOADD", "g", "abc", "1", "x"],
            ["GEOADD", "g", "1", "abc", "x"], ["GEOADD", "g", "1", "2"], ["GEOADD", "g", "1", "2", "a", "3"], ["GEOADD", "g", "NX", "XX", "1", "2", "a"],
            ["GEOADD", "g", "NX", "13.4", "38.1", "Palermo", "1", "1", "new"], ["GEOPOS", "g", "Palermo"],
            ["GEOADD", "g", "XX", "CH", "13.4", "38.1", "Palermo", "2", "2", "newer"], ["GEOPOS", "g", "Palermo", "newer"],
            ["GEOADD", "g", "CH", "13.4", "38.1", "Palermo", "15.087269", "37.502669", "Catania"], ["GEOADD", "g", "ch", "nx", "ch", "1", "1", "ch"],
            ["GEOADD", "g", "inf", "0", "x"], ["GEOADD", "g", "nan", "0", "x"], ["ZCARD", "g"],
            // Doubles as getDoubleFromObject reads them: out of range and underflow refused.
            ["GEOADD", "g", "1e400", "0", "x"], ["GEOADD", "g", "1e-400", "0", "x"], ["GEOADD", "g", " 1", "0", "x"], ["GEOADD", "g", "0x10", "0", "x"],
            ["SET", "s", "x"], ["GEOADD", "s", "1", "1", "a"], ["GEOPOS", "s", "a"], ["GEODIST", "s", "a", "b"], ["GEOHASH", "s", "a"],
            ["ZADD", "z", "0", "zero", "4503599627370495", "max", "-1", "negative", "4503599627370496", "beyond"],
            ["GEOPOS", "z", "zero", "max", "negative", "beyond"], ["GEOHASH", "z", "zero", "max"], ["GEODIST", "z", "zero", "max"],
        ]),
        DifferentialCase("ZINCRBY reads ZADD's flags (found by the command fuzzer)", [
            ["ZADD", "z", "1", "a"], ["ZINCRBY", "z", "NX", "CH"], ["ZINCRBY", "z", "incr", "5"], ["ZINCRBY", "z", "LT", "ASC"],
            ["ZINCRBY", "z", "5", "NX"], ["ZSCORE", "z", "NX"], ["ZINCRBY", "z", "x", "a"], ["ZINCRBY", "nokey", "GT", "1"],
        ]),
        DifferentialCase("ZADD options and ZINCRBY", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c"], ["ZADD", "z", "10", "a"], ["ZADD", "z", "CH", "20", "a", "4", "d"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            ["ZADD", "z", "NX", "30", "a", "5", "e"], ["ZADD", "z", "XX", "30", "a", "6", "f"], ["ZADD", "z", "XX", "CH", "31", "a"],
            ["ZADD", "z", "GT", "CH", "1", "a", "40", "b"], ["ZADD", "z", "LT", "CH", "100", "a", "0", "c"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            ["ZADD", "z", "INCR", "5", "a"], ["ZADD", "z", "INCR", "NX", "5", "a"], ["ZADD", "z", "INCR", "XX", "5", "zz"], ["ZADD", "z", "INCR", "GT", "-1", "a"],
            ["ZADD", "z", "NX", "XX", "1", "a"], ["ZADD", "z", "GT", "LT", "1", "a"], ["ZADD", "z", "NX", "GT", "1", "a"], ["ZADD", "z", "INCR", "1", "a", "2", "b"],
            ["ZADD", "z", "1"], ["ZADD", "z", "1", "a", "2"], ["ZADD", "z", "x", "a"], ["ZADD", "z", "nan", "a"], ["ZADD", "z", "inf", "i", "-inf", "ni"],
            ["ZADD", "z", "INCR", "-inf", "i"], ["ZADD", "z", " 1", "sp"], ["ZADD", "z", "1e400", "big"], ["ZADD", "z", "0x10", "hex"],
            ["ZADD", "none", "XX", "1", "a"], ["EXISTS", "none"], ["ZINCRBY", "z", "2.5", "a"], ["ZINCRBY", "z", "1", "new"], ["ZINCRBY", "z", "x", "a"],
            ["ZINCRBY", "z", "inf", "ni"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"], ["ZADD", "z", "0.1", "p"], ["ZSCORE", "z", "p"],
            ["SET", "s", "v"], ["ZADD", "s", "1", "a"], ["ZINCRBY", "s", "1", "a"], ["ZADD", "z"],
        ]),
        DifferentialCase("ZSCORE ZMSCORE ZCARD ZRANK ZREM", [
            ["ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d"], ["ZSCORE", "z", "b"], ["ZSCORE", "z", "x"], ["ZSCORE", "none", "a"],
            ["ZMSCORE", "z", "a", "x", "d"], ["ZMSCORE", "none", "a"], ["ZCARD", "z"], ["ZCARD", "none"], ["ZRANK", "z", "c"], ["ZRANK", "z", "x"],
            ["ZREVRANK", "z", "a"], ["ZREVRANK", "z", "c"], ["ZRANK", "none", "a"], ["ZREM", "z", "a", "x"], ["ZREM", "none", "a"],
            ["ZREM", "z", "b", "c", "d"], ["EXISTS", "z"], ["SET", "s", "v"], ["ZSCORE", "s", "a"], ["ZCARD", "s"], ["ZRANK", "s", "a"],
        ]),
        DifferentialCase("ZRANGE by rank, score and lex, REV, LIMIT, WITHSCORES", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ["ZRANGE", "z", "0", "-1"], ["ZRANGE", "z", "1", "3", "WITHSCORES"],
            ["ZRANGE", "z", "-2", "-1"], ["ZRANGE", "z", "3", "1"], ["ZRANGE", "z", "0", "100"], ["ZRANGE", "z", "0", "-1", "REV"],
            ["ZRANGE", "z", "0", "1", "REV", "WITHSCORES"], ["ZRANGE", "z", "2", "4", "BYSCORE"], ["ZRANGE", "z", "(2", "(5", "BYSCORE"],
            ["ZRANGE", "z", "-inf", "+inf", "BYSCORE", "LIMIT", "1", "2"], ["ZRANGE", "z", "5", "2", "BYSCORE", "REV", "WITHSCORES"],
            ["ZRANGE", "z", "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "0", "2"], ["ZRANGE", "z", "0", "-1", "LIMIT", "0", "1"],
            ["ZRANGE", "z", "[a", "[c", "BYLEX"], ["ZRANGE", "z", "-", "+", "BYLEX", "LIMIT", "1", "1"], ["ZRANGE", "z", "[c", "(a", "BYLEX", "REV"],
            ["ZRANGE", "z", "a", "c", "BYLEX"], ["ZRANGE", "z", "[a", "[c", "BYLEX", "WITHSCORES"], ["ZRANGE", "z", "x", "2", "BYSCORE"],
            ["ZRANGE", "z", "1", "x"], ["ZRANGE", "z", "0", "-1", "BOGUS"], ["ZRANGE", "z", "0", "-1", "REV", "REV"], ["ZRANGE", "z", "1", "5", "BYSCORE", "BYLEX"],
            ["ZRANGE", "z", "1", "5", "BYSCORE", "LIMIT", "-1", "2"], ["ZRANGE", "z", "1", "5", "BYSCORE", "LIMIT", "1", "-1"], ["ZRANGE", "z", "1", "5", "BYSCORE", "LIMIT", "1", "0"],
            ["ZRANGE", "z", "1", "5", "BYSCORE", "LIMIT", "10", "1"], ["ZRANGE", "none", "0", "-1"], ["ZRANGE", "z", "", "", "BYSCORE"],
            ["ZRANGE", "z", "(", "(10", "BYSCORE"], ["ZRANGE", "z", " 1", "3", "BYSCORE"],
            ["ZREVRANGE", "z", "0", "1"], ["ZREVRANGE", "z", "0", "1", "WITHSCORES"], ["ZREVRANGE", "z", "0", "1", "REV"],
            ["ZRANGEBYSCORE", "z", "2", "4"], ["ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES", "LIMIT", "1", "2"], ["ZRANGEBYSCORE", "z", "2", "4", "BYSCORE"],
            ["ZREVRANGEBYSCORE", "z", "4", "2"], ["ZREVRANGEBYSCORE", "z", "(4", "(2", "WITHSCORES"], ["ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "1", "1"],
            ["ZADD", "l", "0", "a", "0", "b", "0", "c", "0", "d"], ["ZRANGEBYLEX", "l", "[b", "[c"], ["ZRANGEBYLEX", "l", "(a", "+"], ["ZRANGEBYLEX", "l", "-", "(c", "LIMIT", "1", "5"],
            ["ZREVRANGEBYLEX", "l", "+", "-"], ["ZREVRANGEBYLEX", "l", "[c", "[a", "LIMIT", "0", "2"], ["ZRANGEBYLEX", "l", "b", "c"], ["ZLEXCOUNT", "l", "[b", "+"],
            ["ZLEXCOUNT", "l", "-", "+"], ["ZLEXCOUNT", "none", "-", "+"], ["ZLEXCOUNT", "l", "b", "c"], ["ZCOUNT", "z", "2", "4"], ["ZCOUNT", "z", "(2", "(4"],
            ["ZCOUNT", "z", "-inf", "+inf"], ["ZCOUNT", "none", "0", "1"], ["ZCOUNT", "z", "x", "1"],
            ["ZRANGESTORE", "dst", "z", "1", "3"], ["ZRANGE", "dst", "0", "-1", "WITHSCORES"], ["ZRANGESTORE", "dst", "z", "4", "2", "BYSCORE", "REV"],
            ["ZRANGE", "dst", "0", "-1"], ["ZRANGESTORE", "dst", "none", "0", "-1"], ["EXISTS", "dst"], ["ZRANGESTORE", "dst", "l", "[a", "[b", "BYLEX"],
            ["ZRANGE", "dst", "0", "-1"], ["ZRANGESTORE", "dst", "z", "0", "-1", "WITHSCORES"], ["SET", "s", "v"], ["ZRANGE", "s", "0", "-1"], ["ZRANGESTORE", "dst", "s", "0", "1"],
        ]),
        DifferentialCase("ties order by member bytes; special scores", [
            ["ZADD", "t", "1", "b", "1", "a", "1", "ab", "1", "B", "1", "", "0", "z", "-0", "m", "inf", "top", "-inf", "bottom"],
            ["ZRANGE", "t", "0", "-1", "WITHSCORES"], ["ZRANGE", "t", "0", "-1", "REV"], ["ZSCORE", "t", "top"], ["ZSCORE", "t", "bottom"],
            ["ZRANGEBYSCORE", "t", "1", "1"], ["ZRANK", "t", "ab"], ["ZADD", "f", "0.1", "a", "1e-5", "b", "123456789012345678", "c", "3.0", "d"],
            ["ZRANGE", "f", "0", "-1", "WITHSCORES"], ["ZINCRBY", "f", "0.2", "a"],
        ]),
        DifferentialCase("ZREMRANGEBY*", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ["ZREMRANGEBYRANK", "z", "0", "1"], ["ZRANGE", "z", "0", "-1"],
            ["ZREMRANGEBYRANK", "z", "-1", "-1"], ["ZREMRANGEBYRANK", "z", "5", "10"], ["ZREMRANGEBYSCORE", "z", "(3", "4"], ["ZRANGE", "z", "0", "-1"],
            ["ZREMRANGEBYSCORE", "z", "x", "1"], ["ZREMRANGEBYRANK", "z", "x", "1"], ["ZREMRANGEBYSCORE", "z", "-inf", "+inf"], ["EXISTS", "z"],
            ["ZADD", "l", "0", "a", "0", "b", "0", "c"], ["ZREMRANGEBYLEX", "l", "[a", "(c"], ["ZRANGE", "l", "0", "-1"], ["ZREMRANGEBYLEX", "l", "x", "y"],
            ["ZREMRANGEBYLEX", "none", "-", "+"], ["ZREMRANGEBYRANK", "none", "0", "1"], ["SET", "s", "v"], ["ZREMRANGEBYRANK", "s", "0", "1"],
        ]),
        DifferentialCase("ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], ["ZPOPMIN", "z"], ["ZPOPMAX", "z"], ["ZPOPMIN", "z", "0"], ["ZPOPMIN", "z", "5"],
            ["EXISTS", "z"], ["ZPOPMIN", "none"], ["ZPOPMIN", "none", "2"], ["ZPOPMIN", "z", "-1"], ["ZPOPMIN", "z", "x"], ["ZPOPMAX", "z", "1", "2"],
            ["ZADD", "y", "1", "a", "2", "b", "3", "c"], ["ZMPOP", "2", "none", "y", "MIN"], ["ZMPOP", "1", "y", "MAX", "COUNT", "5"], ["ZMPOP", "1", "y", "MIN"],
            ["ZMPOP", "0", "y", "MIN"], ["ZMPOP", "1", "y", "UP"], ["ZMPOP", "1", "y", "MIN", "COUNT", "0"], ["ZMPOP", "1", "y", "MIN", "COUNT", "1", "COUNT", "1"], ["ZMPOP", "2", "y", "MIN"], ["ZMPOP", "x", "y", "MIN"],
            ["ZADD", "r", "1", "a", "2", "b", "3", "c"], ["ZRANDMEMBER", "r"], ["ZRANDMEMBER", "none"], ["ZRANDMEMBER", "none", "2"], ["ZRANDMEMBER", "r", "2"],
            ["ZRANDMEMBER", "r", "-5"], ["ZRANDMEMBER", "r", "5", "WITHSCORES"], ["ZRANDMEMBER", "r", "0"], ["ZRANDMEMBER", "r", "2", "BOGUS"], ["ZRANDMEMBER", "r", "x"],
            ["SET", "s", "v"], ["ZPOPMIN", "s"], ["ZMPOP", "1", "s", "MIN"], ["ZRANDMEMBER", "s"],
        ]),
        DifferentialCase("ZUNION ZINTER ZDIFF and STORE forms, WEIGHTS, AGGREGATE, sets as input", [
            ["ZADD", "a", "1", "x", "2", "y", "3", "z"], ["ZADD", "b", "10", "y", "20", "z", "30", "w"], ["SADD", "s", "x", "w", "v"],
            ["ZUNION", "2", "a", "b"], ["ZUNION", "2", "a", "b", "WITHSCORES"], ["ZUNION", "3", "a", "b", "s", "WITHSCORES"],
            ["ZUNION", "2", "a", "b", "WEIGHTS", "2", "0.5", "WITHSCORES"], ["ZUNION", "2", "a", "b", "AGGREGATE", "MAX", "WITHSCORES"],
            ["ZUNION", "2", "a", "b", "AGGREGATE", "MIN", "WITHSCORES"], ["ZINTER", "2", "a", "b", "WITHSCORES"], ["ZINTER", "2", "a", "none"],
            ["ZINTER", "2", "a", "s", "WITHSCORES"], ["ZDIFF", "2", "a", "b", "WITHSCORES"], ["ZDIFF", "1", "a"], ["ZDIFF", "2", "none", "a"],
            ["ZUNIONSTORE", "d", "2", "a", "b"], ["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "-1"],
            ["ZRANGE", "d", "0", "-1", "WITHSCORES"], ["ZDIFFSTORE", "d", "2", "a", "b"], ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
            ["ZINTERSTORE", "d", "2", "a", "none"], ["EXISTS", "d"], ["ZUNION", "0", "a"], ["ZUNION", "3", "a", "b"], ["ZUNION", "x", "a"],
            ["ZUNION", "2", "a", "b", "WEIGHTS", "1"], ["ZUNION", "2", "a", "b", "WEIGHTS", "1", "x"], ["ZUNION", "2", "a", "b", "AGGREGATE", "AVG"],
            ["ZDIFF", "2", "a", "b", "WEIGHTS", "1", "1"], ["ZUNIONSTORE", "d", "2", "a", "b", "WITHSCORES"], ["ZUNION", "2", "a", "b", "BOGUS"],
            ["SET", "str", "v"], ["ZUNION", "2", "a", "str"], ["ZINTER", "2", "none", "str"], ["ZUNIONSTORE", "str", "1", "a"], ["TYPE", "str"],
            ["ZADD", "i", "inf", "x"], ["ZADD", "j", "-inf", "x"], ["ZUNION", "2", "i", "j", "WITHSCORES"], ["ZUNION", "1", "i", "WEIGHTS", "0", "WITHSCORES"],
            ["ZINTERCARD", "2", "a", "b"], ["ZINTERCARD", "2", "a", "b", "LIMIT", "1"], ["ZINTERCARD", "0", "a"], ["ZINTERCARD", "3", "a", "b"],
            ["ZINTERCARD", "2", "a", "b", "LIMIT", "-1"], ["ZINTERCARD", "1", "str"], ["ZINTERCARD", "2", "a", "s"], ["ZINTERCARD", "x", "a"],
            ["ZINTERCARD", "2", "a", "b", "BOGUS"], ["ZINTERCARD", "2", "a", "b", "LIMIT"], ["ZINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "3"],
        ]),
        DifferentialCase("ZSCAN", [
            ["ZADD", "z", "1", "a", "2.5", "b", "0.1", "c"], ["ZSCAN", "z", "0"], ["ZSCAN", "z", "0", "MATCH", "[ab]"], ["ZSCAN", "none", "0"],
            ["ZSCAN", "z", "x"], ["ZSCAN", "z", "0", "COUNT", "0"],
        ]),
    ]

    /// Every case.
    /// PFADD, PFCOUNT and PFMERGE, the strings compared byte for byte (GET before any PFCOUNT of the
    /// key: Redlite's PFCOUNT does not write its count into the string's cache): sparse strings
    /// updated in place, made dense past 3,000 bytes, merged, and Redis's errors.
    static var hyperLogLogs: DifferentialCase {
        func elements(_ prefix: String, _ range: Range<Int>) -> [String] { range.map { "\(prefix)\($0)" } }
        var commands: [[String]] = [
            ["PFADD", "h", "a", "b", "c"], ["PFADD", "h", "a"], ["GET", "h"], ["PFADD", "e"], ["GET", "e"], ["PFADD", "e"], ["EXISTS", "e"],
            ["PFADD", "u", "héllo", "", "a\u{0}b", "a"], ["GET", "u"],
        ]
        for batch in 0..<6 { commands.append(["PFADD", "grow"] + elements("g", (batch * 40)..<(batch * 40 + 40))) }
        commands += [["GET", "grow"], ["STRLEN", "grow"]]
        // Past 3,000 bytes the string becomes dense (12,304 bytes).
        for batch in 0..<4 { commands.append(["PFADD", "dense"] + elements("d", (batch * 1000)..<(batch * 1000 + 1000))) }
        commands += [["STRLEN", "dense"], ["GET", "dense"]]
        commands.append(["PFADD", "big"] + elements("x", 0..<20000))
        commands += [
            ["PFMERGE", "m", "h", "u"], ["GET", "m"], ["PFMERGE", "md", "grow", "dense"], ["GET", "md"], ["PFMERGE", "empty"], ["GET", "empty"],
            ["PFMERGE", "fresh", "nosuch"], ["EXISTS", "fresh"], ["PFMERGE", "h", "u"], ["GET", "h"],
            ["PFCOUNT", "h"], ["PFCOUNT", "u"], ["PFCOUNT", "e"], ["PFCOUNT", "grow"], ["PFCOUNT", "dense"], ["PFCOUNT", "big"], ["PFCOUNT", "m"],
            ["PFCOUNT", "md"], ["PFCOUNT", "nosuch"], ["PFCOUNT", "h", "u", "nosuch"], ["PFCOUNT", "grow", "dense", "big"], ["PFCOUNT", "h"],
            ["PFADD", "t", "a"], ["EXPIRE", "t", "100"], ["PFADD", "t", "b"], ["TTL", "t"], ["PFMERGE", "t", "h"], ["TTL", "t"],
            ["SET", "s", "x"], ["PFADD", "s", "a"], ["PFCOUNT", "s"], ["PFCOUNT", "h", "s"], ["PFMERGE", "m", "s"], ["PFMERGE", "s", "h"],
            ["RPUSH", "l", "a"], ["PFADD", "l", "a"], ["PFCOUNT", "l"], ["PFMERGE", "l", "h"], ["PFMERGE", "m", "l"],
            ["SET", "fake", "HYLLxxxxxxxxxxxxxxxxxxxx"], ["PFCOUNT", "fake"], ["PFADD", "fake", "a"],
            ["SET", "short", "HYLL"], ["PFCOUNT", "short"],
            ["SET", "cut", "HYLL\u{1}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{80}\u{7f}"], ["PFCOUNT", "cut"],
            ["PFADD", "appended", "a"], ["APPEND", "appended", "x"], ["PFCOUNT", "appended"], ["PFADD", "appended", "b"],
            ["PFADD"], ["PFCOUNT"], ["PFMERGE"],
        ]
        // A dense string no PFADD writes (register 0 at 50, the others at 63), set by hand: its estimate
        // is past what a long long holds (this trapped Redlite's conversion once).
        var crafted = ["BITFIELD", "crafted", "SET", "u8", "120", "128", "SET", "u8", "128", "242"]
        for word in 0..<1535 { crafted += ["SET", "i64", String((17 + word * 8) * 8), "-1"] }
        for byte in 12297..<12304 { crafted += ["SET", "u8", String(byte * 8), "255"] }
        commands += [["SET", "crafted", "HYLL" + String(repeating: "\u{0}", count: 12300)], crafted, ["PFCOUNT", "crafted"], ["PFCOUNT", "crafted", "h"]]
        return DifferentialCase("PFADD, PFCOUNT, PFMERGE: Redis's strings byte for byte, its counts and errors", commands)
    }

    /// OBJECT's answers at each of Redis 7.0's encoding thresholds, and SUBSTR.
    static var objectAndSubstr: DifferentialCase {
        func repeated(_ character: String, _ count: Int) -> String { String(repeating: character, count: count) }
        func fields(_ count: Int) -> [String] { (0..<count).flatMap { ["f\($0)", "v"] } }
        func members(_ count: Int) -> [String] { (0..<count).flatMap { ["1", "m\($0)"] } }
        func integers(_ count: Int) -> [String] { (0..<count).map(String.init) }
        var commands: [[String]] = [
            ["SET", "i", "123"], ["SET", "j", "12345"], ["SET", "n", "-5"], ["SET", "zero", "007"], ["SET", "plus", "+5"],
            ["SET", "wide", "9223372036854775808"], ["SET", "min", "-9223372036854775808"], ["SET", "s", "hello"], ["SET", "e", ""],
            ["SET", "s44", repeated("a", 44)], ["SET", "s45", repeated("a", 45)], ["INCR", "c"], ["INCRBY", "c2", "20000"],
            ["RPUSH", "l", "a"], ["SADD", "si", "1", "2", "-3"], ["SADD", "ss", "a"], ["SADD", "mixed", "1", "a"], ["SADD", "lead", "01"],
            ["HSET", "h", "f", "v"], ["HSET", "h64", "f", repeated("v", 64)], ["HSET", "hv", "f", repeated("v", 65)],
            ["HSET", "hk", repeated("k", 65), "v"], ["ZADD", "z", "1", "a"], ["ZADD", "zl", "1", repeated("m", 65)],
        ]
        commands.append(["SADD", "ints"] + integers(512))
        commands.append(["SADD", "manyints"] + integers(513))
        commands.append(["HSET", "h512"] + fields(512))
        commands.append(["HSET", "h513"] + fields(513))
        commands.append(["ZADD", "z128"] + members(128))
        commands.append(["ZADD", "z129"] + members(129))
        let keys = ["i", "j", "n", "zero", "plus", "wide", "min", "s", "e", "s44", "s45", "c", "c2", "l", "si", "ss", "mixed", "lead",
                    "ints", "manyints", "h", "h64", "hv", "hk", "h512", "h513", "z", "zl", "z128", "z129", "nosuch"]
        for key in keys {
            commands.append(["OBJECT", "ENCODING", key])
            commands.append(["OBJECT", "REFCOUNT", key])
        }
        commands += [
            ["OBJECT", "FREQ", "i"], ["OBJECT", "FREQ", "nosuch"], ["OBJECT", "BOGUS", "i"], ["OBJECT", "ENCODING"], ["OBJECT", "ENCODING", "i", "j"],
            ["OBJECT"], ["OBJECT", "HELP"], ["OBJECT", "HELP", "x"], ["object", "encoding", "i"],
            ["SUBSTR", "s", "0", "1"], ["SUBSTR", "s", "-3", "-1"], ["SUBSTR", "s", "3", "1"], ["SUBSTR", "nosuch", "0", "1"],
            ["SUBSTR", "s", "a", "1"], ["SUBSTR", "h", "0", "1"], ["SUBSTR", "s", "0"], ["SUBSTR", "s", "0", "-1"],
        ]
        return DifferentialCase("OBJECT ENCODING, REFCOUNT, FREQ and HELP, by Redis 7.0's thresholds; SUBSTR", commands)
    }

    public static var all: [DifferentialCase] { keysStringsHashes + lists + sets + sortedSets }
}
