public import NIOCore
public import RESP
import Synchronization

/// The commands of one MULTI/EXEC transaction, collected by the body of
/// ``RedisClient/transaction(_:)`` or ``RedisClient/watch(_:maxAttempts:_:)``.
///
/// ```swift
/// var visits: RedisQueuedReply<Int>?
/// let result = try await client.transaction { tx in
///     visits = tx.queue(RedisCommand("INCR", "visits"), as: Int.self)
///     tx.queue("EXPIRE", "visits", 3600)
/// }
/// let count = try result[visits!]                     // Int
/// ```
public final class RedisTransaction: Sendable {
    private let commands = Mutex<[RedisCommand]>([])

    init() {}

    /// Queues `command`; its reply is read from the result with the returned handle.
    ///
    /// ```swift
    /// let reply = tx.queue(RedisCommand("GET", "k"))
    /// ```
    @discardableResult
    public func queue(_ command: RedisCommand) -> RedisQueuedReply<RESPValue> {
        queue(command, as: RESPValue.self)
    }

    /// Queues a command given as a name and arguments.
    ///
    /// ```swift
    /// tx.queue("HSET", "user:1", "name", "Ada")
    /// ```
    @discardableResult
    public func queue(_ name: String, _ arguments: any RESPBulkEncodable...) -> RedisQueuedReply<RESPValue> {
        queue(RedisCommand(name, arguments: arguments))
    }

    /// Queues `command` and decodes its reply as `Value` (`Int`, `String?`, `ByteBuffer?`, `[String]`…).
    ///
    /// ```swift
    /// let length = tx.queue(RedisCommand("LPUSH", "jobs", "j1"), as: Int.self)
    /// ```
    @discardableResult
    public func queue<Value: RedisTransactionReply>(_ command: RedisCommand, as type: Value.Type) -> RedisQueuedReply<Value> {
        let index = commands.withLock { commands in
            commands.append(command)
            return commands.count - 1
        }
        return RedisQueuedReply(index: index, command: command.operationName)
    }

    /// How many commands are queued.
    public var count: Int { commands.withLock { $0.count } }

    var queued: [RedisCommand] { commands.withLock { $0 } }

    /// MULTI, the commands, EXEC, in one write. `nil` when EXEC answered null (a watched key
    /// changed); throws EXECABORT (with the first queue-time error) and connection errors.
    func execute(on connection: RedisConnection) async throws(RedisClientError) -> RedisTransactionResult? {
        let queued = self.queued
        let results = await connection.pipeline([RedisCommand(["MULTI"])] + queued + [RedisCommand(["EXEC"])])
        if case .failure(let error) = results[0] { throw error }
        var queueErrors: [(Int, RedisClientError)] = []
        for (offset, result) in results.dropFirst().dropLast().enumerated() {
            if case .failure(let error) = result { queueErrors.append((offset, error)) }
        }
        switch results[results.count - 1] {
        case .failure(.server(let reply)) where reply.code == "EXECABORT":
            if let (index, error) = queueErrors.first {
                var detail = "\(error)"
                if case .server(let queueReply) = error { detail = queueReply.message }
                throw .server(RedisReplyError(message: "\(reply.message) Command \(index) (\(queued[index].operationName)) was refused: \(detail)"))
            }
            throw .server(reply)
        case .failure(let error):
            throw queueErrors.first?.1 ?? error
        case .success(let reply):
            if reply.isNull { return nil }
            guard let values = reply.elements, values.count == queued.count else {
                throw .protocolViolation("EXEC answered \(reply) for \(queued.count) queued commands")
            }
            return RedisTransactionResult(replies: values.map { value in
                if let message = value.errorMessage { return .failure(.server(RedisReplyError(message: message))) }
                return .success(value)
            })
        }
    }
}

/// A handle on one queued command's reply, typed as `Value`.
public struct RedisQueuedReply<Value: RedisTransactionReply>: Sendable, Hashable {
    /// The command's position in the transaction (0-based).
    public let index: Int
    /// The command's name, for messages.
    public let command: String
}

/// The replies of an executed transaction, one per queued command, in order.
///
/// ```swift
/// let result = try await client.transaction { tx in … }
/// let count = try result[counter]            // typed by the handle, or throws that command's error
/// ```
public struct RedisTransactionResult: Sendable {
    /// Each command's reply, or its error: an error reply fails only its own command (the others
    /// still ran — Redis does not roll back).
    public let replies: [Result<RESPValue, RedisClientError>]

    /// The reply of the command behind `handle`, decoded.
    ///
    /// - Throws: the command's own error reply (`.server`), or `.protocolViolation` when the reply
    ///   does not have the requested type.
    public func value<Value>(of handle: RedisQueuedReply<Value>) throws(RedisClientError) -> Value {
        guard replies.indices.contains(handle.index) else {
            throw .protocolViolation("no reply \(handle.index) in a transaction of \(replies.count) commands")
        }
        return try Value(transactionReply: replies[handle.index].get())
    }

    /// Same as ``value(of:)``.
    public subscript<Value>(_ handle: RedisQueuedReply<Value>) -> Value {
        get throws(RedisClientError) { try value(of: handle) }
    }
}

/// Values a queued command's reply can be decoded as.
///
/// ```swift
/// struct Celsius: RedisTransactionReply {
///     var degrees: Double
///     init(transactionReply reply: RESPValue) throws(RedisClientError) {
///         degrees = try Double(transactionReply: reply)
///     }
/// }
/// ```
public protocol RedisTransactionReply: Sendable {
    /// Decodes `reply`, throwing `.protocolViolation` when it has another shape.
    init(transactionReply reply: RESPValue) throws(RedisClientError)
}

extension RESPValue: RedisTransactionReply {
    public init(transactionReply reply: RESPValue) { self = reply }
}

extension Int: RedisTransactionReply {
    public init(transactionReply reply: RESPValue) throws(RedisClientError) {
        guard case .integer(let value) = reply else { throw .protocolViolation("expected an integer, got \(reply)") }
        self = Int(value)
    }
}

extension Bool: RedisTransactionReply {
    /// Integers 1/0, RESP3 booleans and `OK`.
    public init(transactionReply reply: RESPValue) throws(RedisClientError) {
        switch reply {
        case .integer(let value): self = value != 0
        case .boolean(let value): self = value
        case .simpleString(let text): self = text == "OK"
        default: throw .protocolViolation("expected a boolean, got \(reply)")
        }
    }
}

extension Double: RedisTransactionReply {
    public init(transactionReply reply: RESPValue) throws(RedisClientError) {
        switch reply {
        case .double(let value): self = value
        case .integer(let value): self = Double(value)
        default:
            guard let text = reply.string, let value = Double(text) else { throw .protocolViolation("expected a number, got \(reply)") }
            self = value
        }
    }
}

extension String: RedisTransactionReply {
    public init(transactionReply reply: RESPValue) throws(RedisClientError) {
        guard let text = reply.string else { throw .protocolViolation("expected a string, got \(reply)") }
        self = text
    }
}

extension ByteBuffer: RedisTransactionReply {
    public init(transactionReply reply: RESPValue) throws(RedisClientError) {
        switch reply {
        case .bulkString(let bytes), .verbatimString(_, let bytes): self = bytes
        case .simpleString(let text): self = ByteBuffer(string: text)
        default: throw .protocolViolation("expected bytes, got \(reply)")
        }
    }
}

extension Optional: RedisTransactionReply where Wrapped: RedisTransactionReply {
    /// `nil` for a null reply.
    public init(transactionReply reply: RESPValue) throws(RedisClientError) {
        self = reply.isNull ? nil : try Wrapped(transactionReply: reply)
    }
}

extension Array: RedisTransactionReply where Element: RedisTransactionReply {
    public init(transactionReply reply: RESPValue) throws(RedisClientError) {
        guard let values = reply.elements else { throw .protocolViolation("expected an array, got \(reply)") }
        var result: [Element] = []
        result.reserveCapacity(values.count)
        for value in values { result.append(try Element(transactionReply: value)) }
        self = result
    }
}
