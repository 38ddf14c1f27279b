import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// The server's listening sockets: plain TCP and TLS on every `bind` address, and the unix socket.
///
/// CONFIG SET port, bind and tls-port change them while the server runs, as in Redis: the new
/// sockets are bound and listening before the old ones close, and a listener whose address and port
/// stay the same is kept (with the connections waiting in its backlog). Sockets are bound here with
/// plain system calls, synchronously, and then handed to NIO: a port in use or an address that is
/// not this machine's is known before CONFIG SET answers, and a failure leaves every listener as it
/// was. The exception is a new listener that needs the address of one it replaces (see `change`):
/// that one closes first (its backlog with it), and if the change then fails it is opened again,
/// which can itself fail (logged). Connections already accepted are never touched.
///
/// The TLS context is looked up at each accept, so CONFIG SET tls-cert-file, tls-key-file and
/// tls-ca-cert-file apply to the next TLS connections without closing any listener.
final class Listeners: Sendable {
    /// One listening TCP socket.
    struct Endpoint: Hashable, Sendable {
        var host: String
        var port: Int
        var tls: Bool
    }

    /// Why a set of listeners could not be opened.
    struct ListenFailure: Error, CustomStringConvertible {
        let endpoint: Endpoint
        let reason: String
        /// The address and port are taken (by another process, or by one of these listeners).
        var addressInUse = false
        var description: String { "cannot listen on \(endpoint.host):\(endpoint.port)\(endpoint.tls ? " (TLS)" : ""): \(reason)" }
    }

    private struct Listener {
        let endpoint: Endpoint
        /// Where it listens (with the port the system chose for port 0).
        let address: SocketAddress
        let channel: EventLoopFuture<any Channel>
    }

    private struct State {
        /// In the order `localAddresses` lists them: plain TCP in bind order, then TLS.
        var listeners: [Listener] = []
        var unixSocket: (any Channel)?
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    private let tlsContext = NIOLockedValueBox<NIOSSLContext?>(nil)
    private let group: any EventLoopGroup
    private let logger: Logger
    /// Sets up an accepted connection's pipeline (after the TLS handler, on TLS listeners). It holds
    /// the server's context, which holds these listeners: dropped by `closeAll()` (and by the
    /// server's deinit), so that both are freed.
    private let initializeConnection = NIOLockedValueBox<(@Sendable (any Channel, _ tcp: Bool) throws -> Void)?>(nil)

    init(group: any EventLoopGroup, logger: Logger) {
        self.group = group
        self.logger = logger
    }

    /// What every accepted connection is set up with (given by the context once it exists).
    func setConnectionInitializer(_ initialize: @escaping @Sendable (any Channel, _ tcp: Bool) throws -> Void) {
        initializeConnection.withLockedValue { $0 = initialize }
    }

    /// Drops the connection initializer (after `closeAll()`, or when the server goes away unstarted).
    func release() {
        initializeConnection.withLockedValue { $0 = nil }
    }

    /// Where the server listens: plain TCP in bind order, the unix socket, then TLS.
    var localAddresses: [SocketAddress] {
        state.withLockedValue { state in
            let plain = state.listeners.filter { !$0.endpoint.tls }.map(\.address)
            let tls = state.listeners.filter(\.endpoint.tls).map(\.address)
            return plain + (state.unixSocket?.localAddress.map { [$0] } ?? []) + tls
        }
    }

    /// The TCP and TLS endpoints a configuration asks for.
    static func endpoints(of configuration: ServerConfiguration) -> [Endpoint] {
        let plain = configuration.bind.map { Endpoint(host: $0, port: configuration.port, tls: false) }
        let tls = configuration.tls.map { tls in configuration.bind.map { Endpoint(host: $0, port: tls.port, tls: true) } } ?? []
        return plain + tls
    }

    /// What a `bind` entry names, in Redis's syntax: `*` every IPv4 address, `::*` every IPv6 one, and
    /// a leading `-` an address that may be missing on this machine (skipped then, as Redis skips it:
    /// its default redis.conf binds `127.0.0.1 -::1`).
    static func bindAddress(_ entry: String) -> (host: String, optional: Bool) {
        let optional = entry.hasPrefix("-")
        let name = optional ? String(entry.dropFirst()) : entry
        switch name {
        case "*": return ("0.0.0.0", optional)
        case "::*": return ("::", optional)
        default: return (name, optional)
        }
    }

    /// Makes the TLS context of a configuration (nil without TLS). Reads the certificate, key and CA
    /// files, so it fails on a missing or malformed one.
    static func makeTLSContext(_ tls: ServerConfiguration.TLS?) throws -> NIOSSLContext? {
        guard let tls else { return nil }
        var settings = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.keyPath, format: .pem))
        )
        if let ca = tls.caPath {
            settings.trustRoots = .file(ca)
            settings.certificateVerification = .none
        }
        return try NIOSSLContext(configuration: settings)
    }

    /// The TLS context new TLS connections get from now on; answers the one before.
    @discardableResult
    func setTLSContext(_ context: NIOSSLContext?) -> NIOSSLContext? {
        tlsContext.withLockedValue { current in
            defer { current = context }
            return current
        }
    }

    /// Listens on exactly `endpoints`: opens those not listened on yet, then closes those no longer
    /// wanted. Throws, having changed nothing, when any new one cannot be opened.
    ///
    /// Safe on an event loop: the sockets are bound and listening when this returns; NIO's
    /// registration of the new ones completes afterwards (see `ready()`).
    func listen(on endpoints: [Endpoint]) throws {
        let added = try state.withLockedValue { state -> [(Listener, CInt)] in
            guard !state.closed else { return [] }
            // Redis fails on an address named twice (its second socket finds the first one's port taken).
            var named = Set<Endpoint>()
            if let repeated = endpoints.first(where: { !named.insert($0).inserted }) {
                throw ListenFailure(endpoint: repeated, reason: "named twice")
            }
            let current = Set(state.listeners.map(\.endpoint))
            var opened: [(Endpoint, CInt, SocketAddress)] = []
            do {
                for endpoint in endpoints where !current.contains(endpoint) {
                    // An address this machine lacks (see `openListeningSocket`): no listener, no failure.
                    guard let (descriptor, address) = try Self.openListeningSocket(endpoint) else {
                        logger.warning("not listening on \(endpoint.host):\(endpoint.port): the address is not available here")
                        continue
                    }
                    opened.append((endpoint, descriptor, address))
                }
            } catch {
                for (_, descriptor, _) in opened { close(descriptor) }
                throw error
            }
            let wanted = Set(endpoints)
            for listener in state.listeners where !wanted.contains(listener.endpoint) {
                listener.channel.whenSuccess { $0.close(promise: nil) }
            }
            var kept = state.listeners.filter { wanted.contains($0.endpoint) }
            var added: [(Listener, CInt)] = []
            for (endpoint, descriptor, address) in opened {
                let channel = bootstrap(tls: endpoint.tls, tcp: true).withBoundSocket(descriptor)
                added.append((Listener(endpoint: endpoint, address: address, channel: channel), descriptor))
            }
            kept += added.map(\.0)
            // In the order asked for (the order `localAddresses` reports).
            state.listeners = endpoints.compactMap { endpoint in kept.first { $0.endpoint == endpoint } }
            return added
        }
        // Outside the lock: a future that has failed already runs its callback at once.
        for (listener, descriptor) in added {
            listener.channel.whenSuccess { channel in
                // NIO listens again with its own backlog of 128 when it takes a bound socket.
                if channel.isActive { _ = systemListen(descriptor, Self.backlog) }
            }
            listener.channel.whenFailure { [self] error in
                logger.error("a listener could not be registered", metadata: ["address": "\(listener.address)", "error": "\(error)"])
                state.withLockedValue { $0.listeners.removeAll { $0.endpoint == listener.endpoint } }
            }
        }
    }

    /// How a change of listeners went: done at once, failed (nothing changed), or to be finished
    /// once the listeners it replaces have closed.
    enum Change {
        case done
        case failed(any Error)
        case pending(EventLoopFuture<Void>)
    }

    /// Listens on exactly `endpoints`, as `listen(on:)`. When a new endpoint's address is taken by a
    /// listener being replaced (the same port on an overlapping address: `127.0.0.1` to `0.0.0.0`,
    /// or `port` and `tls-port` swapped), and `eventLoop` is given, those listeners close first and
    /// the new ones are opened once they have; if that fails, they are opened again. Redis, too,
    /// closes its old listeners before binding the new ones.
    func change(to endpoints: [Endpoint], closingFirstOn eventLoop: (any EventLoop)?) -> Change {
        do {
            try listen(on: endpoints)
            return .done
        } catch let failure as ListenFailure where failure.addressInUse && eventLoop != nil {
            let wanted = Set(endpoints)
            let (previous, colliding) = state.withLockedValue { state -> ([Endpoint], [Listener]) in
                let previous = state.listeners.map(\.endpoint)
                let newPorts = Set(endpoints.filter { !previous.contains($0) }.map(\.port))
                let colliding = state.listeners.filter { !wanted.contains($0.endpoint) && newPorts.contains($0.endpoint.port) }
                state.listeners.removeAll { listener in colliding.contains { $0.endpoint == listener.endpoint } }
                return (previous, colliding)
            }
            guard let eventLoop, !colliding.isEmpty else {
                return .failed(failure)
            }
            let closed = colliding.map { listener in
                listener.channel.flatMap { $0.close() }.recover { _ in }  // closed already: fine
            }
            return .pending(EventLoopFuture.andAllComplete(closed, on: eventLoop).flatMapThrowing { [self] in
                do {
                    try listen(on: endpoints)
                } catch {
                    // What was there before, again (the replaced listeners' addresses are free).
                    do {
                        try listen(on: previous)
                    } catch let reopening {
                        logger.error("the listeners closed for a change could not be opened again", metadata: ["error": "\(reopening)"])
                    }
                    throw error
                }
            })
        } catch {
            return .failed(error)
        }
    }

    /// Waits until every listener is registered with NIO (accepting), and throws if one could not be.
    func ready() async throws {
        let channels = state.withLockedValue { $0.listeners.map(\.channel) }
        for channel in channels { _ = try await channel.get() }
    }

    /// Listens on a unix socket (at start-up: the path cannot change while the server runs).
    func listen(unixSocketPath path: String) async throws {
        try? FileManager.default.removeItem(atPath: path)
        let channel = try await bootstrap(tls: false, tcp: false).bind(unixDomainSocketPath: path).get()
        let closed = state.withLockedValue { state -> Bool in
            if !state.closed { state.unixSocket = channel }
            return state.closed
        }
        if closed { try? await channel.close() }
    }

    /// Closes every listener; no listener opens after it.
    func closeAll() async {
        let (listeners, unixSocket) = state.withLockedValue { state in
            defer {
                state.listeners = []
                state.unixSocket = nil
                state.closed = true
            }
            return (state.listeners, state.unixSocket)
        }
        for listener in listeners {
            if let channel = try? await listener.channel.get() { try? await channel.close() }
        }
        if let unixSocket { try? await unixSocket.close() }
        release()
    }

    private func bootstrap(tls: Bool, tcp: Bool) -> ServerBootstrap {
        let initializeConnection = self.initializeConnection, tlsContext = self.tlsContext
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: Self.backlog)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 16)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls {
                        guard let context = tlsContext.withLockedValue({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    }
                    guard let initialize = initializeConnection.withLockedValue({ $0 }) else { throw ChannelError.ioOnClosedChannel }
                    try initialize(channel, tcp)
                }
            }
    }

    /// Redis's default `tcp-backlog`.
    private static let backlog: CInt = 511

    /// A TCP socket bound to the endpoint and listening, and the address it listens on. As Redis
    /// does, an IPv6 socket takes IPv6 only (so `bind 0.0.0.0 ::` can listen on both), and the
    /// address may be a host name (resolved; its first address is used).
    ///
    /// Nil for an address this machine does not have: an optional one (`-addr`) on no interface,
    /// or any of a protocol it lacks (no IPv6 at all).
    private static func openListeningSocket(_ endpoint: Endpoint) throws -> (CInt, SocketAddress)? {
        guard (0...65535).contains(endpoint.port) else { throw ListenFailure(endpoint: endpoint, reason: "port out of range") }
        let (host, optional) = bindAddress(endpoint.host)
        let address: SocketAddress
        do {
            address = try SocketAddress.makeAddressResolvingHost(host, port: endpoint.port)
        } catch {
            throw ListenFailure(endpoint: endpoint, reason: "\(error)")
        }
        let family = address.protocol.rawValue
        #if canImport(Darwin)
        let descriptor = socket(family, SOCK_STREAM, 0)
        if descriptor >= 0 { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        #else
        let descriptor = socket(family, CInt(SOCK_STREAM.rawValue) | CInt(SOCK_CLOEXEC.rawValue), 0)
        #endif
        /// As Redis's listenToPort: an address of a protocol this machine lacks (no IPv6) is skipped
        /// whether optional or not; an address it lacks, only when optional (`-addr`).
        func skipped(_ error: CInt) -> Bool {
            let unsupported: Set<CInt> = [ENOPROTOOPT, EPROTONOSUPPORT, ESOCKTNOSUPPORT, EPFNOSUPPORT, EAFNOSUPPORT]
            return unsupported.contains(error) || (optional && error == EADDRNOTAVAIL)
        }
        guard descriptor >= 0 else {
            if skipped(errno) { return nil }
            throw ListenFailure(endpoint: endpoint, reason: String(cString: strerror(errno)))
        }
        func fail(_ what: String) -> ListenFailure {
            let reason = "\(what): \(String(cString: strerror(errno)))"
            close(descriptor)
            return ListenFailure(endpoint: endpoint, reason: reason)
        }
        var on: CInt = 1
        guard setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<CInt>.size)) == 0 else { throw fail("SO_REUSEADDR") }
        if family == AF_INET6 {
            guard setsockopt(descriptor, CInt(IPPROTO_IPV6), IPV6_V6ONLY, &on, socklen_t(MemoryLayout<CInt>.size)) == 0 else {
                if skipped(errno) {
                    close(descriptor)
                    return nil
                }
                throw fail("IPV6_V6ONLY")
            }
        }
        let bound = address.withSockAddr { pointer, size in bind(descriptor, pointer, socklen_t(size)) }
        guard bound == 0 else {
            let inUse = errno == EADDRINUSE
            if skipped(errno) {
                close(descriptor)
                return nil
            }
            var failure = fail("bind")
            failure.addressInUse = inUse
            throw failure
        }
        guard systemListen(descriptor, backlog) == 0 else { throw fail("listen") }
        guard let local = localAddress(of: descriptor, host: host) else { throw fail("getsockname") }
        return (descriptor, local)
    }

    /// The address a socket is bound to (its port chosen by the system for port 0).
    private static func localAddress(of descriptor: CInt, host: String) -> SocketAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        switch CInt(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: host) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: host) } }
        default:
            return nil
        }
    }
}

/// The system's listen(2) (a method of `Listeners` is named `listen` too).
private func systemListen(_ descriptor: CInt, _ backlog: CInt) -> CInt {
    listen(descriptor, backlog)
}
