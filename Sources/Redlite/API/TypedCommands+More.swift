public import Foundation
public import NIOCore
import RESP

/// What KEYINFO reports about a key.
public struct KeyInfo: Sendable, Hashable {
    /// `string`, `hash`, …
    public var type: String
    /// Remaining seconds, nil when the key does not expire.
    public var timeToLiveSeconds: Int64?
    /// When the key was created and last written.
    public var createdAt: Date
    public var updatedAt: Date
}

// MARK: - More key commands

extension RedliteCommandRunner {
    /// RENAMENX: renames only if `newKey` does not exist; returns whether it did.
    @discardableResult
    public func renameIfNew(_ key: some RedisBytesConvertible, to newKey: some RedisBytesConvertible) throws -> Bool {
        try run("RENAMENX", key, newKey) == .integer(1)
    }

    /// COPY: copies a key (value and expiry), optionally to another database and over an existing key.
    @discardableResult
    public func copy(_ key: some RedisBytesConvertible, to newKey: some RedisBytesConvertible, database: Int? = nil, replace: Bool = false) throws -> Bool {
        var arguments: [any RedisBytesConvertible] = ["COPY", key, newKey]
        if let database { arguments += ["DB", String(database)] }
        if replace { arguments.append("REPLACE") }
        return try run(arguments.map(\.redisBytes)) == .integer(1)
    }

    /// MOVE: moves a key to another database unless it exists there.
    @discardableResult
    public func move(_ key: some RedisBytesConvertible, toDatabase database: Int) throws -> Bool {
        try run("MOVE", key, String(database)) == .integer(1)
    }

    /// PEXPIREAT: expires the key at a point in time; false when the key is missing.
    @discardableResult
    public func expire(_ key: some RedisBytesConvertible, at date: Date) throws -> Bool {
        try run("PEXPIREAT", key, String(Int64((date.timeIntervalSince1970 * 1000).rounded(.down)))) == .integer(1)
    }

    /// RANDOMKEY.
    public func randomKey() throws -> ByteBuffer? {
        if case .bulkString(let key) = try run("RANDOMKEY") { return key }
        return nil
    }

    /// Every key (optionally of one type, matching a pattern), by iterating SCAN to the end.
    public func scanAll(matching pattern: String = "*", type: String? = nil, batch: Int = 1000) throws -> [ByteBuffer] {
        var cursor = "0"
        var keys: [ByteBuffer] = []
        repeat {
            var arguments: [any RedisBytesConvertible] = ["SCAN", cursor, "MATCH", pattern, "COUNT", String(batch)]
            if let type { arguments += ["TYPE", type] }
            let parts = try run(arguments.map(\.redisBytes)).elements ?? []
            guard parts.count == 2, let next = parts[0].string else { throw RedisError("ERR unexpected SCAN reply") }
            keys += (parts[1].elements ?? []).compactMap { if case .bulkString(let key) = $0 { key } else { nil } }
            cursor = next
        } while cursor != "0"
        return keys
    }

    /// KEYINFO: type, time to live and timestamps; nil when the key does not exist.
    public func keyInfo(_ key: some RedisBytesConvertible) throws -> KeyInfo? {
        guard case .map(let pairs) = try run("KEYINFO", key) else { return nil }
        func field(_ name: String) -> RESPValue? { pairs.first { $0.key.string == name }?.value }
        func milliseconds(_ name: String) -> Date {
            if case .integer(let value) = field(name) { return Date(timeIntervalSince1970: Double(value) / 1000) }
            return .distantPast
        }
        var ttl: Int64?
        if case .integer(let value) = field("ttl"), value >= 0 { ttl = value }
        return KeyInfo(type: field("type")?.string ?? "none", timeToLiveSeconds: ttl, createdAt: milliseconds("created_at"), updatedAt: milliseconds("updated_at"))
    }

    /// FLUSHALL: deletes every key of every database.
    public func flushAll() throws { try run("FLUSHALL") }
}

// MARK: - More string commands

extension RedliteCommandRunner {
    /// GETDEL: the value, deleting the key.
    public func getDelete(_ key: some RedisBytesConvertible) throws -> ByteBuffer? {
        if case .bulkString(let value) = try run("GETDEL", key) { return value }
        return nil
    }

    /// GETSET: sets a new value (dropping any time to live) and returns the old one.
    public func getSet(_ key: some RedisBytesConvertible, _ value: some RedisBytesConvertible) throws -> ByteBuffer? {
        if case .bulkString(let old) = try run("GETSET", key, value) { return old }
        return nil
    }

    /// GETRANGE: bytes `start...end` (negative offsets count from the end).
    public func getRange(_ key: some RedisBytesConvertible, _ start: Int, _ end: Int) throws -> ByteBuffer {
        if case .bulkString(let value) = try run("GETRANGE", key, String(start), String(end)) { return value }
        return ByteBuffer()
    }

    /// SETRANGE: overwrites from `offset`, zero-padding as needed; returns the new length.
    @discardableResult
    public func setRange(_ key: some RedisBytesConvertible, offset: Int, _ value: some RedisBytesConvertible) throws -> Int {
        guard case .integer(let length) = try run("SETRANGE", key, String(offset), value) else { return 0 }
        return Int(length)
    }

    /// DECRBY.
    @discardableResult
    public func decrement(_ key: some RedisBytesConvertible, by amount: Int64 = 1) throws -> Int64 {
        guard case .integer(let value) = try run("DECRBY", key, String(amount)) else { return 0 }
        return value
    }

    /// SETBIT: returns the previous bit.
    @discardableResult
    public func setBit(_ key: some RedisBytesConvertible, offset: Int, _ bit: Bool) throws -> Bool {
        try run("SETBIT", key, String(offset), bit ? "1" : "0") == .integer(1)
    }

    /// GETBIT.
    public func getBit(_ key: some RedisBytesConvertible, offset: Int) throws -> Bool {
        try run("GETBIT", key, String(offset)) == .integer(1)
    }

    /// BITCOUNT over the whole value.
    public func bitCount(_ key: some RedisBytesConvertible) throws -> Int {
        guard case .integer(let count) = try run("BITCOUNT", key) else { return 0 }
        return Int(count)
    }

    /// LCS: the longest common subsequence of two string values.
    public func longestCommonSubsequence(_ first: some RedisBytesConvertible, _ second: some RedisBytesConvertible) throws -> ByteBuffer {
        if case .bulkString(let value) = try run("LCS", first, second) { return value }
        return ByteBuffer()
    }
}

// MARK: - More hash commands

extension RedliteCommandRunner {
    /// HSETNX: sets a field only if it is new; returns whether it did.
    @discardableResult
    public func hsetnx(_ key: some RedisBytesConvertible, field: some RedisBytesConvertible, value: some RedisBytesConvertible) throws -> Bool {
        try run("HSETNX", key, field, value) == .integer(1)
    }

    /// HMGET: values in order, nil for missing fields.
    public func hmget(_ key: some RedisBytesConvertible, fields: [any RedisBytesConvertible]) throws -> [ByteBuffer?] {
        let reply = try run([ByteBuffer(string: "HMGET"), key.redisBytes] + fields.map(\.redisBytes))
        return (reply.elements ?? []).map { if case .bulkString(let value) = $0 { value } else { nil } }
    }

    /// HEXISTS.
    public func hexists(_ key: some RedisBytesConvertible, field: some RedisBytesConvertible) throws -> Bool {
        try run("HEXISTS", key, field) == .integer(1)
    }

    /// HVALS.
    public func hvals(_ key: some RedisBytesConvertible) throws -> [ByteBuffer] {
        (try run("HVALS", key).elements ?? []).compactMap { if case .bulkString(let value) = $0 { value } else { nil } }
    }

    /// HSTRLEN.
    public func hstrlen(_ key: some RedisBytesConvertible, field: some RedisBytesConvertible) throws -> Int {
        guard case .integer(let length) = try run("HSTRLEN", key, field) else { return 0 }
        return Int(length)
    }

    /// HINCRBYFLOAT: returns the new value.
    @discardableResult
    public func hincrbyfloat(_ key: some RedisBytesConvertible, field: some RedisBytesConvertible, by amount: Double) throws -> Double {
        Double(try run("HINCRBYFLOAT", key, field, RESPDouble.format(amount)).string ?? "") ?? .nan
    }

    /// HRANDFIELD with a count: distinct fields for a positive count, repetitions allowed for a
    /// negative one.
    public func hrandfield(_ key: some RedisBytesConvertible, count: Int) throws -> [ByteBuffer] {
        (try run("HRANDFIELD", key, String(count)).elements ?? []).compactMap { if case .bulkString(let value) = $0 { value } else { nil } }
    }
}
