import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import RESP
import RedisCommands
import Redlite
import Synchronization

/// What every connection of one server shares.
final class ServerContext: Sendable {
    let store: RedliteStore
    let committer: GroupCommitter
    let table: CommandTable
    let routes: CommandRoutes
    let clients = ClientRegistry()
    let monitor = MonitorFeed()
    /// ACL LOG's events.
    let aclLog = AccessLog()
    /// CLIENT PAUSE's hold on clients.
    let pause: ClientPause
    let slowLog: SlowLog
    let errorStatistics = ErrorStatistics()
    let persistence: Persistence
    let logger: Logger
    let startedAt = Date()
    /// A random 40-hex-digit identity of this run of the server (INFO's `run_id` and `master_replid`),
    /// as Redis makes one at start-up: clients and tools use it to notice a restart.
    let runID = (0..<40).map { _ in String(Int.random(in: 0..<16), radix: 16) }.joined()
    private let settings: NIOLockedValueBox<ServerConfiguration>
    /// One reader per event loop, made on first use.
    private let loopReaders = NIOLockedValueBox<[ObjectIdentifier: LoopReader]>([:])
    let requestShutdown: @Sendable () -> Void
    /// The listening sockets (CONFIG SET port, bind and tls-port change them).
    let listeners: Listeners
    /// One CONFIG SET at a time (see `ClientConnection.configSet`).
    let configSets = ExclusiveTurns()

    // Statistics (INFO stats) and metrics.
    let commandsProcessed = ShardedCounter()
    let connectionsReceived = ManagedAtomicCounter()
    /// Connection handlers still in memory, open or not: once every client has gone it must come back
    /// to zero (a handler kept alive by a closure it holds would stay, with its buffers).
    let connectionHandlersAlive = ManagedAtomicCounter()
    let rejectedConnections = ManagedAtomicCounter()
    let errorReplies = ManagedAtomicCounter()
    let commandCounter: Counter
    /// How many event loops serve connections (each keeps descriptors of its own).
    let eventLoopCount: Int
    /// The server's log level (`loglevel`), shared by every copy of `logger`.
    let logLevel: AdjustableLogLevel
    let errorCounter: Counter
    let commandTimer: Timer
    let connectionGauge: Gauge

    init(store: RedliteStore, configuration: ServerConfiguration, logger givenLogger: Logger, metricsFactory: any MetricsFactory,
         eventLoopGroup: any EventLoopGroup, requestShutdown: @escaping @Sendable () -> Void) throws {
        // Every part of the server logs through copies of one logger whose level CONFIG SET
        // loglevel changes.
        self.logLevel = AdjustableLogLevel(initial: givenLogger.logLevel, configured: configuration.logLevel)
        let logger = logLevel.adjusting(givenLogger)
        self.store = store
        self.pause = ClientPause { [store] mode in store.setActiveExpiryPaused(mode != .none) }
        self.commandCounter = Counter(label: "redlite_commands_total", factory: metricsFactory)
        self.errorCounter = Counter(label: "redlite_errors_total", factory: metricsFactory)
        self.commandTimer = Timer(label: "redlite_command_duration", factory: metricsFactory)
        self.connectionGauge = Gauge(label: "redlite_connections", factory: metricsFactory)
        self.committer = GroupCommitter(store: store, maxBatch: configuration.maxCommitBatch,
                                        commitsOnEventLoops: configuration.synchronous == .normal, logger: logger,
                                        batchSizes: Recorder(label: "redlite_commit_batch_size", factory: metricsFactory))
        self.persistence = Persistence(store: store, logger: logger)
        self.slowLog = SlowLog(logSlowerThan: configuration.slowlogLogSlowerThan, maxLength: configuration.slowlogMaxLength)
        self.table = try CommandTable.bundled
        self.routes = CommandRoutes(table: table)
        self.logger = logger
        self.settings = NIOLockedValueBox(configuration)
        self.normalOutputLimited = Synchronization.Atomic(!configuration.normalOutputLimit.isUnlimited)
        self.requestShutdown = requestShutdown
        self.listeners = Listeners(group: eventLoopGroup, logger: logger)
        self.eventLoopCount = Array(eventLoopGroup.makeIterator()).count
        // The listeners set up each accepted connection with this context, which owns them: the
        // cycle ends when they are closed or released (see `Listeners.release()`). Not a weak
        // reference: that would give the context a side table, and every retain of it the runtime's
        // slow path.
        listeners.setConnectionInitializer { [self] channel, tcp in try initializeConnection(channel, tcp: tcp) }
    }

    /// A new connection's pipeline (after TLS, on a TLS listener): TCP keepalive, then the client's
    /// handler.
    private func initializeConnection(_ channel: any Channel, tcp: Bool) throws {
        let configuration = self.configuration
        if tcp, configuration.tcpKeepAlive > 0 {
            // As Redis's anetKeepAlive: probes after `keepAlive` seconds of silence, a third of that
            // apart, three of them.
            try Self.enableKeepAlive(channel, seconds: configuration.tcpKeepAlive)
        }
        try channel.pipeline.syncOperations.addHandler(
            ClientConnection(server: self, limits: configuration.protocolLimits, queryBufferLimit: configuration.queryBufferLimit))
    }

    private static func enableKeepAlive(_ channel: any Channel, seconds: Int) throws {
        guard let options = channel.syncOptions else { return }
        try options.setOption(.socketOption(.so_keepalive), value: 1)
        try options.setOption(.socket(SocketOptionLevel(IPPROTO_TCP), SocketOptionName(TCP_KEEPIDLE)), value: SocketOptionValue(seconds))
        try options.setOption(.socket(SocketOptionLevel(IPPROTO_TCP), SocketOptionName(TCP_KEEPINTVL)), value: SocketOptionValue(max(1, seconds / 3)))
        try options.setOption(.socket(SocketOptionLevel(IPPROTO_TCP), SocketOptionName(TCP_KEEPCNT)), value: 3)
    }

    /// Records one command's execution, which took `nanoseconds` and answered an error if `failed`: INFO commandstats
    /// and the slow log. An error answer may be a refusal before running (a wrong number of
    /// arguments, an unknown subcommand): Redis counts those as rejected calls and does not log them.
    /// `client` and `clientName` are worked out only for a slow command.
    func recordExecution(_ request: [ByteBuffer], name: String, route: CommandRoute, nanoseconds: UInt64, failed: Bool,
                         client: @autoclosure () -> String, clientName: @autoclosure () -> String) {
        guard !failed || route.runs(request, known: { store.implements(name) }) else {
            route.statistics(for: request)?.refused()
            return
        }
        route.statistics(for: request)?.ran(nanoseconds: nanoseconds, failed: failed)
        if slowLog.isSlow(nanoseconds: nanoseconds) {
            slowLog.note(request, name: name, nanoseconds: nanoseconds, client: client(), clientName: clientName())
        }
    }

    /// Runs a command's execution (on any thread: a write runs on the writer) and records it.
    func measure(_ request: [ByteBuffer], name: String, route: CommandRoute, client: String, clientName: String,
                 _ body: () -> RESPValue) -> RESPValue {
        let started = DispatchTime.now().uptimeNanoseconds
        let reply = body()
        recordExecution(request, name: name, route: route, nanoseconds: DispatchTime.now().uptimeNanoseconds - started,
                        failed: reply.isError, client: client, clientName: clientName)
        return reply
    }

    /// The largest input buffer (held bytes and room) and output buffer of any client, sampled once a
    /// second for the last 8 seconds: INFO's client_recent_max_input_buffer and _output_buffer, which
    /// Redis keeps over 8 seconds too.
    private let bufferPeaks = NIOLockedValueBox<[BufferPeak]>([])

    struct BufferPeak: Sendable {
        var input = 0
        var output = 0
    }

    private func currentBufferPeak() -> BufferPeak {
        clients.all.reduce(into: BufferPeak()) { peak, client in
            peak.input = max(peak.input, client.queryBufferBytes.load(ordering: .relaxed) + client.queryBufferFree.load(ordering: .relaxed))
            peak.output = max(peak.output, client.outputBufferBytes.load(ordering: .relaxed))
        }
    }

    /// The peaks of the last 8 seconds and of now.
    var recentBufferPeak: BufferPeak {
        bufferPeaks.withLockedValue { peaks in
            peaks.reduce(into: currentBufferPeak()) { result, peak in
                result.input = max(result.input, peak.input)
                result.output = max(result.output, peak.output)
            }
        }
    }

    /// Once a second (the server's cron): idle clients go, and statistics samples are taken.
    func everySecond() {
        closeIdleClients()
        let peak = currentBufferPeak()
        bufferPeaks.withLockedValue { peaks in
            peaks.append(peak)
            if peaks.count > 8 { peaks.removeFirst(peaks.count - 8) }
        }
        let network = clients.networkTotals
        let sample = StatisticsSample(time: Date().timeIntervalSince1970, commands: commandsProcessed.current,
                                      received: network.received, sent: network.sent)
        samples.withLockedValue { samples in
            samples.append(sample)
            if samples.count > 3 { samples.removeFirst(samples.count - 3) }
        }
    }

    struct StatisticsSample: Sendable {
        var time: Double
        var commands: Int64
        var received: Int64
        var sent: Int64
    }

    /// Samples of the last two seconds or so (INFO's instantaneous rates).
    private let samples = NIOLockedValueBox<[StatisticsSample]>([])

    /// Commands per second and KB per second in and out, over the last two seconds or so (Redis
    /// averages 1.6 s of samples).
    var instantaneousRates: (commands: Double, inputKbps: Double, outputKbps: Double) {
        guard let oldest = samples.withLockedValue({ $0.first }) else { return (0, 0, 0) }
        let network = clients.networkTotals
        let seconds = Date().timeIntervalSince1970 - oldest.time
        guard seconds > 0.1 else { return (0, 0, 0) }
        return (Double(commandsProcessed.current - oldest.commands) / seconds,
                Double(network.received - oldest.received) / seconds / 1024, Double(network.sent - oldest.sent) / seconds / 1024)
    }

    /// Disconnects the clients idle for longer than `timeout` seconds, when it is set: not
    /// subscribers nor blocked clients, as in Redis (a monitor is active while it is sent lines).
    func closeIdleClients() {
        let timeout = configuration.idleTimeout
        guard timeout > 0 else { return }
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        for client in clients.all where client.idleMilliseconds(now: now) > Int64(timeout) * 1000 {
            let details = client.snapshot
            guard details.channels + details.patterns + details.shardChannels == 0, !details.blocked else { continue }
            logger.debug("closing idle client \(client.id)")
            client.close()
        }
    }

    /// The reader of `eventLoop` (nil if no read connection could be opened: reads then use the
    /// store's reader pool).
    func reader(for eventLoop: any EventLoop) -> LoopReader? {
        loopReaders.withLockedValue { readers in
            let key = ObjectIdentifier(eventLoop)
            if let reader = readers[key] { return reader }
            do {
                let reader = LoopReader(eventLoop: eventLoop, reader: try store.makeReader())
                readers[key] = reader
                return reader
            } catch {
                logger.warning("no read connection for an event loop", metadata: ["error": "\(error)"])
                return nil
            }
        }
    }

    var configuration: ServerConfiguration {
        get { settings.withLockedValue { $0 } }
    }

    func updateConfiguration(_ body: (inout ServerConfiguration) throws -> Void) rethrows {
        try settings.withLockedValue {
            try body(&$0)
            normalOutputLimited.store(!$0.normalOutputLimit.isUnlimited, ordering: .relaxed)
        }
    }

    /// Whether ordinary clients have an output-buffer limit (`client-output-buffer-limit normal`,
    /// none by default): read per reply written, so kept apart from the locked settings.
    let normalOutputLimited: Synchronization.Atomic<Bool>

    /// True when clients must authenticate (a password or users are configured).
    var authenticationRequired: Bool {
        let configuration = self.configuration
        return configuration.requirePass != nil || !configuration.users.isEmpty
    }

    /// Checks a username/password pair (`default` is the requirepass user).
    func authenticate(user: String, password: String) -> Bool {
        let configuration = self.configuration
        if user == "default" { return configuration.requirePass.map { $0 == password } ?? configuration.users.isEmpty }
        return configuration.users[user] == password
    }
}

/// A lock-free counter (INFO numbers): counted on every command, so it must cost next to nothing.
final class ManagedAtomicCounter: Sendable {
    private let value = Atomic<Int64>(0)
    func increment(by amount: Int64 = 1) { value.add(amount, ordering: .relaxed) }
    var current: Int64 { value.load(ordering: .relaxed) }
    func reset() { value.store(0, ordering: .relaxed) }
}

/// A counter bumped by every event loop for every request (INFO's total_commands_processed): in
/// shards chosen by the counting thread, as commandstats and the keyspace counts are, so that two
/// loops do not pass one cache line back and forth on every command.
final class ShardedCounter: Sendable {
    /// One thread's count, padded to a cache line pair of its own.
    private final class Shard: Sendable {
        let value = Atomic<Int64>(0)
        private let padding: (Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64, Int64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    }

    private let shards = (0..<ThreadShard.count).map { _ in Shard() }

    func increment(by amount: Int64 = 1) { shards[ThreadShard.current].value.add(amount, ordering: .relaxed) }
    var current: Int64 { shards.reduce(0) { $0 + $1.value.load(ordering: .relaxed) } }
    func reset() { for shard in shards { shard.value.store(0, ordering: .relaxed) } }
}

/// Every connected client, for CLIENT LIST / KILL, INFO clients and maxclients.
final class ClientRegistry: Sendable {
    private let clients = NIOLockedValueBox<[UInt64: ClientHandle]>([:])
    private let nextID = NIOLockedValueBox<UInt64>(0)
    /// What clients that have gone received and sent, less what CONFIG RESETSTAT set aside.
    private let gone = NIOLockedValueBox(NetworkTotals())

    func makeID() -> UInt64 { nextID.withLockedValue { $0 += 1; return $0 } }
    func register(_ client: ClientHandle) { clients.withLockedValue { $0[client.id] = client } }
    func unregister(_ id: UInt64) {
        guard let client = clients.withLockedValue({ $0.removeValue(forKey: id) }) else { return }
        gone.withLockedValue { $0 += client.networkTotals }
    }

    /// INFO stats' network totals (total_net_input_bytes, total_reads_processed…): every client's,
    /// gone or not.
    var networkTotals: NetworkTotals {
        all.reduce(gone.withLockedValue { $0 }) { $0 + $1.networkTotals }
    }

    /// CONFIG RESETSTAT: the totals start again from zero.
    func resetNetworkTotals() {
        let now = networkTotals
        gone.withLockedValue { $0 = $0 - now }
    }
    var all: [ClientHandle] { clients.withLockedValue { Array($0.values) }.sorted { $0.id < $1.id } }
    var count: Int { clients.withLockedValue { $0.count } }
}

/// Bytes in and out and the reads and writes that moved them: one client's, or all clients'.
struct NetworkTotals: Sendable {
    var received: Int64 = 0
    var sent: Int64 = 0
    var reads: Int64 = 0
    var writes: Int64 = 0

    static func + (a: NetworkTotals, b: NetworkTotals) -> NetworkTotals {
        NetworkTotals(received: a.received + b.received, sent: a.sent + b.sent, reads: a.reads + b.reads, writes: a.writes + b.writes)
    }

    static func - (a: NetworkTotals, b: NetworkTotals) -> NetworkTotals {
        NetworkTotals(received: a.received - b.received, sent: a.sent - b.sent, reads: a.reads - b.reads, writes: a.writes - b.writes)
    }

    static func += (a: inout NetworkTotals, b: NetworkTotals) { a = a + b }
}

/// What other threads may read about one client, and how to disconnect it.
final class ClientHandle: Sendable {
    let id: UInt64
    let address: String
    let localAddress: String
    let createdAt = Date()
    private let details = NIOLockedValueBox(Details())
    /// Milliseconds since 1970 of the last command (written on every command: an atomic).
    private let lastInteraction = Atomic<Int64>(Int64(Date().timeIntervalSince1970 * 1000))
    /// Bytes read from and written to the client, and the reads and writes that moved them (its own
    /// counters: no other connection writes them).
    let bytesReceived = Atomic<Int64>(0)
    let bytesSent = Atomic<Int64>(0)
    let readsProcessed = Atomic<Int64>(0)
    let writesProcessed = Atomic<Int64>(0)

    var networkTotals: NetworkTotals {
        NetworkTotals(received: bytesReceived.load(ordering: .relaxed), sent: bytesSent.load(ordering: .relaxed),
                      reads: readsProcessed.load(ordering: .relaxed), writes: writesProcessed.load(ordering: .relaxed))
    }
    /// What CLIENT LIST reports of the client's memory, published by its connection once per batch of
    /// requests (its own event loop writes them; any connection reads them): the unprocessed input
    /// (`qbuf`), the room left in the receive buffer (`qbuf-free`), the MULTI queue (`multi-mem`),
    /// replies not yet sent (`omem`), and WATCHed keys and subscriptions (part of `tot-mem`).
    let queryBufferBytes = Atomic<Int>(0)
    let queryBufferFree = Atomic<Int>(0)
    let multiBytes = Atomic<Int>(0)
    let outputBufferBytes = Atomic<Int>(0)
    let keptBytes = Atomic<Int>(0)

    let close: @Sendable () -> Void
    /// Set while the client is blocked (BLPOP and friends, WAIT): ends the block for another
    /// client's CLIENT UNBLOCK, with Redis's UNBLOCKED error or as if it had timed out, and tells
    /// whether it did (false once the block has ended some other way).
    let unblocker = NIOLockedValueBox<(@Sendable (_ withError: Bool) -> Bool)?>(nil)

    struct Details {
        var name = ""
        var database = 0
        var lastCommand = "NULL"
        var channels = 0
        var patterns = 0
        var shardChannels = 0
        var inMulti = -1
        var protocolVersion = 2
        var user = "default"
        var libraryName = ""
        var libraryVersion = ""
        var noEvict = false
        var blocked = false
        /// Blocked with a timeout (INFO's clients_in_timeout_table).
        var blockedWithTimeout = false
    }

    init(id: UInt64, address: String, localAddress: String, close: @escaping @Sendable () -> Void) {
        self.id = id
        self.address = address
        self.localAddress = localAddress
        self.close = close
    }

    func update(_ body: (inout Details) -> Void) { details.withLockedValue(body) }

    /// Milliseconds since its last command (or, for a monitor, since it was last sent a line).
    func idleMilliseconds(now: Int64) -> Int64 { now - lastInteraction.load(ordering: .relaxed) }

    /// Records activity now.
    func touch() {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        lastInteraction.store(Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000, ordering: .relaxed)
    }
    var snapshot: Details { details.withLockedValue { $0 } }

    var isPubSub: Bool {
        let details = snapshot
        return details.channels + details.patterns + details.shardChannels > 0
    }

    /// One CLIENT LIST line (without the newline).
    /// CLIENT LIST's line; `argumentBytes` is the size of the arguments of the command the client is
    /// running (CLIENT LIST's own, for the client asking).
    func listLine(argumentBytes: Int = 0) -> String {
        let details = snapshot
        let query = queryBufferBytes.load(ordering: .relaxed), free = queryBufferFree.load(ordering: .relaxed)
        let multi = multiBytes.load(ordering: .relaxed), output = outputBufferBytes.load(ordering: .relaxed)
        let kept = keptBytes.load(ordering: .relaxed)
        let age = Int(Date().timeIntervalSince(createdAt))
        let idle = Int(Date().timeIntervalSince1970) - Int(lastInteraction.load(ordering: .relaxed) / 1000)
        let flags = (details.channels + details.patterns + details.shardChannels > 0 ? "P" : "") + (details.inMulti >= 0 ? "x" : "")
            + (details.blocked ? "b" : "")
        return "id=\(id) addr=\(address) laddr=\(localAddress) fd=-1 name=\(details.name) age=\(age) idle=\(idle) "
            + "flags=\(flags.isEmpty ? "N" : flags) db=\(details.database) sub=\(details.channels) psub=\(details.patterns) "
            + "ssub=\(details.shardChannels) multi=\(details.inMulti) qbuf=\(query) qbuf-free=\(free) argv-mem=\(argumentBytes) "
            + "multi-mem=\(multi) obl=0 oll=0 omem=\(output) tot-mem=\(query + free + argumentBytes + multi + output + kept) events=r "
            + "cmd=\(details.lastCommand) user=\(details.user) redir=-1 resp=\(details.protocolVersion)"
            + " lib-name=\(details.libraryName) lib-ver=\(details.libraryVersion)"
    }
}
