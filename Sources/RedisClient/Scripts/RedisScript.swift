import Crypto
public import RESP

/// A Lua script and its SHA1, run with EVALSHA (falling back to EVAL when the server does not
/// know it).
///
/// ```swift
/// let incrementIfBelow = RedisScript("""
///     local value = tonumber(redis.call('GET', KEYS[1]) or '0')
///     if value < tonumber(ARGV[1]) then return redis.call('INCR', KEYS[1]) end
///     return value
///     """)
/// let value = try await client.run(incrementIfBelow, keys: ["hits"], arguments: [100])
/// ```
///
/// The SHA1 is computed once, here (swift-crypto's `Insecure.SHA1`, as Redis does), so a script
/// value can be kept in a `static let` and run any number of times.
public struct RedisScript: Sendable, Hashable, CustomStringConvertible {
    /// The Lua source.
    public let source: String
    /// The lowercase hex SHA1 of ``source``: the name EVALSHA and SCRIPT EXISTS know it by.
    public let sha1: String

    /// A script from its Lua source.
    public init(_ source: String) {
        self.source = source
        let digest = Insecure.SHA1.hash(data: Array(source.utf8))
        self.sha1 = digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    public var description: String { "RedisScript(\(sha1))" }
}

extension RedisCommandExecutor {
    /// Runs `script` with EVALSHA; when the server answers `NOSCRIPT` (it restarted, `SCRIPT FLUSH`
    /// ran, or this is another server of a failover pair) it runs it again with EVAL, which also
    /// caches it for the next EVALSHA.
    ///
    /// ```swift
    /// let reply = try await client.run(script, keys: ["counter"], arguments: ["5"])
    /// let readOnly = try await client.run(lookup, keys: ["user:1"], readOnly: true)  // EVALSHA_RO / EVAL_RO
    /// ```
    ///
    /// - Parameters:
    ///   - readOnly: use EVALSHA_RO / EVAL_RO (Redis 7): the script may not write, and may run on
    ///     a replica.
    /// - Returns: the script's reply; an error the script raises is thrown as `.server`.
    /// - Throws: ``RedisClientError``. The fallback happens only for `NOSCRIPT`, which the server
    ///   answers without running anything, so a script never runs twice.
    @discardableResult
    public func run(
        _ script: RedisScript, keys: [String] = [], arguments: [any RESPBulkEncodable & Sendable] = [],
        readOnly: Bool = false, timeout: Duration? = nil
    ) async throws(RedisClientError) -> RESPValue {
        let tail: [any RESPBulkEncodable] = [keys.count] + keys.map { $0 as any RESPBulkEncodable } + arguments.map { $0 as any RESPBulkEncodable }
        do {
            return try await send(RedisCommand(readOnly ? "EVALSHA_RO" : "EVALSHA", arguments: [script.sha1] + tail), timeout: timeout)
        } catch .server(let reply) where reply.code == "NOSCRIPT" {
            return try await send(RedisCommand(readOnly ? "EVAL_RO" : "EVAL", arguments: [script.source] + tail), timeout: timeout)
        }
    }

    /// Loads `script` into the server's script cache (SCRIPT LOAD), for example ahead of a
    /// pipeline of EVALSHAs. Returns the SHA1 the server computed (equal to ``RedisScript/sha1``).
    ///
    /// ```swift
    /// try await client.load(script)
    /// ```
    @discardableResult
    public func load(_ script: RedisScript) async throws(RedisClientError) -> String {
        let reply = try await send(RedisCommand(["SCRIPT", "LOAD", script.source]), timeout: nil)
        guard let sha1 = reply.string else { throw .protocolViolation("SCRIPT LOAD answered \(reply)") }
        return sha1
    }

    /// `FCALL function numkeys keys… args…`: calls a Redis 7 function (loaded with FUNCTION LOAD).
    ///
    /// ```swift
    /// let reply = try await client.fcall("myfunc", keys: ["k"], arguments: ["v"])
    /// ```
    @discardableResult
    public func fcall(_ function: String, keys: [String], arguments: [any RESPBulkEncodable & Sendable], timeout: Duration? = nil) async throws(RedisClientError) -> RESPValue {
        try await send(Self.functionCall("FCALL", function, keys, arguments), timeout: timeout)
    }

    /// `FCALL_RO`: calls a function declared with the `no-writes` flag (it may run on a replica).
    ///
    /// ```swift
    /// let reply = try await client.fcallReadOnly("lookup", keys: ["k"])
    /// ```
    @discardableResult
    public func fcallReadOnly(_ function: String, keys: [String] = [], arguments: [any RESPBulkEncodable & Sendable] = [], timeout: Duration? = nil) async throws(RedisClientError) -> RESPValue {
        try await send(Self.functionCall("FCALL_RO", function, keys, arguments), timeout: timeout)
    }

    private static func functionCall(_ name: String, _ function: String, _ keys: [String], _ arguments: [any RESPBulkEncodable & Sendable]) -> RedisCommand {
        let all: [any RESPBulkEncodable] = [function, keys.count] + keys.map { $0 as any RESPBulkEncodable } + arguments.map { $0 as any RESPBulkEncodable }
        return RedisCommand(name, arguments: all)
    }
}
