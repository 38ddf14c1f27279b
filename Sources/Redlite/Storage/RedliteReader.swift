public import NIOCore
public import RESP
import RedliteSQLiteWAL
import Synchronization

/// A read connection owned by one thread (a server's event loop) that answers many read commands
/// from one SQLite read transaction, instead of opening and closing one per command.
///
/// A read transaction costs file-lock system calls and a few global SQLite mutexes at its start and
/// end; a server answering thousands of GETs a second from two threads pays for them on every GET,
/// and the threads contend on them. A reader keeps its snapshot for as long as nothing can have been
/// committed since it began:
/// - the store's write sequence must not have moved (every use of this process's writer connection
///   moves it before anything can become visible, and keeps it odd while it lasts), and
/// - the change counter of the database's WAL index must not have moved (every commit of any
///   connection, in any process, moves it before it returns; see `WALIndexChanges.c`); a checkpoint
///   renews the snapshot too, since one begun after it reads the copied pages from the database file
///   instead of looking each up in the WAL,
///
/// so a command answered from the kept snapshot sees exactly what a fresh one would, and a reply
/// never goes back in time behind one another client already received. The owner ends the snapshot
/// with `endSnapshot()` once the thread has stopped reading for a while: an idle snapshot would keep
/// checkpoints from copying the WAL's newer frames and from resetting it.
///
/// Not thread-safe: use one reader from one thread at a time.
public final class RedliteReader {
    private let store: RedliteStore
    /// nil for an in-memory store (its only connection is the writer's): commands then run as
    /// `RedliteStore.execute` runs them.
    private let connection: SQLiteConnection?
    /// The write sequence when the open snapshot began; nil when no snapshot is open.
    private var snapshotSequence: UInt64?
    /// The connection's mapping of the WAL index (once a read transaction has made it), and its
    /// change value when the open snapshot began.
    private var walIndex: UnsafeRawPointer?
    private var snapshotWALChange: UInt64 = 0
    /// Snapshots begun so far (tests read it).
    private(set) var snapshotsBegun = 0

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
        if let snapshotSequence, snapshotSequence == sequence, sequence % 2 == 0, connection.isInTransaction,
           let walIndex, redlite_sqlite_wal_index_change(walIndex) == snapshotWALChange {
            return
        }
        endSnapshot()
        // The snapshot is taken by the first read after BEGIN, after `sequence` and the WAL index's
        // change value were read: it holds every commit made before, and is kept only while no
        // write has started since (the sequence even and unchanged) and no commit has been published
        // since (the change value unchanged). Taken during a write (odd), the check above renews it
        // for the next command.
        if walIndex == nil {
            // Mapped by the connection's first read transaction; until then every command renews.
            walIndex = UnsafeRawPointer(redlite_sqlite_wal_index(connection.handle))
        }
        if let walIndex { snapshotWALChange = redlite_sqlite_wal_index_change(walIndex) }
        try connection.statement("BEGIN").run()
        snapshotSequence = sequence
        snapshotsBegun += 1
    }
}

extension RedliteStore {
    /// A reader with its own read connection, for one thread's bursts of read commands.
    public func makeReader() throws -> RedliteReader {
        guard let path else { return RedliteReader(store: self, connection: nil) }
        return RedliteReader(store: self, connection: try Self.openConnection(path: path, configuration: configuration, readOnly: true,
                                                                                    statistics: keyspaceStatistics))
    }
}
