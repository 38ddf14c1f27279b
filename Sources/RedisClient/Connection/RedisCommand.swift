public import NIOCore
public import RESP

/// One command, encoded once when it is made: a RESP array of bulk strings, ready to be appended to
/// a connection's next write.
///
/// ```swift
/// let command = RedisCommand("SET", "greeting", "hello", "EX", 60)
/// let reply = try await client.send(command)
/// ```
///
/// A command knows whether it blocks on the server (BLPOP, BRPOP, BLMOVE, BZPOPMIN, BZPOPMAX,
/// BLMPOP, BZMPOP, BRPOPLPUSH, XREAD/XREADGROUP with BLOCK, WAIT, WAITAOF) and for how long, so
/// that its deadline allows for it (see ``RedisConfiguration/blockingCommandAllowance``).
public struct RedisCommand: Sendable, Hashable {
    /// The command name as given (`"GET"`, `"client"`).
    public let name: String
    /// `*N\r\n$…` — what is written to the socket.
    public let encoded: ByteBuffer
    /// How long the server may legitimately hold the reply back: `nil` for ordinary commands,
    /// `.zero` for a blocking command given timeout 0 (it waits without limit).
    public let blockingTimeout: Duration?

    /// A command from a name and arguments of any encodable kind (strings, integers, doubles,
    /// `ByteBuffer`s, byte arrays).
    public init(_ name: String, _ arguments: any RESPBulkEncodable...) {
        self.init(name, arguments: arguments)
    }

    /// A command from a name and an array of arguments of any encodable kind.
    public init(_ name: String, arguments: [any RESPBulkEncodable]) {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(16 + 16 * arguments.count)
        buffer.writeRESPHeader(UInt8(ascii: "*"), count: arguments.count + 1)
        name.writeBulk(into: &buffer)
        for argument in arguments { argument.writeBulk(into: &buffer) }
        self.name = name
        self.encoded = buffer
        self.blockingTimeout = Self.isPossiblyBlocking(name)
            ? Self.blockingTimeout(name: name, arguments: arguments.map { argument in
                var bytes = ByteBuffer()
                argument.writeBulk(into: &bytes)
                return Self.stripBulkHeader(bytes)
            })
            : nil
    }

    /// A command whose name and arguments are all strings (`["SET", "k", "v"]`).
    public init(_ arguments: [String]) {
        precondition(!arguments.isEmpty, "a command needs a name")
        var buffer = ByteBuffer()
        buffer.reserveCapacity(16 + 16 * arguments.count)
        buffer.writeRESPCommand(arguments)
        self.name = arguments[0]
        self.encoded = buffer
        self.blockingTimeout = Self.isPossiblyBlocking(arguments[0])
            ? Self.blockingTimeout(name: arguments[0], arguments: arguments.dropFirst().map { $0 })
            : nil
    }

    /// A command whose name and arguments are byte buffers (binary-safe).
    public init(_ arguments: [ByteBuffer]) {
        precondition(!arguments.isEmpty, "a command needs a name")
        var buffer = ByteBuffer()
        buffer.reserveCapacity(16 + arguments.reduce(0) { $0 + $1.readableBytes + 16 })
        buffer.writeRESPCommand(arguments)
        let name = String(buffer: arguments[0])
        self.name = name
        self.encoded = buffer
        self.blockingTimeout = Self.isPossiblyBlocking(name)
            ? Self.blockingTimeout(name: name, arguments: arguments.dropFirst().map { String(buffer: $0) })
            : nil
    }

    /// Whether the name may be a blocking command (cheap first-letter check, then the name).
    @inline(__always)
    static func isPossiblyBlocking(_ name: String) -> Bool {
        guard let first = name.utf8.first else { return false }
        switch first | 0x20 {  // ASCII lower-case
        case UInt8(ascii: "b"), UInt8(ascii: "x"), UInt8(ascii: "w"): break
        default: return false
        }
        switch name.uppercased() {
        case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX", "BLMPOP", "BZMPOP",
             "XREAD", "XREADGROUP", "WAIT", "WAITAOF":
            return true
        default:
            return false
        }
    }

    private static func stripBulkHeader(_ bulk: ByteBuffer) -> String {
        // "$<n>\r\n<bytes>\r\n" → "<bytes>"
        var copy = bulk
        guard let headerEnd = copy.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else { return "" }
        copy.moveReaderIndex(to: headerEnd + 1)
        return String(decoding: copy.readableBytesView.dropLast(2), as: UTF8.self)
    }

    /// The server-side wait a blocking command asks for, `.zero` for "forever", `nil` when the
    /// command does not block (XREAD without BLOCK).
    static func blockingTimeout(name: String, arguments: [String]) -> Duration? {
        func seconds(_ text: String?) -> Duration? {
            guard let text, let value = Double(text), value >= 0 else { return nil }
            return .nanoseconds(Int64(value * 1e9))
        }
        func milliseconds(_ text: String?) -> Duration? {
            guard let text, let value = Int64(text), value >= 0 else { return nil }
            return .milliseconds(value)
        }
        switch name.uppercased() {
        case "BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BZPOPMIN", "BZPOPMAX":
            return seconds(arguments.last)
        case "BLMPOP", "BZMPOP":
            return seconds(arguments.first)
        case "XREAD", "XREADGROUP":
            guard let index = arguments.firstIndex(where: { $0.uppercased() == "BLOCK" }), index + 1 < arguments.count else { return nil }
            return milliseconds(arguments[index + 1])
        case "WAIT":
            return arguments.count >= 2 ? milliseconds(arguments[1]) : nil
        case "WAITAOF":
            return arguments.count >= 3 ? milliseconds(arguments[2]) : nil
        default:
            return nil
        }
    }

    /// The command name in capitals, for spans and logs.
    var operationName: String { name.uppercased() }
}
