public import Logging
public import NIOCore
import NIOConcurrencyHelpers
public import NIOPosix

/// A pool of connections for work that needs a connection of its own: blocking commands (BLPOP),
/// WATCH/MULTI/EXEC, and later subscriptions. Ordinary commands do not need it — the shared
/// ``RedisConnection`` of a ``RedisClient`` pipelines them — so no command pays for a lease.
///
/// - Connections are made on demand up to ``RedisConfiguration/PoolOptions/maximumConnections``;
///   ``RedisConfiguration/PoolOptions/minimumConnections`` are kept open.
/// - A lease waits at most ``RedisConfiguration/PoolOptions/acquireTimeout`` and then fails with
///   `.timeout(.poolAcquire)`.
/// - A connection that sat idle for ``RedisConfiguration/PoolOptions/healthCheckAfterIdle`` or
///   longer answers `PING` before it is lent; one that does not is dropped and another used.
/// - Pooled connections do not reconnect: a dead one is dropped and replaced.
/// - Idle connections beyond the minimum close after ``RedisConfiguration/PoolOptions/idleTimeout``.
/// - Connections inherit the whole configuration (credentials, TLS, database, client name).
///
/// ```swift
/// let job = try await client.withConnection { connection in
///     try await connection.send("BLPOP", "jobs", 5)
/// }
/// ```
///
/// All methods are safe to call from any task.
public final class RedisConnectionPool: Sendable {
    /// A snapshot of the pool.
    public struct Statistics: Sendable, Hashable, CustomStringConvertible {
        /// Connections lent out now.
        public var active: Int
        /// Open connections waiting to be lent.
        public var idle: Int
        /// Leases waiting for a connection.
        public var waiting: Int
        /// Open connections (active + idle) plus those being opened.
        public var total: Int

        /// `active 1, idle 2, waiting 0, total 3`
        public var description: String { "active \(active), idle \(idle), waiting \(waiting), total \(total)" }
    }

    private struct IdleConnection {
        var connection: RedisConnection
        var since: NIODeadline
    }

    private enum Handoff {
        case connection(RedisConnection)
        /// A slot was freed and reserved for this waiter: it opens a connection itself.
        case create
        case failure(RedisClientError)
    }

    private struct Waiter {
        var id: UInt64
        var continuation: UnsafeContinuation<Handoff, Never>
        var timeout: Scheduled<Void>?

        /// Ends the wait: stops its timer and wakes the lease with `handoff`. Called outside the lock.
        func resume(_ handoff: Handoff) {
            timeout?.cancel()
            continuation.resume(returning: handoff)
        }
    }

    private struct State {
        var idle: [IdleConnection] = []
        var leased: [ObjectIdentifier: RedisConnection] = [:]
        var connecting = 0
        var waiters = CircularBuffer<Waiter>()
        var nextWaiterID: UInt64 = 0
        var closed = false

        /// Gives an open, healthy connection to the longest-waiting lease (returned, to be resumed
        /// outside the lock) or, with nobody waiting, parks it in the idle set.
        mutating func handOver(_ connection: RedisConnection) -> Waiter? {
            if let waiter = waiters.popFirst() {
                leased[ObjectIdentifier(connection)] = connection
                return waiter
            }
            idle.append(IdleConnection(connection: connection, since: .now()))
            return nil
        }

        var statistics: Statistics {
            Statistics(active: leased.count, idle: idle.count, waiting: waiters.count, total: leased.count + idle.count + connecting)
        }
    }

    /// The pool's settings.
    public let options: RedisConfiguration.PoolOptions
    private let configuration: RedisConfiguration
    private let factory: ConnectionFactory
    private let ownsFactory: Bool
    private let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())
    private let maintenance: NIOLockedValueBox<RepeatedTask?> = NIOLockedValueBox(nil)

    init(factory: ConnectionFactory, ownsFactory: Bool) {
        var configuration = factory.configuration
        configuration.reconnect = .disabled
        self.configuration = configuration
        self.options = configuration.pool
        self.factory = factory
        self.ownsFactory = ownsFactory
        self.eventLoop = factory.eventLoopGroup.next()
        let seconds = options.idleTimeout.seconds / 4
        let interval = TimeAmount.nanoseconds(Int64(min(max(seconds, 0.05), 1) * 1e9))
        let task = eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) { [weak self] _ in
            self?.maintain()
        }
        maintenance.withLockedValue { $0 = task }
    }

    /// A pool of its own (not tied to a ``RedisClient``). Opens the embedded store or reads the
    /// TLS files once; connections are opened as needed (the minimum right away, in the background).
    ///
    /// - Throws: what opening the embedded store or loading TLS files throws.
    public static func make(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "redis.client.pool")
    ) async throws(RedisClientError) -> RedisConnectionPool {
        let factory = try await ConnectionFactory.make(configuration: configuration, eventLoopGroup: eventLoopGroup, threadPool: .singleton, logger: logger)
        return RedisConnectionPool(factory: factory, ownsFactory: true)
    }

    deinit {
        maintenance.withLockedValue { $0?.cancel() }
    }

    /// The pool right now.
    public var statistics: Statistics { state.withLockedValue { $0.statistics } }

    /// Lends a connection for the caller's exclusive use; give it back with ``release(_:)``.
    /// Prefer ``withConnection(_:)``, which cannot forget to.
    ///
    /// - Throws: `.timeout(.poolAcquire)`, `.disconnected(.closed)` after ``close()``, the connect
    ///   error when a new connection cannot be opened, or `.cancelled`.
    public func lease() async throws(RedisClientError) -> RedisConnection {
        // Each pass either returns, throws, or drops one dead connection: bounded by the pool size.
        for _ in 0..<(options.maximumConnections * 2 + 4) {
            enum Decision { case use(IdleConnection), create, wait, fail(RedisClientError) }
            let decision = state.withLockedValue { state -> Decision in
                guard !state.closed else { return .fail(.disconnected(.closed)) }
                while let candidate = state.idle.popLast() {
                    if candidate.connection.isClosed { continue }  // died while idle
                    state.leased[ObjectIdentifier(candidate.connection)] = candidate.connection
                    return .use(candidate)
                }
                if state.leased.count + state.connecting < options.maximumConnections {
                    state.connecting += 1
                    return .create
                }
                return .wait
            }
            recordGauges()
            switch decision {
            case .fail(let error):
                throw error
            case .use(let candidate):
                if NIODeadline.now() - candidate.since >= .nanoseconds(options.healthCheckAfterIdle.nanoseconds) {
                    guard await isHealthy(candidate.connection) else {
                        factory.logger.debug("pooled connection failed its health check; dropping it")
                        drop(candidate.connection)
                        continue
                    }
                }
                return candidate.connection
            case .create:
                return try await create()
            case .wait:
                switch await waitForHandoff() {
                case .connection(let connection): return connection
                case .create: return try await create()
                case .failure(let error): throw error
                }
            }
        }
        throw .timeout(.poolAcquire)
    }

    /// Returns a leased connection. A closed or dead one is dropped (and a waiting lease may open
    /// a replacement); a healthy one goes to the next waiting lease or back to the idle set.
    public func release(_ connection: RedisConnection) {
        enum Action { case none, close, hand(Waiter), create(Waiter) }
        let action = state.withLockedValue { state -> Action in
            guard state.leased.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return .none }
            if state.closed || connection.isClosed {
                if !state.closed, let waiter = state.waiters.popFirst() {
                    state.connecting += 1
                    return .create(waiter)
                }
                return .close
            }
            return state.handOver(connection).map(Action.hand) ?? .none
        }
        switch action {
        case .none: break
        case .close: Task { await connection.close() }
        case .hand(let waiter):
            waiter.resume(.connection(connection))
        case .create(let waiter):
            waiter.resume(.create)
            Task { await connection.close() }
        }
        recordGauges()
    }

    /// Leases a connection, runs `body` with it, and releases it however `body` ends.
    ///
    /// - Throws: the lease's ``RedisClientError``, or whatever `body` throws.
    public func withConnection<Result: Sendable>(_ body: (RedisConnection) async throws -> Result) async throws -> Result {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    /// Closes every connection (leased ones too: their commands fail with `.disconnected(.closed)`)
    /// and fails waiting leases. Later leases fail with `.disconnected(.closed)`.
    public func close() async {
        let (connections, waiters) = state.withLockedValue { state -> ([RedisConnection], [Waiter]) in
            state.closed = true
            let connections = state.idle.map(\.connection) + Array(state.leased.values)
            state.idle = []
            state.leased = [:]
            defer { state.waiters.removeAll() }
            return (connections, Array(state.waiters))
        }
        maintenance.withLockedValue {
            $0?.cancel()
            $0 = nil
        }
        for waiter in waiters {
            waiter.resume(.failure(.disconnected(.closed)))
        }
        for connection in connections { await connection.close() }
        if ownsFactory { factory.shutdown() }
        recordGauges()
    }

    // MARK: Internals

    private func create() async throws(RedisClientError) -> RedisConnection {
        let connection = RedisConnection(factory: factory, configuration: configuration, eventLoop: factory.eventLoopGroup.next())
        do {
            try await connection.start()
        } catch {
            // The slot is free again: a waiting lease may try its luck.
            let waiter = state.withLockedValue { state -> Waiter? in
                state.connecting -= 1
                guard let waiter = state.waiters.popFirst() else { return nil }
                state.connecting += 1
                return waiter
            }
            if let waiter {
                waiter.resume(.create)
            }
            recordGauges()
            throw error
        }
        let accepted = state.withLockedValue { state -> Bool in
            state.connecting -= 1
            guard !state.closed else { return false }
            state.leased[ObjectIdentifier(connection)] = connection
            return true
        }
        recordGauges()
        guard accepted else {
            await connection.close()
            throw .disconnected(.closed)
        }
        return connection
    }

    private func waitForHandoff() async -> Handoff {
        let id = state.withLockedValue { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: UnsafeContinuation<Handoff, Never>) in
                let timeout = eventLoop.scheduleTask(in: .nanoseconds(options.acquireTimeout.nanoseconds)) { [weak self] () -> Void in
                    guard let self else { return }
                    self.removeWaiter(id: id, with: .timeout(.poolAcquire))
                }
                let added = state.withLockedValue { state -> Bool in
                    guard !state.closed else { return false }
                    state.waiters.append(Waiter(id: id, continuation: continuation, timeout: timeout))
                    return true
                }
                if !added {
                    timeout.cancel()
                    continuation.resume(returning: .failure(.disconnected(.closed)))
                    return
                }
                recordGauges()
                if Task.isCancelled { removeWaiter(id: id, with: .cancelled) }
            }
        } onCancel: {
            removeWaiter(id: id, with: .cancelled)
        }
    }

    private func removeWaiter(id: UInt64, with error: RedisClientError) {
        let waiter = state.withLockedValue { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        guard let waiter else { return }
        waiter.resume(.failure(error))
        recordGauges()
    }

    private func isHealthy(_ connection: RedisConnection) async -> Bool {
        let timeout = min(configuration.commandTimeout, configuration.connectTimeout)
        do {
            _ = try await connection.send(RedisCommand(["PING"]), timeout: timeout)
            return true
        } catch {
            return false
        }
    }

    /// A leased connection that turned out dead: forget it, close it, let a waiter open another.
    private func drop(_ connection: RedisConnection) {
        let waiter = state.withLockedValue { state -> Waiter? in
            state.leased.removeValue(forKey: ObjectIdentifier(connection))
            guard !state.closed, let waiter = state.waiters.popFirst() else { return nil }
            state.connecting += 1
            return waiter
        }
        if let waiter {
            waiter.resume(.create)
        }
        Task { await connection.close() }
        recordGauges()
    }

    /// Closes idle connections past the idle timeout (keeping the minimum), drops dead ones, and
    /// opens connections up to the minimum. Runs on the pool's event loop.
    private func maintain() {
        let now = NIODeadline.now()
        let idleLimit = TimeAmount.nanoseconds(options.idleTimeout.nanoseconds)
        let (expired, toOpen) = state.withLockedValue { state -> ([RedisConnection], Int) in
            guard !state.closed else { return ([], 0) }
            var expired: [RedisConnection] = []
            state.idle.removeAll { idle in
                if idle.connection.isClosed {
                    expired.append(idle.connection)
                    return true
                }
                return false
            }
            // Oldest first: the idle list is in release order.
            while state.idle.count + state.leased.count + state.connecting > options.minimumConnections,
                  let oldest = state.idle.first, now - oldest.since >= idleLimit {
                expired.append(state.idle.removeFirst().connection)
            }
            let total = state.idle.count + state.leased.count + state.connecting
            let toOpen = max(0, options.minimumConnections - total)
            state.connecting += toOpen
            return (expired, toOpen)
        }
        if !expired.isEmpty || toOpen > 0 { recordGauges() }
        for connection in expired { Task { await connection.close() } }
        for _ in 0..<toOpen {
            Task { await self.openIdle() }
        }
    }

    private func openIdle() async {
        let connection = RedisConnection(factory: factory, configuration: configuration, eventLoop: factory.eventLoopGroup.next())
        let opened: Bool
        do {
            try await connection.start()
            opened = true
        } catch {
            factory.logger.debug("pool could not open a connection", metadata: ["error": "\(error)"])
            opened = false
        }
        enum Action { case none, close, hand(Waiter) }
        let action = state.withLockedValue { state -> Action in
            state.connecting -= 1
            guard opened else { return .none }
            guard !state.closed else { return .close }
            return state.handOver(connection).map(Action.hand) ?? .none
        }
        switch action {
        case .none: break
        case .close: await connection.close()
        case .hand(let waiter):
            waiter.resume(.connection(connection))
        }
        recordGauges()
    }

    private func recordGauges() {
        let statistics = self.statistics
        factory.metrics.poolActive.record(statistics.active)
        factory.metrics.poolIdle.record(statistics.idle)
        factory.metrics.poolWaiting.record(statistics.waiting)
        factory.metrics.poolTotal.record(statistics.total)
    }
}
