import Foundation
import NIOCore
import RESP
import RedisTestSupport
import Redlite
import Testing

@Suite("Blocking commands: BLPOP and friends")
struct BlockingCommandTests {
    /// Waits (bounded: 5 s) until the server reports `count` blocked clients.
    static func waitForBlocked(_ connection: RedisTestConnection, _ count: Int) throws {
        for _ in 0..<250 {
            if let info = try connection.run("INFO", "clients").string, info.contains("blocked_clients:\(count)\r\n") { return }
            usleep(20_000)
        }
        Issue.record("never saw \(count) blocked clients")
    }

    static func send(_ connection: RedisTestConnection, _ words: String...) throws {
        var buffer = ByteBuffer()
        buffer.writeRESPCommand(words)
        try connection.write(buffer)
    }

    @Test("a push made by embedded code on the server's store serves a blocked client at once")
    func embeddedWriteWakesBlockedClient() async throws {
        let served = try await ServedRedlite.start()
        let blocked = try served.connect()
        let observer = try served.connect()
        // Waits forever: only the push can answer it (the connection's read gives up after 10 s).
        try Self.send(blocked, "BLPOP", "jobs", "0")
        try Self.waitForBlocked(observer, 1)
        var session = RedliteSession()
        #expect(served.server.store.execute("RPUSH", "jobs", "from-embedded", session: &session) == .integer(1))
        #expect(try blocked.readValue() == .array([.bulk("jobs"), .bulk("from-embedded")]))
        #expect(try observer.run("LLEN", "jobs") == .integer(0))
        try Self.waitForBlocked(observer, 0)
        await served.stop()
    }

    @Test("immediate answers and errors match redis-server")
    func differential() async throws {
        try await ServedRedlite.expectSameAnswers([
            ["RPUSH", "l", "a", "b", "c"], ["BLPOP", "none", "l", "0"], ["BRPOP", "l", "0.1"], ["BLPOP", "empty", "0.05"],
            ["BLPOP", "l", "-1"], ["BLPOP", "l", "x"], ["SET", "s", "v"], ["BLPOP", "s", "0"], ["BLPOP", "none", "s", "0"],
            ["BLMOVE", "l", "d", "LEFT", "RIGHT", "0"], ["BLMOVE", "l", "d", "UP", "RIGHT", "0"], ["BRPOPLPUSH", "d", "l", "0"],
            ["LRANGE", "l", "0", "-1"], ["ZADD", "z", "1", "a", "2", "b"], ["BZPOPMIN", "z", "0"], ["BZPOPMAX", "none", "z", "0"],
            ["BZPOPMIN", "z", "0.05"], ["BLMPOP", "0", "2", "none", "l", "LEFT", "COUNT", "5"], ["BLMPOP", "0.05", "1", "l", "RIGHT"],
            ["ZADD", "y", "5", "m"], ["BZMPOP", "0", "1", "y", "MAX"], ["BLMPOP", "0", "0", "l", "LEFT"],
            ["MULTI"], ["BLPOP", "empty", "0"], ["RPUSH", "q", "1"], ["BLPOP", "q", "0"], ["EXEC"],
        ])
    }

    @Test("clients blocked on a key are served first come, first served")
    func fairness() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        let first = try served.connect(), second = try served.connect()
        try Self.send(first, "BLPOP", "jobs", "0")
        try Self.waitForBlocked(admin, 1)
        try Self.send(second, "BLPOP", "jobs", "0")
        try Self.waitForBlocked(admin, 2)
        #expect(try admin.run("RPUSH", "jobs", "one") == .integer(1))
        #expect(try first.readValue() == .array([.bulk("jobs"), .bulk("one")]))
        try Self.waitForBlocked(admin, 1)
        #expect(try admin.run("RPUSH", "jobs", "two", "three") == .integer(2))
        #expect(try second.readValue() == .array([.bulk("jobs"), .bulk("two")]))
        #expect(try admin.run("LRANGE", "jobs", "0", "-1") == .array([.bulk("three")]))
        await served.stop()
    }

    @Test("a push inside MULTI wakes the waiter after EXEC; BLMOVE and BZPOPMIN wake too")
    func wakeups() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect(), waiter = try served.connect()
        try Self.send(waiter, "BLMOVE", "source", "target", "LEFT", "RIGHT", "0")
        try Self.waitForBlocked(admin, 1)
        try admin.run("MULTI")
        try admin.run("RPUSH", "source", "x")
        try admin.run("SET", "other", "1")
        #expect(try admin.run("EXEC") == .array([.integer(1), .ok]))
        #expect(try waiter.readValue() == .bulk("x"))
        #expect(try admin.run("LRANGE", "target", "0", "-1") == .array([.bulk("x")]))

        try Self.send(waiter, "BZPOPMIN", "scores", "10")
        try Self.waitForBlocked(admin, 1)
        try admin.run("ZADD", "scores", "7", "seven")
        #expect(try waiter.readValue() == .array([.bulk("scores"), .bulk("seven"), .bulk("7")]))
        await served.stop()
    }

    @Test("timeouts answer null; a client that disconnects or is killed while blocked leaves nothing behind")
    func timeoutsAndDisconnects() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        let timed = try served.connect()
        #expect(try timed.run("BLPOP", "never", "0.2") == .nullArray)
        #expect(try timed.run("BLMOVE", "never", "x", "LEFT", "LEFT", "0.1") == .nullBulkString)

        let leaving = try served.connect()
        try Self.send(leaving, "BLPOP", "abandoned", "0")
        try Self.waitForBlocked(admin, 1)
        leaving.close()
        try Self.waitForBlocked(admin, 0)
        #expect(try admin.run("RPUSH", "abandoned", "kept") == .integer(1))
        #expect(try admin.run("LLEN", "abandoned") == .integer(1))

        let killed = try served.connect()
        guard case .integer(let id) = try killed.run("CLIENT", "ID") else { return }
        try Self.send(killed, "BRPOP", "other", "0")
        try Self.waitForBlocked(admin, 1)
        #expect(try admin.run("CLIENT", "KILL", "ID", String(id)) == .integer(1))
        try Self.waitForBlocked(admin, 0)
        #expect(try admin.run("RPUSH", "other", "kept") == .integer(1))
        #expect(try admin.run("LLEN", "other") == .integer(1))
        await served.stop()
    }
}
