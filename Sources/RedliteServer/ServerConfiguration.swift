public import RESP
public import Redlite

/// Everything `redlite serve` can be told, from flags or a redis.conf-style file.
public struct ServerConfiguration: Sendable {
    /// The database file; nil serves an in-memory store.
    public var databasePath: String? = "./redlite.db"
    public var port: Int = 6767
    /// Addresses to listen on; loopback only unless told otherwise.
    public var bind: [String] = ["127.0.0.1"]
    public var unixSocket: String?
    /// `requirepass`: the default user's password.
    public var requirePass: String?
    /// Named users (AUTH username password).
    public var users: [String: String] = [:]
    public var tls: TLS?
    public var maxClients: Int = 10_000
    public var synchronous: RedliteStore.Configuration.Synchronous = .normal
    /// SQLite page size for a new database file (see `RedliteStore.Configuration.pageSize`).
    public var pageSize: Int = RedliteStore.Configuration().pageSize
    /// A client whose unparsed input exceeds this is disconnected (Redis's `client-query-buffer-limit`).
    public var queryBufferLimit: Int = 1024 * 1024 * 1024
    /// Pub/sub output-buffer limits: disconnect at `hard` bytes pending, or above `soft` for `softSeconds`.
    public var pubsubOutputLimit = OutputLimit(hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60)
    public var protocolLimits = RESPLimits()
    /// Keyspace notification classes (`notify-keyspace-events`).
    public var notifyKeyspaceEvents = ""
    /// How many writes one group-commit transaction may hold at most.
    public var maxCommitBatch: Int = 512
    /// `slowlog-log-slower-than`: commands whose execution takes at least this many microseconds go
    /// to the slow log (0: every command, negative: none).
    public var slowlogLogSlowerThan: Int = 10_000
    /// `slowlog-max-len`: the slow log keeps this many entries.
    public var slowlogMaxLength: Int = 128
    /// `timeout`: a client idle for this many seconds is disconnected (0: never). Subscribers and
    /// blocked clients are not idle, as in Redis.
    public var idleTimeout: Int = 0
    /// `tcp-keepalive`: TCP keepalive probes after this many seconds of silence on a new TCP
    /// connection (0: none), so that dead peers are noticed; Redis's default.
    public var tcpKeepAlive: Int = 300
    /// The redis.conf-style file the settings were read from, if any (INFO's `config_file`).
    public var configFile: String?

    public struct TLS: Sendable {
        public var port: Int
        public var certificatePath: String
        public var keyPath: String
        public var caPath: String?
        public init(port: Int, certificatePath: String, keyPath: String, caPath: String? = nil) {
            self.port = port
            self.certificatePath = certificatePath
            self.keyPath = keyPath
            self.caPath = caPath
        }
    }

    public struct OutputLimit: Sendable {
        public var hard: Int
        public var soft: Int
        public var softSeconds: Int
        public init(hard: Int, soft: Int, softSeconds: Int) {
            self.hard = hard
            self.soft = soft
            self.softSeconds = softSeconds
        }
    }

    public init() {}

    /// Applies one directive (`port 6767`, `requirepass secret`, `user alice:secret`, …) as found in
    /// a configuration file or given to CONFIG SET.
    public mutating func apply(_ name: String, _ values: [String]) throws(ConfigurationError) {
        func one() throws(ConfigurationError) -> String {
            guard values.count == 1 else { throw .invalid("'\(name)' takes one value") }
            return values[0]
        }
        func integer() throws(ConfigurationError) -> Int {
            guard let value = Int(try one()) else { throw .invalid("argument couldn't be parsed into an integer") }
            return value
        }
        /// Redis's bounds check, with its text.
        func integer(atLeast minimum: Int, atMost maximum: Int = Int.max) throws(ConfigurationError) -> Int {
            let value = try integer()
            guard value >= minimum, value <= maximum else { throw .invalid("argument must be between \(minimum) and \(maximum) inclusive") }
            return value
        }
        switch name.lowercased() {
        case "port": port = try integer(atLeast: 0, atMost: 65535)
        case "bind": bind = values
        case "unixsocket": unixSocket = try one()
        case "requirepass": requirePass = try one().isEmpty ? nil : values[0]
        case "user":
            for value in values {
                guard let colon = value.firstIndex(of: ":") else { throw .invalid("user takes NAME:PASSWORD") }
                users[String(value[..<colon])] = String(value[value.index(after: colon)...])
            }
        case "maxclients": maxClients = try integer(atLeast: 1, atMost: Int(UInt32.max))
        case "db", "dbfilename": databasePath = try one()
        case "memory": databasePath = nil
        case "synchronous":
            switch try one().lowercased() {
            case "normal": synchronous = .normal
            case "full": synchronous = .full
            default: throw .invalid("synchronous is normal or full")
            }
        case "page-size":
            let size = try integer()
            guard (512...65536).contains(size), size & (size - 1) == 0 else { throw .invalid("page-size is a power of two from 512 to 65536") }
            pageSize = size
        case "client-query-buffer-limit": queryBufferLimit = try integer()
        case "slowlog-log-slower-than": slowlogLogSlowerThan = try integer(atLeast: -1)
        case "slowlog-max-len": slowlogMaxLength = try integer(atLeast: 0)
        // C ints in Redis, with its bounds: beyond them the idle check's milliseconds and the
        // keepalive socket option (a CInt) would overflow.
        case "timeout": idleTimeout = try integer(atLeast: 0, atMost: Int(Int32.max))
        case "tcp-keepalive": tcpKeepAlive = try integer(atLeast: 0, atMost: Int(Int32.max))
        case "notify-keyspace-events": notifyKeyspaceEvents = values.first ?? ""
        case "tls-port":
            let port = try integer(atLeast: 0, atMost: 65535)
            tls = TLS(port: port, certificatePath: tls?.certificatePath ?? "", keyPath: tls?.keyPath ?? "", caPath: tls?.caPath)
        case "tls-cert-file": tls = TLS(port: tls?.port ?? 0, certificatePath: try one(), keyPath: tls?.keyPath ?? "", caPath: tls?.caPath)
        case "tls-key-file": tls = TLS(port: tls?.port ?? 0, certificatePath: tls?.certificatePath ?? "", keyPath: try one(), caPath: tls?.caPath)
        case "tls-ca-cert-file": tls = TLS(port: tls?.port ?? 0, certificatePath: tls?.certificatePath ?? "", keyPath: tls?.keyPath ?? "", caPath: try one())
        default:
            throw .unknown(name)
        }
    }

    /// Reads redis.conf-style text: one `name value…` directive per line, `#` comments, quoted values.
    public mutating func apply(configurationFile text: String) throws(ConfigurationError) {
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var buffer = ByteBuffer(string: line)
            guard let words = InlineCommandParser.split(buffer.readSlice(length: buffer.readableBytes)!), let name = words.first else {
                throw .invalid("line \(number + 1): unbalanced quotes")
            }
            do {
                try apply(String(buffer: name), words.dropFirst().map { String(buffer: $0) })
            } catch {
                throw .invalid("line \(number + 1): \(error)")
            }
        }
    }
}

/// A configuration directive that cannot be applied.
public enum ConfigurationError: Error, Sendable, CustomStringConvertible {
    case unknown(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .unknown(let name): return "unknown directive '\(name)'"
        case .invalid(let message): return message
        }
    }
}

import NIOCore

extension String {
    func trimmingCharacters(in set: CharacterSetLike) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars = scalars.dropFirst() }
        while let last = scalars.last, set.contains(last) { scalars = scalars.dropLast() }
        return String(scalars)
    }
}

/// The two sets of characters configuration parsing trims (without Foundation).
enum CharacterSetLike {
    case whitespaces
    func contains(_ character: Character) -> Bool { character == " " || character == "\t" || character == "\r" }
}
