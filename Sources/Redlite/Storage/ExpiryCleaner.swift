import Foundation
import Synchronization

/// Active expiry: a background thread that deletes expired keys every AUTOVACUUM interval.
///
/// Expired keys are already invisible to every command (each read checks `expire_at`); this removes
/// their rows so the file does not keep them. It runs on its own thread because SQLite calls block,
/// and deletes in small batches so the writer is never held for long.
final class ExpiryCleaner: Sendable {
    private weak let store: RedliteStore?
    private let condition = NSCondition()
    private let stopped = Mutex(false)

    init(store: RedliteStore) {
        self.store = store
    }

    func start() {
        let thread = Thread { [self] in run() }
        thread.name = "redlite.expiry"
        thread.start()
    }

    func stop() {
        condition.lock()
        stopped.withLock { $0 = true }
        condition.signal()
        condition.unlock()
    }

    private var isStopped: Bool { stopped.withLock { $0 } }

    private func run() {
        while !isStopped {
            guard let interval = store?.autovacuum.intervalMilliseconds else { return }
            condition.lock()
            if !isStopped {
                _ = condition.wait(until: Date(timeIntervalSinceNow: Double(interval) / 1000))
            }
            condition.unlock()
            guard !isStopped, let store else { return }
            if store.autovacuum.enabled && !store.activeExpiryPaused.load(ordering: .relaxed) {
                _ = try? store.deleteExpiredKeys()
            }
        }
    }
}

extension RedliteStore {
    /// Deletes the rows of every expired key in every database; returns how many were deleted.
    @discardableResult
    func deleteExpiredKeys() throws -> Int {
        var total = 0
        let announce = notifications.isEnabled("x")
        // Which databases have expired keys, looked up on a reader: a delete that finds nothing would
        // still take the writer (holding up group commits) and bump `writeSequence` (ending every
        // loop reader's snapshot), sixteen times an interval for the usual one database in use.
        let due = try withReader { connection in
            let probe = try connection.statement("SELECT 1 FROM keys INDEXED BY keys_expiry WHERE db = ?1 AND expire_at <= ?2 LIMIT 1")
            defer { probe.reset() }
            let now = Clock.milliseconds()
            return try (0..<ServerCommands.databaseCount).filter { database in
                probe.reset()
                probe.bind(1, database).bind(2, now)
                return try probe.step()
            }
        }
        for database in due {
            while true {
                let (deleted, events) = try withWriterAutocommit { connection -> (Int, [KeyspaceNotifications.Event]) in
                    let statement = try connection.statement("""
                        DELETE FROM keys WHERE id IN (SELECT id FROM keys INDEXED BY keys_expiry WHERE db = ?1 AND expire_at <= ?2 LIMIT 500)
                        RETURNING key
                        """)
                    defer { statement.reset() }
                    statement.bind(1, database).bind(2, Clock.milliseconds())
                    var count = 0
                    var events: [KeyspaceNotifications.Event] = []
                    while try statement.step() {
                        count += 1
                        if announce { events.append(.init(database: Int(database), key: statement.bytes(0), name: "expired", kind: "x")) }
                    }
                    return (count, events)
                }
                keyspaceStatistics.recordExpired(deleted)
                notifications.publish(events, through: pubsub)
                total += deleted
                if deleted < 500 { break }
            }
        }
        return total
    }
}

/// Wall-clock time as Redis uses it: Unix milliseconds.
enum Clock {
    static func milliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    static func microseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }
}
