import Foundation
import Logging
import NIOConcurrencyHelpers
import Redlite

/// SAVE, BGSAVE and BGREWRITEAOF for a store whose every acknowledged write is already durable.
///
/// Redis saves to make its dataset durable; Redlite's commits are durable when acknowledged, in the
/// database file and its WAL together. What a save still means here is what operators use it for: a
/// file that holds the whole dataset on its own, to copy as a backup. Each of the three empties the
/// WAL into the database file (a TRUNCATE checkpoint), SAVE before it answers, the other two in the
/// background, one at a time; LASTSAVE and INFO persistence report them as Redis reports its saves.
final class Persistence: Sendable {
    enum Kind: Sendable { case save, rewrite }

    private struct State {
        var running: Kind?
        var saveScheduled = false
        var rewriteScheduled = false
        /// Unix seconds of the last successful save (the server's start until there is one, as in Redis).
        var lastSave: Int64
        var lastSaveSucceeded = true
        var lastRewriteSucceeded = true
        var saves = 0
        var rewrites = 0
    }

    private let store: RedliteStore
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    private let queue = DispatchQueue(label: "redlite.save")

    init(store: RedliteStore, logger: Logger) {
        self.store = store
        self.logger = logger
        state = NIOLockedValueBox(State(lastSave: Int64(Date().timeIntervalSince1970)))
    }

    /// What BGSAVE or BGREWRITEAOF did.
    enum Start: Sendable {
        case started, scheduled
        /// One of the same kind is running.
        case alreadyRunning
        /// A BGSAVE found a rewrite running, and was not asked to wait for it.
        case otherRunning
    }

    /// Starts a background checkpoint of `kind`, or schedules it behind the one running, as Redis
    /// does: a rewrite always, a save when asked to (BGSAVE SCHEDULE) or inside EXEC.
    func startInBackground(_ kind: Kind, schedule: Bool = false) -> Start {
        let start = state.withLockedValue { state -> Start in
            guard let running = state.running else {
                state.running = kind
                return .started
            }
            if running == kind { return .alreadyRunning }
            switch kind {
            case .save:
                guard schedule else { return .otherRunning }
                state.saveScheduled = true
            case .rewrite:
                state.rewriteScheduled = true
            }
            return .scheduled
        }
        if start == .started { queue.async { [self] in run(kind) } }
        return start
    }

    /// SAVE: checkpoints now, on this thread; false when a background save is running, or when the
    /// checkpoint failed.
    func saveNow() -> Result<Void, SaveError> {
        let started = state.withLockedValue { state -> Bool in
            guard state.running != .save else { return false }
            return true
        }
        guard started else { return .failure(.alreadyRunning) }
        // Behind a rewrite in progress: the queue runs one checkpoint at a time.
        return queue.sync { checkpoint(.save) ? .success(()) : .failure(.failed) }
    }

    enum SaveError: Error { case alreadyRunning, failed }

    private func run(_ kind: Kind) {
        _ = checkpoint(kind)
        let next = state.withLockedValue { state -> Kind? in
            state.running = nil
            if state.saveScheduled {
                state.saveScheduled = false
                state.running = .save
            } else if state.rewriteScheduled {
                state.rewriteScheduled = false
                state.running = .rewrite
            }
            return state.running
        }
        if let next { queue.async { [self] in run(next) } }
    }

    /// Empties the WAL into the database file and records the outcome.
    private func checkpoint(_ kind: Kind) -> Bool {
        var succeeded = true
        do {
            try store.checkpoint()
        } catch {
            succeeded = false
            logger.error("checkpoint for \(kind == .save ? "SAVE" : "BGREWRITEAOF") failed", metadata: ["error": "\(error)"])
        }
        let now = Int64(Date().timeIntervalSince1970)
        state.withLockedValue { state in
            switch kind {
            case .save:
                state.lastSaveSucceeded = succeeded
                if succeeded {
                    state.lastSave = now
                    state.saves += 1
                }
            case .rewrite:
                state.lastRewriteSucceeded = succeeded
                if succeeded { state.rewrites += 1 }
            }
        }
        return succeeded
    }

    /// LASTSAVE.
    var lastSave: Int64 { state.withLockedValue { $0.lastSave } }

    /// INFO persistence's fields about saves.
    var infoFields: [(String, String)] {
        let state = state.withLockedValue { $0 }
        return [
            ("rdb_bgsave_in_progress", state.running == .save ? "1" : "0"), ("rdb_last_save_time", String(state.lastSave)),
            ("rdb_last_bgsave_status", state.lastSaveSucceeded ? "ok" : "err"), ("rdb_saves", String(state.saves)),
            ("aof_rewrite_in_progress", state.running == .rewrite ? "1" : "0"),
            ("aof_rewrite_scheduled", state.rewriteScheduled ? "1" : "0"),
            ("aof_last_bgrewrite_status", state.lastRewriteSucceeded ? "ok" : "err"), ("aof_rewrites", String(state.rewrites)),
        ]
    }
}
