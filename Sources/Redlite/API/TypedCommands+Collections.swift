public import NIOCore
import RESP

/// Which end of a list.
public enum ListEnd: Sendable {
    case left, right
    var word: String { self == .left ? "LEFT" : "RIGHT" }
}

// MARK: - Lists

extension RedliteCommandRunner {
    /// LPUSH (`.left`) or RPUSH (`.right`); returns the new length.
    @discardableResult
    public func push(_ key: some RedisBytesConvertible, _ values: [any RedisBytesConvertible], to end: ListEnd = .right) throws -> Int {
        try count(run([ByteBuffer(string: end == .left ? "LPUSH" : "RPUSH"), key.redisBytes] + values.map(\.redisBytes)))
    }

    /// LPOP / RPOP of up to `count` elements (empty when the list does not exist).
    public func pop(_ key: some RedisBytesConvertible, from end: ListEnd = .left, count: Int = 1) throws -> [ByteBuffer] {
        buffers(try run(end == .left ? "LPOP" : "RPOP", key, String(count)))
    }

    /// LRANGE (inclusive; negative indexes count from the end).
    public func range(_ key: some RedisBytesConvertible, _ start: Int = 0, _ stop: Int = -1) throws -> [ByteBuffer] {
        buffers(try run("LRANGE", key, String(start), String(stop)))
    }

    /// LLEN.
    public func length(ofList key: some RedisBytesConvertible) throws -> Int { try count(run("LLEN", key)) }

    /// LINDEX.
    public func element(_ key: some RedisBytesConvertible, at index: Int) throws -> ByteBuffer? {
        if case .bulkString(let value) = try run("LINDEX", key, String(index)) { return value }
        return nil
    }

    /// LSET: throws `ERR index out of range` or `ERR no such key`.
    public func setElement(_ key: some RedisBytesConvertible, at index: Int, _ value: some RedisBytesConvertible) throws {
        try run("LSET", key, String(index), value)
    }

    /// LINSERT: the new length, -1 when `pivot` is not in the list, 0 when the key does not exist.
    @discardableResult
    public func insert(_ key: some RedisBytesConvertible, _ value: some RedisBytesConvertible, before: Bool, pivot: some RedisBytesConvertible) throws -> Int {
        try count(run("LINSERT", key, before ? "BEFORE" : "AFTER", pivot, value))
    }

    /// LREM: removes `count` occurrences (0: all; negative: from the tail); returns how many.
    @discardableResult
    public func remove(_ key: some RedisBytesConvertible, _ value: some RedisBytesConvertible, count: Int = 0) throws -> Int {
        try self.count(run("LREM", key, String(count), value))
    }

    /// LTRIM.
    public func trim(_ key: some RedisBytesConvertible, _ start: Int, _ stop: Int) throws {
        try run("LTRIM", key, String(start), String(stop))
    }

    /// LMOVE: moves one element between lists (or rotates one list); nil when the source is empty.
    public func move(from source: some RedisBytesConvertible, _ sourceEnd: ListEnd, to destination: some RedisBytesConvertible, _ destinationEnd: ListEnd) throws -> ByteBuffer? {
        if case .bulkString(let value) = try run("LMOVE", source, destination, sourceEnd.word, destinationEnd.word) { return value }
        return nil
    }
}

// MARK: - Sets

extension RedliteCommandRunner {
    /// SADD: returns how many members were new.
    @discardableResult
    public func sadd(_ key: some RedisBytesConvertible, _ members: [any RedisBytesConvertible]) throws -> Int {
        try count(run([ByteBuffer(string: "SADD"), key.redisBytes] + members.map(\.redisBytes)))
    }

    /// SREM: returns how many members were removed.
    @discardableResult
    public func srem(_ key: some RedisBytesConvertible, _ members: [any RedisBytesConvertible]) throws -> Int {
        try count(run([ByteBuffer(string: "SREM"), key.redisBytes] + members.map(\.redisBytes)))
    }

    /// SMEMBERS.
    public func smembers(_ key: some RedisBytesConvertible) throws -> Set<ByteBuffer> { Set(buffers(try run("SMEMBERS", key))) }

    /// SISMEMBER.
    public func sismember(_ key: some RedisBytesConvertible, _ member: some RedisBytesConvertible) throws -> Bool {
        try run("SISMEMBER", key, member) == .integer(1)
    }

    /// SCARD.
    public func scard(_ key: some RedisBytesConvertible) throws -> Int { try count(run("SCARD", key)) }

    /// SPOP of up to `count` random members.
    public func spop(_ key: some RedisBytesConvertible, count: Int = 1) throws -> [ByteBuffer] {
        buffers(try run("SPOP", key, String(count)))
    }

    /// SINTER / SUNION / SDIFF.
    public func sinter(_ keys: [any RedisBytesConvertible]) throws -> Set<ByteBuffer> {
        Set(buffers(try run([ByteBuffer(string: "SINTER")] + keys.map(\.redisBytes))))
    }

    public func sunion(_ keys: [any RedisBytesConvertible]) throws -> Set<ByteBuffer> {
        Set(buffers(try run([ByteBuffer(string: "SUNION")] + keys.map(\.redisBytes))))
    }

    public func sdiff(_ keys: [any RedisBytesConvertible]) throws -> Set<ByteBuffer> {
        Set(buffers(try run([ByteBuffer(string: "SDIFF")] + keys.map(\.redisBytes))))
    }
}

// MARK: - Sorted sets

extension RedliteCommandRunner {
    /// ZADD of member/score pairs; returns how many members were new.
    @discardableResult
    public func zadd(_ key: some RedisBytesConvertible, _ members: [(member: any RedisBytesConvertible, score: Double)]) throws -> Int {
        try count(run([ByteBuffer(string: "ZADD"), key.redisBytes] + members.flatMap { [ByteBuffer(string: RESPDouble.format($0.score)), $0.member.redisBytes] }))
    }

    /// ZINCRBY: the new score.
    @discardableResult
    public func zincrby(_ key: some RedisBytesConvertible, _ member: some RedisBytesConvertible, by amount: Double) throws -> Double {
        try score(run("ZINCRBY", key, RESPDouble.format(amount), member)) ?? .nan
    }

    /// ZSCORE.
    public func zscore(_ key: some RedisBytesConvertible, _ member: some RedisBytesConvertible) throws -> Double? {
        try score(run("ZSCORE", key, member))
    }

    /// ZRANK (or ZREVRANK with `reverse`).
    public func zrank(_ key: some RedisBytesConvertible, _ member: some RedisBytesConvertible, reverse: Bool = false) throws -> Int? {
        if case .integer(let rank) = try run(reverse ? "ZREVRANK" : "ZRANK", key, member) { return Int(rank) }
        return nil
    }

    /// ZCARD.
    public func zcard(_ key: some RedisBytesConvertible) throws -> Int { try count(run("ZCARD", key)) }

    /// ZREM: how many members were removed.
    @discardableResult
    public func zrem(_ key: some RedisBytesConvertible, _ members: [any RedisBytesConvertible]) throws -> Int {
        try count(run([ByteBuffer(string: "ZREM"), key.redisBytes] + members.map(\.redisBytes)))
    }

    /// ZRANGE by rank with scores, ascending or (reverse) descending.
    public func zrange(_ key: some RedisBytesConvertible, _ start: Int = 0, _ stop: Int = -1, reverse: Bool = false) throws -> [(member: ByteBuffer, score: Double)] {
        var arguments: [any RedisBytesConvertible] = ["ZRANGE", key, String(start), String(stop), "WITHSCORES"]
        if reverse { arguments.append("REV") }
        return pairs(try run(arguments.map(\.redisBytes)))
    }

    /// ZRANGEBYSCORE with scores: `min`/`max` as Redis writes them (`1.5`, `(1.5`, `-inf`, `+inf`).
    public func zrange(_ key: some RedisBytesConvertible, byScore min: String, _ max: String, limit: (offset: Int, count: Int)? = nil) throws -> [(member: ByteBuffer, score: Double)] {
        var arguments: [any RedisBytesConvertible] = ["ZRANGE", key, min, max, "BYSCORE", "WITHSCORES"]
        if let limit { arguments += ["LIMIT", String(limit.offset), String(limit.count)] }
        return pairs(try run(arguments.map(\.redisBytes)))
    }

    /// ZPOPMIN (or ZPOPMAX with `max`) of up to `count` members.
    public func zpop(_ key: some RedisBytesConvertible, count: Int = 1, max: Bool = false) throws -> [(member: ByteBuffer, score: Double)] {
        pairs(try run(max ? "ZPOPMAX" : "ZPOPMIN", key, String(count)))
    }
}

// MARK: - Reply conversions

extension RedliteCommandRunner {
    fileprivate func count(_ reply: RESPValue) throws -> Int {
        guard case .integer(let value) = reply else { throw RedisError("ERR unexpected reply \(reply)") }
        return Int(value)
    }

    fileprivate func buffers(_ reply: RESPValue) -> [ByteBuffer] {
        (reply.elements ?? []).compactMap { if case .bulkString(let value) = $0 { value } else { nil } }
    }

    fileprivate func score(_ reply: RESPValue) throws -> Double? {
        switch reply {
        case .double(let value): return value
        case .bulkString(let text): return RESPDouble.parse(String(buffer: text))
        default: return nil
        }
    }

    /// `[member, score, …]` (RESP2 shape) or `[[member, score], …]` (RESP3 shape).
    fileprivate func pairs(_ reply: RESPValue) -> [(member: ByteBuffer, score: Double)] {
        let elements = reply.elements ?? []
        if case .array = elements.first {
            return elements.compactMap { pair in
                guard let parts = pair.elements, parts.count == 2, case .bulkString(let member) = parts[0], case .double(let score) = parts[1] else { return nil }
                return (member, score)
            }
        }
        return stride(from: 0, to: elements.count - 1, by: 2).compactMap { index in
            guard case .bulkString(let member) = elements[index] else { return nil }
            let score: Double?
            switch elements[index + 1] {
            case .double(let value): score = value
            case .bulkString(let text): score = RESPDouble.parse(String(buffer: text))
            default: score = nil
            }
            return score.map { (member, $0) }
        }
    }
}

// MARK: - The rest of engine II

extension RedliteCommandRunner {
    /// LPOS: index of the first occurrence (`rank` > 1 skips matches; negative searches from the tail).
    public func position(_ key: some RedisBytesConvertible, of value: some RedisBytesConvertible, rank: Int = 1, maxLength: Int = 0) throws -> Int? {
        if case .integer(let index) = try run("LPOS", key, value, "RANK", String(rank), "MAXLEN", String(maxLength)) { return Int(index) }
        return nil
    }

    /// LMPOP: pops up to `count` elements from the first non-empty list of `keys`.
    public func popFirst(_ keys: [any RedisBytesConvertible], from end: ListEnd = .left, count: Int = 1) throws -> (key: ByteBuffer, values: [ByteBuffer])? {
        let reply = try run([ByteBuffer(string: "LMPOP"), ByteBuffer(string: String(keys.count))] + keys.map(\.redisBytes)
            + [ByteBuffer(string: end.word), ByteBuffer(string: "COUNT"), ByteBuffer(string: String(count))])
        guard let parts = reply.elements, parts.count == 2, case .bulkString(let key) = parts[0] else { return nil }
        return (key, buffers(parts[1]))
    }

    /// SMOVE: true when the member moved.
    @discardableResult
    public func smove(_ member: some RedisBytesConvertible, from source: some RedisBytesConvertible, to destination: some RedisBytesConvertible) throws -> Bool {
        try run("SMOVE", source, destination, member) == .integer(1)
    }

    /// SRANDMEMBER: distinct members for a positive count, repetitions allowed for a negative one.
    public func srandmember(_ key: some RedisBytesConvertible, count: Int) throws -> [ByteBuffer] {
        buffers(try run("SRANDMEMBER", key, String(count)))
    }

    /// SINTERCARD: the size of the intersection, counting at most `limit` (0: no limit).
    public func sintercard(_ keys: [any RedisBytesConvertible], limit: Int = 0) throws -> Int {
        try count(run([ByteBuffer(string: "SINTERCARD"), ByteBuffer(string: String(keys.count))] + keys.map(\.redisBytes)
            + [ByteBuffer(string: "LIMIT"), ByteBuffer(string: String(limit))]))
    }

    /// ZMSCORE.
    public func zmscore(_ key: some RedisBytesConvertible, _ members: [any RedisBytesConvertible]) throws -> [Double?] {
        try (run([ByteBuffer(string: "ZMSCORE"), key.redisBytes] + members.map(\.redisBytes)).elements ?? []).map { try score($0) }
    }

    /// ZCOUNT: members with a score in [min, max] (bounds as Redis writes them: `(1`, `-inf`).
    public func zcount(_ key: some RedisBytesConvertible, _ min: String, _ max: String) throws -> Int {
        try count(run("ZCOUNT", key, min, max))
    }

    /// ZRANGEBYLEX: members between `[a`/`(a`/`-` and `[z`/`(z`/`+`.
    public func zrange(_ key: some RedisBytesConvertible, byLex min: String, _ max: String) throws -> [ByteBuffer] {
        buffers(try run("ZRANGE", key, min, max, "BYLEX"))
    }

    /// ZREMRANGEBYSCORE: how many members were removed.
    @discardableResult
    public func zremrange(_ key: some RedisBytesConvertible, byScore min: String, _ max: String) throws -> Int {
        try count(run("ZREMRANGEBYSCORE", key, min, max))
    }

    /// ZUNION or ZINTER with weights and an aggregate (`SUM`, `MIN`, `MAX`).
    public func zcombine(_ keys: [any RedisBytesConvertible], intersect: Bool = false, weights: [Double]? = nil, aggregate: String = "SUM") throws -> [(member: ByteBuffer, score: Double)] {
        var arguments: [any RedisBytesConvertible] = [intersect ? "ZINTER" : "ZUNION", String(keys.count)] + keys
        if let weights { arguments += ["WEIGHTS"] + weights.map { RESPDouble.format($0) } }
        arguments += ["AGGREGATE", aggregate, "WITHSCORES"]
        return pairs(try run(arguments.map(\.redisBytes)))
    }

    /// ZRANDMEMBER with scores: distinct for a positive count, repetitions allowed for a negative one.
    public func zrandmember(_ key: some RedisBytesConvertible, count: Int) throws -> [(member: ByteBuffer, score: Double)] {
        pairs(try run("ZRANDMEMBER", key, String(count), "WITHSCORES"))
    }
}
