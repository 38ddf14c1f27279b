/// Every way a command, a connect or a pool lease can fail, in the five categories the client
/// promises: connection, timeout, protocol, server reply and disconnected (plus cancellation).
///
/// Every command sent through ``RedisConnection``, ``RedisClient`` or ``RedisConnectionPool`` ends
/// with a value or exactly one of these errors, within its deadline.
///
/// ```swift
/// do {
///     _ = try await client.send("INCR", "profile")
/// } catch .server(let reply) where reply.code == "WRONGTYPE" {
///     // the key holds something else
/// } catch .timeout(.reply) {
///     // the server did not answer in time: the command may or may not have run
/// } catch {
///     print(error.category, error)
/// }
/// ```
public enum RedisClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The connection could not be made, or broke while the command was in flight. A command that
    /// fails this way after it was written **may have been executed**; it is never re-sent.
    case connection(ConnectionFailure)
    /// A deadline passed. `.reply` means the command was written and may have been executed.
    case timeout(TimeoutKind)
    /// The server sent something that is not valid RESP, or a reply that cannot belong to the
    /// command waiting for it. The connection is reset and every pending command fails with this.
    case protocolViolation(String)
    /// The server answered with an error reply (`-WRONGTYPE …`, `-NOSCRIPT …`, `-MOVED …`).
    case server(RedisReplyError)
    /// The command was never sent: the offline queue was full, or the client was closed.
    case disconnected(DisconnectedReason)
    /// The calling task was cancelled. A command cancelled after it was written may still run on
    /// the server (its reply is discarded when it arrives); one cancelled before is never sent.
    case cancelled

    /// The failure category, for metrics, logs and coarse handling.
    public enum Category: String, Sendable, Hashable, CaseIterable {
        case connection, timeout, `protocol`, server, disconnected, cancelled
    }

    /// Why a connection could not be made or was lost.
    public enum ConnectionFailure: Sendable, Hashable, CustomStringConvertible {
        /// TCP, unix-socket or embedded-store connect failed (refused, unreachable, no such file).
        case connectFailed(address: String, reason: String)
        /// The TLS handshake failed, for example because the server's certificate did not verify.
        case tlsHandshakeFailed(reason: String)
        /// The connection broke (reset, closed by the server, killed, reset after a timeout) while
        /// the command was written but not yet answered.
        case connectionLost(reason: String)

        /// A sentence for logs.
        public var description: String {
            switch self {
            case .connectFailed(let address, let reason): return "could not connect to \(address): \(reason)"
            case .tlsHandshakeFailed(let reason): return "TLS handshake failed: \(reason)"
            case .connectionLost(let reason): return "connection lost: \(reason)"
            }
        }
    }

    /// Which deadline passed.
    public enum TimeoutKind: String, Sendable, Hashable {
        /// Connecting (TCP, TLS and the HELLO/AUTH/SELECT/SETNAME handshake) took longer than
        /// ``RedisConfiguration/connectTimeout``.
        case connect
        /// The command could not be written before its deadline (it waited in the offline queue
        /// while the client reconnected). It was never sent.
        case write
        /// The command was written but its reply did not arrive before its deadline. The connection
        /// is reset (the reply would arrive out of step); the command may have run.
        case reply
        /// No pooled connection became available within the pool's acquire timeout.
        case poolAcquire
    }

    /// Why a command was refused without being sent.
    public enum DisconnectedReason: String, Sendable, Hashable {
        /// The client is reconnecting and its offline queue already holds
        /// ``RedisConfiguration/offlineQueueLimit`` commands.
        case offlineQueueFull
        /// The client (or connection, or pool) was closed, or a connection that does not reconnect
        /// (a pooled one) has died.
        case closed
    }

    /// The failure category.
    public var category: Category {
        switch self {
        case .connection: return .connection
        case .timeout: return .timeout
        case .protocolViolation: return .protocol
        case .server: return .server
        case .disconnected: return .disconnected
        case .cancelled: return .cancelled
        }
    }

    /// True when the command may have been executed by the server although no reply was
    /// received (a connection lost or a reply timeout after the command was written).
    public var outcomeUnknown: Bool {
        switch self {
        case .connection(.connectionLost), .timeout(.reply), .protocolViolation: return true
        default: return false
        }
    }

    /// A sentence naming the category and what it means for the command.
    public var description: String {
        switch self {
        case .connection(let failure): return "Redis connection error: \(failure)"
        case .timeout(let kind):
            switch kind {
            case .connect: return "Redis timeout: connecting took too long"
            case .write: return "Redis timeout: the command could not be sent before its deadline (not executed)"
            case .reply: return "Redis timeout: no reply before the deadline (the command may have run)"
            case .poolAcquire: return "Redis timeout: no pooled connection became available in time"
            }
        case .protocolViolation(let message): return "Redis protocol error: \(message)"
        case .server(let reply): return "Redis server error: \(reply)"
        case .disconnected(.offlineQueueFull): return "Redis disconnected: the offline queue is full (command not sent)"
        case .disconnected(.closed): return "Redis disconnected: the client is closed (command not sent)"
        case .cancelled: return "Redis command cancelled"
        }
    }
}

/// An error reply from the server: its code (the first word, as Redis uses it: `ERR`,
/// `WRONGTYPE`, `NOSCRIPT`, `MOVED`, `BUSY`, `NOAUTH`, `WRONGPASS`, …) and the whole message.
///
/// ```swift
/// catch .server(let reply) where reply.code == "MOVED" { … }
/// ```
public struct RedisReplyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The error code: the message's first word when it is in capitals (`WRONGTYPE`), else `ERR`.
    public var code: String
    /// The full message as the server sent it, code included
    /// (`WRONGTYPE Operation against a key holding the wrong kind of value`).
    public var message: String

    /// Splits a Redis error message into code and message.
    public init(message: String) {
        self.message = message
        let first = message.prefix { $0 != " " }
        if !first.isEmpty, first.allSatisfy({ ($0.isUppercase || $0.isNumber || $0 == "_" || $0 == "-") && $0.isASCII }) {
            code = String(first)
        } else {
            code = "ERR"
        }
    }

    /// The message as the server sent it.
    public var description: String { message }
}
