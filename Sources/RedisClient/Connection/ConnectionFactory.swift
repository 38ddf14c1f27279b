import Logging
import Metrics
import NIOCore
import NIOPosix
import NIOSSL
import Redlite

/// How a client's connections reach their server, prepared once and shared by the client's
/// multiplexed connection and its pool: the TLS context (certificates are read once), or the
/// embedded store (opened once, so every connection of a client sees the same data, also for
/// `redlite::memory:`).
final class ConnectionFactory: Sendable {
    enum Kind: Sendable {
        case socket(NIOSSLContext?)
        case embedded(RedliteStore)
    }

    let configuration: RedisConfiguration
    let kind: Kind
    let eventLoopGroup: any EventLoopGroup
    let threadPool: NIOThreadPool
    let logger: Logger
    let metrics: ClientMetrics

    private init(configuration: RedisConfiguration, kind: Kind, eventLoopGroup: any EventLoopGroup, threadPool: NIOThreadPool, logger: Logger,
                 metricsFactory: (any MetricsFactory)?) {
        self.configuration = configuration
        self.kind = kind
        self.eventLoopGroup = eventLoopGroup
        self.threadPool = threadPool
        self.logger = logger
        self.metrics = metricsFactory.map { ClientMetrics(factory: $0) } ?? ClientMetrics()
    }

    /// Reads the TLS files or opens the embedded store.
    static func make(configuration: RedisConfiguration, eventLoopGroup: any EventLoopGroup, threadPool: NIOThreadPool,
                     logger: Logger, metricsFactory: (any MetricsFactory)? = nil) async throws(RedisClientError) -> ConnectionFactory {
        switch configuration.endpoint {
        case .tcp, .unixSocket:
            var context: NIOSSLContext?
            if let tls = configuration.tls {
                guard case .tcp = configuration.endpoint else {
                    throw .connection(.connectFailed(address: configuration.endpoint.description, reason: "TLS is only available over TCP"))
                }
                context = try makeTLSContext(tls)
            }
            return ConnectionFactory(configuration: configuration, kind: .socket(context), eventLoopGroup: eventLoopGroup, threadPool: threadPool, logger: logger, metricsFactory: metricsFactory)
        case .embedded(let path):
            let opened: Result<RedliteStore, any Error>
            do {
                let store = try await threadPool.runIfActive {
                    if let path { try RedliteStore.open(path: path) } else { try RedliteStore.inMemory() }
                }
                opened = .success(store)
            } catch {
                opened = .failure(error)
            }
            switch opened {
            case .success(let store):
                return ConnectionFactory(configuration: configuration, kind: .embedded(store), eventLoopGroup: eventLoopGroup, threadPool: threadPool, logger: logger, metricsFactory: metricsFactory)
            case .failure(let error):
                throw .connection(.connectFailed(address: configuration.endpoint.description, reason: String(describing: error)))
            }
        }
    }

    /// Releases what `make` opened (the embedded store's background expiry).
    func shutdown() {
        if case .embedded(let store) = kind { store.close() }
    }

    private static func makeTLSContext(_ tls: RedisConfiguration.TLS) throws(RedisClientError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = tls.verifyCertificate ? .fullVerification : .none
        do {
            if let ca = tls.caCertificatePath {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            }
            if let certificate = tls.certificatePath {
                configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) }
            }
            if let key = tls.privateKeyPath {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: key, format: .pem))
            }
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw .connection(.tlsHandshakeFailed(reason: "could not load the TLS configuration: \(error)"))
        }
    }

    /// Opens one link (socket plus TLS, or an embedded session) on `eventLoop`, delivering replies
    /// to `sink` tagged with `generation`. The handshake is the caller's.
    func openLink(on eventLoop: any EventLoop, generation: UInt64, sink: any RedisReplySink, deadline: NIODeadline) async throws(RedisClientError) -> Link {
        switch kind {
        case .embedded(let store):
            return .embedded(EmbeddedSession(store: store, threadPool: threadPool, generation: generation, sink: sink))
        case .socket(let sslContext):
            return try await openSocket(on: eventLoop, sslContext: sslContext, generation: generation, sink: sink, deadline: deadline)
        }
    }

    private func openSocket(on eventLoop: any EventLoop, sslContext: NIOSSLContext?, generation: UInt64,
                            sink: any RedisReplySink, deadline: NIODeadline) async throws(RedisClientError) -> Link {
        let endpoint = configuration.endpoint
        let limits = configuration.replyLimits
        let remaining = max(deadline - .now(), .milliseconds(1))
        let tlsPromise: EventLoopPromise<Void>? = sslContext == nil ? nil : eventLoop.makePromise(of: Void.self)
        var serverName: String?
        if case .tcp(let host, _) = endpoint {
            serverName = configuration.tls?.serverName ?? (Self.isIPAddress(host) ? nil : host)
        }
        let sni = serverName
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(remaining)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if let sslContext, let tlsPromise {
                        try sync.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: sni))
                        try sync.addHandler(TLSHandshakeWatcher(promise: tlsPromise))
                    }
                    try sync.addHandler(RedisReplyHandler(generation: generation, sink: sink, limits: limits))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        if case .tcp = endpoint {
            bootstrap = bootstrap.channelOption(.socketOption(.tcp_nodelay), value: 1)
        }
        let channel: any Channel
        do {
            switch endpoint {
            case .tcp(let host, let port): channel = try await bootstrap.connect(host: host, port: port).get()
            case .unixSocket(let path): channel = try await bootstrap.connect(unixDomainSocketPath: path).get()
            case .embedded: preconditionFailure("embedded endpoints have no socket")
            }
        } catch {
            tlsPromise?.fail(ChannelError.ioOnClosedChannel)
            if let channelError = error as? ChannelError, case .connectTimeout = channelError { throw .timeout(.connect) }
            throw .connection(.connectFailed(address: endpoint.description, reason: String(describing: error)))
        }
        if let tlsPromise {
            let timeout = eventLoop.scheduleTask(deadline: deadline) { tlsPromise.fail(ChannelError.connectTimeout(.zero)) }
            do {
                try await tlsPromise.futureResult.get()
                timeout.cancel()
            } catch {
                timeout.cancel()
                channel.close(promise: nil)
                if let channelError = error as? ChannelError, case .connectTimeout = channelError { throw .timeout(.connect) }
                throw .connection(.tlsHandshakeFailed(reason: String(describing: error)))
            }
        }
        return .channel(channel)
    }

    static func isIPAddress(_ host: String) -> Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }
}
