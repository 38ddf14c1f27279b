public import Logging
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
    /// Pub/sub output-buffer limits (Redis's `client-output-buffer-limit pubsub`): a subscriber, or a
    /// MONITOR, is disconnected at `hard` bytes pending, or above `soft` for `softSeconds`.
    public var pubsubOutputLimit = OutputLimit(hard: 32 * 1024 * 1024, soft: 8 * 1024 * 1024, softSeconds: 60)
    /// Every other client's output-buffer limits (`client-output-buffer-limit normal`); Redis's
    /// default, none. Without one a client that does not read is still bounded: its next requests
    /// wait until its replies are sent.
    public var normalOutputLimit = OutputLimit(hard: 0, soft: 0, softSeconds: 0)
    /// `client-output-buffer-limit replica`: kept and reported for configuration files and tools
    /// that set it; Redlite has no replicas to apply it to.
    public var replicaOutputLimit = OutputLimit(hard: 256 * 1024 * 1024, soft: 64 * 1024 * 1024, softSeconds: 60)
    /// `save`: Redis's snapshot schedule (seconds and changes, in pairs; empty for none). Every write
    /// Redlite acknowledges is already committed to its database file, which any schedule asks for at
    /// most, so the schedule is kept and reported only; an in-memory store accepts none.
    public var saveSchedule: [(seconds: Int, changes: Int)] = []
    /// `appendonly`: as `saveSchedule`, kept and reported only (yes is refused for an in-memory store).
    public var appendOnly = false
    /// `loglevel`: the server's log verbosity in Redis's terms; nil until set, the level of the
    /// `Logger` the server was given. Changeable at run time with CONFIG SET.
    public var logLevel: LogLevel?
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

    /// One class of client-output-buffer limits; 0 turns a limit off, as in Redis.
    public struct OutputLimit: Sendable, Equatable {
        public var hard: Int
        public var soft: Int
        public var softSeconds: Int
        public init(hard: Int, soft: Int, softSeconds: Int) {
            self.hard = hard
            self.soft = soft
            self.softSeconds = softSeconds
        }

        /// Whether a client with `pending` bytes unsent is over the limit, as Redis's
        /// checkClientOutputBufferLimits decides: at the hard limit, or at the soft one for
        /// `softSeconds` or longer. `overSoftSince` keeps when the client first reached the soft one.
        func isReached(pending: Int, overSoftSince: inout ContinuousClock.Instant?, now: ContinuousClock.Instant = .now) -> Bool {
            if hard > 0 && pending >= hard { return true }
            guard soft > 0 && pending >= soft else {
                overSoftSince = nil
                return false
            }
            let since = overSoftSince ?? now
            overSoftSince = since
            return since.duration(to: now) >= .seconds(softSeconds)
        }

        var isUnlimited: Bool { hard == 0 && soft == 0 }
    }

    /// Redis 7.0's log levels, and the swift-log level each one lets through.
    public enum LogLevel: String, Sendable, CaseIterable {
        case debug, verbose, notice, warning

        /// The least severe swift-log level logged.
        public var loggerLevel: Logger.Level {
            switch self {
            case .debug: .debug
            case .verbose: .info
            case .notice: .notice
            case .warning: .warning
            }
        }

        /// The Redis level that logs what `level` logs (trace is finer than Redis's debug).
        public init(_ level: Logger.Level) {
            switch level {
            case .trace, .debug: self = .debug
            case .info: self = .verbose
            case .notice: self = .notice
            case .warning, .error, .critical: self = .warning
            }
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
        func yesOrNo() throws(ConfigurationError) -> Bool {
            switch try one().lowercased() {
            case "yes": return true
            case "no": return false
            default: throw .invalid("argument must be 'yes' or 'no'")
            }
        }
        func memory() throws(ConfigurationError) -> Int {
            guard let bytes = Self.memoryValue(try one()) else { throw .invalid("argument must be a memory value") }
            return bytes
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
        case "client-output-buffer-limit": try applyOutputLimits(values.flatMap { $0.split(separator: " ").map(String.init) })
        case "appendfsync":
            // Redis's fsync policy, in SQLite's terms: an fsync per commit, or none (the WAL is
            // synced at checkpoints; committed writes survive a crash of the process either way).
            switch try one().lowercased() {
            case "always": synchronous = .full
            case "everysec", "no": synchronous = .normal
            default: throw .invalid("argument(s) must be one of the following: everysec, always, no")
            }
        case "save":
            // One argument holding the pairs (CONFIG SET, a quoted line) or the pairs as words; ""
            // for none. As Redis, the argument is split at each single space, seconds are at least
            // 1 and changes at least 0.
            let words = values == [""] ? [] : values.flatMap { $0.split(separator: " ", omittingEmptySubsequences: false).map(String.init) }
            guard words.count % 2 == 0 else { throw .invalid("Invalid save parameters") }
            var schedule: [(seconds: Int, changes: Int)] = []
            for index in stride(from: 0, to: words.count, by: 2) {
                guard let seconds = Int(words[index]), let changes = Int(words[index + 1]), seconds >= 1, changes >= 0 else {
                    throw .invalid("Invalid save parameters")
                }
                schedule.append((seconds, changes))
            }
            guard schedule.isEmpty || databasePath != nil else { throw .invalid(Self.nothingOnDisk) }
            saveSchedule = schedule
        case "appendonly":
            let enabled = try yesOrNo()
            guard !enabled || databasePath != nil else { throw .invalid(Self.nothingOnDisk) }
            appendOnly = enabled
        case "maxmemory":
            // Redlite's data lives in the database file, not in memory: there is nothing to evict.
            guard try memory() == 0 else { throw .invalid("Redlite keeps its data on disk and evicts nothing; maxmemory must be 0") }
        case "maxmemory-policy":
            let policies = ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"]
            let policy = try one().lowercased()
            guard policies.contains(policy) else { throw .invalid("argument(s) must be one of the following: \(policies.joined(separator: ", "))") }
            guard policy == "noeviction" else { throw .invalid("Redlite keeps its data on disk and evicts nothing; the policy is noeviction") }
        case "loglevel":
            guard let level = LogLevel(rawValue: try one().lowercased()) else {
                throw .invalid("argument(s) must be one of the following: \(LogLevel.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            logLevel = level
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

    /// `client-output-buffer-limit` as CONFIG GET and CONFIG REWRITE write it (Redis's spelling: bytes,
    /// `slave` for the replica class).
    var outputLimitsText: String {
        [("normal", normalOutputLimit), ("slave", replicaOutputLimit), ("pubsub", pubsubOutputLimit)]
            .map { "\($0.0) \($0.1.hard) \($0.1.soft) \($0.1.softSeconds)" }.joined(separator: " ")
    }

    /// Why an in-memory store refuses a persistence setting.
    static let nothingOnDisk = "an in-memory store (--memory) keeps nothing on disk"

    /// `client-output-buffer-limit`'s words: groups of class, hard limit, soft limit and seconds, as
    /// Redis takes them (memory units allowed; `slave` is `replica`; no master class), all or none.
    private mutating func applyOutputLimits(_ words: [String]) throws(ConfigurationError) {
        // No words change nothing, as in Redis.
        guard words.count % 4 == 0 else { throw .invalid("Wrong number of arguments in buffer limit configuration.") }
        var updated = self
        for index in stride(from: 0, to: words.count, by: 4) {
            guard let hard = Self.memoryValue(words[index + 1]), let soft = Self.memoryValue(words[index + 2]),
                  let seconds = Int(words[index + 3]), seconds >= 0 else {
                throw .invalid("Error in hard, soft or soft_seconds setting in buffer limit configuration.")
            }
            let limit = OutputLimit(hard: hard, soft: soft, softSeconds: seconds)
            switch words[index].lowercased() {
            case "normal": updated.normalOutputLimit = limit
            case "replica", "slave": updated.replicaOutputLimit = limit
            case "pubsub": updated.pubsubOutputLimit = limit
            default: throw .invalid("Invalid client class specified in buffer limit configuration.")
            }
        }
        self = updated
    }

    /// A byte count as Redis's memtoull reads one: digits with an optional unit (`b`, `k` 1000, `kb`
    /// 1024, `m`, `mb`, `g`, `gb`; any case). Nil when it is not one.
    static func memoryValue(_ text: String) -> Int? {
        let lowered = text.lowercased()
        let digits = lowered.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, let number = Int(digits) else { return nil }
        let units: [String: Int] = ["": 1, "b": 1, "k": 1000, "kb": 1024, "m": 1_000_000, "mb": 1024 * 1024, "g": 1_000_000_000, "gb": 1024 * 1024 * 1024]
        guard let multiplier = units[String(lowered.dropFirst(digits.count))] else { return nil }
        let (bytes, overflow) = number.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : bytes
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
