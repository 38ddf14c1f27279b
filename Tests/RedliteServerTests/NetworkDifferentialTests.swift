import NIOCore
import RESP
import RedisTestSupport
import Testing

/// The differential harness over the network: the same cases against `redis-server` and against
/// `redlite serve`, through real sockets, in RESP2 and in RESP3.
@Suite("Differential over the network: redlite serve against redis-server")
struct NetworkDifferentialTests {
    @Test("case over RESP2", arguments: DifferentialCases.all)
    func resp2(_ testCase: DifferentialCase) async throws {
        try await run(testCase, hello3: false)
    }

    @Test("case over RESP3", arguments: DifferentialCases.keysStringsHashes.prefix(6) + DifferentialCases.sortedSets.prefix(3))
    func resp3(_ testCase: DifferentialCase) async throws {
        try await run(testCase, hello3: true)
    }

    private func run(_ testCase: DifferentialCase, hello3: Bool) async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        let reference = try redis.connect()
        let subject = try served.connect()
        if hello3 {
            _ = try reference.send(["HELLO", "3"])
            _ = try subject.send(["HELLO", "3"])
        }
        var harness = DifferentialHarness(reference: reference, subject: subject)
        for command in testCase.commands {
            if let divergence = try harness.check(command) { Issue.record("\(divergence)") }
        }
        await served.stop()
    }

    @Test("connection-level commands answer as Redis does")
    func connectionCommands() async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        var harness = DifferentialHarness(reference: try redis.connect(), subject: try served.connect())
        let commands: [[String]] = [
            ["PING"], ["PING", "x"], ["PING", "a", "b"], ["ECHO", "hi"], ["SELECT", "3"], ["SET", "k", "v"], ["SELECT", "0"], ["GET", "k"],
            ["CLIENT", "SETNAME", "my-client"], ["CLIENT", "GETNAME"], ["CLIENT", "SETNAME", "bad name"], ["CLIENT", "SETNAME", ""],
            ["CLIENT", "GETNAME"], ["CLIENT", "NO-EVICT", "on"], ["CLIENT", "NO-EVICT", "maybe"], ["CLIENT", "BOGUS"], ["CLIENT"],
            ["AUTH", "x"], ["AUTH", "a", "b", "c"], ["HELLO", "4"], ["HELLO", "x"], ["HELLO", "2", "BOGUS"],
            ["MULTI"], ["SET", "a", "1"], ["INCR", "a"], ["HSET", "a", "f", "v"], ["EXEC"], ["EXEC"], ["DISCARD"],
            ["MULTI"], ["SET", "a", "1"], ["NOSUCH"], ["EXEC"], ["MULTI"], ["GET"], ["EXEC"], ["MULTI"], ["MULTI"], ["DISCARD"],
            ["MULTI"], ["WATCH", "a"], ["DISCARD"], ["WATCH", "a"], ["UNWATCH"], ["MULTI"], ["PING"], ["ECHO", "x"], ["EXEC"],
            ["COMMAND", "COUNT"], ["COMMAND", "INFO", "get"], ["COMMAND", "GETKEYS", "MSET", "a", "1", "b", "2"],
            ["COMMAND", "GETKEYS", "ZUNIONSTORE", "d", "2", "a", "b"], ["COMMAND", "GETKEYS", "PING"], ["COMMAND", "BOGUS"],
            ["CONFIG", "GET", "databases"], ["CONFIG", "SET", "nosuch", "x"], ["CONFIG", "BOGUS"],
            ["PUBLISH", "ch", "msg"], ["PUBSUB", "NUMSUB", "ch"], ["PUBSUB", "NUMPAT"], ["PUBSUB", "CHANNELS"], ["UNSUBSCRIBE"],
        ]
        for command in commands {
            if let divergence = try harness.check(command) { Issue.record("\(divergence)") }
        }
        await served.stop()
    }

    @Test("before AUTH, requests are parsed one at a time under Redis's tighter bounds; an AUTH lifts them for the requests behind it")
    func boundsBeforeAuthentication() async throws {
        let redis = try RedisServer.start(.init(password: "s3cret"))
        defer { redis.stop() }
        let served = try await ServedRedlite.start { $0.requirePass = "s3cret" }
        // Each input ends exactly where the server stops reading, so the server's close is a FIN
        // behind its error reply, never a reset that could drop it.
        let closing = [
            "*11\r\n",
            "*2\r\n$3\r\nGET\r\n$20000\r\n",
            "PING\r\n*11\r\n",
            "*2\r\n$4\r\nAUTH\r\n$5\r\nwrong\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$20000\r\n",
        ]
        // Not `redis.connect()`: it authenticates.
        func unauthenticated() throws -> RedisTestConnection { try RedisTestConnection(port: redis.port) }
        for input in closing {
            let expected = try Self.repliesUntilClosed(unauthenticated(), sending: input)
            #expect(try Self.repliesUntilClosed(served.connect(), sending: input) == expected, "\(input.debugDescription)")
            #expect(expected.last?.isError == true)
        }
        var authThenLarge = ByteBuffer()
        authThenLarge.writeRESPCommand(["AUTH", "s3cret"])
        authThenLarge.writeRESPCommand(["SET", "k", String(repeating: "x", count: 20_000)])
        authThenLarge.writeRESPCommand(["STRLEN", "k"])
        authThenLarge.writeRESPCommand(["ECHO"] + Array(repeating: "a", count: 11))
        var replies: [[RESPValue]] = []
        for connection in [try unauthenticated(), try served.connect()] {
            try connection.write(authThenLarge)
            replies.append(try (0..<4).map { _ in try connection.readValue() })
        }
        #expect(replies[1] == replies[0])
        #expect(replies[0][2] == .integer(20_000))
        await served.stop()
    }

    private static func repliesUntilClosed(_ connection: RedisTestConnection, sending input: String) throws -> [RESPValue] {
        try connection.write(ByteBuffer(string: input))
        var rest = try connection.readUntilClosed()
        var decoder = RESPValueDecoder()
        var replies: [RESPValue] = []
        while let reply = try decoder.decode(from: &rest) { replies.append(reply) }
        return replies
    }
}
