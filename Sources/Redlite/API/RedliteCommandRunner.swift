public import NIOCore
public import RESP

/// Bytes a key, field or value can be given as: `String`, `Substring`, `[UInt8]` or `ByteBuffer`.
public protocol RedisBytesConvertible {
    var redisBytes: ByteBuffer { get }
}

extension String: RedisBytesConvertible {
    public var redisBytes: ByteBuffer { ByteBuffer(string: self) }
}

extension Substring: RedisBytesConvertible {
    public var redisBytes: ByteBuffer { ByteBuffer(string: String(self)) }
}

extension ByteBuffer: RedisBytesConvertible {
    public var redisBytes: ByteBuffer { self }
}

extension Array: RedisBytesConvertible where Element == UInt8 {
    public var redisBytes: ByteBuffer { ByteBuffer(bytes: self) }
}

/// Something that runs Redis commands on a Redlite store: the store itself (database 0), one of its
/// databases (`store.database(3)`), or a transaction in progress. The typed API (`get`, `set`,
/// `hgetall`, …) is defined once on this protocol, so it means exactly what the same command means
/// through `execute`, inside or outside a transaction.
public protocol RedliteCommandRunner {
    /// Runs one command. Error replies are thrown as `RedisError`.
    func run(_ arguments: [ByteBuffer]) throws -> RESPValue
}

extension RedliteCommandRunner {
    /// Runs a command given as words of any byte-convertible kind.
    @discardableResult
    public func run(_ arguments: any RedisBytesConvertible...) throws -> RESPValue {
        try run(arguments.map(\.redisBytes))
    }
}

func throwingErrors(_ reply: RESPValue) throws -> RESPValue {
    if let message = reply.errorMessage { throw RedisError(message) }
    return reply
}

extension RedliteStore: RedliteCommandRunner {
    /// Runs a command on database 0.
    public func run(_ arguments: [ByteBuffer]) throws -> RESPValue {
        var session = RedliteSession()
        return try throwingErrors(execute(arguments, session: &session))
    }

    /// One of the store's 16 databases, for the typed API.
    public func database(_ index: Int) -> RedliteDatabase {
        RedliteDatabase(store: self, index: index)
    }
}

/// One database of a store (`store.database(3)`): the typed API on that database.
public struct RedliteDatabase: RedliteCommandRunner, Sendable {
    public let store: RedliteStore
    public let index: Int

    public func run(_ arguments: [ByteBuffer]) throws -> RESPValue {
        var session = RedliteSession(database: index)
        return try throwingErrors(store.execute(arguments, session: &session))
    }
}

extension RedliteTransaction: RedliteCommandRunner {
    public func run(_ arguments: [ByteBuffer]) throws -> RESPValue {
        try throwingErrors(execute(arguments))
    }
}
