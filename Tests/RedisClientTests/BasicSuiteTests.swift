import Foundation
import NIOCore
import RESP
@testable import RedisClient
import RedisTestSupport
import Testing

/// The same basic suite over every transport: real Redis over TCP, over a unix socket, and the
/// embedded Redlite store (in memory and in a file).
@Suite("Basic suite, every transport")
struct BasicSuiteTests {
    enum Transport: String, CaseIterable, CustomStringConvertible {
        case tcp, unixSocket, embeddedMemory, embeddedFile
        var description: String { rawValue }
    }

    /// A redis-server listening on a unix socket too, shared by the unix-socket cases.
    static let unixServer: Result<(server: RedisServer, socket: String), any Error> = Result {
        let socket = "/tmp/redis-client-\(UUID().uuidString.prefix(8)).sock"
        let server = try RedisServer.start(.init(extraArguments: ["--unixsocket", socket, "--unixsocketperm", "700"]))
        return (server, socket)
    }

    /// A connected client for `transport`, its directory kept alive as long as needed.
    static func client(_ transport: Transport, database: Int = 0, name: String? = nil) async throws -> (RedisClient, TemporaryDirectory) {
        let directory = try TemporaryDirectory()
        var configuration: RedisConfiguration
        switch transport {
        case .tcp: configuration = try RedisServer.shared().configuration()
        case .unixSocket: configuration = try RedisConfiguration(url: "unix://\(try unixServer.get().socket)")
        case .embeddedMemory: configuration = try RedisConfiguration(url: "redlite::memory:")
        case .embeddedFile: configuration = try RedisConfiguration(url: "redlite://\(directory.path("client.db"))")
        }
        configuration.database = database
        configuration.clientName = name
        return (try await RedisClient.connect(configuration: configuration), directory)
    }

    @Test("strings, counters, deletes and PING", arguments: Transport.allCases)
    func basics(transport: Transport) async throws {
        try await bounded(30) {
            let (client, _directory) = try await Self.client(transport)
            defer { _ = _directory }
            let key = uniqueKey("basics")
            #expect(try await client.ping() == "PONG")
            #expect(try await client.getString(key) == nil)
            try await client.set(key, "hello")
            #expect(try await client.getString(key) == "hello")
            try await client.set(key + ":bin", ByteBuffer(bytes: [0, 255, 13, 10]))
            #expect(try await client.get(key + ":bin") == ByteBuffer(bytes: [0, 255, 13, 10]))
            #expect(try await client.increment(key + ":n") == 1)
            #expect(try await client.increment(key + ":n", by: 41) == 42)
            #expect(try await client.delete(key, key + ":n", key + ":bin") == 3)
            try await client.set(key + ":ttl", "x", expiration: .seconds(100))
            #expect(try await client.send("TTL", key + ":ttl") == .integer(100))
            await client.close()
        }
    }

    @Test("an error reply carries Redis's code and message", arguments: Transport.allCases)
    func errorReplies(transport: Transport) async throws {
        try await bounded(30) {
            let (client, _directory) = try await Self.client(transport)
            defer { _ = _directory }
            let key = uniqueKey("wrongtype")
            try await client.send("HSET", key, "field", "value")
            do throws(RedisClientError) {
                _ = try await client.send("GET", key)
                Issue.record("GET of a hash succeeded")
            } catch {
                #expect(error == .server(RedisReplyError(message: "WRONGTYPE Operation against a key holding the wrong kind of value")))
                #expect(error.category == .server)
                if case .server(let reply) = error { #expect(reply.code == "WRONGTYPE") }
            }
            // The connection is fine afterwards.
            #expect(try await client.ping() == "PONG")
            await client.close()
        }
    }

    @Test("RESP3 is negotiated; database and client name are applied", arguments: Transport.allCases)
    func handshake(transport: Transport) async throws {
        try await bounded(30) {
            let (client, _directory) = try await Self.client(transport, database: 3, name: "basic-suite")
            defer { _ = _directory }
            #expect(client.connection.protocolVersion == .resp3)
            let key = uniqueKey("db")
            try await client.set(key, "in three")
            #expect(try await client.send("CLIENT", "GETNAME") == .bulk("basic-suite"))
            // In RESP3 a map comes back as a map.
            try await client.send("HSET", key + ":h", "a", "1")
            #expect(try await client.send("HGETALL", key + ":h") == .map([.init(.bulk("a"), .bulk("1"))]))
            await client.close()
            let (other, _otherDirectory) = try await Self.client(transport, database: 0)
            defer { _ = _otherDirectory }
            if transport != .embeddedMemory {  // each in-memory client has its own store
                #expect(try await other.getString(key) == nil)
            }
            await other.close()
        }
    }

    @Test("explicit pipeline: results in order, failures per command", arguments: Transport.allCases)
    func pipeline(transport: Transport) async throws {
        try await bounded(30) {
            let (client, _directory) = try await Self.client(transport)
            defer { _ = _directory }
            let key = uniqueKey("pipeline")
            let results = await client.pipeline([
                RedisCommand("SET", key, "v"),
                RedisCommand("INCR", key),  // not an integer: fails alone
                RedisCommand("GET", key),
                RedisCommand("INCR", key + ":n"),
                RedisCommand("INCR", key + ":n"),
            ])
            #expect(results.count == 5)
            #expect(try results[0].get() == .ok)
            #expect(throws: RedisClientError.server(RedisReplyError(message: "ERR value is not an integer or out of range"))) { try results[1].get() }
            #expect(try results[2].get() == .bulk("v"))
            #expect(try results[3].get() == .integer(1))
            #expect(try results[4].get() == .integer(2))
            #expect(await client.pipeline([]).isEmpty)
            await client.close()
        }
    }

    @Test("50 tasks share one connection; every reply reaches its own command", arguments: Transport.allCases)
    func concurrentTasks(transport: Transport) async throws {
        try await bounded(60) {
            let (client, _directory) = try await Self.client(transport)
            defer { _ = _directory }
            let prefix = uniqueKey("concurrent")
            let rounds = transport == .tcp ? 200 : 40
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<50 {
                    group.addTask {
                        for round in 0..<rounds {
                            let key = "\(prefix):\(worker)"
                            try await client.set(key, "\(worker)-\(round)")
                            #expect(try await client.getString(key) == "\(worker)-\(round)")
                            #expect(try await client.increment("\(prefix):counter:\(worker)") == Int64(round + 1))
                        }
                    }
                }
                try await group.waitForAll()
            }
            await client.close()
        }
    }

    @Test("a cancelled task's command ends with .cancelled; the connection stays usable", arguments: Transport.allCases)
    func cancellation(transport: Transport) async throws {
        try await bounded(30) {
            let (client, _directory) = try await Self.client(transport)
            defer { _ = _directory }
            let task = Task { () -> Result<RESPValue, RedisClientError> in
                do throws(RedisClientError) {
                    // A task cancelled before it sends: the command is never written.
                    withUnsafeCurrentTask { $0?.cancel() }
                    return .success(try await client.send("PING"))
                } catch {
                    return .failure(error)
                }
            }
            let outcome = await task.value
            #expect(outcome == .failure(.cancelled))
            #expect(try await client.ping() == "PONG")
            await client.close()
        }
    }

    @Test("cancelling a command in flight: .cancelled at once, its late reply is dropped")
    func cancelInFlight() async throws {
        try await bounded(30) {
            let (client, _directory) = try await Self.client(.tcp)
            defer { _ = _directory }
            let list = uniqueKey("blocked")
            let task = Task { () -> Result<RESPValue, RedisClientError> in
                do throws(RedisClientError) { return .success(try await client.send("BLPOP", list, 1)) } catch { return .failure(error) }
            }
            try await Task.sleep(for: .milliseconds(100))
            task.cancel()
            #expect(await task.value == .failure(.cancelled))
            // The BLPOP's nil reply arrives later and is dropped; the next command gets its own reply.
            #expect(try await client.send("ECHO", "after") == .bulk("after"))
            await client.close()
        }
    }

    @Test("close() fails pending commands and later ones; nothing hangs", arguments: Transport.allCases)
    func closeWithPending(transport: Transport) async throws {
        try await bounded(30) {
            let (client, _directory) = try await Self.client(transport)
            defer { _ = _directory }
            let key = uniqueKey("close")
            let tasks = (0..<100).map { index in
                Task { () -> Result<RESPValue, RedisClientError> in
                    do throws(RedisClientError) { return .success(try await client.send("INCR", key)) } catch { return .failure(error) }
                }
            }
            await client.close()
            // Each ends: answered before the close, or failed as closed (never another error).
            for task in tasks {
                if case .failure(let error) = await task.value {
                    #expect(error == .disconnected(.closed), "unexpected \(error)")
                }
            }
            await #expect(throws: RedisClientError.disconnected(.closed)) { try await client.send("PING") }
        }
    }
}
