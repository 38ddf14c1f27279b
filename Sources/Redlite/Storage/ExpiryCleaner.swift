import Foundation
import Synchronization

/// Active expiry: a background thread that deletes expired keys, and publishes their `expired`
/// keyspace events, soon after they expire.
///
/// Expired keys are already invisible to every command (each read checks `expire_at`); this removes
/// their rows so the file does not keep them, and announces them as Redis does when its active expiry
/// or a lookup finds them. Redis's active expiry runs ten times a second; a sweep every AUTOVACUUM
/// interval (60 s by default) alone would announce a key up to a minute late, and an application
/// waiting for `__keyevent@0__:expired` would wait with it. So the thread sleeps until the earliest
/// expiry it knows of (found after each run with one index probe per database, and told of every
/// TTL set since through this store, see `schedule(at:)`), but at least `minimumSpacingMilliseconds`
/// between runs, and at most the interval. Another store on the same file (another process) runs its
/// own: an expired key's `expired` event is published by whichever removes it. It runs on its own
/// thread because SQLite calls block, and deletes in small batches so the writer is never held for
/// long.
final class ExpiryCleaner: Sendable {
    private weak let store: RedliteStore?
    private let condition = NSCondition()
    private struct State {
        var stopped = false
        /// The earliest expiry (Unix ms) known to be due after the last run, if any.
        var earliestExpiry: Int64?
        /// Set by `schedule(at:)` when it moved `earliestExpiry` earlier: the thread must not start
        /// waiting on what it decided before.
        var wakeRequested = false
    }
    private let state = Mutex(State())
    /// Redis's active expiry runs at `hz` 10.
    static let minimumSpacingMilliseconds: Int64 = 100

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
        state.withLock { $0.stopped = true }
        condition.signal()
        condition.unlock()
    }

    /// A key will expire at `milliseconds` (a TTL was just set): the thread wakes for it if that is
    /// earlier than what it sleeps until.
    func schedule(at milliseconds: Int64) {
        let earlier = state.withLock { state -> Bool in
            guard state.earliestExpiry.map({ milliseconds < $0 }) ?? true else { return false }
            state.earliestExpiry = milliseconds
            state.wakeRequested = true
            return true
        }
        guard earlier else { return }
        condition.lock()
        condition.signal()
        condition.unlock()
    }

    private var isStopped: Bool { state.withLock { $0.stopped } }

    /// The longest single wait: changes of the AUTOVACUUM settings and jumps of the wall clock (an
    /// expiry is wall-clock time) are noticed within it.
    static let maximumWaitMilliseconds: Int64 = 1000

    /// What the thread does next.
    private enum Step {
        case run
        case wait(milliseconds: Int64)
    }

    /// The store is referenced strongly only in `nextStep` and in a run, never while the condition's
    /// lock is held: the last reference may be the thread's, and then the store's deinit runs here
    /// and calls `stop()`, which takes that lock (it is not recursive).
    private func run() {
        // Spacing and the interval are measured on the monotonic clock; expiries on the wall clock.
        var lastRun = ContinuousClock.now
        var failures = 0
        // What the file holds already (keys set before this process, or by another one).
        // (Looked up before taking the state's lock: the lookup may wait for the writer, whose
        // holder may be scheduling an expiry.)
        if let earliest = try? store?.earliestExpiry() { schedule(at: earliest) }
        while !isStopped {
            guard let step = nextStep(lastRun: lastRun, failures: failures) else { return }  // the store is gone
            if case .wait(let milliseconds) = step {
                condition.lock()
                if !state.withLock({ $0.stopped || $0.wakeRequested }) {
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(max(1, milliseconds)) / 1000))
                }
                state.withLock { $0.wakeRequested = false }
                condition.unlock()
                continue
            }
            guard let store else { return }
            lastRun = ContinuousClock.now
            // Forgotten before the run: a TTL set while it runs is scheduled anew.
            state.withLock { $0.earliestExpiry = nil }
            do {
                try store.deleteExpiredKeys()
                failures = 0
            } catch {
                // A read-only file, a full disk, another process's long write: not every 100 ms.
                failures += 1
            }
            if let remaining = try? store.earliestExpiry() { schedule(at: remaining) }
        }
    }

    /// Whether a run is due, or how long to wait; nil once the store is gone. A full sweep every
    /// interval; a due expiry sooner, 100 ms after the last run at the earliest; after failed runs,
    /// later and later (up to the interval). Off, or held by CLIENT PAUSE (as Redis's active expiry
    /// is): nothing runs, and the known expiries stay known for when it may run again.
    private func nextStep(lastRun: ContinuousClock.Instant, failures: Int) -> Step? {
        guard let store else { return nil }
        guard store.autovacuum.enabled && !store.activeExpiryPaused.load(ordering: .relaxed) else {
            return .wait(milliseconds: Self.maximumWaitMilliseconds)
        }
        let sinceLast = (ContinuousClock.now - lastRun).milliseconds
        let interval = store.autovacuum.intervalMilliseconds
        if sinceLast >= interval { return .run }
        var wait = min(Self.maximumWaitMilliseconds, interval - sinceLast)
        if let earliest = state.withLock({ $0.earliestExpiry }) {
            let spacing = failures == 0 ? Self.minimumSpacingMilliseconds : min(interval, 1000 << min(failures - 1, 16))
            let untilDue = max(earliest - Clock.milliseconds(), spacing - sinceLast)
            if untilDue <= 0 { return .run }
            wait = min(wait, untilDue)
        }
        return .wait(milliseconds: wait)
    }
}

extension RedliteStore {
    /// The earliest expiry (Unix ms) of any key, expired or not, in any database: one probe of the
    /// (db, expire_at) index per database, on a reader.
    func earliestExpiry() throws -> Int64? {
        try withReader { connection in
            let probe = try connection.statement("SELECT min(expire_at) FROM keys INDEXED BY keys_expiry WHERE db = ?1 AND expire_at IS NOT NULL")
            defer { probe.reset() }
            var earliest: Int64?
            for database in 0..<ServerCommands.databaseCount {
                probe.reset()
                probe.bind(1, database)
                if try probe.step(), let value = probe.optionalInt64(0) { earliest = min(earliest ?? value, value) }
            }
            return earliest
        }
    }

    /// Deletes the rows of every expired key in every database; returns how many were deleted.
    @discardableResult
    func deleteExpiredKeys() throws -> Int {
        var total = 0
        let announce = notifications.isEnabled("x")
        // Which databases have expired keys, looked up on a reader (an in-memory store's one
        // connection otherwise): a delete that finds nothing would still take the writer (holding up group commits) and bump `writeSequence` (ending every
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
