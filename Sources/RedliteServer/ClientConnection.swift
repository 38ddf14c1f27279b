import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import RESP
import RedisCommands
import Redlite

/// One client connection: requests in, replies out, in order, with the client's state (database,
/// protocol, authentication, MULTI queue, WATCHed keys, subscriptions).
///
/// Requests are handled one at a time in arrival order. Reads run right here on the event loop (on a
/// read connection: they never wait for writes); writes go to the group committer and the next
/// request waits for their commit, so a pipeline reads its own writes. Replies are written as they
/// are ready and flushed once per read batch or commit, so a pipeline's replies leave in few writes.
final class ClientConnection: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let server: ServerContext
    var session = RedliteSession()
    var authenticated: Bool
    var user = "default"
    var name = ""
    /// Queued commands between MULTI and EXEC; nil outside a transaction.
    var transaction: [[ByteBuffer]]? {
        didSet { if transaction?.isEmpty ?? true { transactionBytes = 0 } }
    }
    var transactionFailed = false
    var watched: [(database: Int, key: ByteBuffer, version: KeyVersion?)] = [] {
        didSet { if watched.isEmpty { watchedBytes = 0 } }
    }
    /// The size of the MULTI queue and of the WATCHed keys. Redis lets them (and subscriptions) grow
    /// without bound; here they count toward the query-buffer limit with the unprocessed input (what
    /// a client sent and the server keeps for it), so a client that queues, watches or subscribes
    /// without end is closed at the limit instead.
    var transactionBytes = 0
    var watchedBytes = 0
    /// The same for the channels and patterns subscribed to.
    var subscriptionBytes = 0
    var channels: Set<ByteBuffer> = []
    var patterns: Set<ByteBuffer> = []
    var shardChannels: Set<ByteBuffer> = []
    var subscriber: PubSubHub.Subscriber?
    /// Published messages not yet written (filled on the publisher's thread).
    let inbox = NIOLockedValueBox<[PubSubHub.Message]>([])
    /// MONITOR lines not yet written (filled on other connections' threads).
    let monitorInbox = NIOLockedValueBox<[String]>([])
    var isMonitor = false
    /// Set while blocked in BLPOP and friends.
    var blockedWaiter: BlockingRegistry.Waiter?
    var blockTimeout: Scheduled<Void>?
    /// Set while in WAIT with a timeout.
    var waitTimer: Scheduled<Void>?
    /// Error replies sent so far (tells whether a server command failed).
    private var errorsReplied = 0
    /// CLIENT REPLY: whether replies are sent (OFF: none until ON; SKIP: not the next command's).
    var replies = ReplyMode.on
    /// Non-nil while a server command runs inside EXEC: its reply is kept here, not sent.
    var capturedReplies: [RESPValue]?
    enum ReplyMode { case on, off, skipNext, skipping }

    var handle: ClientHandle!
    var context: ChannelHandlerContext!
    /// Reads go through the event loop's reader (one snapshot per tick of the loop).
    private var reader: LoopReader?
    /// Requests received and not yet processed (while a write commits, a client blocks, or until the
    /// read batch ends), and their size: like Redis's unprocessed query buffer, held to the
    /// query-buffer limit, so a client that keeps sending while its requests wait cannot grow it
    /// without bound.
    private var pending = CircularBuffer<[ByteBuffer]>()
    private var pendingBytes = 0
    /// Received bytes not yet decoded into `pending`.
    private var input: RequestInput
    /// Redis's client-query-buffer-limit: the unparsed input and the requests waiting in `pending`
    /// together (checked apart, a client could hold nearly twice the limit).
    private let queryBufferLimit: Int
    var waitingForCommit = false
    /// Set while CLIENT PAUSE holds this client (its next request waits at the front of `pending`).
    private var heldByPause = false
    /// Replies encoded and not yet written. Kept from one write to the next: NIO has normally sent a
    /// write and let go of its buffer by the time the flush returns, and then the same memory takes
    /// the next replies without an allocation.
    private var outbound = ByteBuffer()
    private var lastCommandName = ""
    private var closing = false
    /// The channel has closed (set in channelInactive): nothing may be registered for this client
    /// any more (subscriptions, monitoring, blocking).
    private(set) var departed = false
    /// A protocol error to answer (then close) once the requests before it are answered.
    private var closingError: String?
    /// Bytes written but not yet confirmed sent, for the output-buffer limits (counted for
    /// subscribers and monitors, and for everyone while ordinary clients have a limit).
    var outputBytes = 0
    /// Since when `outputBytes` has been at the soft limit or above.
    var overSoftLimitSince: ContinuousClock.Instant?

    init(server: ServerContext, limits: RESPLimits, queryBufferLimit: Int) {
        self.server = server
        self.input = RequestInput(limits: limits)
        self.queryBufferLimit = queryBufferLimit
        self.authenticated = !server.authenticationRequired
        server.connectionHandlersAlive.increment()
    }

    deinit {
        server.connectionHandlersAlive.increment(by: -1)
    }

    var isSubscribed: Bool { !channels.isEmpty || !patterns.isEmpty || !shardChannels.isEmpty }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound = context.channel.allocator.buffer(capacity: Self.initialReplyCapacity)
        reader = server.reader(for: context.eventLoop)
        let channel = context.channel
        handle = ClientHandle(
            id: server.clients.makeID(),
            address: channel.remoteAddress.map(Self.describe) ?? "",
            localAddress: channel.localAddress.map(Self.describe) ?? "",
            close: { channel.close(promise: nil) }
        )
    }

    func channelActive(context: ChannelHandlerContext) {
        server.connectionsReceived.increment()
        if server.clients.count >= server.configuration.maxClients {
            server.rejectedConnections.increment()
            var buffer = context.channel.allocator.buffer(capacity: 64)
            buffer.writeString("-ERR max number of clients reached\r\n")
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
            closing = true
            return
        }
        server.clients.register(handle)
        server.connectionGauge.record(server.clients.count)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        // Nothing more runs for this client: requests still pending are dropped, and a commit that
        // finishes after this (an EXEC with a SUBSCRIBE or MONITOR queued) registers nothing.
        departed = true
        closing = true
        pending.removeAll()
        pendingBytes = 0
        server.clients.unregister(handle.id)
        server.connectionGauge.record(server.clients.count)
        unsubscribeAll()
        if isMonitor {
            server.monitor.remove(id: handle.id)
            isMonitor = false
        }
        if heldByPause { server.pause.release(id: handle.id) }
        waitTimer?.cancel()
        waitTimer = nil
        // A client that disconnects while blocked leaves nothing behind.
        if let waiter = blockedWaiter {
            server.store.blocking.cancel(waiter)
            blockTimeout?.cancel()
            blockedWaiter = nil
        }
        // The closures that reach this connection (its pub/sub subscriber, the unblocker of a blocked
        // BLPOP or WAIT) hold it strongly, and it holds them: dropped here, or every connection that
        // ever subscribed or blocked stayed in memory after it closed.
        subscriber = nil
        handle.unblocker.withLockedValue { $0 = nil }
        context.fireChannelInactive()
    }

    /// The context holds this handler and this handler held the context: NIO removes the handler
    /// after the channel closes, and only dropping the context here lets both go. (Every connection
    /// had stayed in memory, about 5.5 KB each: 110 MB after 20,000 short-lived clients.) Work that
    /// finishes later (a commit, a timer, a message) finds `context` nil and sends nothing.
    func handlerRemoved(context: ChannelHandlerContext) {
        departed = true
        closing = true
        self.context = nil
    }

    /// Requests are collected over one read batch and processed at its end (`channelReadComplete`), so
    /// a pipeline's writes share one commit, its reads one snapshot, and its replies one write.
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing, closingError == nil else { return }
        var bytes = unwrapInboundIn(data)
        handle.bytesReceived.add(Int64(bytes.readableBytes), ordering: .relaxed)
        handle.readsProcessed.add(1, ordering: .relaxed)
        input.append(&bytes)
        decodeInput()
        // A read batch is bounded by NIO's read sizes; this only caps the wait of its first request.
        if pending.count >= Self.maximumRun && !waitingForCommit { processPending() }
    }

    /// Moves the complete requests received into `pending`. Before authentication Redis parses one
    /// request at a time, after the one before it has run (an AUTH lifts the tighter bounds for the
    /// requests behind it); so does this. A protocol error is answered once the requests before it
    /// are; nothing after it runs.
    private func decodeInput() {
        guard !closing, closingError == nil else { return }
        do {
            while authenticated || pending.isEmpty, let request = try input.next(authenticated: authenticated) {
                pending.append(request)
                pendingBytes += Self.size(of: request)
            }
        } catch {
            closingError = "ERR \(error.message)"
        }
        checkQueryBufferLimit()
        publishMemory()
    }

    /// Publishes what CLIENT LIST reports of this client's memory (relaxed stores: a few per batch).
    private func publishMemory() {
        handle.queryBufferBytes.store(pendingBytes + input.unparsedBytes, ordering: .relaxed)
        handle.queryBufferFree.store(input.freeBytes, ordering: .relaxed)
        handle.multiBytes.store(transactionBytes, ordering: .relaxed)
        handle.outputBufferBytes.store(outputBytes + outbound.readableBytes, ordering: .relaxed)
        handle.keptBytes.store(watchedBytes + subscriptionBytes, ordering: .relaxed)
    }

    /// Closes the client once what it has sent and is kept (unparsed input, requests waiting, the
    /// MULTI queue and WATCHed keys) passes the query-buffer limit.
    func checkQueryBufferLimit() {
        if keptInputBytes > queryBufferLimit { closeForQueryBufferLimit() }
    }

    private var keptInputBytes: Int { pendingBytes + input.unparsedBytes + transactionBytes + watchedBytes + subscriptionBytes }

    /// What a kept key or channel name counts toward the query-buffer limit: its bytes and its entry.
    static func keptSize(of name: ByteBuffer) -> Int { name.readableBytes + 32 }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !waitingForCommit { processPending() }
        context.fireChannelReadComplete()
    }

    /// Redis closes a client whose unprocessed input passes the limit at once, even one that is
    /// blocked or waiting for a commit; nothing of the unprocessed input runs.
    private func closeForQueryBufferLimit() {
        guard !closing else { return }
        server.logger.warning("closing client \(handle.id): query buffer limit reached (\(keptInputBytes) bytes of unprocessed input, MULTI queue, WATCHed keys and subscriptions)")
        transaction = nil
        watched = []
        pending.removeAll()
        pendingBytes = 0
        input.discard()
        sendClosingError("ERR query buffer limit exceeded")
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Protocol errors are found by `decodeInput`; what arrives here is the transport's (TLS).
        server.logger.debug("connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Sends the protocol error that ends the connection, after every earlier reply.
    private func sendClosingError(_ message: String) {
        guard context != nil else { return }  // gone: nobody to tell
        flushIfNeeded()
        closing = true
        var buffer = context.channel.allocator.buffer(capacity: message.utf8.count + 3)
        buffer.writeRESPValue(.simpleError(message), version: session.protocolVersion)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(buffer)).whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: Processing

    func processPending() {
        guard context != nil else { return }
        // Flushing inside the loop can report the channel writable again, which calls back here: the
        // loop below already goes on, and a nested one would take requests out of order.
        guard !isProcessing else { return }
        isProcessing = true
        defer { isProcessing = false }
        // A client that does not read its replies is not answered further until it catches up: its
        // replies wait in the socket and, up to about the channel's high water mark, in NIO, not in
        // unbounded memory (see `channelWritabilityChanged`). Its requests are still read, so a client
        // that sends a whole pipeline before reading any reply never deadlocks with the server; they
        // wait here, held to the query-buffer limit as any unprocessed request is.
        while !waitingForCommit && !heldByPause && !closing && canReply(), let request = popPending() {
            let name = request[0].lowercasedASCII
            let route = server.routes[name]
            let paused = server.pause.mode != .none
            if paused, pauseHolds(request, name: name, route: route), holdForPause(name) {
                pending.prepend(request)
                pendingBytes += Self.size(of: request)
                break
            }
            // A pipeline's run of plain commands with a write among them goes to the writer as one
            // job: one commit for all of them, replies in order once it is durable. A run of reads
            // only is answered from one read snapshot. (While clients are paused, each request is
            // looked at on its own: a write in the run would have to wait.)
            if pending.count > 0, !paused, let run = plainRun(startingWith: request, name: name, route: route) {
                if run.writes {
                    submitRun(run.requests, names: run.names, routes: run.routes)
                } else {
                    executeReads(run.requests, names: run.names, routes: run.routes)
                }
                continue
            }
            handle(request, name: name, route: route)
        }
        guard !waitingForCommit else { return publishMemory() }
        flushIfNeeded()
        publishMemory()
        if let message = closingError, pending.isEmpty, !closing {
            closingError = nil
            sendClosingError(message)
        }
    }

    /// Whether CLIENT PAUSE holds `request`: in ALL mode every command, in WRITE mode those that may
    /// change the data (writes, PUBLISH, an EXEC with a write queued). What Redis refuses before it
    /// looks at the pause is refused at once here too: a command before authentication, one not
    /// allowed in RESP2 subscribed mode, an unknown command or subcommand, a wrong number of arguments. QUIT is
    /// answered at once, as Redis 7.0 answers it before anything else.
    private func pauseHolds(_ request: [ByteBuffer], name: String, route: CommandRoute) -> Bool {
        switch server.pause.mode {
        case .none: return false
        case .all: break
        case .write:
            let mayWrite = route.mayChangeData
                || (name == "exec" && transaction?.contains { server.routes[$0[0].lowercasedASCII].mayChangeData } == true)
            guard mayWrite else { return false }
        }
        if name == "quit" { return false }
        if !authenticated && !route.allowedUnauthenticated { return false }
        if isSubscribed && session.protocolVersion == .resp2 && !route.allowedWhileSubscribed { return false }
        return route.runs(request) { server.store.implements(name) }
    }

    /// Holds this client until the pause ends; false if it has ended meanwhile. A held client counts
    /// as blocked (CLIENT LIST's `b`, INFO's blocked_clients, no idle timeout), as Redis's postponed
    /// clients do, and CLIENT LIST shows the command it waits to run.
    private func holdForPause(_ name: String) -> Bool {
        guard context != nil else { return false }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        guard server.pause.hold(id: handle.id, resume: { eventLoop.execute { bound.value.resumeAfterPause() } }) else {
            return false
        }
        heldByPause = true
        noteCommand(name)
        handle.update { $0.blocked = true }
        return true
    }

    private func resumeAfterPause() {
        guard heldByPause else { return }
        heldByPause = false
        handle.update { $0.blocked = false }
        processPending()
    }

    /// Whether a request is an engine command this connection may run right now without any
    /// connection-level step (authenticated, not subscribed, not queued in MULTI, not blocking,
    /// answers not held back by CLIENT REPLY).
    private func isPlain(_ route: CommandRoute) -> Bool {
        authenticated && !isSubscribed && transaction == nil && route.isEngineCommand && replies == .on
    }

    private func popPending() -> [ByteBuffer]? {
        if pending.isEmpty { decodeInput() }
        guard let request = pending.popFirst() else { return nil }
        pendingBytes -= Self.size(of: request)
        return request
    }

    /// What a request counts toward the query-buffer limit: its bytes, and a little per argument.
    static func size(of request: [ByteBuffer]) -> Int {
        request.reduce(0) { $0 + $1.readableBytes + 16 }
    }

    /// The most requests one run (one commit or one read snapshot) takes.
    static let maximumRun = 1024

    /// `first` and the plain commands right behind it (at least two), with their names and routes
    /// and whether any of them writes.
    private func plainRun(startingWith first: [ByteBuffer], name firstName: String, route firstRoute: CommandRoute)
        -> (requests: [[ByteBuffer]], names: [String], routes: [CommandRoute], writes: Bool)? {
        guard isPlain(firstRoute) else { return nil }
        var requests = [first]
        var names = [firstName]
        var routes = [firstRoute]
        var writes = firstRoute.isWrite
        while let next = pending.first, requests.count < Self.maximumRun {
            let name = next[0].lowercasedASCII
            let route = server.routes[name]
            guard isPlain(route) else { break }
            writes = writes || route.isWrite
            requests.append(next)
            names.append(name)
            routes.append(route)
            _ = popPending()
        }
        return requests.count > 1 ? (requests, names, routes, writes) : nil
    }

    /// Counters, CLIENT LIST's last command and MONITOR for a run of requests.
    private func noteRun(_ requests: [[ByteBuffer]], names: [String]) {
        server.commandsProcessed.increment(by: Int64(requests.count))
        server.commandCounter.increment(by: Int64(requests.count))
        noteCommand(names[names.count - 1])
        if server.monitor.isActive {
            for request in requests { server.monitor.feed(request, database: session.database, address: handle.address, from: handle.id) }
        }
    }

    /// Answers a run of read commands (from the loop reader's snapshot). Once the replies pass
    /// `flushThreshold` they are sent, and if the client is not keeping up the rest of the run goes
    /// back to the front of the queue.
    private func executeReads(_ requests: [[ByteBuffer]], names: [String], routes: [CommandRoute]) {
        var answered = 0
        for index in requests.indices {
            guard canReply() else { break }
            let request = requests[index], name = names[index]
            let started = DispatchTime.now().uptimeNanoseconds
            let value = read(request, name: name)
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            reply(value)
            server.commandTimer.recordNanoseconds(Int64(elapsed))
            server.recordExecution(request, name: name, route: routes[index], nanoseconds: elapsed, failed: value.isError,
                                   client: handle.address, clientName: self.name)
            answered += 1
        }
        if answered == requests.count {
            noteRun(requests, names: names)
        } else if answered > 0 {
            noteRun(Array(requests[..<answered]), names: Array(names[..<answered]))
        }
        for request in requests[answered...].reversed() {
            pending.prepend(request)
            pendingBytes += Self.size(of: request)
        }
    }

    /// Answers a read command through the loop's reader.
    private func read(_ request: [ByteBuffer], name: String) -> RESPValue {
        if let reader { return reader.execute(request, name: name, session: &session) }
        return server.store.execute(request, name: name, session: &session)
    }

    private func submitRun(_ run: [[ByteBuffer]], names: [String], routes: [CommandRoute]) {
        noteRun(run, names: names)
        let server = server, client = handle.address, clientName = name
        commit(work: { transaction, session in
            .array(run.indices.map { index in
                server.measure(run[index], name: names[index], route: routes[index], client: client, clientName: clientName) {
                    transaction.execute(run[index], name: names[index], session: &session)
                }
            })
        }, repliesInArray: true)
    }

    /// Replies are encoded into one outbound buffer, written and flushed once per read batch or commit:
    /// a pipeline of replies costs one write.
    func reply(_ value: RESPValue) {
        if capturedReplies != nil {
            capturedReplies?.append(value)
            return
        }
        if replies != .on {
            // CLIENT REPLY OFF or SKIP: the command ran, its answer is dropped (counted as Redis counts it).
            if value.isError {
                server.errorReplies.increment()
                server.errorStatistics.count(value)
            }
            return
        }
        if value.isError {
            errorsReplied += 1
            server.errorReplies.increment()
            server.errorStatistics.count(value)
            server.errorCounter.increment()
        }
        outbound.writeRESPValue(value, version: session.protocolVersion)
    }

    /// The header of an array reply whose elements follow as replies of their own.
    func writeArrayHeader(count: Int) {
        outbound.writeRESPHeader(UInt8(ascii: "*"), count: count)
    }

    /// Replies are sent once this many bytes of them are waiting, even in the middle of a pipeline.
    static let flushThreshold = 64 * 1024

    /// Whether more replies may be produced now: replies past `flushThreshold` are sent first, and then
    /// the channel must be writable (NIO holds less than its high water mark of unsent bytes).
    private func canReply() -> Bool {
        guard context != nil else { return false }
        if outbound.readableBytes >= Self.flushThreshold { flushIfNeeded() }
        return context.channel.isWritable
    }

    private var isProcessing = false

    /// Replies resume once NIO has sent enough of the earlier ones.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable && !waitingForCommit { processPending() }
        context.fireChannelWritabilityChanged()
    }

    func flushIfNeeded() {
        let size = outbound.readableBytes
        guard size > 0 else { return }
        guard context != nil else { return outbound.clear() }
        handle.bytesSent.add(Int64(size), ordering: .relaxed)
        handle.writesProcessed.add(1, ordering: .relaxed)
        let ordinaryLimited = !isSubscribed && !isMonitor && server.normalOutputLimited.load(ordering: .relaxed)
        if isSubscribed || isMonitor || ordinaryLimited {
            // Subscribers and monitors are held to the output-buffer limit: count what is not yet
            // sent. What a slow one leaves unsent stays in NIO, so its next replies go to a buffer of
            // their own, as small as they are.
            outputBytes += size
            // An ordinary client's replies wait for its next requests to be read, so only a reply
            // too big for the limit (or replies it is slow to take) can reach it; as in Redis, the
            // client is closed, its replies dropped. (Subscribers are checked as messages arrive.)
            if ordinaryLimited, server.configuration.normalOutputLimit.isReached(pending: outputBytes, overSoftSince: &overSoftLimitSince) {
                server.logger.warning("closing client \(handle.id): output buffer limit reached (\(outputBytes) bytes pending)")
                outputBytes -= size
                outbound.clear()
                dropPendingRequests()
                context.close(promise: nil)
                return
            }
            let promise = context.eventLoop.makePromise(of: Void.self)
            promise.futureResult.assumeIsolatedUnsafeUnchecked().whenComplete { [self] _ in
                outputBytes -= size
                handle.outputBufferBytes.store(outputBytes + outbound.readableBytes, ordering: .relaxed)
            }
            context.writeAndFlush(wrapOutboundOut(outbound), promise: promise)
            outbound = context.channel.allocator.buffer(capacity: Self.initialReplyCapacity)
        } else {
            context.writeAndFlush(wrapOutboundOut(outbound), promise: nil)
            // Allocates anew only if NIO still holds the written bytes; a buffer grown by large
            // replies is not kept.
            if outbound.capacity > Self.flushThreshold * 2 {
                outbound = context.channel.allocator.buffer(capacity: Self.initialReplyCapacity)
            } else {
                outbound.clear()
            }
        }
    }

    private static let initialReplyCapacity = 256

    /// Closes the connection after the replies written so far.
    func closeAfterReplies() {
        guard context != nil else { return }
        flushIfNeeded()
        dropPendingRequests()
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    /// The connection is closing: the requests it has not run yet are dropped.
    private func dropPendingRequests() {
        closing = true
        pending.removeAll()
        pendingBytes = 0
    }

    private func handle(_ request: [ByteBuffer], name: String, route: CommandRoute) {
        // CLIENT REPLY SKIP drops the answers of the command after it: from its start to the next
        // command's (a write's answer comes later, but nothing else runs before it).
        switch replies {
        case .skipNext: replies = .skipping
        case .skipping: replies = .on
        case .on, .off: break
        }
        if subscriber != nil { drainInbox() }
        server.commandsProcessed.increment()
        server.commandCounter.increment()
        let spec = route.spec
        // A container's with its subcommand (`client|list`), as Redis lists it.
        let listedName = spec.map { !$0.subcommands.isEmpty } == true ? knownSubcommand(name, request)?.name : nil
        noteCommand(listedName ?? name)
        if server.monitor.isActive {
            server.monitor.feed(request, database: session.database, address: handle.address, from: handle.id)
        }

        // Refusals before running count as rejected calls in INFO commandstats, as in Redis.
        if !authenticated && !route.allowedUnauthenticated {
            route.statistics(for: request)?.refused()
            reply(.simpleError("NOAUTH Authentication required."))
            return
        }
        if isSubscribed && session.protocolVersion == .resp2 && !route.allowedWhileSubscribed {
            route.statistics(for: request)?.refused()
            reply(.simpleError("ERR Can't execute '\(name)': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"))
            return
        }
        if transaction != nil && !route.isTransactionControl {
            queueInTransaction(request, name: name, spec: spec)
            return
        }
        if route.isServerCommand {
            if let spec, !spec.accepts(argumentCount: request.count) {
                route.statistics?.refused()
                reply(.simpleError("ERR wrong number of arguments for '\(spec.name)' command"))
                return
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let errorsBefore = errorsReplied
            _ = handleServerCommand(name, request)
            // Recorded after the command: SLOWLOG RESET or CONFIG SET apply to it, as in Redis.
            server.recordExecution(request, name: name, route: route, nanoseconds: DispatchTime.now().uptimeNanoseconds - started,
                                   failed: errorsReplied != errorsBefore, client: handle.address, clientName: self.name)
            return
        }
        if route.isBlocking {
            if let spec, !spec.accepts(argumentCount: request.count) {
                route.statistics?.refused()
                reply(.simpleError("ERR wrong number of arguments for '\(spec.name)' command"))
                return
            }
            block(name, request)
            return
        }
        execute(request, name: name, route: route)
    }

    /// CLIENT LIST's cmd and idle: the time on every command (an atomic store), the name only when it
    /// changes (a lock).
    private func noteCommand(_ name: String) {
        handle.touch()
        if name != lastCommandName {
            lastCommandName = name
            handle.update { $0.lastCommand = name }
        }
    }

    /// Runs an engine command: reads here, writes through the group committer. The command timer
    /// measures from here to the reply (for a write: including the wait for its commit).
    private func execute(_ request: [ByteBuffer], name: String, route: CommandRoute) {
        let started = DispatchTime.now().uptimeNanoseconds
        if route.isWrite {
            let timer = server.commandTimer, server = server, client = handle.address, clientName = self.name
            commit(work: { transaction, session in
                server.measure(request, name: name, route: route, client: client, clientName: clientName) {
                    transaction.execute(request, name: name, session: &session)
                }
            }, then: { _ in
                timer.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - started))
            })
        } else {
            let value = read(request, name: name)
            let elapsed = DispatchTime.now().uptimeNanoseconds - started
            reply(value)
            server.commandTimer.recordNanoseconds(Int64(elapsed))
            server.recordExecution(request, name: name, route: route, nanoseconds: elapsed, failed: value.isError,
                                   client: handle.address, clientName: self.name)
        }
    }

    /// Sends work to the group committer and holds further requests until it has committed.
    /// Submits `work` to the group committer and answers its result once committed: `finish` (on the
    /// event loop) may complete the result first, and `then` sees what was answered.
    func commit(work: @escaping GroupCommitter.Work, repliesInArray: Bool = false, finish: ((RESPValue) -> RESPValue)? = nil,
                then: (@Sendable (RESPValue) -> Void)? = nil) {
        // Gone (the handler was removed): nothing is submitted for a client nobody can answer.
        guard context != nil else { return }
        waitingForCommit = true
        flushIfNeeded()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let eventLoop = context.eventLoop
        let finish = NIOLoopBound(finish, eventLoop: eventLoop)
        server.committer.submit(session: session, work: work, on: eventLoop) { result in
            let connection = bound.value
            if case .success(let (value, session)) = result, value == ClientConnection.blockedMarker {
                // Registered as a blocked client: no reply yet, later requests keep waiting. (`then`
                // also undoes the registration of a client gone meanwhile.)
                connection.session = session
                then?(value)
                return
            }
            // Gone meanwhile: the work is committed, nothing is answered or registered for it.
            guard connection.context != nil, !connection.departed else { return }
            connection.waitingForCommit = false
            switch result {
            case .success(let (result, session)):
                connection.session = session
                let value = finish.value?(result) ?? result
                if value == ClientConnection.answeredMarker {
                    // `finish` has written the reply.
                } else if repliesInArray, case .array(let replies) = value {
                    for reply in replies { connection.reply(reply) }
                } else {
                    connection.reply(value)
                }
                then?(value)
            case .failure(let error):
                connection.reply(.simpleError((error as? RedisError)?.message ?? "ERR \(error)"))
            }
            connection.processPending()
        }
    }

    static let allowedWhileSubscribed: Set<String> = [
        "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "ping", "quit", "reset",
    ]
    static let transactionControl: Set<String> = ["exec", "discard", "multi", "watch", "quit", "reset"]
    /// Redlite's own commands that write (they are not in Redis's table).
    static let redliteWrites: Set<String> = ["vacuum", "autovacuum"]

    private static func describe(_ address: SocketAddress) -> String {
        if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
        return address.pathname ?? "\(address)"
    }
}
