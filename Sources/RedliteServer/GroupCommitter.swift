import Foundation
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import RESP
import Redlite
import Synchronization

/// The one ordered writer: write commands from every connection, applied in arrival order, one batch
/// at a time, in shared SQLite transactions (group commit).
///
/// Each job runs inside the current batch's transaction; when the batch commits, every job's reply is
/// released at once. A reply therefore leaves the server only after its effect is committed and
/// visible to every reader, which gives per-connection order and cross-connection linearizability,
/// while one commit (one WAL write) serves many writers. Reads never come here.
///
/// One thread at a time leads: takes the queued jobs in order and runs them as batches until the
/// queue is empty. When commits are cheap (`commitsOnEventLoops`: no fsync at commit) an event loop
/// whose connections queued writes leads itself at the end of its tick if nobody else is leading, so
/// that a batch costs no hand-off to another thread and back (two wake-ups, on two cores
/// shared with the clients); it leads for at most about a millisecond and then hands the rest to the
/// writer thread, so its own connections' reads are not held up long. Otherwise, and whenever no
/// event loop is about to lead, the writer thread leads.
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
        /// A thread (the writer, or an event loop) is running batches: nobody else may start one.
        var leading = false
        /// Event loops with a lead task scheduled for the end of their current tick.
        var loopsAboutToLead: [ObjectIdentifier] = []
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
    /// Whether event loops may lead (see the type's comment): only when a commit does not wait for
    /// the disk, since a leading loop answers nothing else meanwhile. Changes with CONFIG SET
    /// synchronous.
    var commitsOnEventLoops: Bool {
        get { commitsOnEventLoopsFlag.load(ordering: .relaxed) }
        set { commitsOnEventLoopsFlag.store(newValue, ordering: .relaxed) }
    }
    private let commitsOnEventLoopsFlag: Synchronization.Atomic<Bool>
    /// How long an event loop goes on leading: after a batch that ends later than this since the
    /// lead began, the writer thread takes over the rest. It bounds how long the loop's connections wait
    /// (for reads too) behind other connections' writes; 1 ms is a few single-command batches.
    let loopLeadBudgetNanoseconds: UInt64

    /// The costliest job (its share of its batch's execution and commit, on average) for which an
    /// event loop still runs batches itself. A loop that runs a batch stops reading and answering
    /// meanwhile, where the writer thread would have run it alongside the loops; for costly writes
    /// that overlap is worth more than the hand-off it saves. Measured on the 2-core development
    /// machine: SET (16–22 µs per job), SADD and INCR gained 8–20 % by leading, ZADD (~27 µs) lost ~10 %.
    let loopJobCostLimitNanoseconds: UInt64
    /// A moving average of one job's share of its batch's time (execution and commit), updated by
    /// whoever leads.
    private let jobCostNanoseconds = Atomic<UInt64>(0)

    init(store: RedliteStore, maxBatch: Int, commitsOnEventLoops: Bool, loopLeadBudget: Duration = .milliseconds(1),
         loopJobCostLimit: Duration = .microseconds(24), logger: Logger, batchSizes: Recorder) {
        self.store = store
        self.logger = logger
        self.batchSizes = batchSizes
        self.maxBatch = max(1, maxBatch)
        self.commitsOnEventLoopsFlag = Synchronization.Atomic(commitsOnEventLoops)
        self.loopLeadBudgetNanoseconds = UInt64(max(0, TimeAmount(loopLeadBudget).nanoseconds))
        self.loopJobCostLimitNanoseconds = UInt64(max(0, TimeAmount(loopJobCostLimit).nanoseconds))
        let thread = Thread { [self] in run() }
        thread.name = "redlite.writer"
        thread.start()
        // Writes made outside the committer (embedded code on the same store) that make a blocked
        // client's key ready: a no-op job follows them, and blocked clients are served after it,
        // as after every batch. The committer's own writes need none.
        store.blocking.observeReadyKeys { [weak self] in self?.scheduleServingOfBlockedClients() }
    }

    /// The thread running a batch right now, if any.
    private let executingThread = NIOLockedValueBox<pthread_t?>(nil)
    private let servingScheduled = Atomic<Bool>(false)

    private func scheduleServingOfBlockedClients() {
        if let executing = executingThread.withLockedValue({ $0 }), pthread_equal(executing, pthread_self()) != 0 { return }
        guard servingScheduled.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged else { return }
        submit(session: RedliteSession(), work: { [self] _, _ in
            servingScheduled.store(false, ordering: .releasing)
            return .null
        }, completion: { _ in })
    }

    /// Queues a job; `completion` is called after the batch holding it commits, on `eventLoop` (the
    /// completions of one batch for one loop run in one task of that loop, in order), or on the
    /// leading thread when `eventLoop` is nil.
    func submit(session: RedliteSession, work: @escaping Work, on eventLoop: (any EventLoop)? = nil,
                completion: @escaping Completion) {
        let leadHere = commitsOnEventLoops && eventLoop?.inEventLoop == true
        let outcome = state.withLockedValue { state -> Submission in
            guard !state.stopped else { return .refused }
            state.jobs.append(Job(session: session, work: work, eventLoop: eventLoop, completion: completion))
            guard leadHere, let eventLoop else { return .wakeWriter }
            let loop = ObjectIdentifier(eventLoop)
            if state.loopsAboutToLead.contains(loop) { return .queued }
            state.loopsAboutToLead.append(loop)
            return .leadAtEndOfTick
        }
        switch outcome {
        case .refused:
            let failure = Result<(RESPValue, RedliteSession), any Error>.failure(RedisError("ERR server is shutting down"))
            if let eventLoop { eventLoop.execute { completion(failure) } } else { completion(failure) }
        case .wakeWriter:
            wakeWriter()
        case .queued:
            break
        case .leadAtEndOfTick:
            // A task submitted on the loop itself runs after the tick's I/O, once every connection
            // the tick read from has queued its writes: they make one batch.
            let eventLoop = eventLoop!
            eventLoop.execute { [self] in leadOnEventLoop(eventLoop) }
        }
    }

    private enum Submission { case refused, wakeWriter, queued, leadAtEndOfTick }

    /// Whether recent jobs were cheap enough for an event loop to run the next batch.
    private var jobsAreCheap: Bool {
        jobCostNanoseconds.load(ordering: .relaxed) <= loopJobCostLimitNanoseconds
    }

    private func wakeWriter() {
        wakeUp.lock()
        wakeUp.signal()
        wakeUp.unlock()
    }

    /// An event loop's lead at the end of its tick: runs batches for `loopLeadBudget` unless
    /// another thread leads already (that one will take these jobs too), then hands what is left to
    /// the writer thread.
    private func leadOnEventLoop(_ eventLoop: any EventLoop) {
        let loop = ObjectIdentifier(eventLoop)
        enum Start { case nothing, writer, batch([Job]) }
        let start = state.withLockedValue { state -> Start in
            state.loopsAboutToLead.removeAll { $0 == loop }
            guard !state.leading, !state.jobs.isEmpty else { return .nothing }
            // Checked again here: CONFIG SET synchronous full may have come after this lead was planned.
            guard jobsAreCheap, commitsOnEventLoops else { return .writer }
            state.leading = true
            return .batch(takeBatch(&state))
        }
        guard case .batch(var batch) = start else {
            if case .writer = start { wakeWriter() }
            return
        }
        let started = DispatchTime.now().uptimeNanoseconds
        // Whether jobs are left when the lead ends (the writer was held, the bound was reached), or a
        // stop waits for the lead to end: then the writer thread goes on. Decided in the same
        // critical section that ends the lead, so no job is left without a leader.
        var handOver = false
        while true {
            guard execute(batch, waitingForWriter: false) else {
                // The writer is held (a checkpoint, the expiry cleaner, embedded code): the writer
                // thread waits for it instead, starting with this batch.
                state.withLockedValue { state in
                    state.jobs.insert(contentsOf: batch, at: 0)
                    state.leading = false
                }
                handOver = true
                break
            }
            let withinBudget = DispatchTime.now().uptimeNanoseconds - started < loopLeadBudgetNanoseconds
            let next = state.withLockedValue { state -> [Job]? in
                guard withinBudget, !state.jobs.isEmpty, jobsAreCheap, commitsOnEventLoops else {
                    state.leading = false
                    handOver = !state.jobs.isEmpty || state.stopped
                    return nil
                }
                return takeBatch(&state)
            }
            guard let next else { break }
            batch = next
        }
        if handOver { wakeWriter() }
    }

    private func takeBatch(_ state: inout State) -> [Job] {
        let batch = Array(state.jobs.prefix(maxBatch))
        state.jobs.removeFirst(batch.count)
        return batch
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

    /// The writer thread: leads whenever there are jobs and nobody else leads, until the queue is
    /// empty; ends once stopped with nothing queued or running.
    private func run() {
        while true {
            wakeUp.lock()
            // While an event loop leads, it wakes this thread when its lead ends with jobs left or
            // a stop waiting.
            while state.withLockedValue({ $0.leading || ($0.jobs.isEmpty && !$0.stopped) }) { wakeUp.wait() }
            wakeUp.unlock()
            let first = state.withLockedValue { state -> [Job]? in
                guard !state.leading, !state.jobs.isEmpty else { return nil }
                state.leading = true
                return takeBatch(&state)
            }
            guard let batch = first else {
                // Stopped with nothing left, or an event loop began leading meanwhile.
                if state.withLockedValue({ $0.stopped && !$0.leading && $0.jobs.isEmpty }) { break }
                continue
            }
            var next: [Job]? = batch
            while let current = next {
                execute(current)
                next = state.withLockedValue { state -> [Job]? in
                    guard !state.jobs.isEmpty else {
                        state.leading = false
                        return nil
                    }
                    return takeBatch(&state)
                }
            }
        }
        finished.lock()
        done.withLockedValue { $0 = true }
        finished.broadcast()
        finished.unlock()
    }

    /// Runs one batch as one transaction and answers its jobs. With `waitingForWriter` false (an
    /// event loop) it runs only if the store's writer is free at once, and answers false otherwise,
    /// having run nothing.
    @discardableResult
    private func execute(_ batch: [Job], waitingForWriter: Bool = true) -> Bool {
        executingThread.withLockedValue { $0 = pthread_self() }
        defer { executingThread.withLockedValue { $0 = nil } }
        var results: [(RESPValue, RedliteSession)] = []
        results.reserveCapacity(batch.count)
        let body = { (transaction: RedliteTransaction) in
            for job in batch {
                var session = job.session
                let reply = job.work(transaction, &session)
                results.append((reply, session))
            }
        }
        let started = DispatchTime.now().uptimeNanoseconds
        do {
            // Keyspace events of the batch are published by the store once it has committed.
            if waitingForWriter {
                try store.transaction(body)
            } else if try store.transactionIfWriterAvailable(body) == nil {
                return false
            }
        } catch {
            // The commit itself failed: nothing in the batch happened.
            batchSizes.record(batch.count)
            complete(batch, with: batch.map { _ in .failure(error) })
            return true
        }
        let perJob = (DispatchTime.now().uptimeNanoseconds - started) / UInt64(batch.count)
        let average = jobCostNanoseconds.load(ordering: .relaxed)
        jobCostNanoseconds.store(average == 0 ? perJob : (average * 7 + perJob) / 8, ordering: .relaxed)
        batchSizes.record(batch.count)
        complete(batch, with: results.map { .success($0) })
        serveBlockedClients()
        return true
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
            if group.eventLoop.inEventLoop {
                // Led by this loop: its connections are answered now, not a task later.
                for completion in completions { completion() }
            } else {
                group.eventLoop.execute { for completion in completions { completion() } }
            }
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
