public import NIOCore
public import RESP
import Synchronization

/// A read connection owned by one thread (a server's event loop) that answers a burst of read
/// commands from one SQLite read transaction, instead of opening and closing one per command.
///
/// A read transaction costs file-lock system calls and a few global SQLite mutexes at its start and
/// end; a server answering thousands of GETs a second from two threads pays for them on every GET,
/// and the threads contend on them. A reader keeps its snapshot for as long as nothing can have been
/// committed since it began: the store's write sequence must not have moved (every use of the writer
/// connection moves it before anything can become visible, and keeps it odd while it lasts), so a
/// command answered from the kept snapshot sees exactly what a fresh one would, and a reply never
/// goes back in time behind one another client already received. The owner ends the snapshot with
/// `endSnapshot()` at the end of its burst (an event-loop tick), so a snapshot never stays open
/// while the thread is idle (it would keep the WAL from being reset) and writes of other processes
/// on the same file are seen from the next burst on.
///
/// Not thread-safe: use one reader from one thread at a time.
public final class RedliteReader {
    private let store: RedliteStore
    /// nil for an in-memory store (its only connection is the writer's): commands then run as
    /// `RedliteStore.execute` runs them.
    private let connection: SQLiteConnection?
    /// The write sequence when the open snapshot began; nil when no snapshot is open.
    private var snapshotSequence: UInt64?

    init(store: RedliteStore, connection: SQLiteConnection?) {
        self.store = store
        self.connection = connection
    }

    deinit {
        endSnapshot()
    }

    /// Whether a snapshot is open (`endSnapshot()` should be called at the end of the burst).
    public var hasOpenSnapshot: Bool { snapshotSequence != nil }

    /// Executes one read-only command for a client (its database and protocol) from the current
    /// snapshot, opening or renewing it when needed. A command that writes is answered with an error:
    /// send writes to the store's writer.
    public func execute(_ arguments: [ByteBuffer], name: String, session: inout RedliteSession) -> RESPValue {
        guard let connection else { return store.execute(arguments, name: name, session: &session) }
        do {
            try prepareSnapshot(connection)
        } catch {
            return .simpleError((error as? RedisError)?.message ?? "ERR \(error)")
        }
        var context = CommandContext(store: store, database: session.database, connection: nil, resp3: session.protocolVersion == .resp3)
        context.snapshot = connection
        let reply = store.commands.execute(arguments, name: name, context: &context)
        session.database = context.database
        return reply
    }

    /// Ends the open snapshot, if any.
    public func endSnapshot() {
        guard snapshotSequence != nil, let connection else { return }
        snapshotSequence = nil
        if connection.isInTransaction { try? connection.statement("COMMIT").run() }
    }

    private func prepareSnapshot(_ connection: SQLiteConnection) throws {
        let sequence = store.writeSequence.load(ordering: .sequentiallyConsistent)
        if let snapshotSequence, snapshotSequence == sequence, sequence % 2 == 0, connection.isInTransaction { return }
        endSnapshot()
        // The snapshot is taken by the first read after BEGIN, after `sequence` was read: it holds
        // every commit made before, and is kept only while no write has started since (even and
        // unchanged). Taken during a write (odd), the check above renews it for the next command.
        try connection.statement("BEGIN").run()
        snapshotSequence = sequence
    }
}

extension RedliteStore {
    /// A reader with its own read connection, for one thread's bursts of read commands.
    public func makeReader() throws -> RedliteReader {
        guard let path else { return RedliteReader(store: self, connection: nil) }
        return RedliteReader(store: self, connection: try Self.openConnection(path: path, configuration: configuration, readOnly: true))
    }
}
