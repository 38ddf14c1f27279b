import CoreMetrics
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RESP
import Redlite
import RedisTestSupport
@testable import RedliteServer
import Testing

/// Who runs a batch: an event loop whose connections queued writes runs it itself when the store's
/// writer is free (no hand-off to the writer thread and back), the writer thread otherwise; and in
/// every case jobs run in arrival order and each answer is delivered on its own loop after the commit.
@Suite("GroupCommitter: batches led by event loops or the writer thread")
struct GroupCommitterTests {
    /// One job's view: where its work ran and what it answered.
    struct Outcome: Sendable {
        let ranOnSubmittingLoop: Bool
        let reply: RESPValue
        let completedOnSubmittingLoop: Bool
    }

    final class Fixture: Sendable {
        let directory: URL
        let store: RedliteStore
        let group: MultiThreadedEventLoopGroup
        let committer: GroupCommitter

        init(loops: Int, maxBatch: Int = 512, commitsOnEventLoops: Bool = true, loopLeadBudget: Duration = .milliseconds(1),
             loopJobCostLimit: Duration = .seconds(1)) throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("committer-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            store = try RedliteStore.open(path: directory.appendingPathComponent("c.db").path)
            group = MultiThreadedEventLoopGroup(numberOfThreads: loops)
            committer = GroupCommitter(store: store, maxBatch: maxBatch, commitsOnEventLoops: commitsOnEventLoops,
                                       loopLeadBudget: loopLeadBudget, loopJobCostLimit: loopJobCostLimit, logger: .init(label: "test"), batchSizes: Recorder(label: "test_batch_sizes"))
        }

        /// Runs a command directly on the store (a new connection's view of what is committed).
        func run(_ arguments: String...) -> RESPValue {
            var session = RedliteSession()
            return store.execute(arguments.map { ByteBuffer(string: $0) }, session: &session)
        }

        func close() throws {
            committer.stop()
            try group.syncShutdownGracefully()
            store.close()
            try? FileManager.default.removeItem(at: directory)
        }

        /// Submits `command` from inside `loop` (as a connection does); the future holds its outcome.
        func submit(_ command: [String], on loop: any EventLoop) -> EventLoopFuture<Outcome> {
            let promise = loop.makePromise(of: Outcome.self)
            // A job never answered (left without a leader) fails the test instead of hanging it; a
            // later answer to a failed promise is ignored.
            let timeout = loop.scheduleTask(in: .seconds(30)) { promise.fail(RedisError("no answer within 30 s")) }
            promise.futureResult.whenComplete { _ in timeout.cancel() }
            loop.execute { [committer] in
                committer.submit(session: RedliteSession(), work: { transaction, session in
                    let onLoop = loop.inEventLoop
                    let reply = transaction.execute(command.map { ByteBuffer(string: $0) }, session: &session)
                    return .array([onLoop ? .integer(1) : .integer(0), reply])
                }, on: loop) { result in
                    switch result {
                    case .success(let (.array(parts), _)):
                        promise.succeed(Outcome(ranOnSubmittingLoop: parts[0] == .integer(1), reply: parts[1],
                                                completedOnSubmittingLoop: loop.inEventLoop))
                    case .success(let (other, _)):
                        promise.fail(RedisError("unexpected reply \(other)"))
                    case .failure(let error):
                        promise.fail(error)
                    }
                }
            }
            return promise.futureResult
        }
    }

    @Test("with the writer free, a loop runs its connections' writes itself and answers them on the loop")
    func loopLeadsWhenWriterIsFree() throws {
        let fixture = try Fixture(loops: 1)
        defer { try? fixture.close() }
        let loop = fixture.group.next()
        // The writer can be held for a moment by the store's own upkeep (a checkpoint), and then the
        // loop rightly hands the job to the writer thread (once, in a full suite's run): a few tries.
        var ranOnLoop = false
        for attempt in 0..<5 where !ranOnLoop {
            let outcome = try fixture.submit(["SET", "k\(attempt)", "v"], on: loop).wait()
            #expect(outcome.reply == .simpleString("OK"))
            #expect(outcome.completedOnSubmittingLoop)
            ranOnLoop = outcome.ranOnSubmittingLoop
            // Committed and visible to a new reader before the answer was delivered.
            #expect(fixture.run("GET", "k\(attempt)") == .bulkString(ByteBuffer(string: "v")))
        }
        #expect(ranOnLoop)
    }

    @Test("with synchronous=full (commits wait for the disk) loops never run batches: the writer thread does")
    func writerThreadLeadsWhenCommitsAreSlow() throws {
        let fixture = try Fixture(loops: 1, commitsOnEventLoops: false)
        defer { try? fixture.close() }
        let loop = fixture.group.next()
        let outcome = try fixture.submit(["SET", "k", "v"], on: loop).wait()
        #expect(outcome.reply == .simpleString("OK"))
        #expect(!outcome.ranOnSubmittingLoop)
        #expect(outcome.completedOnSubmittingLoop)
    }

    @Test("once jobs cost more than the limit, loops leave the batches to the writer thread")
    func costlyJobsGoToTheWriterThread() throws {
        // A limit of zero: the first job (no cost measured yet) is run by its loop, every later one
        // (its cost now measured above zero) by the writer thread.
        let fixture = try Fixture(loops: 1, loopJobCostLimit: .zero)
        defer { try? fixture.close() }
        let loop = fixture.group.next()
        let first = try fixture.submit(["INCR", "n"], on: loop).wait()
        #expect(first.ranOnSubmittingLoop)
        for expected in 2...4 {
            let later = try fixture.submit(["INCR", "n"], on: loop).wait()
            #expect(later.reply == .integer(Int64(expected)))
            #expect(!later.ranOnSubmittingLoop)
            #expect(later.completedOnSubmittingLoop)
        }
    }

    @Test("a loop that finds the writer held does not wait for it: the writer thread runs the batch once it is released, and the loop keeps answering meanwhile")
    func heldWriterIsWaitedForOffTheLoop() throws {
        let fixture = try Fixture(loops: 1)
        defer { try? fixture.close() }
        let loop = fixture.group.next()
        let holding = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        // Another user of the store holds the writer (as a checkpoint or the expiry cleaner may).
        let holder = Thread { [store = fixture.store] in
            _ = try? store.transaction { _ in
                holding.signal()
                release.wait()
            }
        }
        holder.start()
        holding.wait()
        let write = fixture.submit(["INCR", "n"], on: loop)
        // The loop is free: a task queued behind the loop's lead (the submission queued the lead;
        // the outer task runs after the submission) runs while the writer is still held. A loop
        // blocked on the writer would run it only after the release below.
        let answered = DispatchSemaphore(value: 0)
        loop.execute { loop.execute { answered.signal() } }
        #expect(answered.wait(timeout: .now() + 10) == .success)
        #expect(fixture.run("GET", "n") == .nullBulkString)
        release.signal()
        let outcome = try write.wait()
        #expect(outcome.reply == .integer(1))
        #expect(!outcome.ranOnSubmittingLoop)
        #expect(outcome.completedOnSubmittingLoop)
    }

    @Test("jobs from two loops, in batches of one and a loop lead of one batch (handing over to the writer thread each time), run once each in arrival order, answered on their own loops")
    func arrivalOrderAcrossLoopsAndHandOvers() async throws {
        let fixture = try Fixture(loops: 2, maxBatch: 1, loopLeadBudget: .zero)
        defer { try? fixture.close() }
        let loops = [fixture.group.next(), fixture.group.next()]
        let perLoop = 25
        // Each loop submits all of its jobs in one task (one tick): each job pushes its name onto one
        // list and answers the list's length, its position in the global order.
        let futures: [[EventLoopFuture<Outcome>]] = try await withThrowingTaskGroup(of: (Int, [EventLoopFuture<Outcome>]).self) { tasks in
            for (index, loop) in loops.enumerated() {
                tasks.addTask {
                    let list = try await loop.submit {
                        (0..<perLoop).map { job in fixture.submit(["RPUSH", "order", "\(index).\(job)"], on: loop) }
                    }.get()
                    return (index, list)
                }
            }
            var byLoop = [[EventLoopFuture<Outcome>]](repeating: [], count: loops.count)
            for try await (index, list) in tasks { byLoop[index] = list }
            return byLoop
        }
        var positions = Set<Int>()
        for (index, list) in futures.enumerated() {
            var previous = 0
            for (job, future) in list.enumerated() {
                let outcome = try await future.get()
                #expect(outcome.completedOnSubmittingLoop)
                guard case .integer(let position) = outcome.reply else {
                    Issue.record("loop \(index) job \(job): \(outcome.reply)")
                    continue
                }
                // A loop's own jobs keep their order; every position is taken once.
                #expect(position > previous)
                previous = Int(position)
                positions.insert(Int(position))
            }
        }
        #expect(positions == Set(1...(2 * perLoop)))
        guard case .array(let names) = fixture.run("LRANGE", "order", "0", "-1") else {
            Issue.record("no list")
            return
        }
        for index in loops.indices {
            let own = names.compactMap { name -> String? in
                guard case .bulkString(let bytes) = name, let text = bytes.getString(at: 0, length: bytes.readableBytes),
                      text.hasPrefix("\(index).") else { return nil }
                return text
            }
            #expect(own == (0..<perLoop).map { "\(index).\($0)" })
        }
    }
}
