import Foundation
public import Logging
public import Metrics
import NIOConcurrencyHelpers
public import NIOCore
public import NIOPosix
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
    /// The configuration the server was made with (CONFIG SET changes the running settings, not this).
    public let configuration: ServerConfiguration
    public let store: RedliteStore
    let context: ServerContext
    private var logger: Logger { context.logger }
    private let eventLoopGroup: any EventLoopGroup
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
        self.eventLoopGroup = eventLoopGroup
        var storeConfiguration = RedliteStore.Configuration()
        storeConfiguration.synchronous = configuration.synchronous
        storeConfiguration.pageSize = configuration.pageSize
        store = try configuration.databasePath.map { try RedliteStore.open(path: $0, configuration: storeConfiguration) }
            ?? RedliteStore.inMemory(configuration: storeConfiguration)
        store.notifications.configure(configuration.notifyKeyspaceEvents)
        let flag = shutdownFlag, requested = shutdownRequested
        context = try ServerContext(store: store, configuration: configuration, logger: logger,
                                    metricsFactory: metricsFactory ?? MetricsSystem.factory, eventLoopGroup: eventLoopGroup) {
            flag.withLockedValue { $0 = true }
            requested.withLockedValue { $0?.resume(); $0 = nil }
        }
    }

    deinit {
        // Never started, or not stopped: the listeners' hold on the context ends here. (A server
        // started and not stopped is kept alive by its once-a-second task until `stop()`.)
        context.listeners.release()
    }

    /// The addresses the server listens on now: plain TCP in bind order, the unix socket, then TLS.
    /// Empty before `start()` and after `stop()`; follows CONFIG SET port, bind and tls-port.
    public var localAddresses: [SocketAddress] {
        context.listeners.localAddresses
    }

    /// Binds every configured listener (TCP, unix socket, TLS). On failure nothing stays bound.
    ///
    /// Raises the process's open-files limit for `maxclients` clients where the hard limit allows, and
    /// otherwise lowers `maxclients` to what fits, as Redis does.
    ///
    /// - Throws: `ServerStartFailure` when an address cannot be listened on, or none can, or the
    ///   open-files limit leaves no room for a client; NIO's or
    ///   NIOSSL's errors for the unix socket and the TLS files.
    public func start() async throws {
        let listeners = context.listeners
        try context.fitMaxClientsToOpenFilesLimit()
        do {
            listeners.setTLSContext(try Listeners.makeTLSContext(configuration.tls))
            do {
                try listeners.listen(on: Listeners.endpoints(of: configuration))
            } catch let failure as Listeners.ListenFailure {
                throw ServerStartFailure.cannotListen(failure.description, addressInUse: failure.addressInUse)
            }
            if let path = configuration.unixSocket {
                try await listeners.listen(unixSocketPath: path)
            }
            try await listeners.ready()
            // As Redis: "Configured to not listen anywhere, exiting."
            guard !listeners.localAddresses.isEmpty else { throw ServerStartFailure.listensNowhere }
        } catch {
            await listeners.closeAll()
            throw error
        }
        let context = self.context
        cron.withLockedValue { cron in
            cron = eventLoopGroup.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .seconds(1)) { _ in
                context.everySecond()
            }
        }
        logger.info("redlite serving", metadata: [
            "addresses": "\(listeners.localAddresses)", "database": "\(configuration.databasePath ?? ":memory:")",
        ])
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
        await context.listeners.closeAll()
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

/// Why `RedliteServer.start()` could not start.
public enum ServerStartFailure: Error, CustomStringConvertible {
    /// An address of `bind` cannot be listened on (`addressInUse`: its port is taken).
    case cannotListen(String, addressInUse: Bool)
    /// Nothing to listen on: no unix socket, and every `bind` address was skipped (optional ones
    /// missing on this machine, or of a protocol it lacks) or `bind` is empty.
    case listensNowhere
    /// The open-files limit (`ulimit -n`) cannot be raised to leave room for even one client.
    case tooFewFileDescriptors(limit: Int, needed: Int)

    public var description: String {
        switch self {
        case .cannotListen(let reason, _): return reason
        case .listensNowhere: return "Configured to not listen anywhere: none of the bind addresses is available"
        case .tooFewFileDescriptors(let limit, let needed):
            return "Your current 'ulimit -n' of \(limit) is not enough for the server to start. Please increase your open file limit to at least \(needed)."
        }
    }
}
