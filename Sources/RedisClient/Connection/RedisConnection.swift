public import Logging
public import NIOCore
import Metrics
import NIOConcurrencyHelpers
public import NIOPosix
public import RESP
import Synchronization
import Tracing

/// One connection to Redis (or to an embedded Redlite store), shared by any number of tasks, that
/// reconnects by itself.
///
/// **Automatic pipelining.** Commands from concurrent tasks are appended to one outgoing buffer;
/// everything that arrives while a write is pending goes out in the next single write. Replies are
/// matched to commands strictly in order. A reply that belongs to no waiting command, or bytes that
/// are not RESP, reset the connection and fail every pending command with `.protocolViolation`.
///
/// **Deadlines.** Every command ends with a value or a ``RedisClientError`` by its deadline
/// (``RedisConfiguration/commandTimeout``, or the `timeout:` given to the call). One sweep per
/// connection, not a timer per command, enforces them. A reply that is late resets the
/// connection (its reply would otherwise arrive out of step): the late command fails with
/// `.timeout(.reply)`, the others in flight with `.connection(.connectionLost)`.
///
/// **Reconnects.** When the connection drops, commands already written fail with
/// `.connection(.connectionLost)` and are **never re-sent** (no command runs twice). Commands issued
/// while down wait in a bounded offline queue and are written after the next successful handshake
/// (HELLO/AUTH, SELECT, CLIENT SETNAME are replayed first). Reconnects back off exponentially
/// with jitter (``RedisConfiguration/ReconnectPolicy``).
///
/// **Cancellation.** Cancelling the calling task ends its command at once with `.cancelled`. A
/// command not yet written is withdrawn; one already written may still run, and its reply is
/// discarded.
///
/// ```swift
/// let connection = try await RedisConnection.connect(configuration: RedisConfiguration(url: "redis://127.0.0.1:6379"))
/// try await connection.send("SET", "greeting", "hello")
/// let value = try await connection.send("GET", "greeting").string   // "hello"
/// await connection.close()
/// ```
///
/// Most applications use ``RedisClient``, which owns one shared connection and a pool.
public final class RedisConnection: Sendable {
    /// The configuration this connection was made with.
    public let configuration: RedisConfiguration
    /// The event loop the connection's socket, timers and reply handling run on. Running the calling
    /// tasks on it (see ``taskExecutor``) removes a thread hop per command.
    public let eventLoop: any EventLoop
    /// A `TaskExecutor` that runs jobs on ``eventLoop``: pass it to `withTaskExecutorPreference` so
    /// that tasks issuing many commands resume on the thread that reads the replies.
    public let taskExecutor: EventLoopTaskExecutor
    let factory: ConnectionFactory
    let logger: Logger
    private let state: NIOLockedValueBox<ConnectionState>
    private let broadcaster = EventBroadcaster()
    private let nextID = Atomic<UInt64>(1)
    private let sweepTask: NIOLockedValueBox<RepeatedTask?> = NIOLockedValueBox(nil)
    private let offlineLimit: Int
    private let tracing: Bool
    private static let connectionIDs = Atomic<UInt64>(0)
    /// Receives frames no command waits for (the pub/sub subscriber connection); `nil` on ordinary
    /// connections, where RESP3 pushes are ignored and any other unexpected reply is a violation.
    private let outOfBand: OutOfBandHandler?
    /// Receives RESP3 pushes on an ordinary connection (the client's shared connection carries
    /// pub/sub under RESP3); set once by the pub/sub layer. Anything else unexpected stays a
    /// protocol violation here.
    private let pushHandler = NIOLockedValueBox<OutOfBandHandler?>(nil)

    /// Routes this connection's RESP3 push frames to `handler` from now on.
    func setPushHandler(_ handler: @escaping OutOfBandHandler) {
        pushHandler.withLockedValue { $0 = handler }
    }

    /// Frames that are not replies to a command: every RESP3 push, and (on a connection made with
    /// one) any value that arrives while no command is waiting, which is how RESP2 delivers pub/sub
    /// messages and subscribe confirmations. Called on the event loop, in arrival order, with the
    /// connection's lock released.
    typealias OutOfBandHandler = @Sendable ([RESPValue]) -> Void

    init(factory: ConnectionFactory, configuration: RedisConfiguration, eventLoop: any EventLoop, outOfBand: OutOfBandHandler? = nil) {
        self.outOfBand = outOfBand
        self.factory = factory
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.taskExecutor = EventLoopTaskExecutor(eventLoop: eventLoop)
        self.offlineLimit = max(0, configuration.offlineQueueLimit)
        // Spans cost a lock (the tracer lookup) and a dictionary per command even when no tracer is
        // installed: skip them when the process runs the no-op tracer (bootstrap tracing first).
        self.tracing = configuration.tracingEnabled && !(InstrumentationSystem.tracer is NoOpTracer)
        var logger = factory.logger
        logger[metadataKey: "redis.connection"] = "\(Self.connectionIDs.wrappingAdd(1, ordering: .relaxed).newValue)"
        logger[metadataKey: "redis.endpoint"] = "\(configuration.endpoint)"
        self.logger = logger
        self.state = NIOLockedValueBox(ConnectionState())
    }

    deinit {
        let link = state.withLockedValue { $0.link }
        link?.close()
        sweepTask.withLockedValue { $0?.cancel() }
    }

    /// Connects to the server in `configuration` and returns once the handshake is done.
    ///
    /// A connection made this way owns its transport: an embedded URL gets a store of its own
    /// (for `redlite::memory:`, one no other connection sees). Use ``RedisClient`` to share.
    ///
    /// - Throws: `.connection(.connectFailed)`, `.connection(.tlsHandshakeFailed)`,
    ///   `.timeout(.connect)` or `.server` (for example `WRONGPASS`) when the first attempt fails;
    ///   later failures are handled by reconnecting.
    public static func connect(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "redis.client")
    ) async throws(RedisClientError) -> RedisConnection {
        try await open(configuration: configuration, eventLoopGroup: eventLoopGroup, logger: logger, metricsFactory: nil)
    }

    /// Makes a transport factory and its first connection, handshake done; the factory is shut down
    /// again when that first connection fails. Shared by ``connect(configuration:eventLoopGroup:logger:)``
    /// and ``RedisClient``, which reaches the factory through the connection's `factory`.
    static func open(
        configuration: RedisConfiguration,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        metricsFactory: (any MetricsFactory)?
    ) async throws(RedisClientError) -> RedisConnection {
        let factory = try await ConnectionFactory.make(configuration: configuration, eventLoopGroup: eventLoopGroup,
                                                        threadPool: .singleton, logger: logger, metricsFactory: metricsFactory)
        let connection = RedisConnection(factory: factory, configuration: configuration, eventLoop: eventLoopGroup.next())
        do {
            try await connection.start()
        } catch {
            factory.shutdown()
            throw error
        }
        return connection
    }

    /// Makes the first connection; on failure the connection is closed and the error thrown.
    func start() async throws(RedisClientError) {
        let interval = Self.sweepInterval(configuration)
        let task = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [weak self] _ in
            self?.sweep()
        }
        sweepTask.withLockedValue { $0 = task }
        do {
            try await establish()
        } catch {
            await close()
            throw error
        }
    }

    private static func sweepInterval(_ configuration: RedisConfiguration) -> TimeAmount {
        let shortest = min(configuration.commandTimeout, configuration.connectTimeout)
        let tenth = shortest.nanoseconds / 10
        return .nanoseconds(min(max(tenth, 5_000_000), 100_000_000))
    }

    // MARK: Public API

    /// A new sequence of this connection's events from now on (each call a new subscriber).
    /// It finishes when the connection is closed.
    public var events: AsyncStream<RedisConnectionEvent> { broadcaster.subscribe() }

    /// The protocol negotiated by the last handshake (`.resp3` after a successful `HELLO 3`).
    public var protocolVersion: RESPVersion { state.withLockedValue { $0.protocolVersion } }

    /// Whether the connection is up right now (handshake done).
    public var isConnected: Bool {
        state.withLockedValue { if case .ready = $0.phase { true } else { false } }
    }

    /// Whether ``close()`` was called, or a connection that does not reconnect has died.
    public var isClosed: Bool { state.withLockedValue { $0.isClosed } }

    /// Sends one command and returns its reply.
    ///
    /// Safe to call from any number of tasks at once: concurrent commands share writes and each
    /// gets its own reply.
    ///
    /// - Parameters:
    ///   - command: the command.
    ///   - timeout: overrides ``RedisConfiguration/commandTimeout`` for this call.
    /// - Returns: the reply; an error reply is thrown as `.server`.
    /// - Throws: ``RedisClientError`` (every category; see its cases for what each means about
    ///   whether the command ran).
    public func send(_ command: RedisCommand, timeout: Duration? = nil) async throws(RedisClientError) -> RESPValue {
        let started = NIODeadline.now()
        let deadline = self.deadline(for: command, timeout: timeout, now: started)
        let span: (any Span)? = tracing ? startSpan(command.operationName) : nil
        let result = await submitSingle(command.encoded, deadline: deadline)
        factory.metrics.commandDuration.recordNanoseconds((NIODeadline.now() - started).nanoseconds)
        switch result {
        case .success(let value):
            if let message = value.errorMessage {
                let error = RedisClientError.server(RedisReplyError(message: message))
                finish(span, error: error)
                throw error
            }
            span?.end()
            return value
        case .failure(let error):
            finish(span, error: error)
            throw error
        }
    }

    /// Sends `commands` in one write and returns their results in order: a value, or the error of
    /// that command alone (an error reply fails only its own command).
    ///
    /// The commands are written back to back with nothing from other tasks between them. If the
    /// connection drops before every reply arrived, the commands without a reply fail with
    /// `.connection(.connectionLost)` (they may have run) and are not re-sent. The pipeline's
    /// deadline is the latest of its commands' deadlines.
    public func pipeline(_ commands: [RedisCommand], timeout: Duration? = nil) async -> [Result<RESPValue, RedisClientError>] {
        guard !commands.isEmpty else { return [] }
        let started = NIODeadline.now()
        var deadline = started
        var bytes = ByteBuffer()
        bytes.reserveCapacity(commands.reduce(0) { $0 + $1.encoded.readableBytes })
        for command in commands {
            bytes.writeImmutableBuffer(command.encoded)
            deadline = max(deadline, self.deadline(for: command, timeout: timeout, now: started))
        }
        let span: (any Span)? = tracing ? startSpan("PIPELINE", count: commands.count) : nil
        let results = await submitPipeline(bytes, count: commands.count, deadline: deadline)
        factory.metrics.commandDuration.recordNanoseconds((NIODeadline.now() - started).nanoseconds)
        var failed: RedisClientError?
        let mapped = results.map { result -> Result<RESPValue, RedisClientError> in
            switch result {
            case .success(let value):
                if let message = value.errorMessage {
                    let error = RedisClientError.server(RedisReplyError(message: message))
                    factory.metrics.recordError(error)
                    failed = failed ?? error
                    return .failure(error)
                }
                return .success(value)
            case .failure(let error):
                factory.metrics.recordError(error)
                failed = failed ?? error
                return .failure(error)
            }
        }
        if let span {
            if let failed { span.recordError(failed); span.setStatus(SpanStatus(code: .error)) }
            span.end()
        }
        return mapped
    }

    /// Closes the connection. Every command still queued or in flight fails at once with
    /// `.disconnected(.closed)`; a pending reconnect is cancelled; the event sequences finish.
    /// Returns when the socket is closed. Calling it again does nothing.
    public func close() async {
        var resumptions: [Resumption] = []
        let (link, connector) = state.withLockedValue { state -> (Link?, Task<Void, Never>?) in
            guard !state.isClosed else { return (nil, nil) }
            let link = state.link
            state.phase = .closed
            state.generation &+= 1
            state.failInFlight(with: .disconnected(.closed), expiredBy: nil, into: &resumptions)
            state.failOffline(with: .disconnected(.closed), into: &resumptions)
            defer { state.connector = nil }
            return (link, state.connector)
        }
        for resumption in resumptions { resumption.resume() }
        connector?.cancel()
        sweepTask.withLockedValue {
            $0?.cancel()
            $0 = nil
        }
        broadcaster.finish()
        switch link {
        case .channel(let channel):
            try? await channel.close().get()
        case .embedded(let session):
            session.close()
        case nil:
            break
        }
    }

    // MARK: Submitting

    private func deadline(for command: RedisCommand, timeout: Duration?, now: NIODeadline) -> NIODeadline {
        var allowance = timeout ?? configuration.commandTimeout
        if let blocking = command.blockingTimeout {
            if blocking == .zero { return .distantFuture }
            allowance += blocking + configuration.blockingCommandAllowance
        }
        return now + .nanoseconds(allowance.nanoseconds)
    }

    private func submitSingle(_ bytes: ByteBuffer, deadline: NIODeadline) async -> ReplyResult {
        if Task.isCancelled { return .failure(.cancelled) }  // never sent
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: SingleContinuation) in
                let outcome = state.withLockedValue {
                    $0.enqueue(id: id, bytes: bytes, waiter: .single(continuation), deadline: deadline, commandCount: 1, offlineLimit: offlineLimit)
                }
                switch outcome {
                case .queued: break
                case .scheduleFlush: scheduleFlush()
                case .fail(let error): continuation.resume(returning: .failure(error))
                }
                // A cancellation that raced with the enqueue found nothing to cancel: do it now.
                if Task.isCancelled { cancel(id: id) }
            }
        } onCancel: {
            cancel(id: id)
        }
    }

    private func submitPipeline(_ bytes: ByteBuffer, count: Int, deadline: NIODeadline) async -> [ReplyResult] {
        if Task.isCancelled { return Array(repeating: .failure(.cancelled), count: count) }  // never sent
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        return await withTaskCancellationHandler {
            await withUnsafeContinuation { (continuation: PipelineContinuation) in
                var results: [ReplyResult] = []
                results.reserveCapacity(count)
                let outcome = state.withLockedValue {
                    $0.enqueue(id: id, bytes: bytes, waiter: .pipeline(continuation, results: results, expected: count),
                               deadline: deadline, commandCount: count, offlineLimit: offlineLimit)
                }
                switch outcome {
                case .queued: break
                case .scheduleFlush: scheduleFlush()
                case .fail(let error): continuation.resume(returning: Array(repeating: .failure(error), count: count))
                }
                if Task.isCancelled { cancel(id: id) }
            }
        } onCancel: {
            cancel(id: id)
        }
    }

    /// Writes `command` without waiting for a reply: its answers arrive through the out-of-band
    /// handler. Returns false (nothing written) when the connection is not ready.
    func sendWithoutReply(_ command: RedisCommand) -> Bool {
        let outcome = state.withLockedValue { $0.enqueueWithoutReply(bytes: command.encoded) }
        switch outcome {
        case .queued: return true
        case .scheduleFlush: scheduleFlush(); return true
        case .fail: return false
        }
    }

    private func cancel(id: UInt64) {
        let resumption = state.withLockedValue { $0.cancel(id: id) }
        resumption?.resume()
    }

    @inline(__always)
    private func scheduleFlush() {
        eventLoop.execute { self.flush() }
    }

    /// Writes everything appended since the last flush, in one write. Runs on the event loop.
    private func flush() {
        guard let (link, bytes) = state.withLockedValue({ $0.takeOutbound() }) else { return }
        link.write(bytes)
    }

    // MARK: Connecting

    /// One connect attempt: link, handshake, then ready (the offline queue is written).
    private func establish() async throws(RedisClientError) {
        let deadline = NIODeadline.now() + .nanoseconds(configuration.connectTimeout.nanoseconds)
        let generation: UInt64? = state.withLockedValue { state in
            guard !state.isClosed else { return nil }
            state.phase = .connecting
            state.generation &+= 1
            return state.generation
        }
        guard let generation else { throw .disconnected(.closed) }
        let link = try await factory.openLink(on: eventLoop, generation: generation, sink: self, deadline: deadline)
        let installed = state.withLockedValue { state -> Bool in
            guard state.generation == generation, case .connecting = state.phase else { return false }
            state.phase = .handshaking(link)
            return true
        }
        guard installed else {
            link.close()
            throw .disconnected(.closed)
        }
        do {
            try await handshake(generation: generation, deadline: deadline)
        } catch {
            linkFailed(generation: generation, reason: .connectionLost,
                       failure: .connection(.connectionLost(reason: "handshake failed: \(error)")), expiredBy: nil)
            link.close()
            if case .timeout(.reply) = error { throw .timeout(.connect) }
            throw error
        }
        let (ready, flush) = state.withLockedValue { $0.becomeReady(generation: generation, link: link) }
        guard ready else {
            throw .connection(.connectionLost(reason: "the connection closed during the handshake"))
        }
        if flush { scheduleFlush() }
        logger.debug("redis connection ready")
        broadcaster.emit(.connected)
    }

    /// HELLO 3 (with AUTH and SETNAME), or AUTH and CLIENT SETNAME on RESP2, then SELECT.
    private func handshake(generation: UInt64, deadline: NIODeadline) async throws(RedisClientError) {
        var resp3 = false
        if configuration.protocolPreference == .resp3 {
            var hello = ["HELLO", "3"]
            if let password = configuration.password { hello += ["AUTH", configuration.username ?? "default", password] }
            if let name = configuration.clientName { hello += ["SETNAME", name] }
            let reply = try await handshakeCommand(RedisCommand(hello), generation: generation, deadline: deadline)
            if let message = reply.errorMessage {
                let error = RedisReplyError(message: message)
                // Servers without HELLO (Redis < 6) or without RESP3: fall back to RESP2.
                guard error.code == "NOPROTO" || message.lowercased().contains("unknown command") else { throw .server(error) }
                logger.debug("HELLO refused, using RESP2", metadata: ["reply": "\(message)"])
            } else {
                resp3 = true
            }
        }
        if !resp3 {
            if let password = configuration.password {
                let auth = configuration.username.map { ["AUTH", $0, password] } ?? ["AUTH", password]
                try await expectOK(RedisCommand(auth), generation: generation, deadline: deadline)
            }
            if let name = configuration.clientName {
                try await expectOK(RedisCommand(["CLIENT", "SETNAME", name]), generation: generation, deadline: deadline)
            }
        }
        if configuration.database != 0 {
            try await expectOK(RedisCommand(["SELECT", String(configuration.database)]), generation: generation, deadline: deadline)
        }
        state.withLockedValue { $0.protocolVersion = resp3 ? .resp3 : .resp2 }
    }

    private func expectOK(_ command: RedisCommand, generation: UInt64, deadline: NIODeadline) async throws(RedisClientError) {
        let reply = try await handshakeCommand(command, generation: generation, deadline: deadline)
        if let message = reply.errorMessage { throw .server(RedisReplyError(message: message)) }
    }

    private func handshakeCommand(_ command: RedisCommand, generation: UInt64, deadline: NIODeadline) async throws(RedisClientError) -> RESPValue {
        let result = await withUnsafeContinuation { (continuation: SingleContinuation) in
            let outcome = state.withLockedValue {
                $0.enqueueHandshake(generation: generation, bytes: command.encoded, continuation: continuation, deadline: deadline)
            }
            switch outcome {
            case .queued: break
            case .scheduleFlush: scheduleFlush()
            case .fail(let error): continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Reconnects until it succeeds or the connection is closed.
    private func startReconnecting() {
        let task = Task { [self] in await reconnectLoop() }
        let keep = state.withLockedValue { state -> Bool in
            guard !state.isClosed else { return false }
            state.connector = task
            return true
        }
        if !keep { task.cancel() }
    }

    private func reconnectLoop() async {
        var attempt = 1
        while !Task.isCancelled {
            let delay = configuration.reconnect.delay(attempt: attempt)
            broadcaster.emit(.reconnecting(attempt: attempt, delay: delay))
            factory.metrics.reconnects.increment()
            logger.info("redis reconnecting", metadata: ["attempt": "\(attempt)", "delay": "\(delay)"])
            do {
                try await Task.sleep(for: delay)
            } catch {
                return
            }
            if isClosed { return }
            let outcome: Result<Void, RedisClientError>
            do {
                try await establish()
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success:
                return
            case .failure(.disconnected(.closed)):
                return
            case .failure(let error):
                logger.warning("redis reconnect failed", metadata: ["attempt": "\(attempt)", "error": "\(error)"])
                broadcaster.emit(.error(error))
                attempt += 1
            }
        }
    }

    // MARK: Failures

    /// The link `generation` is gone. Fails what was in flight and, when the connection was up,
    /// starts reconnecting (or closes, when reconnects are off). During a handshake the connect
    /// attempt in progress sees the failure and handles it.
    private func linkFailed(generation: UInt64, reason: RedisDisconnectReason, failure: RedisClientError, expiredBy: NIODeadline?) {
        var resumptions: [Resumption] = []
        let (link, wasReady, closedNow) = state.withLockedValue { state -> (Link?, Bool, Bool) in
            guard state.generation == generation, let link = state.link else { return (nil, false, false) }
            let wasReady: Bool = if case .ready = state.phase { true } else { false }
            state.generation &+= 1
            state.failInFlight(with: failure, expiredBy: expiredBy, into: &resumptions)
            if !wasReady {
                state.phase = .connecting
                return (link, false, false)
            }
            if configuration.reconnect.isEnabled {
                state.phase = .waiting
                return (link, true, false)
            }
            state.phase = .closed
            state.failOffline(with: .disconnected(.closed), into: &resumptions)
            return (link, true, true)
        }
        guard let link else { return }
        for resumption in resumptions {
            resumption.resume()
        }
        link.close()
        guard wasReady else { return }
        logger.info("redis connection down", metadata: ["reason": "\(reason.rawValue)", "failure": "\(failure)"])
        broadcaster.emit(.disconnected(reason: reason))
        if closedNow {
            sweepTask.withLockedValue {
                $0?.cancel()
                $0 = nil
            }
            broadcaster.finish()
        } else {
            startReconnecting()
        }
    }

    /// Enforces deadlines: queued commands past theirs fail with `.timeout(.write)`; an overdue
    /// reply resets the connection. Runs on the event loop every few milliseconds.
    private func sweep() {
        let now = NIODeadline.now()
        var resumptions: [Resumption] = []
        let (overdue, generation, offline, inFlight) = state.withLockedValue { state -> (Bool, UInt64, Int, Int) in
            let overdue = state.sweep(now: now, into: &resumptions)
            return (overdue, state.generation, state.offlineCommandCount, state.inFlight.count)
        }
        for resumption in resumptions { resumption.resume() }
        factory.metrics.offlineDepth.record(offline)
        factory.metrics.inFlightDepth.record(inFlight)
        if overdue {
            logger.warning("redis reply timeout, resetting the connection")
            linkFailed(generation: generation, reason: .timeout,
                       failure: .connection(.connectionLost(reason: "the connection was reset after a reply timeout")), expiredBy: now)
        }
    }

    // MARK: Tracing

    private func startSpan(_ operation: String, count: Int? = nil) -> any Span {
        let span = InstrumentationSystem.tracer.startSpan(operation, context: ServiceContext.current ?? .topLevel, ofKind: .client)
        span.updateAttributes { attributes in
            attributes["db.system"] = "redis"
            attributes["db.operation"] = operation
            attributes["db.redis.database_index"] = configuration.database
            switch configuration.endpoint {
            case .tcp(let host, let port):
                attributes["server.address"] = host
                attributes["server.port"] = port
                attributes["network.transport"] = "tcp"
            case .unixSocket(let path):
                attributes["server.address"] = path
                attributes["network.transport"] = "unix"
            case .embedded:
                attributes["network.transport"] = "inproc"
            }
            if let count { attributes["db.operation.batch.size"] = count }
        }
        return span
    }

    private func finish(_ span: (any Span)?, error: RedisClientError) {
        factory.metrics.recordError(error)
        guard let span else { return }
        span.recordError(error)
        span.attributes["error.type"] = error.category.rawValue
        span.setStatus(SpanStatus(code: .error))
        span.end()
    }
}

extension RedisConnection: RedisReplySink {
    func receive(_ values: inout [RESPValue], generation: UInt64) {
        var resumptions: [Resumption] = []
        resumptions.reserveCapacity(values.count)
        var outOfBandValues: [RESPValue] = []
        let outOfBand = self.outOfBand
        let pushes = outOfBand == nil ? pushHandler.withLockedValue { $0 } : nil
        var pushValues: [RESPValue] = []
        let unexpected: RESPValue? = state.withLockedValue { state in
            guard state.generation == generation else { return nil }
            for value in values {
                if case .push = value {  // out-of-band (RESP3 push), not a reply
                    if outOfBand != nil { outOfBandValues.append(value) } else if pushes != nil { pushValues.append(value) }
                    continue
                }
                if outOfBand != nil, state.inFlight.isEmpty {
                    outOfBandValues.append(value)
                    continue
                }
                if !state.deliver(value, into: &resumptions) { return value }
            }
            return nil
        }
        values.removeAll(keepingCapacity: true)
        for resumption in resumptions { resumption.resume() }
        if let outOfBand, !outOfBandValues.isEmpty { outOfBand(outOfBandValues) }
        if let pushes, !pushValues.isEmpty { pushes(pushValues) }
        if let unexpected {
            let message = "a reply arrived with no command waiting for it: \(unexpected)"
            logger.error("redis protocol violation", metadata: ["detail": "\(message)"])
            factory.metrics.recordError(.protocolViolation(message))
            broadcaster.emit(.error(.protocolViolation(message)))
            linkFailed(generation: generation, reason: .connectionLost, failure: .protocolViolation(message), expiredBy: nil)
        }
    }

    func linkClosed(generation: UInt64, reason: RedisDisconnectReason, detail: String) {
        linkFailed(generation: generation, reason: reason, failure: .connection(.connectionLost(reason: detail)), expiredBy: nil)
    }

    func protocolViolation(generation: UInt64, message: String) {
        logger.error("redis protocol violation", metadata: ["detail": "\(message)"])
        broadcaster.emit(.error(.protocolViolation(message)))
        linkFailed(generation: generation, reason: .connectionLost, failure: .protocolViolation(message), expiredBy: nil)
    }
}
