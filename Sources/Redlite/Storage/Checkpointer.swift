import Foundation
import Synchronization

/// Runs WAL checkpoints on its own thread and connection (PASSIVE: never blocks the writer or
/// readers), a few times a second, so that commits do not stop to copy the WAL into the database.
final class Checkpointer: Sendable {
    private let connection: SQLiteConnection
    private let condition = NSCondition()
    private let stopped = Mutex(false)
    private let finished = Mutex(false)

    init(connection: SQLiteConnection) {
        self.connection = connection
        let thread = Thread { [self] in run() }
        thread.name = "redlite.checkpoint"
        thread.start()
    }

    func stop() {
        condition.lock()
        stopped.withLock { $0 = true }
        condition.broadcast()
        while !finished.withLock({ $0 }) { _ = condition.wait(until: Date(timeIntervalSinceNow: 0.05)) }
        condition.unlock()
    }

    private func run() {
        condition.lock()
        while !stopped.withLock({ $0 }) {
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.2))
            if stopped.withLock({ $0 }) { break }
            condition.unlock()
            try? connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
            condition.lock()
        }
        finished.withLock { $0 = true }
        condition.broadcast()
        condition.unlock()
    }
}
