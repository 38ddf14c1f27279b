import Foundation
import NIOCore
import RESP
import RedisTestSupport
import Testing
@testable import RedliteServer

@Suite("CLIENT PAUSE and UNPAUSE")
struct ClientPauseTests {
    private typealias Blocked = BlockingCommandTests

    @Test("argument checks answer as Redis 7.0's, in its order; a zero or wrapping timeout pauses nothing")
    func differential() async throws {
        try await ServedRedlite.expectSameAnswers([
            ["CLIENT", "PAUSE"], ["CLIENT", "PAUSE", "x"], ["CLIENT", "PAUSE", "-1"], ["CLIENT", "PAUSE", "1.5"],
            ["CLIENT", "PAUSE", "10", "bogus"], ["CLIENT", "PAUSE", "x", "bogus"], ["CLIENT", "pause", "10", "write", "x"],
            ["CLIENT", "UNPAUSE", "x"], ["CLIENT", "PAUSE", "99999999999999999999"],
            // Neither pauses: the commands after them answer at once on both servers.
            ["CLIENT", "PAUSE", "0"], ["SET", "k", "1"], ["CLIENT", "PAUSE", "9223372036854775807"], ["GET", "k"],
            ["CLIENT", "PAUSE", "0", "WRITE"], ["INCR", "k"], ["CLIENT", "UNPAUSE"], ["CLIENT", "UNPAUSE"],
            ["MULTI"], ["CLIENT", "PAUSE", "0"], ["CLIENT", "UNPAUSE"], ["EXEC"],
        ])
    }

    @Test("WRITE: writes and PUBLISH wait, in order, behind the pause while reads answer; UNPAUSE runs them; a held client that leaves is forgotten")
    func writePause() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect(), writer = try served.connect(), publisher = try served.connect()
        let reader = try served.connect(), leaver = try served.connect()
        #expect(try admin.run("SET", "k", "before") == .ok)
        // Long enough that only UNPAUSE can end it within the test.
        #expect(try admin.run("CLIENT", "PAUSE", "600000", "WRITE") == .ok)
        // A write and the read behind it in the same pipeline: both wait, in order.
        var pipeline = ByteBuffer()
        pipeline.writeRESPCommand(["SET", "k", "after"])
        pipeline.writeRESPCommand(["GET", "k"])
        try writer.write(pipeline)
        try Blocked.send(publisher, "PUBLISH", "channel", "message")
        try Blocked.send(leaver, "DEL", "k")
        try Blocked.waitForBlocked(admin, 3)
        let list = try #require(admin.run("CLIENT", "LIST").string)
        #expect(list.contains("flags=b db=0") && list.contains("cmd=set"))
        // Reads are not held, and see nothing of the held writes; neither are refusals.
        #expect(try reader.run("GET", "k") == .bulk("before"))
        #expect(try reader.run("EXISTS", "k") == .integer(1))
        #expect(try reader.run("SET", "k") == .simpleError("ERR wrong number of arguments for 'set' command"))
        #expect(try reader.run("MULTI") == .ok)
        #expect(try reader.run("GET", "k") == .simpleString("QUEUED"))
        #expect(try reader.run("EXEC") == .array([.bulk("before")]))
        leaver.close()
        try Blocked.waitForBlocked(admin, 2)

        #expect(try admin.run("CLIENT", "UNPAUSE") == .ok)
        #expect(try writer.readValue() == .ok)
        #expect(try writer.readValue() == .bulk("after"))
        #expect(try publisher.readValue() == .integer(0))
        #expect(try reader.run("GET", "k") == .bulk("after"))
        try Blocked.waitForBlocked(admin, 0)
        await served.stop()
    }

    /// Waits (bounded: 5 s) until CLIENT PAUSE holds `count` clients (INFO is held in ALL mode).
    private static func waitForHeld(_ served: ServedRedlite, _ count: Int) {
        for _ in 0..<250 {
            if served.server.context.pause.heldCount == count { return }
            usleep(20_000)
        }
        Issue.record("never saw \(count) held clients")
    }

    @Test("ALL: every command waits, the pausing client's own and CLIENT UNPAUSE included, until the pause ends; QUIT answers at once; a later pause keeps the stricter mode and the later end")
    func allPause() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect(), held = try served.connect(), quitter = try served.connect()
        #expect(try admin.run("CLIENT", "PAUSE", "600000") == .ok)
        try Blocked.send(held, "GET", "k")
        try Blocked.send(admin, "CLIENT", "UNPAUSE")
        Self.waitForHeld(served, 2)
        #expect(try quitter.run("QUIT") == .ok)
        served.server.context.pause.unpause()
        #expect(try held.readValue() == .nullBulkString)
        #expect(try admin.readValue() == .ok)

        // A pause that ends by itself.
        #expect(try admin.run("CLIENT", "PAUSE", "200") == .ok)
        #expect(try held.run("GET", "k") == .nullBulkString)
        #expect(served.server.context.pause.mode == .none)

        // WRITE for long, then ALL for a moment: ALL until the later end.
        #expect(try admin.run("CLIENT", "PAUSE", "600000", "WRITE") == .ok)
        #expect(try admin.run("CLIENT", "PAUSE", "100", "ALL") == .ok)
        try Blocked.send(held, "PING")
        Self.waitForHeld(served, 1)
        usleep(300_000)
        #expect(served.server.context.pause.mode == .all)
        #expect(served.server.context.pause.heldCount == 1)
        served.server.context.pause.unpause()
        #expect(try held.readValue() == .simpleString("PONG"))
        #expect(try admin.run("SET", "k", "v") == .ok)
        await served.stop()
    }
}
