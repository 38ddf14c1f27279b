import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import RESP
import Redlite
import Synchronization

/// The one ordered writer: write commands from every connection, applied in arrival order by a single
/// thread in shared SQLite transactions (group commit).
///
/// Each job runs inside the current batch's transaction; when the batch commits, every job's reply is
/// released at once. A reply therefore leaves the server only after its effect is committed and
/// visible to every reader, which gives per-connection order and cross-connection linearizability,
/// while one commit (one WAL write) serves many writers. Reads never come here.
final class GroupCommitter: Sendable {
    typealias Work = @Sendable (RedliteTransaction, inout RedliteSession) -> RESPValue
    typealias Completion = @Sendable (Result<(RESPValue, RedliteSession), any Error>) -> Void

    private struct Job {
        let session: RedliteSession
        let work: Work
        /// Where `completion` runs: the submitting connection's event loop (nil: the writer thread).
        let eventLoop: (any EventLoop)?
        let completion: Completion
    }

    private struct State {
        var jobs: [Job] = []
        var stopped = false
    }

    private let store: RedliteStore
    private let maxBatch: Int
    private let state = NIOLockedValueBox(State())
    /// Signalled when jobs arrive or stopping is requested.
    private let wakeUp = NSCondition()
    private let batchSizes: Recorder
    /// Signalled when the writer thread has ended.
    private let finished = NSCondition()
    private let done = NIOLockedValueBox(false)

    private let logger: Logger

    init(store: RedliteStore, maxBatch: Int, logger: Logger, batchSizes: Recorder) {
        self.store = store
        self.logger = logger
        self.batchSizes = batchSizes
        self.maxBatch = max(1, maxBatch)
        let thread = Thread { [self] in
            writerThread.withLockedValue { $0 = pthread_self() }
            run()
        }
        thread.name = "redlite.writer"
        thread.start()
        // Writes made outside the committer (embedded code on the same store) that make a blocked
        // client's key ready: a no-op job follows them, and blocked clients are served after it,
        // as after every batch. The committer's own writes need none.
        store.blocking.observeReadyKeys { [weak self] in self?.scheduleServingOfBlockedClients() }
    }

    private let writerThread = NIOLockedValueBox<pthread_t?>(nil)
    private let servingScheduled = Atomic<Bool>(false)

    private func scheduleServingOfBlockedClients() {
        if let writer = writerThread.withLockedValue({ $0 }), pthread_equal(writer, pthread_self()) != 0 { return }
        guard servingScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        submit(session: RedliteSession(), work: { [self] _, _ in
            servingScheduled.store(false, ordering: .releasing)
            return .null
        }, completion: { _ in })
    }

    /// Queues a job; `completion` is called after the batch holding it commits, on `eventLoop` (the
    /// completions of one batch for one loop run in one task of that loop, in order), or on the
    /// writer thread when `eventLoop` is nil.
    func submit(session: RedliteSession, work: @escaping Work, on eventLoop: (any EventLoop)? = nil,
                completion: @escaping Completion) {
        let accepted = state.withLockedValue { state -> Bool in
            guard !state.stopped else { return false }
            state.jobs.append(Job(session: session, work: work, eventLoop: eventLoop, completion: completion))
            return true
        }
        guard accepted else {
            let failure = Result<(RESPValue, RedliteSession), any Error>.failure(RedisError("ERR server is shutting down"))
            if let eventLoop { eventLoop.execute { completion(failure) } } else { completion(failure) }
            return
        }
        wakeUp.lock()
        wakeUp.signal()
        wakeUp.unlock()
    }

    /// Stops taking jobs, finishes the queued ones, and waits for the writer thread to end.
    func stop() {
        state.withLockedValue { $0.stopped = true }
        wakeUp.lock()
        wakeUp.signal()
        wakeUp.unlock()
        finished.lock()
        while !done.withLockedValue({ $0 }) { finished.wait() }
        finished.unlock()
    }

    private func run() {
        while true {
            wakeUp.lock()
            while state.withLockedValue({ $0.jobs.isEmpty && !$0.stopped }) { wakeUp.wait() }
            wakeUp.unlock()
            let (batch, stopped) = state.withLockedValue { state -> ([Job], Bool) in
                let batch = Array(state.jobs.prefix(maxBatch))
                state.jobs.removeFirst(batch.count)
                return (batch, state.stopped)
            }
            if batch.isEmpty {
                if stopped { break }
                continue
            }
            execute(batch)
        }
        finished.lock()
        done.withLockedValue { $0 = true }
        finished.broadcast()
        finished.unlock()
    }

    private func execute(_ batch: [Job]) {
        batchSizes.record(batch.count)
        var results: [(RESPValue, RedliteSession)] = []
        results.reserveCapacity(batch.count)
        do {
            // Keyspace events of the batch are published by `transaction` once it has committed.
            try store.transaction { transaction in
                for job in batch {
                    var session = job.session
                    let reply = job.work(transaction, &session)
                    results.append((reply, session))
                }
            }
        } catch {
            // The commit itself failed: nothing in the batch happened.
            complete(batch, with: batch.map { _ in .failure(error) })
            return
        }
        complete(batch, with: results.map { .success($0) })
        serveBlockedClients()
    }

    /// Runs the completions: one task per event loop for all of that loop's jobs (a batch holds jobs
    /// of many connections on few loops; a task each would cost a queue lock and a wake-up each).
    private func complete(_ batch: [Job], with results: [Result<(RESPValue, RedliteSession), any Error>]) {
        var groups: [(eventLoop: any EventLoop, completions: [@Sendable () -> Void])] = []
        for (job, result) in zip(batch, results) {
            guard let eventLoop = job.eventLoop else {
                job.completion(result)
                continue
            }
            let completion = job.completion
            if let index = groups.firstIndex(where: { $0.eventLoop === eventLoop }) {
                groups[index].completions.append { completion(result) }
            } else {
                groups.append((eventLoop, [{ completion(result) }]))
            }
        }
        for group in groups {
            let completions = group.completions
            group.eventLoop.execute { for completion in completions { completion() } }
        }
    }

    /// After a commit: clients blocked on keys the batch wrote are served, in arrival order, each in
    /// the same kind of transaction, and answered once it commits.
    private func serveBlockedClients() {
        let registry = store.blocking
        var rounds = 0
        while registry.hasReadyKeys && rounds < 10_000 {
            rounds += 1
            var served: [(BlockingRegistry.Waiter, RESPValue)] = []
            do {
                try store.transaction { transaction in served = registry.serveReady(using: transaction) }
            } catch {
                logger.error("serving blocked clients failed", metadata: ["error": "\(error)"])
                continue
            }
            for (waiter, reply) in served { waiter.complete(reply) }
        }
    }
}
