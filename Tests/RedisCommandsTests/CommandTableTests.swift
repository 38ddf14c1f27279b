import RESP
import RedisCommands
import RedisTestSupport
import Testing

@Suite("The command specification artifact")
struct CommandTableTests {
    @Test("covers the Redis 7 command set")
    func coverage() throws {
        let table = try CommandTable.bundled
        #expect(table.redisVersion.hasPrefix("7."))
        #expect(table.commands.count >= 200)
        #expect(table.allCommands.count > table.commands.count)
        let get = try #require(table["GET"])
        #expect(get.arity == 2 && get.group == "string" && get.summary != nil)
        let setname = try #require(table.subcommand("CLIENT", "SETNAME"))
        #expect(setname.name == "client|setname" && setname.containerName == "client" && setname.subcommandName == "setname")
        let set = try #require(table["set"])
        #expect(set.arguments.contains { $0.type == .oneOf && $0.isOptional })
    }

    @Test("arity and legacy key positions")
    func arityAndKeys() throws {
        let table = try CommandTable.bundled
        let mset = try #require(table["mset"])
        #expect(mset.accepts(argumentCount: 3) && !mset.accepts(argumentCount: 2))
        #expect(mset.legacyKeyPositions(argumentCount: 7) == [1, 3, 5])
        let get = try #require(table["get"])
        #expect(get.accepts(argumentCount: 2) && !get.accepts(argumentCount: 3))
        #expect(get.legacyKeyPositions(argumentCount: 2) == [1])
        #expect(try #require(table["ping"]).legacyKeyPositions(argumentCount: 2) == [])
    }

    @Test("matches the live redis-server", arguments: ["GET", "SET", "HSET", "LPUSH", "ZADD", "XADD", "EVAL", "SUBSCRIBE"])
    func matchesLiveServer(_ name: String) throws {
        let table = try CommandTable.bundled
        let connection = try RedisServer.shared().connect()
        let reply = try connection.send("COMMAND", "INFO", name)
        let info = try #require(reply.elements?.first)
        let live = try CommandSpec(info: info, docs: nil)
        let artifact = try #require(table[name])
        #expect(artifact.name == live.name)
        #expect(artifact.arity == live.arity)
        #expect(artifact.flags == live.flags)
        #expect(artifact.firstKey == live.firstKey)
        #expect(artifact.lastKey == live.lastKey)
        #expect(artifact.keyStep == live.keyStep)
        #expect(artifact.keySpecs == live.keySpecs)
        #expect(artifact.aclCategories == live.aclCategories)
    }

    @Test("round-trips through its own encoding")
    func artifactRoundTrip() throws {
        let table = try CommandTable.bundled
        let again = try CommandTable.decode(try table.encodedArtifact())
        #expect(again.commands == table.commands)
    }
}
