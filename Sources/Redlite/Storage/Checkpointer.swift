import Foundation
import VaporCSQLite
import Synchronization

/// Runs WAL checkpoints on its own thread and connection, once a second, so that commits do not stop
/// to copy the WAL into the database. Not more often: a page written many times between two
/// checkpoints is copied once, and under random writes that saves most of the copying.
///
/// A PASSIVE checkpoint never blocks the writer or readers, but it cannot make SQLite start the WAL
/// over: that happens only when a write begins while no reader still uses the WAL, which under a
/// steady mix of reads and writes is never, so the WAL file would grow without bound (gigabytes in a
/// benchmark minute). Once the WAL is larger than `walLimitBytes`, a TRUNCATE checkpoint waits for the
/// readers of the moment to finish and empties it. It runs while holding the store's writer lock
/// (`pauseWriter`): SQLite's own busy handler, which sleeps and retries, never won the write lock
/// from a writer that commits back to back (the WAL still reached 300 MB). The PASSIVE rounds have
/// copied most pages already, so the writer pauses only briefly.
final class Checkpointer: Sendable {
    private let connection: SQLiteConnection
    private let walLimitBytes: Int
    /// A WAL frame: a page and its 24-byte header.
    private let frameBytes: Int
    private let busyTimeoutMilliseconds: Int32
    private let pauseWriter: @Sendable (() -> Void) -> Void
    private let condition = NSCondition()
    private let stopped = Mutex(false)
    private let finished = Mutex(false)
    /// TRUNCATE checkpoints run so far (for tests).
    let truncations = Atomic<Int>(0)

    /// `pauseWriter` runs its argument while the store's writer is held back.
    init(connection: SQLiteConnection, walLimitBytes: Int, busyTimeout: Duration, pauseWriter: @escaping @Sendable (() -> Void) -> Void) {
        self.connection = connection
        self.busyTimeoutMilliseconds = Int32(clamping: busyTimeout.milliseconds)
        self.walLimitBytes = walLimitBytes
        self.frameBytes = Self.pageSize(of: connection) + 24
        self.pauseWriter = pauseWriter
        // Weakly: the checkpointer keeps its thread (for `stop`), and a thread keeping its block,
        // which kept the checkpointer, made a cycle: neither went, nor this connection's files
        // (every file store opened and released leaked its checkpoint connection).
        let thread = Thread { [weak self] in self?.run() }
        thread.name = "redlite.checkpoint"
        self.thread = thread
        thread.start()
    }

    /// The checkpoint thread (only compared with, in `stop`).
    private nonisolated(unsafe) var thread: Thread?

    func stop() {
        // Called on the checkpoint thread itself (the store's last reference dropped inside a
        // round, so its deinit runs there): waiting for that thread to finish would never end.
        if let thread, Thread.current == thread {
            stopped.withLock { $0 = true }
            return
        }
        condition.lock()
        stopped.withLock { $0 = true }
        condition.broadcast()
        while !finished.withLock({ $0 }) { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05)) }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while !stopped.withLock({ $0 }) {
            _ = condition.wait(until: Date(timeIntervalSinceNow: 1))
            if stopped.withLock({ $0 }) { break }
            condition.unlock()
            checkpoint()
            condition.lock()
        }
        finished.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
    }

    private func checkpoint() {
        var walFrames: Int32 = 0
        var copied: Int32 = 0
        sqlite_nio_sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_PASSIVE, &walFrames, &copied)
        guard walFrames > 0, Int(walFrames) * frameBytes > walLimitBytes else { return }
        pauseWriter { [self] in
            // Only readers whose snapshot began before the copy can hold it up, and they end within a
            // moment (a server's event loop renews its snapshot at its next read, the writer being in
            // use, or ends it after 2 ms without reads). SQLite's busy handler would sleep 1, 2,
            // 5, 10… ms between attempts, all of it with the writer paused; poll briefly instead, and
            // leave it to the next round when readers stay (the writer never waits more than ~10 ms).
            sqlite_nio_sqlite3_busy_timeout(connection.handle, 0)
            defer { sqlite_nio_sqlite3_busy_timeout(connection.handle, busyTimeoutMilliseconds) }
            for _ in 0..<Self.truncateAttempts {
                let code = sqlite_nio_sqlite3_wal_checkpoint_v2(connection.handle, nil, SQLITE_CHECKPOINT_TRUNCATE, nil, nil)
                if code == SQLITE_OK {
                    truncations.add(1, ordering: .relaxed)
                    return
                }
                guard code & 0xff == SQLITE_BUSY else { return }  // any SQLITE_BUSY_* (extended codes are on)
                usleep(200)
            }
        }
    }

    /// TRUNCATE attempts per round, 200 µs apart.
    private static let truncateAttempts = 50

    /// The database's page size (fixed once the file exists).
    private static func pageSize(of connection: SQLiteConnection) -> Int {
        guard let statement = try? connection.statement("PRAGMA page_size") else { return 4096 }
        defer { statement.reset() }
        return (try? statement.step()) == true ? Int(statement.int64(0)) : 4096
    }
}
