public import NIOCore
public import RESP

/// Anything commands can be sent through: ``RedisClient`` and ``RedisConnection``. The typed
/// helpers below are written once against it.
public protocol RedisCommandExecutor: Sendable {
    /// Sends one command; an error reply is thrown as `.server`.
    func send(_ command: RedisCommand, timeout: Duration?) async throws(RedisClientError) -> RESPValue
}

extension RedisConnection: RedisCommandExecutor {}
extension RedisClient: RedisCommandExecutor {}

/// How long a key set with ``RedisCommandExecutor/set(_:_:expiration:)`` lives.
public enum RedisExpiration: Sendable, Hashable {
    /// `EX seconds`
    case seconds(Int)
    /// `PX milliseconds`
    case milliseconds(Int)
}

extension RedisCommandExecutor {
    /// Sends a command given as a name and arguments (strings, integers, doubles, byte buffers).
    ///
    /// ```swift
    /// try await client.send("HSET", "user:1", "name", "Ada")
    /// ```
    @discardableResult
    public func send(_ name: String, _ arguments: any RESPBulkEncodable...) async throws(RedisClientError) -> RESPValue {
        try await send(RedisCommand(name, arguments: arguments), timeout: nil)
    }

    /// `PING`: the server's answer (`PONG`).
    public func ping() async throws(RedisClientError) -> String {
        try await send(RedisCommand(["PING"]), timeout: nil).string ?? ""
    }

    /// `GET key`: the value's bytes, or `nil` when the key does not exist.
    public func get(_ key: String) async throws(RedisClientError) -> ByteBuffer? {
        let reply = try await send(RedisCommand(["GET", key]), timeout: nil)
        if case .bulkString(let bytes) = reply { return bytes }
        if reply.isNull { return nil }
        throw .protocolViolation("GET answered \(reply)")
    }

    /// `GET key` decoded as UTF-8.
    public func getString(_ key: String) async throws(RedisClientError) -> String? {
        try await get(key).map { String(buffer: $0) }
    }

    /// `SET key value [EX seconds | PX milliseconds]`.
    public func set(_ key: String, _ value: some RESPBulkEncodable & Sendable, expiration: RedisExpiration? = nil) async throws(RedisClientError) {
        var arguments: [any RESPBulkEncodable] = [key, value]
        switch expiration {
        case .seconds(let seconds): arguments += ["EX", seconds]
        case .milliseconds(let milliseconds): arguments += ["PX", milliseconds]
        case nil: break
        }
        _ = try await send(RedisCommand("SET", arguments: arguments), timeout: nil)
    }

    /// `INCRBY key amount` (INCR when `amount` is 1): the new value.
    @discardableResult
    public func increment(_ key: String, by amount: Int = 1) async throws(RedisClientError) -> Int64 {
        let command = amount == 1 ? RedisCommand(["INCR", key]) : RedisCommand(["INCRBY", key, String(amount)])
        let reply = try await send(command, timeout: nil)
        guard case .integer(let value) = reply else { throw .protocolViolation("INCR answered \(reply)") }
        return value
    }

    /// `DEL key…`: how many keys were deleted.
    @discardableResult
    public func delete(_ keys: String...) async throws(RedisClientError) -> Int {
        let reply = try await send(RedisCommand(["DEL"] + keys), timeout: nil)
        guard case .integer(let value) = reply else { throw .protocolViolation("DEL answered \(reply)") }
        return Int(value)
    }
}
