import NIOCore
import NIOEmbedded
import RESP
import Redlite
@testable import RedisClient
import Synchronization
import Testing

/// The reply handler on an `EmbeddedChannel`: no socket, no server.
@Suite("Reply handler")
struct ReplyHandlerTests {
    final class Recorder: RedisReplySink {
        let replies = Mutex<[[RESPValue]]>([])
        let closed = Mutex<[(UInt64, RedisDisconnectReason)]>([])
        let violations = Mutex<[String]>([])

        func receive(_ values: inout [RESPValue], generation: UInt64) {
            let batch = values
            replies.withLock { $0.append(batch) }
            values.removeAll()
        }
        func linkClosed(generation: UInt64, reason: RedisDisconnectReason, detail: String) {
            closed.withLock { $0.append((generation, reason)) }
        }
        func protocolViolation(generation: UInt64, message: String) {
            violations.withLock { $0.append(message) }
        }
    }

    @Test("replies split at every byte and many per read are delivered in order, once per read burst")
    func decoding() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handler: RedisReplyHandler(generation: 7, sink: recorder, limits: .default))
        let bytes = Array("+OK\r\n$5\r\nhello\r\n:42\r\n*2\r\n$1\r\na\r\n_\r\n%1\r\n+k\r\n#t\r\n".utf8)
        for byte in bytes {
            try channel.writeInbound(ByteBuffer(bytes: [byte]))
            channel.pipeline.fireChannelReadComplete()
        }
        let delivered = recorder.replies.withLock { $0.flatMap { $0 } }
        #expect(delivered == [.ok, .bulk("hello"), .integer(42), .array([.bulk("a"), .null]), .map([.init(.simpleString("k"), .boolean(true))])])

        // Three replies in one read arrive as one batch.
        recorder.replies.withLock { $0.removeAll() }
        try channel.writeInbound(ByteBuffer(string: "+A\r\n+B\r\n+C\r\n"))
        channel.pipeline.fireChannelReadComplete()
        #expect(recorder.replies.withLock { $0 } == [[.simpleString("A"), .simpleString("B"), .simpleString("C")]])
        _ = try channel.finish()
        #expect(recorder.closed.withLock { $0.map(\.0) } == [7])
    }

    @Test("bytes that are not RESP are a protocol violation and close the channel")
    func malformed() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handler: RedisReplyHandler(generation: 1, sink: recorder, limits: .default))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "+OK\r\n@oops\r\n"))
        #expect(recorder.replies.withLock { $0.flatMap { $0 } } == [.ok])  // what came before is still delivered
        #expect(recorder.violations.withLock { $0.count } == 1)
        #expect(!channel.isActive)
        // The violation was reported; the close is not reported a second time.
        #expect(recorder.closed.withLock { $0.isEmpty })
    }

    @Test("a close by the server and an I/O error are told apart")
    func closeReasons() throws {
        let recorder = Recorder()
        let channel = EmbeddedChannel(handler: RedisReplyHandler(generation: 2, sink: recorder, limits: .default))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.pipeline.fireErrorCaught(IOError(errnoCode: 104, reason: "read"))
        #expect(recorder.closed.withLock { $0.map(\.1) } == [.connectionLost])

        let second = Recorder()
        let other = EmbeddedChannel(handler: RedisReplyHandler(generation: 3, sink: second, limits: .default))
        try other.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        other.pipeline.fireChannelInactive()
        #expect(second.closed.withLock { $0.map(\.1) } == [.serverClosed])
    }

    @Test("reply limits are enforced")
    func limits() throws {
        let recorder = Recorder()
        var limits = RESPLimits.default
        limits.maxBulkLength = 4
        let channel = EmbeddedChannel(handler: RedisReplyHandler(generation: 1, sink: recorder, limits: limits))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(ByteBuffer(string: "$5\r\nhello\r\n"))
        #expect(recorder.violations.withLock { $0.count } == 1)
    }

    @Test("the connection state matches replies strictly in order and collects pipelines")
    func stateMatching() async throws {
        // Drive ConnectionState directly: a single, a pipeline of 2, a single, each enqueued before the
        // next starts (waited for, not slept on: a busy pool may run a task late).
        var state = ConnectionState()
        state.phase = .ready(.embedded(try await Self.dummySession()))
        let driver = StateDriver(state: state)
        let results = try await bounded(30) {
            await withTaskGroup(of: (Int, [ReplyResult]).self) { group -> [Int: [ReplyResult]] in
                var collected: [Int: [ReplyResult]] = [:]
                group.addTask { (0, [await driver.single(id: 1)]) }
                #expect(await eventually { driver.waitingCount == 1 })
                group.addTask { (1, await driver.pipeline(id: 2, count: 2)) }
                #expect(await eventually { driver.waitingCount == 2 })
                group.addTask { (2, [await driver.single(id: 3)]) }
                #expect(await eventually { driver.waitingCount == 3 })
                #expect(driver.deliver([.integer(1), .integer(2), .simpleError("ERR x"), .integer(4)]))
                #expect(!driver.deliver([.integer(5)]), "a reply with nothing waiting is refused")
                for await (index, value) in group { collected[index] = value }
                return collected
            }
        }
        #expect(results[0] == [.success(.integer(1))])
        #expect(results[1] == [.success(.integer(2)), .success(.simpleError("ERR x"))])
        #expect(results[2] == [.success(.integer(4))])
    }

    static func dummySession() async throws -> EmbeddedSession {
        final class Sink: RedisReplySink {
            func receive(_ values: inout [RESPValue], generation: UInt64) {}
            func linkClosed(generation: UInt64, reason: RedisDisconnectReason, detail: String) {}
            func protocolViolation(generation: UInt64, message: String) {}
        }
        let store = try RedliteStore.inMemory()
        return EmbeddedSession(store: store, threadPool: .singleton, generation: 0, sink: Sink())
    }
}

/// Drives a `ConnectionState` behind a lock, as `RedisConnection` does.
final class StateDriver: Sendable {
    private let state: Mutex<ConnectionState>
    init(state: ConnectionState) { self.state = Mutex(state) }

    func single(id: UInt64) async -> ReplyResult {
        await withUnsafeContinuation { continuation in
            _ = state.withLock {
                $0.enqueue(id: id, bytes: ByteBuffer(), waiter: .single(continuation), deadline: .distantFuture, commandCount: 1, offlineLimit: 10)
            }
        }
    }

    func pipeline(id: UInt64, count: Int) async -> [ReplyResult] {
        await withUnsafeContinuation { continuation in
            _ = state.withLock {
                $0.enqueue(id: id, bytes: ByteBuffer(), waiter: .pipeline(continuation, results: [], expected: count), deadline: .distantFuture,
                           commandCount: count, offlineLimit: 10)
            }
        }
    }

    /// Requests enqueued and not yet answered (a pipeline counts once).
    var waitingCount: Int { state.withLock { $0.inFlight.count } }

    func deliver(_ values: [RESPValue]) -> Bool {
        var resumptions: [Resumption] = []
        let ok = state.withLock { state in values.allSatisfy { state.deliver($0, into: &resumptions) } }
        for resumption in resumptions { resumption.resume() }
        return ok
    }
}
