import Foundation
public import Logging
public import Metrics
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
import NIOSSL
public import Redlite
public import ServiceLifecycle

/// The Redlite RESP server: a Redis-compatible server over a Redlite store, usable by `redis-cli`,
/// `redis-benchmark` and any Redis client.
///
/// It is a swift-service-lifecycle `Service`: `run()` serves until graceful shutdown (SIGTERM/SIGINT
/// through a `ServiceGroup`), then stops accepting, lets in-flight commands finish, checkpoints the
/// WAL and returns.
///
/// ```swift
/// let server = try RedliteServer(configuration: configuration, logger: logger)
/// let group = ServiceGroup(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
/// try await group.run()
/// ```
public final class RedliteServer: Service, Sendable {
    public let configuration: ServerConfiguration
    public let store: RedliteStore
    let context: ServerContext
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    private let channels = NIOLockedValueBox<[any Channel]>([])
    private let shutdownRequested = NIOLockedValueBox<CheckedContinuation<Void, Never>?>(nil)
    private let shutdownFlag = NIOLockedValueBox(false)
    /// Once a second: idle clients, statistics samples (Redis's serverCron, in spirit).
    private let cron = NIOLockedValueBox<RepeatedTask?>(nil)

    /// Opens the store the configuration names (creating the file if needed).
    ///
    /// - Parameter eventLoopGroup: the event loops connections run on: NIO's shared singleton by
    ///   default; give the server a group of its own to keep it apart from other NIO work in the process.
    /// - Parameter metricsFactory: where metrics go: the process-wide `MetricsSystem` by default.
    public init(configuration: ServerConfiguration, logger: Logger = Logger(label: "redlite"),
                eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                metricsFactory: (any MetricsFactory)? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        var storeConfiguration = RedliteStore.Configuration()
        storeConfiguration.synchronous = configuration.synchronous
        storeConfiguration.pageSize = configuration.pageSize
        store = try configuration.databasePath.map { try RedliteStore.open(path: $0, configuration: storeConfiguration) }
            ?? RedliteStore.inMemory(configuration: storeConfiguration)
        store.notifications.configure(configuration.notifyKeyspaceEvents)
        let flag = shutdownFlag, requested = shutdownRequested
        context = try ServerContext(store: store, configuration: configuration, logger: logger,
                                    metricsFactory: metricsFactory ?? MetricsSystem.factory) {
            flag.withLockedValue { $0 = true }
            requested.withLockedValue { $0?.resume(); $0 = nil }
        }
    }

    /// The addresses the server listens on (after `start()`).
    public var localAddresses: [SocketAddress] {
        channels.withLockedValue { $0.compactMap(\.localAddress) }
    }

    /// Binds every configured listener (TCP, unix socket, TLS).
    public func start() async throws {
        let group = eventLoopGroup
        var bound: [any Channel] = []
        for host in configuration.bind {
            bound.append(try await bootstrap(group: group, tls: nil, tcp: true).bind(host: host, port: configuration.port).get())
        }
        if let path = configuration.unixSocket {
            try? FileManager.default.removeItem(atPath: path)
            bound.append(try await bootstrap(group: group, tls: nil, tcp: false).bind(unixDomainSocketPath: path).get())
        }
        if let tls = configuration.tls {
            var settings = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.keyPath, format: .pem))
            )
            if let ca = tls.caPath {
                settings.trustRoots = .file(ca)
                settings.certificateVerification = .none
            }
            let sslContext = try NIOSSLContext(configuration: settings)
            for host in configuration.bind {
                bound.append(try await bootstrap(group: group, tls: sslContext, tcp: true).bind(host: host, port: tls.port).get())
            }
        }
        channels.withLockedValue { $0 = bound }
        let context = self.context
        cron.withLockedValue { cron in
            cron = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                context.everySecond()
            }
        }
        logger.info("redlite serving", metadata: [
            "addresses": "\(bound.compactMap(\.localAddress))", "database": "\(configuration.databasePath ?? ":memory:")",
        ])
    }

    private func bootstrap(group: any EventLoopGroup, tls: NIOSSLContext?, tcp: Bool) -> ServerBootstrap {
        let context = self.context
        let limits = configuration.protocolLimits
        let queryBufferLimit = configuration.queryBufferLimit
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 511)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let keepAlive = context.configuration.tcpKeepAlive
                    if tcp, keepAlive > 0 {
                        // As Redis's anetKeepAlive: probes after `keepAlive` seconds of silence, a
                        // third of that apart, three of them.
                        try Self.enableKeepAlive(channel, seconds: keepAlive)
                    }
                    if let tls {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        ClientConnection(server: context, limits: limits, queryBufferLimit: queryBufferLimit))
                }
            }
    }

    private static func enableKeepAlive(_ channel: any Channel, seconds: Int) throws {
        guard let options = channel.syncOptions else { return }
        try options.setOption(.socketOption(.so_keepalive), value: 1)
        try options.setOption(.socket(SocketOptionLevel(IPPROTO_TCP), SocketOptionName(TCP_KEEPIDLE)), value: SocketOptionValue(seconds))
        try options.setOption(.socket(SocketOptionLevel(IPPROTO_TCP), SocketOptionName(TCP_KEEPINTVL)), value: SocketOptionValue(max(1, seconds / 3)))
        try options.setOption(.socket(SocketOptionLevel(IPPROTO_TCP), SocketOptionName(TCP_KEEPCNT)), value: 3)
    }

    /// Serves until graceful shutdown is requested (or a client sends SHUTDOWN), then stops cleanly.
    public func run() async throws {
        try await start()
        await withGracefulShutdownHandler {
            await withCheckedContinuation { continuation in
                let alreadyRequested = shutdownFlag.withLockedValue { $0 }
                if alreadyRequested {
                    continuation.resume()
                } else {
                    shutdownRequested.withLockedValue { $0 = continuation }
                }
            }
        } onGracefulShutdown: { [self] in
            context.requestShutdown()
        }
        try await stop()
    }

    /// Stops accepting, closes client connections after their in-flight commands, drains the writer,
    /// checkpoints the WAL.
    public func stop() async throws {
        let listeners = channels.withLockedValue { channels -> [any Channel] in
            defer { channels = [] }
            return channels
        }
        for channel in listeners { try? await channel.close() }
        cron.withLockedValue { cron in
            cron?.cancel()
            cron = nil
        }
        for client in context.clients.all { client.close() }
        context.committer.stop()
        do {
            try store.checkpoint()
        } catch {
            logger.error("the final checkpoint failed: the WAL file is left beside the database", metadata: ["error": "\(error)"])
        }
        store.close()
        logger.info("redlite stopped")
    }
}
