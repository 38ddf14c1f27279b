/// Why a store operation failed outside of Redis semantics: the storage layer itself.
///
/// Redis-level failures (WRONGTYPE, syntax errors, …) are `RedisError`s and reach a client as error
/// replies; `RedliteError` means the database could not be opened, read or written.
public enum RedliteError: Error, Sendable, CustomStringConvertible {
    /// SQLite returned an error code.
    case sqlite(code: Int32, message: String)
    /// Any other storage failure.
    case storage(String)

    public var description: String {
        switch self {
        case .sqlite(let code, let message): return "SQLite error \(code): \(message)"
        case .storage(let message): return message
        }
    }
}

/// An error reply, with Redis's own text (`WRONGTYPE Operation against a key holding the wrong kind of
/// value`, `ERR syntax error`, …). The first word is the error code clients dispatch on.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    /// The error code: the first word (`ERR`, `WRONGTYPE`, `EXECABORT`, …).
    public var code: Substring { message.prefix { $0 != " " } }

    public static let wrongType = RedisError("WRONGTYPE Operation against a key holding the wrong kind of value")
    public static let syntax = RedisError("ERR syntax error")
    /// A write command sent through a `RedliteReader` (a caller's mistake).
    static let writeInReadSnapshot = RedisError("ERR write command in a read-only snapshot")
    public static let notInteger = RedisError("ERR value is not an integer or out of range")
    public static let notFloat = RedisError("ERR value is not a valid float")
    public static let overflow = RedisError("ERR increment or decrement would overflow")
    public static let nanOrInfinity = RedisError("ERR increment would produce NaN or Infinity")
    public static let dbIndexOutOfRange = RedisError("ERR DB index is out of range")
    /// An integer argument read as a C `int` (a database index) that does not fit one.
    public static let intOutOfRange = RedisError("ERR value is out of range, value must between -2147483648 and 2147483647")
    public static let noSuchKey = RedisError("ERR no such key")
    public static let sameObject = RedisError("ERR source and destination objects are the same")
    public static let invalidCursor = RedisError("ERR invalid cursor")
    public static let mustBePositive = RedisError("ERR value is out of range, must be positive")
    public static let outOfRange = RedisError("ERR value is out of range")
    public static let stringTooLong = RedisError("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    public static let bitOffset = RedisError("ERR bit offset is not an integer or out of range")
    public static let bitValue = RedisError("ERR bit is not an integer or out of range")
    public static let hashNotInteger = RedisError("ERR hash value is not an integer")
    public static let hashNotFloat = RedisError("ERR hash value is not a float")

    static func wrongArity(_ name: String) -> RedisError {
        RedisError("ERR wrong number of arguments for '\(name)' command")
    }

    static func invalidExpire(_ command: String) -> RedisError {
        RedisError("ERR invalid expire time in '\(command)' command")
    }
}
