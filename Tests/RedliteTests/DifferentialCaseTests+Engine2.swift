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
            ["LINDEX", "l", "x"], ["LINDEX", "none", "0"], ["LSET", "l", "1", "B"], ["LSET", "l", "-1", "D"], ["LSET", "l", "10", "x"],
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
