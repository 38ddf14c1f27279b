public import RESP

/// Everything a ``RedisClient`` (and each of its connections) is configured with: where to connect,
/// how to authenticate, timeouts, reconnects, the offline queue and the pool.
///
/// Build one from a URL and adjust it in code; every option can be set either way.
///
/// ```swift
/// var configuration = try RedisConfiguration(url: "redis://:secret@127.0.0.1:6379/2")
/// configuration.commandTimeout = .seconds(2)
/// configuration.clientName = "checkout-service"
/// let client = try await RedisClient.connect(configuration: configuration)
/// ```
///
/// The value is `Sendable` and copied into each connection; changing it later does not affect a
/// connection that already exists.
public struct RedisConfiguration: Sendable, Hashable {
    /// Where commands go.
    public enum Endpoint: Sendable, Hashable, CustomStringConvertible {
        /// A TCP connection (`redis://host:port`, or `rediss://` with ``RedisConfiguration/tls``).
        case tcp(host: String, port: Int)
        /// A unix-domain socket (`unix:///path/to/redis.sock`).
        case unixSocket(path: String)
        /// The embedded Redlite store, executed in-process with no socket (`redlite:///path.db`);
        /// `nil` is a store that lives in memory (`redlite::memory:`).
        case embedded(path: String?)

        /// `host:port`, `unix:/path` or `redlite:/path` (never credentials).
        public var description: String {
            switch self {
            case .tcp(let host, let port): return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            case .unixSocket(let path): return "unix:\(path)"
            case .embedded(let path): return path.map { "redlite:\($0)" } ?? "redlite::memory:"
            }
        }
    }

    /// Which protocol to ask for.
    public enum ProtocolPreference: Sendable, Hashable {
        /// `HELLO 3`; when the server refuses HELLO (Redis < 6, or `NOPROTO`), RESP2 with `AUTH`
        /// and `CLIENT SETNAME` instead.
        case resp3
        /// RESP2 only: no HELLO is sent.
        case resp2
    }

    /// TLS settings (swift-nio-ssl). Certificate verification is on by default.
    public struct TLS: Sendable, Hashable {
        /// A PEM file of CA certificates to trust instead of the system's roots.
        public var caCertificatePath: String?
        /// A PEM client certificate (chain), for servers that require client authentication.
        public var certificatePath: String?
        /// The PEM private key of ``certificatePath``.
        public var privateKeyPath: String?
        /// Verify the server's certificate chain and name (default `true`). Turning this off makes
        /// the connection open to interception; use it only against test servers.
        public var verifyCertificate: Bool
        /// The name to verify the certificate against and send as SNI. Defaults to the host (an IP
        /// address host is verified against the certificate's IP SANs).
        public var serverName: String?

        /// TLS settings; by default the system's roots and full verification, no client certificate.
        public init(caCertificatePath: String? = nil, certificatePath: String? = nil, privateKeyPath: String? = nil,
                    verifyCertificate: Bool = true, serverName: String? = nil) {
            self.caCertificatePath = caCertificatePath
            self.certificatePath = certificatePath
            self.privateKeyPath = privateKeyPath
            self.verifyCertificate = verifyCertificate
            self.serverName = serverName
        }
    }

    /// Automatic reconnects: exponential backoff with jitter.
    ///
    /// Attempt *n* (1-based) waits `min(initialDelay × factor^(n−1), maximumDelay)`, then moves it
    /// by a random fraction of up to ±`jitter` of itself, so that many clients cut off together do
    /// not reconnect together. The defaults give 0.1 s, 0.2 s, 0.4 s … 60 s.
    public struct ReconnectPolicy: Sendable, Hashable {
        /// Whether the connection reconnects at all. Pooled connections do not (the pool replaces
        /// dead ones).
        public var isEnabled: Bool
        /// The wait before the first reconnect attempt (default 0.1 s).
        public var initialDelay: Duration
        /// Each further attempt waits this many times longer (default 2).
        public var factor: Double
        /// The longest wait between attempts (default 60 s).
        public var maximumDelay: Duration
        /// How far each wait is moved at random, as a fraction of it in 0...1 (default 0.25: ±25 %).
        public var jitter: Double

        /// A policy; the defaults are 0.1 s, factor 2, at most 60 s, jitter 0.25.
        public init(isEnabled: Bool = true, initialDelay: Duration = .milliseconds(100), factor: Double = 2,
                    maximumDelay: Duration = .seconds(60), jitter: Double = 0.25) {
            self.isEnabled = isEnabled
            self.initialDelay = initialDelay
            self.factor = factor
            self.maximumDelay = maximumDelay
            self.jitter = jitter
        }

        /// 0.1 s, factor 2, at most 60 s, jitter 0.25.
        public static let `default` = ReconnectPolicy()
        /// Never reconnect: a broken connection stays closed.
        public static let disabled = ReconnectPolicy(isEnabled: false)

        /// The delay before reconnect attempt `attempt` (1-based), jitter applied with `random`
        /// (a value in 0...1; 0.5 means no jitter).
        public func delay(attempt: Int, random: Double = Double.random(in: 0...1)) -> Duration {
            let base = initialDelay.seconds * pow(factor, Double(max(attempt, 1) - 1))
            let capped = min(base, maximumDelay.seconds)
            let jittered = capped * (1 + jitter * (2 * random - 1))
            return .nanoseconds(Int64(max(0, jittered) * 1e9))
        }
    }

    /// Settings of the pool that serves ``RedisClient/withConnection(_:)`` and
    /// ``RedisConnectionPool``. Connections inherit everything else from the configuration.
    public struct PoolOptions: Sendable, Hashable {
        /// Connections kept open even when idle.
        public var minimumConnections: Int
        /// At most this many connections exist at once; further leases wait.
        public var maximumConnections: Int
        /// How long a lease waits for a connection before failing with `.timeout(.poolAcquire)`.
        public var acquireTimeout: Duration
        /// Idle connections beyond the minimum are closed after this long.
        public var idleTimeout: Duration
        /// A connection that sat idle at least this long is checked with `PING` before it is lent.
        public var healthCheckAfterIdle: Duration

        /// Pool settings; by default 0 to 10 connections, a 5 s acquire timeout, a 60 s idle timeout,
        /// and a PING before lending a connection idle for a second or more.
        public init(minimumConnections: Int = 0, maximumConnections: Int = 10, acquireTimeout: Duration = .seconds(5),
                    idleTimeout: Duration = .seconds(60), healthCheckAfterIdle: Duration = .seconds(1)) {
            self.minimumConnections = max(0, minimumConnections)
            self.maximumConnections = max(1, maximumConnections, minimumConnections)
            self.acquireTimeout = acquireTimeout
            self.idleTimeout = idleTimeout
            self.healthCheckAfterIdle = healthCheckAfterIdle
        }
    }

    /// Where to connect.
    public var endpoint: Endpoint
    /// TLS for `.tcp` endpoints (`rediss://`); `nil` for plain text.
    public var tls: TLS?
    /// ACL user name (Redis 6+); `nil` means the default user.
    public var username: String?
    /// Password (`AUTH`); `nil` for none. Never logged.
    public var password: String?
    /// The database selected on every (re)connect (`SELECT`).
    public var database: Int
    /// `CLIENT SETNAME` on every (re)connect.
    public var clientName: String?
    /// RESP3 through `HELLO 3` (falling back to RESP2), or RESP2.
    public var protocolPreference: ProtocolPreference
    /// TCP/unix connect, TLS handshake and the HELLO/AUTH/SELECT/SETNAME handshake together.
    public var connectTimeout: Duration
    /// How long a command may take from the call to its reply (queueing included).
    public var commandTimeout: Duration
    /// Added to a blocking command's own timeout (BLPOP, BRPOP, BLMOVE, BZPOPMIN, BLMPOP, XREAD
    /// BLOCK, WAIT…): its deadline is `commandTimeout + its timeout argument + this`. A blocking
    /// command with timeout 0 (wait forever) has no deadline.
    public var blockingCommandAllowance: Duration
    /// Reconnect backoff.
    public var reconnect: ReconnectPolicy
    /// Commands issued while (re)connecting wait in a queue of at most this many; beyond it they fail
    /// at once with `.disconnected(.offlineQueueFull)`.
    public var offlineQueueLimit: Int
    /// The pool behind `withConnection`.
    public var pool: PoolOptions
    /// Start a swift-distributed-tracing span for every command (default `true`). Spans are made
    /// only when a tracer was bootstrapped (`InstrumentationSystem.bootstrap`) before the
    /// connection was created: with the no-op tracer they are skipped entirely.
    public var tracingEnabled: Bool
    /// RESP decoder limits for replies.
    public var replyLimits: RESPLimits

    /// A configuration with the defaults: RESP3, database 0, connect timeout 5 s, command timeout
    /// 10 s, blocking allowance 5 s, the default reconnect policy, an offline queue of 1,024.
    public init(endpoint: Endpoint = .tcp(host: "127.0.0.1", port: 6379), tls: TLS? = nil, username: String? = nil,
                password: String? = nil, database: Int = 0, clientName: String? = nil,
                protocolPreference: ProtocolPreference = .resp3, connectTimeout: Duration = .seconds(5),
                commandTimeout: Duration = .seconds(10), blockingCommandAllowance: Duration = .seconds(5),
                reconnect: ReconnectPolicy = .default, offlineQueueLimit: Int = 1024, pool: PoolOptions = PoolOptions(),
                tracingEnabled: Bool = true, replyLimits: RESPLimits = .default) {
        self.endpoint = endpoint
        self.tls = tls
        self.username = username
        self.password = password
        self.database = database
        self.clientName = clientName
        self.protocolPreference = protocolPreference
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.blockingCommandAllowance = blockingCommandAllowance
        self.reconnect = reconnect
        self.offlineQueueLimit = offlineQueueLimit
        self.pool = pool
        self.tracingEnabled = tracingEnabled
        self.replyLimits = replyLimits
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }

    /// Nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, overflow) = components.seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return components.seconds < 0 ? .min : .max }
        let (total, overflow2) = seconds.addingReportingOverflow(components.attoseconds / 1_000_000_000)
        return overflow2 ? .max : total
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif
