import Foundation
import NIOCore
import RESP
@testable import RedisClient
import RedisTestSupport
import Synchronization
import Testing

/// Collects a connection's events from the moment it is made.
final class EventRecorder: Sendable {
    private final class Storage: Sendable {
        let events = Mutex<[RedisConnectionEvent]>([])
    }
    private let storage = Storage()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<RedisConnectionEvent>) {
        let storage = self.storage
        task = Task {
            for await event in stream { storage.events.withLock { $0.append(event) } }
        }
    }

    var all: [RedisConnectionEvent] { storage.events.withLock { $0 } }

    func count(where predicate: (RedisConnectionEvent) -> Bool) -> Int { all.filter(predicate).count }

    /// Waits (bounded) until an event matching `predicate` has been seen at least `count` times.
    func waitFor(_ count: Int = 1, seconds: Double = 15, _ predicate: @escaping @Sendable (RedisConnectionEvent) -> Bool) async -> Bool {
        await eventually(seconds) { self.count(where: predicate) >= count }
    }

    deinit { task.cancel() }
}

/// What the restart test's tasks share.
final class RestartLoad: Sendable {
    enum Outcome: Sendable { case acknowledged, failed(RedisClientError) }
    let outcomes = Mutex<[String: Outcome]>([:])
    let restarted = Atomic<Bool>(false)
    let acknowledgedAfterRestart = Atomic<Int>(0)
}

@Suite("Faults against a real redis-server")
struct FaultTests {
    /// One operation of the restart test: INCR a counter and log a unique id, atomically.
    static let incrementAndLog = "redis.call('INCR', KEYS[1]); redis.call('RPUSH', KEYS[2], ARGV[1]); return 1"

    @Test("restart under load from 20 tasks: no hang, no duplicate, nothing silently lost")
    func restartUnderLoad() async throws {
        let server = try RedisServer.start(.init(appendOnly: true))
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.commandTimeout = .seconds(20)
        configuration.offlineQueueLimit = 10_000
        let client = try await RedisClient.connect(configuration: configuration)
        let recorder = EventRecorder(client.events)

        let shared = RestartLoad()
        try await bounded(90) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<20 {
                    group.addTask {
                        // Bounded: at most 3,000 operations per task, and it stops once enough
                        // operations have succeeded after the restart.
                        for round in 0..<3_000 {
                            if shared.restarted.load(ordering: .relaxed), shared.acknowledgedAfterRestart.load(ordering: .relaxed) >= 200 { break }
                            let id = "\(worker)-\(round)"
                            do throws(RedisClientError) {
                                _ = try await client.send(RedisCommand("EVAL", Self.incrementAndLog, 2, "counter", "log", id))
                                shared.outcomes.withLock { $0[id] = .acknowledged }
                                if shared.restarted.load(ordering: .relaxed) { shared.acknowledgedAfterRestart.add(1, ordering: .relaxed) }
                            } catch {
                                shared.outcomes.withLock { $0[id] = .failed(error) }
                                if case .server = error { try? await Task.sleep(for: .milliseconds(10)) }
                            }
                        }
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(300))
                    try server.restart()
                    shared.restarted.store(true, ordering: .relaxed)
                }
                try await group.waitForAll()
            }
        }
        #expect(await recorder.waitFor { $0 == .connected })
        #expect(recorder.count { if case .disconnected = $0 { true } else { false } } >= 1)
        #expect(shared.acknowledgedAfterRestart.load(ordering: .relaxed) > 0, "queued commands succeeded after the reconnect")

        let check = try server.connect()
        let counter = try check.send("GET", "counter")
        let logReply = try check.send("LRANGE", "log", "0", "-1")
        let log = (logReply.elements ?? []).compactMap(\.string)
        let outcomesByID = shared.outcomes.withLock { $0 }
        // No operation ran twice.
        #expect(Set(log).count == log.count, "an operation was executed twice")
        #expect(counter == .bulk(String(log.count)))
        // Every acknowledged operation was executed.
        let acknowledged = Set(outcomesByID.filter { if case RestartLoad.Outcome.acknowledged = $0.value { true } else { false } }.keys)
        #expect(acknowledged.isSubset(of: Set(log)), "an acknowledged operation is missing")
        // Every executed operation was acknowledged, or failed with an unknown outcome (it was in
        // flight when the connection dropped) — never one the client reported as not sent.
        for id in log where !acknowledged.contains(id) {
            guard case .failed(let error) = outcomesByID[id] else {
                Issue.record("operation \(id) ran but was never reported")
                continue
            }
            #expect(error.outcomeUnknown, "operation \(id) ran although it failed with \(error)")
        }
        let failedCount = outcomesByID.values.filter { if case .failed = $0 { true } else { false } }.count
        print("restart under load: \(acknowledged.count) acknowledged, \(failedCount) failed (in flight at the drop), "
              + "\(log.count) executed, \(shared.acknowledgedAfterRestart.load(ordering: .relaxed)) acknowledged after the restart")
        // In-flight operations fail as connection errors; nothing else fails (the queue is large
        // enough and the deadline long enough).
        for case .failed(let error) in outcomesByID.values {
            let allowed: Bool = switch error {
            case .connection(.connectionLost): true
            case .server(let reply): reply.code == "LOADING"  // the server was still loading its AOF
            default: false
            }
            #expect(allowed, "unexpected failure \(error)")
        }
        await client.close()
    }

    @Test("CLIENT KILL of the client's connection: it reconnects and carries on")
    func clientKill() async throws {
        let server = try RedisServer.shared()
        var configuration = server.configuration()
        configuration.clientName = "kill-me"
        try await bounded(30) { [configuration] in
            let client = try await RedisClient.connect(configuration: configuration)
            let recorder = EventRecorder(client.events)
            let before = try await clientID(of: client)
            let admin = try server.connect()
            #expect(try admin.send("CLIENT", "KILL", "ID", String(before)) == .integer(1))
            #expect(await recorder.waitFor { $0 == .disconnected(reason: .serverClosed) })
            #expect(await recorder.waitFor { $0 == .connected })
            #expect(try await client.ping() == "PONG")
            let after = try await clientID(of: client)
            #expect(after != before)
            // CLIENT SETNAME was replayed on the new connection.
            #expect(try await client.send("CLIENT", "GETNAME") == .bulk("kill-me"))
            #expect(recorder.all.contains { if case .reconnecting(attempt: 1, _) = $0 { true } else { false } })
            await client.close()
        }
    }

    @Test("CLIENT PAUSE 2000 with a 300 ms command timeout: a timeout, then recovery")
    func clientPause() async throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.commandTimeout = .milliseconds(300)
        configuration.connectTimeout = .seconds(5)
        try await bounded(40) { [configuration] in
            let client = try await RedisClient.connect(configuration: configuration)
            let recorder = EventRecorder(client.events)
            let admin = try server.connect()
            #expect(try admin.send("CLIENT", "PAUSE", "2000") == .ok)
            // A reply timeout (not PONG) proves the deadline, not the end of the pause, ended it.
            await #expect(throws: RedisClientError.timeout(.reply)) { try await client.send("PING") }
            #expect(await recorder.waitFor { $0 == .disconnected(reason: .timeout) })
            // Recovery: once the pause is over, commands succeed again (bounded retries).
            var recovered = false
            for _ in 0..<100 where !recovered {
                do throws(RedisClientError) {
                    recovered = try await client.ping() == "PONG"
                } catch {
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            #expect(recovered)
            await client.close()
        }
    }

    @Test("a requirepass server restarted: AUTH is replayed")
    func authReplayed() async throws {
        let server = try RedisServer.start(.init(password: "s3cret pass"))
        defer { server.stop() }
        try await bounded(40) {
            let client = try await RedisClient.connect(configuration: server.configuration())
            let recorder = EventRecorder(client.events)
            try await client.set("auth:key", "1")
            try server.restart()
            #expect(await recorder.waitFor { $0 == .connected })
            #expect(try await client.ping() == "PONG")
            try await client.set("auth:key", "2")
            #expect(try await client.send("ACL", "WHOAMI") == .bulk("default"))
            await client.close()
        }
        // A wrong password is a server error on connect, with Redis's code.
        var wrong = server.configuration(password: "nope")
        wrong.connectTimeout = .seconds(5)
        await #expect(throws: RedisClientError.self) { try await RedisClient.connect(configuration: wrong) }
        do throws(RedisClientError) {
            _ = try await RedisClient.connect(configuration: wrong)
        } catch {
            guard case .server(let reply) = error else {
                Issue.record("expected a server error, got \(error)")
                return
            }
            #expect(reply.code == "WRONGPASS")
        }
    }

    @Test("SELECT is replayed after a reconnect")
    func selectReplayed() async throws {
        let server = try RedisServer.shared()
        var configuration = server.configuration()
        configuration.database = 5
        let key = uniqueKey("select")
        try await bounded(30) { [configuration] in
            let client = try await RedisClient.connect(configuration: configuration)
            let recorder = EventRecorder(client.events)
            let admin = try server.connect()
            _ = try admin.send("CLIENT", "KILL", "ID", String(try await clientID(of: client)))
            #expect(await recorder.waitFor { $0 == .connected })
            try await client.set(key, "in five")
            #expect(try admin.send("SELECT", "5") == .ok)
            #expect(try admin.send("GET", key) == .bulk("in five"))
            #expect(try admin.send("SELECT", "0") == .ok)
            #expect(try admin.send("GET", key) == .nullBulkString)
            await client.close()
        }
    }

    @Test("while disconnected: a bounded offline queue, overflow fails as disconnected, queued commands run after the reconnect")
    func offlineQueue() async throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.offlineQueueLimit = 10
        configuration.reconnect.initialDelay = .milliseconds(300)
        configuration.reconnect.maximumDelay = .milliseconds(600)
        try await bounded(60) { [configuration] in
            let client = try await RedisClient.connect(configuration: configuration)
            let recorder = EventRecorder(client.events)
            server.stop()
            #expect(await recorder.waitFor { if case .disconnected = $0 { true } else { false } })
            let overflowed = SharedCounter()
            let tasks = (0..<15).map { _ in
                Task { [overflowed] () -> Result<RESPValue, RedisClientError> in
                    do throws(RedisClientError) {
                        return .success(try await client.send("INCR", "offline"))
                    } catch {
                        if error == .disconnected(.offlineQueueFull) { overflowed.increment() }
                        return .failure(error)
                    }
                }
            }
            // Overflowing commands fail at once, before any reconnect.
            #expect(await eventually(5) { overflowed.current == 5 })
            try server.restart()
            var values: [Int64] = []
            var overflow = 0
            for task in tasks {
                switch await task.value {
                case .success(.integer(let value)): values.append(value)
                case .failure(.disconnected(.offlineQueueFull)): overflow += 1
                case let other: Issue.record("unexpected \(other)")
                }
            }
            #expect(overflow == 5)
            #expect(values.sorted() == Array(1...10))
            await client.close()
        }
    }

    @Test("close() while reconnecting with commands queued: each fails as closed, none hangs")
    func closeWhileReconnecting() async throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.reconnect.initialDelay = .seconds(30)  // the pending reconnect must not hold close() up
        try await bounded(30) { [configuration] in
            let client = try await RedisClient.connect(configuration: configuration)
            let recorder = EventRecorder(client.events)
            server.stop()
            #expect(await recorder.waitFor { if case .reconnecting = $0 { true } else { false } })
            let tasks = (0..<20).map { _ in
                Task { () -> Result<RESPValue, RedisClientError> in
                    do throws(RedisClientError) { return .success(try await client.send("PING")) } catch { return .failure(error) }
                }
            }
            try await Task.sleep(for: .milliseconds(100))
            await client.close()
            for task in tasks {
                #expect(await task.value == .failure(.disconnected(.closed)))
            }
        }
    }

    @Test("a queued command past its deadline fails as a write timeout and is never sent")
    func offlineDeadline() async throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.commandTimeout = .milliseconds(300)
        configuration.reconnect.initialDelay = .seconds(2)
        try await bounded(30) { [configuration] in
            let client = try await RedisClient.connect(configuration: configuration)
            let recorder = EventRecorder(client.events)
            server.stop()
            #expect(await recorder.waitFor { if case .disconnected = $0 { true } else { false } })
            await #expect(throws: RedisClientError.timeout(.write)) { try await client.send("INCR", "never") }
            try server.restart()
            #expect(await recorder.waitFor { $0 == .connected })
            #expect(try await client.send("GET", "never") == .null)
            await client.close()
        }
    }
}
