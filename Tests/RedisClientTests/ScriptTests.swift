import NIOCore
import RESP
@testable import RedisClient
import RedisTestSupport
import Testing

@Suite("Scripts and functions against a real redis-server")
struct ScriptTests {
    static let incrementBy = RedisScript("return redis.call('INCRBY', KEYS[1], ARGV[1])")
    static let read = RedisScript("return redis.call('GET', KEYS[1])")

    @Test("the SHA1 matches the server's")
    func sha1MatchesServer() async throws {
        let client = try await RedisClient.connect(configuration: RedisServer.shared().configuration())
        try await bounded(30) { () async throws -> Void in
            #expect(try await client.load(Self.incrementBy) == Self.incrementBy.sha1)
            #expect(RedisScript("return 1").sha1 == "e0e1f9fabfc9d4800c877a703b823ac0578ff8db")
        }
        await client.close()
    }

    @Test("SCRIPT FLUSH, then a script call succeeds (EVALSHA → NOSCRIPT → EVAL)")
    func afterScriptFlush() async throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let client = try await RedisClient.connect(configuration: server.configuration())
        try await bounded(30) { () async throws -> Void in
            #expect(try await client.run(Self.incrementBy, keys: ["n"], arguments: [2]) == .integer(2))
            #expect(try await client.send("SCRIPT", "EXISTS", Self.incrementBy.sha1) == .array([.integer(1)]))
            #expect(try await client.send("SCRIPT", "FLUSH") == .simpleString("OK"))
            #expect(try await client.run(Self.incrementBy, keys: ["n"], arguments: [3]) == .integer(5))
            // Ran exactly once per call (the NOSCRIPT refusal did not run it).
            #expect(try await client.getString("n") == "5")
            #expect(try await client.run(Self.read, keys: ["n"], readOnly: true) == .bulk("5"))
            try await client.send("SCRIPT", "FLUSH")
            #expect(try await client.run(Self.read, keys: ["n"], readOnly: true) == .bulk("5"))
        }
        await client.close()
    }

    @Test("server restart, then a script call succeeds")
    func afterRestart() async throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let client = try await RedisClient.connect(configuration: server.configuration())
        try await bounded(60) { () async throws -> Void in
            #expect(try await client.run(Self.incrementBy, keys: ["n"], arguments: [1]) == .integer(1))
            try server.restart()
            #expect(await eventually(30) { (try? await client.ping()) == "PONG" })
            #expect(try await client.send("SCRIPT", "EXISTS", Self.incrementBy.sha1) == .array([.integer(0)]))
            #expect(try await client.run(Self.incrementBy, keys: ["m"], arguments: [7]) == .integer(7))
            #expect(try await client.send("SCRIPT", "EXISTS", Self.incrementBy.sha1) == .array([.integer(1)]))
        }
        await client.close()
    }

    @Test("a script error is thrown as .server; a read-only script may not write")
    func scriptErrors() async throws {
        let client = try await RedisClient.connect(configuration: RedisServer.shared().configuration())
        let key = uniqueKey("ro")
        try await bounded(30) { () async throws -> Void in
            await #expect(throws: RedisClientError.self) {
                try await client.run(RedisScript("return redis.error_reply('BOOM failed on purpose')"))
            }
            var failure: RedisClientError?
            do throws(RedisClientError) {
                try await client.run(RedisScript("return redis.call('SET', KEYS[1], 'x')"), keys: [key], readOnly: true)
            } catch {
                failure = error
            }
            guard case .server(let reply) = failure else {
                Issue.record("a write in EVAL_RO did not fail with a server error: \(String(describing: failure))")
                return
            }
            #expect(reply.message.lowercased().contains("write"), "\(reply.message)")
        }
        await client.close()
    }

    @Test("FCALL and FCALL_RO call Redis 7 functions")
    func functions() async throws {
        let client = try await RedisClient.connect(configuration: RedisServer.shared().configuration())
        let library = "lib\(uniqueKey("f").filter(\.isLetter).prefix(12))"
        let key = uniqueKey("fkey")
        try await bounded(30) { () async throws -> Void in
            let code = """
                #!lua name=\(library)
                redis.register_function('\(library)_set', function(keys, args) return redis.call('SET', keys[1], args[1]) end)
                redis.register_function{function_name='\(library)_get', callback=function(keys, args) return redis.call('GET', keys[1]) end, flags={'no-writes'}}
                """
            try await client.send("FUNCTION", "LOAD", code)
            #expect(try await client.fcall("\(library)_set", keys: [key], arguments: ["v1"]) == .simpleString("OK"))
            #expect(try await client.fcallReadOnly("\(library)_get", keys: [key]) == .bulk("v1"))
            try await client.send("FUNCTION", "DELETE", library)
        }
        await client.close()
    }
}
