public import Logging
public import Metrics
public import NIOCore
public import NIOPosix
public import RESP

/// The Redis client: one shared, automatically pipelined, self-reconnecting connection for
/// ordinary commands, and a pool for work that needs a connection of its own.
///
/// The same API talks to real Redis or Valkey (`redis://`, `rediss://`, `unix://`) or to an
/// embedded Redlite store executed in-process (`redlite:///path/app.db`, `redlite::memory:`);
/// moving an application from one to the other is a change of URL.
///
/// ```swift
/// let client = try await RedisClient.connect(url: "redlite:///var/lib/app/cache.db")
/// try await client.set("greeting", "hello")
/// let greeting = try await client.getString("greeting")     // "hello"
/// let results = await client.pipeline([RedisCommand("INCR", "a"), RedisCommand("INCR", "b")])
/// try await client.withConnection { connection in              // a connection of its own
///     try await connection.send("WATCH", "balance")
///     // … MULTI / EXEC
/// }
/// await client.close()
/// ```
///
/// Every method may be called from any number of tasks at once. Every command ends with a value
/// or a ``RedisClientError`` by its deadline; see ``RedisConnection`` for the guarantees about
/// reconnects, the offline queue and cancellation.
public final class RedisClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: RedisConfiguration
    /// The shared connection every `send` and `pipeline` of the client goes through.
    public let connection: RedisConnection
    /// The pool behind ``withConnection(_:)``.
    public let pool: RedisConnectionPool
    private let factory: ConnectionFactory
    /// The subscriber connection and the subscriptions on it (see ``subscribe(_:bufferCapacity:)``).
    let pubSub: PubSubHub

    private init(configuration: RedisConfiguration, connection: RedisConnection, pool: RedisConnectionPool, factory: ConnectionFactory) {
        self.configuration = configuration
        self.connection = connection
        self.pool = pool
        self.factory = factory
        // Under RESP3 pushes share the client's connection with normal traffic; under RESP2 the
        // hub opens a subscriber connection of its own.
        self.pubSub = PubSubHub(factory: factory, configuration: configuration, shared: connection)
    }

    /// Connects the shared connection and returns once its handshake is done.
    ///
    /// - Throws: `.connection`, `.timeout(.connect)` or `.server` (for example `WRONGPASS`) when the
    ///   first attempt fails. Later drops are handled by reconnecting.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "redis.client"),
        metricsFactory: (any MetricsFactory)? = nil
    ) async throws(RedisClientError) -> RedisClient {
        let connection = try await RedisConnection.open(configuration: configuration, eventLoopGroup: eventLoopGroup,
                                                        logger: logger, metricsFactory: metricsFactory)
        let factory = connection.factory
        let pool = RedisConnectionPool(factory: factory, ownsFactory: false)
        return RedisClient(configuration: configuration, connection: connection, pool: pool, factory: factory)
    }

    /// Connects to the server named by `url` (see ``RedisConfiguration/init(url:)``).
    ///
    /// - Throws: ``RedisURLError`` for a URL that cannot be read, else as
    ///   ``connect(configuration:eventLoopGroup:logger:)``.
    public static func connect(
        url: String,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "redis.client")
    ) async throws -> RedisClient {
        try await connect(configuration: RedisConfiguration(url: url), eventLoopGroup: eventLoopGroup, logger: logger)
    }

    /// Events of the shared connection (connected, disconnected, reconnecting, error), from now on.
    public var events: AsyncStream<RedisConnectionEvent> { connection.events }

    /// The event loop of the shared connection.
    public var eventLoop: any EventLoop { connection.eventLoop }

    /// Runs tasks on the shared connection's event loop: use with `withTaskExecutorPreference`
    /// for command-heavy work (see ``EventLoopTaskExecutor`` and the README's measurements).
    public var taskExecutor: EventLoopTaskExecutor { connection.taskExecutor }

    /// Sends one command through the shared connection. See ``RedisConnection/send(_:timeout:)``.
    public func send(_ command: RedisCommand, timeout: Duration? = nil) async throws(RedisClientError) -> RESPValue {
        try await connection.send(command, timeout: timeout)
    }

    /// Sends `commands` in one write; a result per command, in order.
    /// See ``RedisConnection/pipeline(_:timeout:)``.
    public func pipeline(_ commands: [RedisCommand], timeout: Duration? = nil) async -> [Result<RESPValue, RedisClientError>] {
        await connection.pipeline(commands, timeout: timeout)
    }

    /// Runs `body` with a pooled connection of its own (blocking commands, WATCH/MULTI/EXEC) and
    /// returns it to the pool afterwards, however `body` ends.
    ///
    /// - Throws: `.timeout(.poolAcquire)`, connection errors when a new connection cannot be
    ///   opened, or whatever `body` throws.
    public func withConnection<Result: Sendable>(_ body: (RedisConnection) async throws -> Result) async throws -> Result {
        try await pool.withConnection(body)
    }

    /// Closes the shared connection and the pool. Every pending command fails with
    /// `.disconnected(.closed)`; nothing waits for the server.
    public func close() async {
        await pubSub.close()
        await connection.close()
        await pool.close()
        factory.shutdown()
    }
}
