import Foundation
public import NIOCore
import RESP

/// When SET writes.
public enum SetCondition: Sendable {
    /// Always (plain SET).
    case always
    /// Only if the key does not exist (NX).
    case ifNotExists
    /// Only if the key exists (XX).
    case ifExists
}

/// A key's remaining time to live.
public enum TimeToLive: Sendable, Hashable {
    /// The key does not exist.
    case missing
    /// The key exists and does not expire.
    case persistent
    /// The key expires after this long.
    case expires(Duration)
}

// MARK: - Keys

extension RedliteCommandRunner {
    /// DEL: deletes keys; returns how many existed.
    @discardableResult
    public func delete(_ keys: any RedisBytesConvertible...) throws -> Int {
        try integer(run([ByteBuffer(string: "DEL")] + keys.map(\.redisBytes)))
    }

    /// EXISTS: how many of `keys` exist (a key named twice counts twice).
    public func exists(_ keys: any RedisBytesConvertible...) throws -> Int {
        try integer(run([ByteBuffer(string: "EXISTS")] + keys.map(\.redisBytes)))
    }

    /// TYPE: `string`, `hash`, `list`, `set`, `zset`, or nil when the key does not exist.
    public func type(_ key: some RedisBytesConvertible) throws -> String? {
        let name = try run("TYPE", key).string
        return name == "none" ? nil : name
    }

    /// KEYS: every key matching a glob pattern (`*`, `?`, `[a-z]`, `\x`).
    public func keys(matching pattern: String = "*") throws -> [ByteBuffer] {
        try bulkArray(run("KEYS", pattern))
    }

    /// EXPIRE / PEXPIRE: sets a time to live (millisecond precision); false when the key is missing.
    @discardableResult
    public func expire(_ key: some RedisBytesConvertible, after duration: Duration) throws -> Bool {
        try integer(run("PEXPIRE", key, String(duration.milliseconds))) == 1
    }

    /// PERSIST: removes the time to live; false when there was none (or no key).
    @discardableResult
    public func persist(_ key: some RedisBytesConvertible) throws -> Bool {
        try integer(run("PERSIST", key)) == 1
    }

    /// PTTL as a value.
    public func timeToLive(_ key: some RedisBytesConvertible) throws -> TimeToLive {
        switch try integer(run("PTTL", key)) {
        case -2: return .missing
        case -1: return .persistent
        case let milliseconds: return .expires(.milliseconds(milliseconds))
        }
    }

    /// RENAME: throws `ERR no such key` when `key` is missing.
    public func rename(_ key: some RedisBytesConvertible, to newKey: some RedisBytesConvertible) throws {
        try run("RENAME", key, newKey)
    }

    /// DBSIZE: the number of live keys.
    public func count() throws -> Int { try integer(run("DBSIZE")) }

    /// FLUSHDB: deletes every key of the database.
    public func flush() throws { try run("FLUSHDB") }
}

// MARK: - Strings

extension RedliteCommandRunner {
    /// GET: the value, or nil when the key does not exist. Throws WRONGTYPE for a non-string key.
    public func get(_ key: some RedisBytesConvertible) throws -> ByteBuffer? {
        switch try run("GET", key) {
        case .bulkString(let value): return value
        default: return nil
        }
    }

    /// GET decoded as UTF-8.
    public func getString(_ key: some RedisBytesConvertible) throws -> String? {
        try get(key).map { String(buffer: $0) }
    }

    /// SET with an optional time to live and condition; returns whether the value was written.
    ///
    /// ```swift
    /// try store.set("session:1", token, expiration: .seconds(30))
    /// let won = try store.set("lock", owner, expiration: .seconds(5), condition: .ifNotExists)
    /// ```
    @discardableResult
    public func set(
        _ key: some RedisBytesConvertible, _ value: some RedisBytesConvertible,
        expiration: Duration? = nil, condition: SetCondition = .always, keepTTL: Bool = false
    ) throws -> Bool {
        var arguments: [ByteBuffer] = [ByteBuffer(string: "SET"), key.redisBytes, value.redisBytes]
        if let expiration { arguments += [ByteBuffer(string: "PX"), ByteBuffer(string: String(expiration.milliseconds))] }
        if keepTTL { arguments.append(ByteBuffer(string: "KEEPTTL")) }
        switch condition {
        case .always: break
        case .ifNotExists: arguments.append(ByteBuffer(string: "NX"))
        case .ifExists: arguments.append(ByteBuffer(string: "XX"))
        }
        return try run(arguments) == .ok
    }

    /// MGET: values in order, nil for missing or non-string keys.
    public func get(_ keys: [any RedisBytesConvertible]) throws -> [ByteBuffer?] {
        try (run([ByteBuffer(string: "MGET")] + keys.map(\.redisBytes)).elements ?? []).map { if case .bulkString(let v) = $0 { v } else { nil } }
    }

    /// MSET: writes every pair at once.
    public func set(_ pairs: [(key: any RedisBytesConvertible, value: any RedisBytesConvertible)]) throws {
        _ = try run([ByteBuffer(string: "MSET")] + pairs.flatMap { [$0.key.redisBytes, $0.value.redisBytes] })
    }

    /// INCRBY: adds to an integer value (a missing key counts as 0); returns the result.
    @discardableResult
    public func increment(_ key: some RedisBytesConvertible, by amount: Int64 = 1) throws -> Int64 {
        Int64(try integer(run("INCRBY", key, String(amount))))
    }

    /// INCRBYFLOAT: adds to a numeric value; returns the result.
    @discardableResult
    public func increment(_ key: some RedisBytesConvertible, by amount: Double) throws -> Double {
        Double(try run("INCRBYFLOAT", key, RESPDouble.format(amount)).string ?? "") ?? .nan
    }

    /// APPEND: returns the new length.
    @discardableResult
    public func append(_ key: some RedisBytesConvertible, _ value: some RedisBytesConvertible) throws -> Int {
        try integer(run("APPEND", key, value))
    }

    /// STRLEN.
    public func length(ofString key: some RedisBytesConvertible) throws -> Int {
        try integer(run("STRLEN", key))
    }
}

// MARK: - Hashes

extension RedliteCommandRunner {
    /// HSET: sets fields; returns how many were new.
    @discardableResult
    public func hset(_ key: some RedisBytesConvertible, _ fields: [String: any RedisBytesConvertible]) throws -> Int {
        try integer(run([ByteBuffer(string: "HSET"), key.redisBytes] + fields.sorted { $0.key < $1.key }.flatMap { [ByteBuffer(string: $0.key), $0.value.redisBytes] }))
    }

    /// HSET of one field; true when the field is new.
    @discardableResult
    public func hset(_ key: some RedisBytesConvertible, field: some RedisBytesConvertible, value: some RedisBytesConvertible) throws -> Bool {
        try integer(run("HSET", key, field, value)) == 1
    }

    /// HGET.
    public func hget(_ key: some RedisBytesConvertible, field: some RedisBytesConvertible) throws -> ByteBuffer? {
        if case .bulkString(let value) = try run("HGET", key, field) { return value }
        return nil
    }

    /// HGETALL as a dictionary (empty when the key does not exist).
    public func hgetall(_ key: some RedisBytesConvertible) throws -> [ByteBuffer: ByteBuffer] {
        let reply = try run("HGETALL", key)
        let flat: [ByteBuffer] = (reply.flattened ?? []).compactMap { element -> ByteBuffer? in
            if case .bulkString(let value) = element { return value }
            return nil
        }
        var result: [ByteBuffer: ByteBuffer] = [:]
        for index in stride(from: 0, to: flat.count - 1, by: 2) { result[flat[index]] = flat[index + 1] }
        return result
    }

    /// HDEL: returns how many fields existed. A hash left empty is deleted.
    @discardableResult
    public func hdel(_ key: some RedisBytesConvertible, fields: any RedisBytesConvertible...) throws -> Int {
        try integer(run([ByteBuffer(string: "HDEL"), key.redisBytes] + fields.map(\.redisBytes)))
    }

    /// HINCRBY: returns the new value.
    @discardableResult
    public func hincrby(_ key: some RedisBytesConvertible, field: some RedisBytesConvertible, by amount: Int64) throws -> Int64 {
        Int64(try integer(run("HINCRBY", key, field, String(amount))))
    }

    /// HLEN.
    public func hlen(_ key: some RedisBytesConvertible) throws -> Int { try integer(run("HLEN", key)) }

    /// HKEYS.
    public func hkeys(_ key: some RedisBytesConvertible) throws -> [ByteBuffer] { try bulkArray(run("HKEYS", key)) }
}

// MARK: - Reply conversions

extension RedliteCommandRunner {
    fileprivate func integer(_ reply: RESPValue) throws -> Int {
        guard case .integer(let value) = reply else { throw RedisError("ERR unexpected reply \(reply)") }
        return Int(value)
    }

    fileprivate func bulkArray(_ reply: RESPValue) throws -> [ByteBuffer] {
        guard case .array(let elements) = reply else { throw RedisError("ERR unexpected reply \(reply)") }
        return elements.compactMap { if case .bulkString(let value) = $0 { value } else { nil } }
    }
}

extension RESPValue {
    /// The flat key/value list of a map (what RESP2 clients see), or the elements of an array.
    fileprivate var flattened: [RESPValue]? {
        if case .map(let pairs) = self { return pairs.flatMap { [$0.key, $0.value] } }
        return elements
    }
}

extension Duration {
    /// Whole milliseconds (rounded down).
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}

