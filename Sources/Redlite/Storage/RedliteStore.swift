import Foundation
import VaporCSQLite
import RedliteSQLiteWAL
public import NIOCore
public import RESP
import NIOConcurrencyHelpers
import Synchronization

/// A Redis-compatible data store in one SQLite database: Redis's data types and commands, SQLite's
/// durability (WAL, ACID transactions).
///
/// ```swift
/// let store = try RedliteStore.open(path: "app.db")
/// try store.set("greeting", "hello", expiration: .seconds(10))
/// let value = try store.getString("greeting")   // "hello"
/// ```
///
/// **Concurrency.** A store is safe to use from any number of tasks and threads at once. Writes go
/// through one ordered writer connection; reads use separate read connections and never wait for the
/// writer (SQLite WAL). Two processes may open the same file: SQLite's locking keeps them consistent,
/// writers take turns (a writer waits up to `Configuration.busyTimeout` for the other), and each
/// process runs its own expiry cleanup.
///
/// **Two front doors.** `execute(_:session:)` takes a command as RESP arguments and answers a RESP
/// value exactly as Redis 7 would (the server and the client's embedded transport use it); the typed
/// methods (`get`, `set`, `hgetall`, …) are the same operations for Swift callers.
public final class RedliteStore: Sendable {
    /// How the database is opened and maintained.
    public struct Configuration: Sendable {
        /// SQLite's `synchronous` pragma: `.normal` (default; durable against process crashes, WAL
        /// fsync at checkpoints) or `.full` (fsync at every commit; durable against power loss).
        public var synchronous: Synchronous = .normal
        /// SQLite page cache per connection, in KiB.
        public var cacheSizeKiB: Int = 64 * 1024
        /// Memory-mapped I/O size in bytes for the read connections (0 disables). The writer never maps
        /// the file: with a mapping, SQLite looks up every page the writer touches in the WAL index
        /// before its own page cache, and under a stream of writes that lookup (a scan of one hash
        /// table per 4,096 WAL frames) took 43 % of LPUSH's writer time; without it the writer's CPU
        /// per LPUSH through the server went from 18 to 14 µs. Readers keep it: their page cache is
        /// dropped whenever another connection has written, and the mapping serves the re-reads.
        public var mmapSize: Int = 256 * 1024 * 1024
        /// How long a write waits for another process's lock before failing.
        public var busyTimeout: Duration = .seconds(5)
        /// SQLite's page size for a new database file (an existing file keeps its own): a power of two
        /// from 512 to 65536. Every write copies whole pages into the WAL, and a Redis workload
        /// updates small rows at random places, so small pages write less: 1 KiB pages made random
        /// SET batches about 1.4× faster than SQLite's 4 KiB default here (`scripts/bench-server`).
        /// Values much larger than a page go to overflow pages; raise it for mostly large values.
        public var pageSize: Int = 1024
        /// The WAL size above which the background checkpointer empties it (a TRUNCATE checkpoint that
        /// briefly waits for readers and the writer); below it, checkpoints never block anyone.
        public var walLimitBytes: Int = 64 * 1024 * 1024
        /// Active expiry: remove expired keys in the background (AUTOVACUUM ON/OFF).
        public var autovacuum: Bool = true
        /// The longest gap between two full sweeps of active expiry (AUTOVACUUM INTERVAL; 1 s to a day):
        /// keys are removed soon after they expire in any case (see `ExpiryCleaner`).
        public var autovacuumInterval: Duration = .seconds(60)

        public enum Synchronous: String, Sendable {
            case normal = "NORMAL"
            case full = "FULL"
        }

        public init() {}
    }

    /// The file path, or nil for an in-memory store.
    public let path: String?
    public let configuration: Configuration

    let writer: WriterConnectionLock
    /// Odd while the writer connection is in use, even otherwise; grows by two per use. A
    /// `RedliteReader` keeps its snapshot only while this has not moved (no write can have become
    /// visible since the snapshot began).
    let writeSequence = Atomic<UInt64>(0)
    private let readers: NIOLockedValueBox<[SQLiteConnection]>?
    let commands: CommandRegistry
    let autovacuum: AutovacuumSettings
    /// Publish/subscribe among everyone using this store (embedded tasks, server connections).
    public let pubsub = PubSubHub()
    /// Clients blocked on keys (BLPOP and friends), woken by committed writes.
    public let blocking = BlockingRegistry()
    /// Keyspace notifications (`notify-keyspace-events`), published through `pubsub` after commits.
    public let notifications = KeyspaceNotifications()
    /// Keys found and not found by reads, and expired keys removed (INFO stats' keyspace_hits,
    /// keyspace_misses, expired_keys), over every connection of the store.
    public let keyspaceStatistics: KeyspaceStatistics
    /// While set, active expiry deletes nothing (a server's CLIENT PAUSE WRITE: the data must not
    /// change). Expired keys stay invisible to every command meanwhile.
    let activeExpiryPaused = Atomic<Bool>(false)

    /// Pauses or resumes active expiry (see `activeExpiryPaused`).
    package func setActiveExpiryPaused(_ paused: Bool) {
        activeExpiryPaused.store(paused, ordering: .relaxed)
    }
    private let cleaner: Mutex<ExpiryCleaner?> = Mutex(nil)
    private let checkpointer: Mutex<Checkpointer?> = Mutex(nil)

    /// Opens (creating if needed) the store at `path`.
    public static func open(path: String, configuration: Configuration = Configuration()) throws -> RedliteStore {
        try RedliteStore(path: path, configuration: configuration)
    }

    /// A store that lives in memory only, gone when released.
    public static func inMemory(configuration: Configuration = Configuration()) throws -> RedliteStore {
        try RedliteStore(path: nil, configuration: configuration)
    }

    private init(path: String?, configuration: Configuration) throws {
        self.path = path
        self.configuration = configuration
        let keyspaceStatistics = KeyspaceStatistics()
        self.keyspaceStatistics = keyspaceStatistics
        let writerConnection = try Self.openConnection(path: path, configuration: configuration, readOnly: false, migrate: true,
                                                       statistics: keyspaceStatistics)
        writer = WriterConnectionLock(writerConnection)
        // An in-memory database belongs to one connection: reads share the writer there.
        readers = path == nil ? nil : NIOLockedValueBox([])
        commands = try CommandRegistry.standard()
        autovacuum = AutovacuumSettings(enabled: configuration.autovacuum, interval: configuration.autovacuumInterval)
        let cleaner = ExpiryCleaner(store: self)
        self.cleaner.withLock { $0 = cleaner }
        cleaner.start()
        if let path {
            // Checkpoints copy the WAL back into the database file. Left to SQLite, they run inside a
            // writer's commit every 1,000 pages; here a background connection does them instead, so
            // the writer never pays for one.
            try writer.withLockedValue { try $0.execute("PRAGMA wal_autocheckpoint = 0") }
            let checkpointer = try Checkpointer(
                connection: Self.openConnection(path: path, configuration: configuration, readOnly: false),
                walLimitBytes: configuration.walLimitBytes,
                busyTimeout: configuration.busyTimeout,
                pauseWriter: { [weak self] body in
                    guard let self else { return }
                    self.withWriterLock { _ in body() }
                })
            self.checkpointer.withLock { $0 = checkpointer }
        }
    }

    deinit {
        close()
    }

    /// Stops background expiry. Connections close when the store is released.
    public func close() {
        let cleaner = self.cleaner.withLock { state -> ExpiryCleaner? in
            defer { state = nil }
            return state
        }
        cleaner?.stop()
        let checkpointer = self.checkpointer.withLock { state -> Checkpointer? in
            defer { state = nil }
            return state
        }
        checkpointer?.stop()
    }

    /// A new connection to the store's database; its key lookups count in `statistics`.
    static func openConnection(path: String?, configuration: Configuration, readOnly: Bool, migrate: Bool = false,
                               statistics: KeyspaceStatistics? = nil) throws -> SQLiteConnection {
        // Before the first connection: SQLite's process-wide settings (no memory statistics, so no
        // global mutex per allocation), then WAL frames written once per transaction (both in
        // RedliteSQLiteWAL); should either fail, SQLite's defaults work as before, only slower.
        _ = redlite_sqlite_configure_process()
        _ = redlite_sqlite_wal_coalescing_install()
        let busyTimeoutMilliseconds = Int32(clamping: configuration.busyTimeout.milliseconds)
        let connection = try SQLiteConnection(path: path, readOnly: readOnly, busyTimeoutMilliseconds: busyTimeoutMilliseconds)
        if !readOnly && path != nil {
            // Takes effect only while the file is new (before WAL mode and the first table).
            try connection.execute("PRAGMA page_size = \(configuration.pageSize)")
            try connection.execute("PRAGMA journal_mode = WAL")
        }
        // Both SQLite builds this ran on default `secure_delete` on (deleted content overwritten with
        // zeros): a privacy measure Redis has no counterpart of (it does not scrub freed memory).
        try connection.execute("""
            PRAGMA synchronous = \(configuration.synchronous.rawValue);
            PRAGMA cache_size = -\(configuration.cacheSizeKiB);
            PRAGMA mmap_size = \(readOnly ? configuration.mmapSize : 0);
            PRAGMA temp_store = MEMORY;
            PRAGMA secure_delete = OFF;
            """)
        if migrate { try Schema.migrate(connection) }
        connection.keyspaceStatistics = statistics
        return connection
    }

    // MARK: Connections

    /// Changes SQLite's `synchronous` mode of the open store (the server's CONFIG SET synchronous,
    /// which also tells its group committer): it applies from the next commit on. `configuration`
    /// keeps the mode the store was opened with. Takes the writer: not from inside `transaction`.
    package func setSynchronous(_ mode: Configuration.Synchronous) throws {
        try withWriterAutocommit { try $0.execute("PRAGMA synchronous = \(mode.rawValue)") }
    }

    /// SQLite's `synchronous` mode the writer commits with now (read back from SQLite). Takes the
    /// writer: not from inside `transaction`.
    public var currentSynchronous: Configuration.Synchronous {
        get throws {
            try withWriterAutocommit { connection in
                let statement = try connection.statement("PRAGMA synchronous")
                defer { statement.reset() }
                guard try statement.step() else { return configuration.synchronous }
                return statement.int64(0) >= 2 ? .full : .normal
            }
        }
    }

    /// Runs `body` on the writer connection, in one SQLite transaction, holding the writer lock.
    func withWriter<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try withWriterLock { connection in try connection.transaction { try body(connection) } }
    }

    /// Runs `body` on the writer connection without opening a transaction (one statement is atomic
    /// by itself).
    func withWriterAutocommit<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try withWriterLock(body)
    }

    /// Every use of the writer connection goes through here: it holds the writer lock and marks the
    /// use in `writeSequence` (odd while it lasts), before anything it writes can be visible.
    func withWriterLock<T>(_ body: (SQLiteConnection) throws -> T) rethrows -> T {
        try writer.withLockedValue { try markingWriterUse($0, body) }
    }

    /// `withWriterLock` if the writer is free right now, nil without running `body` otherwise.
    func withWriterLockIfAvailable<T>(_ body: (SQLiteConnection) throws -> T) rethrows -> T? {
        try writer.withLockedValueIfAvailable { try markingWriterUse($0, body) }
    }

    /// Runs `body` with `writeSequence` odd while it lasts (the writer lock held).
    private func markingWriterUse<T>(_ connection: SQLiteConnection, _ body: (SQLiteConnection) throws -> T) rethrows -> T {
        writeSequence.add(1, ordering: .sequentiallyConsistent)
        defer {
            writeSequence.add(1, ordering: .sequentiallyConsistent)
            // A TTL set: the expiry cleaner wakes for it (a rolled-back one only wakes it for nothing).
            if let expiry = connection.earliestExpirySet {
                connection.earliestExpirySet = nil
                cleaner.withLock { $0 }?.schedule(at: expiry)
            }
        }
        return try body(connection)
    }

    /// Runs `body` on a read connection, in one read transaction: every statement of it reads the same
    /// snapshot of the last commit. (In autocommit each statement took its own: a command that reads
    /// a key's row and then its elements or chunks could see a write between the two, as a string in
    /// chunks whose chunks a SET had just deleted.)
    func withReader<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        guard let readers = self.readers else { return try writer.withLockedValue { try body($0) } }
        let connection = try readers.withLockedValue { $0.popLast() } ?? Self.openConnection(path: path, configuration: configuration, readOnly: true,
                                                                                                 statistics: keyspaceStatistics)
        defer { readers.withLockedValue { $0.append(connection) } }
        if connection.isInTransaction { return try body(connection) }
        try connection.statement("BEGIN").run()
        defer { if connection.isInTransaction { try? connection.statement("COMMIT").run() } }
        return try body(connection)
    }

    // MARK: Executing commands

    /// Executes one command, given as its arguments (name first), and answers exactly as Redis 7
    /// would: a reply value, or an error reply with Redis's text. Never throws: storage failures are
    /// answered as `ERR` replies too.
    ///
    /// `session` carries per-client state (the selected database) from one command to the next.
    public func execute(_ arguments: [ByteBuffer], session: inout RedliteSession) -> RESPValue {
        var context = CommandContext(store: self, database: session.database, connection: nil, resp3: session.protocolVersion == .resp3)
        let reply = commands.execute(arguments, context: &context)
        session.database = context.database
        // Outside a transaction the command has committed by now.
        notifications.publish(context.events, through: pubsub)
        return reply
    }

    /// `execute(_:session:)` for a caller that already has the command's lowercase name (a server
    /// that looked it up): saves lowercasing it again.
    public func execute(_ arguments: [ByteBuffer], name: String, session: inout RedliteSession) -> RESPValue {
        var context = CommandContext(store: self, database: session.database, connection: nil, resp3: session.protocolVersion == .resp3)
        let reply = commands.execute(arguments, name: name, context: &context)
        session.database = context.database
        notifications.publish(context.events, through: pubsub)
        return reply
    }

    /// Executes a command given as strings (a convenience for tests and tools).
    public func execute(_ arguments: String..., session: inout RedliteSession) -> RESPValue {
        execute(arguments.map { ByteBuffer(string: $0) }, session: &session)
    }

    /// Runs `body` as one atomic SQLite transaction: every command executed through the given
    /// `RedliteTransaction` is applied, or (if `body` throws) none is. Other writers wait until it
    /// ends; readers keep reading the state before it.
    public func transaction<T>(database: Int = 0, _ body: (RedliteTransaction) throws -> T) throws -> T {
        let (result, events) = try withWriterLock { connection in
            try transaction(on: connection, database: database, body)
        }
        // Committed: now subscribers may hear about it.
        notifications.publish(events, through: pubsub)
        return result
    }

    /// `transaction(database:_:)` only if no other thread holds the writer right now: nil, and
    /// `body` not run, otherwise. For callers that must not wait (the server's event loops).
    package func transactionIfWriterAvailable<T>(database: Int = 0, _ body: (RedliteTransaction) throws -> T) throws -> T? {
        guard let (result, events) = try withWriterLockIfAvailable({ connection in
            try transaction(on: connection, database: database, body)
        }) else { return nil }
        notifications.publish(events, through: pubsub)
        return result
    }

    private func transaction<T>(on connection: SQLiteConnection, database: Int, _ body: (RedliteTransaction) throws -> T) throws
        -> (T, [KeyspaceNotifications.Event]) {
        try connection.transaction {
            let transaction = RedliteTransaction(store: self, connection: connection, database: database)
            let result = try body(transaction)
            return (result, transaction.events)
        }
    }
}

/// Per-client state kept between commands: what Redis keeps per connection.
public struct RedliteSession: Sendable {
    /// The selected database (SELECT), 0–15.
    public var database: Int
    /// The protocol the client speaks: a few replies take a different shape under RESP3 (for
    /// example HRANDFIELD WITHVALUES answers pairs).
    public var protocolVersion: RESPVersion

    public init(database: Int = 0, protocolVersion: RESPVersion = .resp2) {
        self.database = database
        self.protocolVersion = protocolVersion
    }
}

/// Commands executed inside `RedliteStore.transaction`: all of them commit together, or none does.
/// Valid only inside the transaction's closure.
public final class RedliteTransaction {
    let store: RedliteStore
    let connection: SQLiteConnection
    /// The selected database (SELECT inside the transaction changes it).
    public var database: Int
    /// The protocol replies are shaped for.
    public var protocolVersion: RESPVersion = .resp2
    /// Keyspace events of the commands run so far, published when the transaction commits.
    var events: [KeyspaceNotifications.Event] = []

    init(store: RedliteStore, connection: SQLiteConnection, database: Int) {
        self.store = store
        self.connection = connection
        self.database = database
    }

    /// Executes one command for a client with its own session (database and protocol): how a server
    /// applies many clients' commands in one shared transaction (group commit).
    public func execute(_ arguments: [ByteBuffer], session: inout RedliteSession) -> RESPValue {
        execute(arguments, name: nil, session: &session)
    }

    /// `execute(_:session:)` for a caller that already has the command's lowercase name.
    public func execute(_ arguments: [ByteBuffer], name: String?, session: inout RedliteSession) -> RESPValue {
        var context = CommandContext(store: store, database: session.database, connection: connection, resp3: session.protocolVersion == .resp3)
        let reply: RESPValue
        if let name {
            reply = store.commands.execute(arguments, name: name, context: &context)
        } else {
            reply = store.commands.execute(arguments, context: &context)
        }
        session.database = context.database
        if !context.events.isEmpty { events += context.events }
        return reply
    }

    /// The current version of a key, for WATCH: nil when the key does not exist (or has expired).
    public func keyVersion(database: Int, key: ByteBuffer) throws -> KeyVersion? {
        try connection.keyVersion(db: Int64(database), key: key, now: Clock.milliseconds())
    }

    /// Executes one command inside the transaction. An error reply does not roll anything back (as
    /// in Redis's EXEC); throw from the transaction body to discard everything.
    public func execute(_ arguments: [ByteBuffer]) -> RESPValue {
        var session = RedliteSession(database: database, protocolVersion: protocolVersion)
        let reply = execute(arguments, session: &session)
        database = session.database
        return reply
    }

    public func execute(_ arguments: String...) -> RESPValue {
        execute(arguments.map { ByteBuffer(string: $0) })
    }
}

/// AUTOVACUUM's settings, shared with the background cleaner.
final class AutovacuumSettings: Sendable {
    private let state: Mutex<(enabled: Bool, intervalMilliseconds: Int64)>

    init(enabled: Bool, interval: Duration) {
        // Clamped as a Duration first: a huge one's milliseconds would overflow.
        let bounded = min(max(interval, .milliseconds(Self.minimumMilliseconds)), .milliseconds(Self.maximumMilliseconds))
        state = Mutex((enabled, bounded.milliseconds))
    }

    var enabled: Bool {
        get { state.withLock { $0.enabled } }
        set { state.withLock { $0.enabled = newValue } }
    }

    var intervalMilliseconds: Int64 {
        get { state.withLock { $0.intervalMilliseconds } }
        set { state.withLock { $0.intervalMilliseconds = Self.clamped(newValue) } }
    }

    /// The interval's bounds: at least a second, at most a day (AUTOVACUUM INTERVAL refuses others).
    static let minimumMilliseconds: Int64 = 1000
    static let maximumMilliseconds: Int64 = 86_400_000

    private static func clamped(_ milliseconds: Int64) -> Int64 {
        min(max(minimumMilliseconds, milliseconds), maximumMilliseconds)
    }
}

extension RedliteStore {
    /// SQLite's `PRAGMA integrity_check`: `"ok"` for a sound database file.
    public func integrityCheck() throws -> String {
        try withWriterAutocommit { connection in
            let statement = try connection.statement("PRAGMA integrity_check")
            defer { statement.reset() }
            var lines: [String] = []
            while try statement.step() { lines.append(String(buffer: statement.bytes(0))) }
            return lines.joined(separator: "\n")
        }
    }
}

/// Identifies one state of a key: the row (a deleted and re-created key gets a new one) and its write
/// count. WATCH compares versions taken at WATCH and at EXEC.
public struct KeyVersion: Sendable, Hashable {
    public let id: Int64
    public let version: Int64
}

extension RedliteStore {
    /// The current version of a key (nil when missing or expired), read from a reader connection.
    public func keyVersion(database: Int, key: ByteBuffer) throws -> KeyVersion? {
        try withReader { try $0.keyVersion(db: Int64(database), key: key, now: Clock.milliseconds()) }
    }

    /// Whether `name` (lowercase) is a command the engine executes.
    public func implements(_ name: String) -> Bool { commands.contains(name) }
}

extension SQLiteConnection {
    func keyVersion(db: Int64, key: ByteBuffer, now: Int64) throws -> KeyVersion? {
        let statement = try statement("SELECT id, version, expire_at FROM keys WHERE db = ?1 AND key = ?2")
        defer { statement.reset() }
        statement.bind(1, db).bind(2, key)
        guard try statement.step() else { return nil }
        if let expireAt = statement.optionalInt64(2), expireAt <= now { return nil }
        return KeyVersion(id: statement.int64(0), version: statement.int64(1))
    }
}

extension RedliteStore {
    /// One database's line of INFO keyspace.
    public struct DatabaseSummary: Sendable, Hashable {
        public var database: Int
        /// Live keys.
        public var keys: Int64
        /// Live keys with an expiry time.
        public var expires: Int64
        /// The mean time to live of those, in milliseconds (0 without any). Redis estimates it from
        /// the keys its active expiry samples; here it is exact, from the same scan that counts.
        public var averageTTLMilliseconds: Int64
    }

    /// Per database with keys: how many live keys, how many of those expire, and their mean time
    /// to live (INFO keyspace). Key counts come from index pages (`liveKeyCount`); the volatile keys'
    /// count and mean from the (db, expire_at) index alone, so INFO's cost grows with the number
    /// of keys with an expiry, not with every key.
    public func keyspaceSummary() throws -> [DatabaseSummary] {
        try withReader { connection in
            let now = Clock.milliseconds()
            let volatile = try connection.statement("""
                SELECT count(*), coalesce(avg(expire_at - ?2), 0) FROM keys INDEXED BY keys_expiry WHERE db = ?1 AND expire_at > ?2
                """)
            defer { volatile.reset() }
            var rows: [DatabaseSummary] = []
            for (database, keys) in try connection.liveKeyCounts(now: now) where keys > 0 {
                volatile.bind(1, database).bind(2, now)
                _ = try volatile.step()
                rows.append(DatabaseSummary(database: Int(database), keys: keys, expires: volatile.int64(0),
                                            averageTTLMilliseconds: Int64(volatile.double(1))))
                volatile.reset()
            }
            return rows
        }
    }

    /// Writes the WAL back into the database file and truncates it (a clean shutdown, SAVE): once it
    /// returns, the database file alone holds every commit. Throws if that could not be done within
    /// `Configuration.busyTimeout`.
    ///
    /// `PRAGMA wal_checkpoint(TRUNCATE)` is not used: it reports a checkpoint it could not finish in
    /// its result row, not as an error, so a reader's snapshot or the background checkpointer's
    /// round at that moment left the WAL in place unnoticed. SQLite waits for readers through the
    /// busy handler, but answers SQLITE_BUSY at once while another checkpoint runs: that is retried
    /// here.
    public func checkpoint() throws {
        try withWriterAutocommit { connection in
            let deadline = ContinuousClock.now + configuration.busyTimeout
            while true {
                let code = sqlite_nio_sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
                if code == SQLITE_OK { return }
                // Extended result codes are on: SQLITE_BUSY_TIMEOUT, SQLITE_LOCKED_SHAREDCACHE… are
                // the same conditions.
                let primary = code & 0xff
                guard primary == SQLITE_BUSY || primary == SQLITE_LOCKED, ContinuousClock.now < deadline else {
                    throw RedliteError.sqlite(code: code, message: connection.lastErrorMessage)
                }
                Thread.sleep(forTimeInterval: 0.005)
            }
        }
    }
}
