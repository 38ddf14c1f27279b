import RESP
import RedisTestSupport
import Redlite
import Testing

/// Engine II: lists, sets and sorted sets, every command and option, edge cases and error texts.
@Suite("Differential: lists, sets, sorted sets")
struct CollectionDifferentialTests {
    typealias Case = DifferentialCaseTests.Case

    static let listCases: [Case] = [
        Case("push, pop, length, range", [
            ["LPUSH", "l", "a", "b", "c"], ["RPUSH", "l", "d", "e"], ["LRANGE", "l", "0", "-1"], ["LLEN", "l"], ["LLEN", "none"],
            ["LPUSHX", "none", "x"], ["RPUSHX", "none", "x"], ["LPUSHX", "l", "x"], ["RPUSHX", "l", "y", "z"], ["LRANGE", "l", "0", "-1"],
            ["LPOP", "l"], ["RPOP", "l"], ["LPOP", "l", "2"], ["RPOP", "l", "0"], ["LPOP", "l", "-1"], ["LPOP", "l", "x"],
            ["LPOP", "none"], ["LPOP", "none", "2"], ["RPOP", "l", "100"], ["EXISTS", "l"], ["LPOP", "l", "1", "2"],
            ["LRANGE", "none", "0", "-1"], ["RPUSH", "r", "1", "2", "3", "4", "5"], ["LRANGE", "r", "1", "3"], ["LRANGE", "r", "-2", "-1"],
            ["LRANGE", "r", "-100", "100"], ["LRANGE", "r", "3", "1"], ["LRANGE", "r", "5", "10"], ["LRANGE", "r", "x", "1"],
            ["SET", "s", "v"], ["LPUSH", "s", "x"], ["LRANGE", "s", "0", "1"], ["LLEN", "s"], ["LPOP", "s"], ["LPUSHX", "s", "x"],
        ]),
        Case("LINDEX LSET LTRIM", [
            ["RPUSH", "l", "a", "b", "c", "d"], ["LINDEX", "l", "0"], ["LINDEX", "l", "-1"], ["LINDEX", "l", "10"], ["LINDEX", "l", "-10"],
            ["LINDEX", "l", "x"], ["LINDEX", "none", "0"], ["LINDEX", "none", "x"], ["LSET", "none", "x", "v"], ["SET", "str", "v"],
            ["LINDEX", "str", "x"], ["LSET", "str", "x", "v"], ["LSET", "l", "1", "B"], ["LSET", "l", "-1", "D"], ["LSET", "l", "10", "x"],
            ["LSET", "none", "0", "x"], ["LSET", "l", "x", "y"], ["LRANGE", "l", "0", "-1"], ["LTRIM", "l", "1", "-2"], ["LRANGE", "l", "0", "-1"],
            ["LTRIM", "l", "5", "10"], ["EXISTS", "l"], ["RPUSH", "m", "1", "2", "3"], ["LTRIM", "m", "-100", "100"], ["LRANGE", "m", "0", "-1"],
            ["LTRIM", "m", "0", "0"], ["LRANGE", "m", "0", "-1"], ["LTRIM", "none", "0", "1"], ["LTRIM", "m", "x", "1"], ["LLEN", "m"],
        ]),
        Case("LINSERT LREM", [
            ["RPUSH", "l", "a", "b", "c", "b"], ["LINSERT", "l", "BEFORE", "b", "x"], ["LINSERT", "l", "AFTER", "b", "y"],
            ["LINSERT", "l", "AFTER", "c", "z"], ["LINSERT", "l", "BEFORE", "a", "first"], ["LINSERT", "l", "AFTER", "none", "q"],
            ["LINSERT", "none", "AFTER", "a", "q"], ["LINSERT", "l", "MIDDLE", "a", "q"], ["LRANGE", "l", "0", "-1"], ["LLEN", "l"],
            ["RPUSH", "r", "a", "b", "a", "c", "a", "b"], ["LREM", "r", "1", "a"], ["LREM", "r", "-1", "b"], ["LRANGE", "r", "0", "-1"],
            ["LREM", "r", "0", "a"], ["LRANGE", "r", "0", "-1"], ["LREM", "r", "0", "zzz"], ["LREM", "none", "0", "a"], ["LREM", "r", "x", "a"],
            ["LREM", "r", "0", "b"], ["LREM", "r", "0", "c"], ["EXISTS", "r"],
        ]),
        Case("LINSERT at one spot until positions rebalance", [
            ["RPUSH", "l", "left", "right"],
        ] + (0..<70).map { ["LINSERT", "l", "BEFORE", "right", "m\($0)"] } + [
            ["LRANGE", "l", "0", "-1"], ["LLEN", "l"], ["LINDEX", "l", "35"], ["LINDEX", "l", "-2"],
        ] + (0..<40).map { ["LINSERT", "l", "AFTER", "left", "n\($0)"] } + [
            ["LRANGE", "l", "0", "-1"], ["LPUSH", "l", "head"], ["RPUSH", "l", "tail"], ["LRANGE", "l", "0", "5"], ["LLEN", "l"],
        ]),
        Case("LPOS", [
            ["RPUSH", "l", "a", "b", "c", "1", "2", "3", "c", "c"], ["LPOS", "l", "c"], ["LPOS", "l", "c", "RANK", "2"], ["LPOS", "l", "c", "RANK", "-1"],
            ["LPOS", "l", "c", "COUNT", "2"], ["LPOS", "l", "c", "COUNT", "0"], ["LPOS", "l", "c", "RANK", "-1", "COUNT", "2"],
            ["LPOS", "l", "c", "MAXLEN", "3"], ["LPOS", "l", "c", "COUNT", "0", "MAXLEN", "7"], ["LPOS", "l", "z"], ["LPOS", "l", "z", "COUNT", "1"],
            ["LPOS", "none", "a"], ["LPOS", "none", "a", "COUNT", "1"], ["LPOS", "l", "c", "RANK", "0"], ["LPOS", "l", "c", "COUNT", "-1"],
            ["LPOS", "l", "c", "MAXLEN", "-1"], ["LPOS", "l", "c", "RANK", "x"], ["LPOS", "l", "c", "BOGUS", "1"], ["LPOS", "l", "c", "RANK"],
            ["LPOS", "l", "c", "RANK", "5"], ["LPOS", "l", "c", "RANK", "-9223372036854775808"], ["LPOS", "l", "c", "RANK", "2", "COUNT", "5"],
        ]),
        Case("LMOVE RPOPLPUSH LMPOP", [
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

    static let setCases: [Case] = [
        Case("SADD SREM SMEMBERS SISMEMBER SMISMEMBER SCARD", [
            ["SADD", "s", "a", "b", "c", "a"], ["SADD", "s", "c", "d"], ["SMEMBERS", "s"], ["SCARD", "s"], ["SCARD", "none"],
            ["SISMEMBER", "s", "a"], ["SISMEMBER", "s", "z"], ["SISMEMBER", "none", "a"], ["SMISMEMBER", "s", "a", "z", "d"],
            ["SMISMEMBER", "none", "a"], ["SREM", "s", "a", "z"], ["SREM", "none", "a"], ["SMEMBERS", "none"], ["SREM", "s", "b", "c", "d"],
            ["EXISTS", "s"], ["SET", "str", "v"], ["SADD", "str", "a"], ["SMEMBERS", "str"], ["SCARD", "str"], ["SISMEMBER", "str", "a"],
            ["SADD", "e", ""], ["SMEMBERS", "e"], ["SADD", "s"],
        ]),
        Case("SPOP SRANDMEMBER", [
            ["SADD", "s", "a", "b", "c", "d", "e"], ["SPOP", "none"], ["SPOP", "none", "2"], ["SPOP", "s", "0"], ["SPOP", "s", "-1"],
            ["SPOP", "s", "x"], ["SPOP", "s", "2"], ["SCARD", "s"], ["SPOP", "s"], ["SCARD", "s"], ["SPOP", "s", "10"], ["EXISTS", "s"],
            ["SPOP", "s", "1", "2"], ["SADD", "r", "a", "b", "c"], ["SRANDMEMBER", "r"], ["SRANDMEMBER", "none"], ["SRANDMEMBER", "none", "3"],
            ["SRANDMEMBER", "r", "2"], ["SRANDMEMBER", "r", "10"], ["SRANDMEMBER", "r", "-5"], ["SRANDMEMBER", "r", "0"], ["SRANDMEMBER", "r", "x"],
            ["SRANDMEMBER", "r", "-9223372036854775808"], ["SCARD", "r"], ["SRANDMEMBER", "r", "1", "2"], ["SET", "str", "v"], ["SPOP", "str"],
        ]),
        Case("SMOVE", [
            ["SADD", "a", "1", "2"], ["SADD", "b", "3"], ["SMOVE", "a", "b", "1"], ["SMOVE", "a", "b", "9"], ["SMOVE", "none", "b", "1"],
            ["SMEMBERS", "a"], ["SMEMBERS", "b"], ["SMOVE", "a", "a", "2"], ["SMOVE", "a", "a", "9"], ["SMOVE", "a", "c", "2"], ["EXISTS", "a"],
            ["SMEMBERS", "c"], ["SET", "str", "v"], ["SMOVE", "str", "c", "2"], ["SMOVE", "c", "str", "2"], ["SMOVE", "none", "str", "2"],
            ["SADD", "d", "3"], ["SMOVE", "b", "d", "3"], ["SMEMBERS", "d"], ["EXISTS", "b"],
        ]),
        Case("SINTER SUNION SDIFF and STORE forms", [
            ["SADD", "a", "1", "2", "3", "4"], ["SADD", "b", "3", "4", "5"], ["SADD", "c", "4", "6"], ["SINTER", "a", "b"], ["SINTER", "a", "b", "c"],
            ["SINTER", "a", "none"], ["SUNION", "a", "b", "c"], ["SUNION", "none"], ["SDIFF", "a", "b"], ["SDIFF", "a", "b", "c"], ["SDIFF", "none", "a"],
            ["SDIFF", "a", "none"], ["SINTERSTORE", "d", "a", "b"], ["SMEMBERS", "d"], ["SUNIONSTORE", "d", "a", "c"], ["SMEMBERS", "d"],
            ["SDIFFSTORE", "d", "a", "b"], ["SMEMBERS", "d"], ["SINTERSTORE", "d", "a", "none"], ["EXISTS", "d"], ["SET", "str", "v"],
            ["SINTER", "a", "str"], ["SINTER", "none", "str"], ["SUNION", "a", "str"], ["SDIFF", "str", "a"], ["SDIFF", "none", "str"],
            ["SUNIONSTORE", "str", "a"], ["TYPE", "str"], ["SINTERSTORE", "a", "a", "b"], ["SMEMBERS", "a"],
            ["SET", "str2", "v"], ["SDIFFSTORE", "str2", "none"], ["EXISTS", "str2"],
        ]),
        Case("SINTERCARD and SSCAN", [
            ["SADD", "a", "1", "2", "3", "4"], ["SADD", "b", "2", "3", "4", "5"], ["SINTERCARD", "2", "a", "b"], ["SINTERCARD", "2", "a", "b", "LIMIT", "2"],
            ["SINTERCARD", "2", "a", "b", "LIMIT", "0"], ["SINTERCARD", "1", "a"], ["SINTERCARD", "2", "a", "none"], ["SINTERCARD", "0", "a"],
            ["SINTERCARD", "3", "a", "b"], ["SINTERCARD", "x", "a"], ["SINTERCARD", "2", "a", "b", "LIMIT", "-1"], ["SINTERCARD", "2", "a", "b", "BOGUS"],
            ["SINTERCARD", "2", "a", "b", "LIMIT"], ["SET", "str", "v"], ["SINTERCARD", "2", "a", "str"],
            ["SSCAN", "a", "0"], ["SSCAN", "a", "0", "MATCH", "[12]"], ["SSCAN", "none", "0"], ["SSCAN", "a", "x"], ["SSCAN", "str", "0"],
        ]),
    ]

    static let sortedSetCases: [Case] = [
        Case("ZADD options and ZINCRBY", [
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
        Case("ZSCORE ZMSCORE ZCARD ZRANK ZREM", [
            ["ZADD", "z", "1", "a", "2", "b", "2", "c", "3", "d"], ["ZSCORE", "z", "b"], ["ZSCORE", "z", "x"], ["ZSCORE", "none", "a"],
            ["ZMSCORE", "z", "a", "x", "d"], ["ZMSCORE", "none", "a"], ["ZCARD", "z"], ["ZCARD", "none"], ["ZRANK", "z", "c"], ["ZRANK", "z", "x"],
            ["ZREVRANK", "z", "a"], ["ZREVRANK", "z", "c"], ["ZRANK", "none", "a"], ["ZREM", "z", "a", "x"], ["ZREM", "none", "a"],
            ["ZREM", "z", "b", "c", "d"], ["EXISTS", "z"], ["SET", "s", "v"], ["ZSCORE", "s", "a"], ["ZCARD", "s"], ["ZRANK", "s", "a"],
        ]),
        Case("ZRANGE by rank, score and lex, REV, LIMIT, WITHSCORES", [
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
        Case("ties order by member bytes; special scores", [
            ["ZADD", "t", "1", "b", "1", "a", "1", "ab", "1", "B", "1", "", "0", "z", "-0", "m", "inf", "top", "-inf", "bottom"],
            ["ZRANGE", "t", "0", "-1", "WITHSCORES"], ["ZRANGE", "t", "0", "-1", "REV"], ["ZSCORE", "t", "top"], ["ZSCORE", "t", "bottom"],
            ["ZRANGEBYSCORE", "t", "1", "1"], ["ZRANK", "t", "ab"], ["ZADD", "f", "0.1", "a", "1e-5", "b", "123456789012345678", "c", "3.0", "d"],
            ["ZRANGE", "f", "0", "-1", "WITHSCORES"], ["ZINCRBY", "f", "0.2", "a"],
        ]),
        Case("ZREMRANGEBY*", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"], ["ZREMRANGEBYRANK", "z", "0", "1"], ["ZRANGE", "z", "0", "-1"],
            ["ZREMRANGEBYRANK", "z", "-1", "-1"], ["ZREMRANGEBYRANK", "z", "5", "10"], ["ZREMRANGEBYSCORE", "z", "(3", "4"], ["ZRANGE", "z", "0", "-1"],
            ["ZREMRANGEBYSCORE", "z", "x", "1"], ["ZREMRANGEBYRANK", "z", "x", "1"], ["ZREMRANGEBYSCORE", "z", "-inf", "+inf"], ["EXISTS", "z"],
            ["ZADD", "l", "0", "a", "0", "b", "0", "c"], ["ZREMRANGEBYLEX", "l", "[a", "(c"], ["ZRANGE", "l", "0", "-1"], ["ZREMRANGEBYLEX", "l", "x", "y"],
            ["ZREMRANGEBYLEX", "none", "-", "+"], ["ZREMRANGEBYRANK", "none", "0", "1"], ["SET", "s", "v"], ["ZREMRANGEBYRANK", "s", "0", "1"],
        ]),
        Case("ZPOPMIN ZPOPMAX ZMPOP ZRANDMEMBER", [
            ["ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"], ["ZPOPMIN", "z"], ["ZPOPMAX", "z"], ["ZPOPMIN", "z", "0"], ["ZPOPMIN", "z", "5"],
            ["EXISTS", "z"], ["ZPOPMIN", "none"], ["ZPOPMIN", "none", "2"], ["ZPOPMIN", "z", "-1"], ["ZPOPMIN", "z", "x"], ["ZPOPMAX", "z", "1", "2"],
            ["ZADD", "y", "1", "a", "2", "b", "3", "c"], ["ZMPOP", "2", "none", "y", "MIN"], ["ZMPOP", "1", "y", "MAX", "COUNT", "5"], ["ZMPOP", "1", "y", "MIN"],
            ["ZMPOP", "0", "y", "MIN"], ["ZMPOP", "1", "y", "UP"], ["ZMPOP", "1", "y", "MIN", "COUNT", "0"], ["ZMPOP", "2", "y", "MIN"], ["ZMPOP", "x", "y", "MIN"],
            ["ZADD", "r", "1", "a", "2", "b", "3", "c"], ["ZRANDMEMBER", "r"], ["ZRANDMEMBER", "none"], ["ZRANDMEMBER", "none", "2"], ["ZRANDMEMBER", "r", "2"],
            ["ZRANDMEMBER", "r", "-5"], ["ZRANDMEMBER", "r", "5", "WITHSCORES"], ["ZRANDMEMBER", "r", "0"], ["ZRANDMEMBER", "r", "2", "BOGUS"], ["ZRANDMEMBER", "r", "x"],
            ["SET", "s", "v"], ["ZPOPMIN", "s"], ["ZMPOP", "1", "s", "MIN"], ["ZRANDMEMBER", "s"],
        ]),
        Case("ZUNION ZINTER ZDIFF and STORE forms, WEIGHTS, AGGREGATE, sets as input", [
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
            ["ZINTERCARD", "2", "a", "b", "BOGUS"], ["ZINTERCARD", "2", "a", "b", "LIMIT"],
        ]),
        Case("ZSCAN", [
            ["ZADD", "z", "1", "a", "2.5", "b", "0.1", "c"], ["ZSCAN", "z", "0"], ["ZSCAN", "z", "0", "MATCH", "[ab]"], ["ZSCAN", "none", "0"],
            ["ZSCAN", "z", "x"], ["ZSCAN", "z", "0", "COUNT", "0"],
        ]),
    ]

    @Test("sorted sets", arguments: sortedSetCases)
    func sortedSets(_ testCase: Case) throws {
        var pair = try DifferentialPair()
        for divergence in try pair.run(testCase.commands) { Issue.record("\(divergence)") }
    }

    @Test("sets", arguments: setCases)
    func sets(_ testCase: Case) throws {
        var pair = try DifferentialPair()
        for divergence in try pair.run(testCase.commands) { Issue.record("\(divergence)") }
    }

    @Test("lists", arguments: listCases)
    func lists(_ testCase: Case) throws {
        var pair = try DifferentialPair()
        for divergence in try pair.run(testCase.commands) { Issue.record("\(divergence)") }
    }
}
