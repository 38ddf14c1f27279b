import Foundation
import NIOCore
import RESP
import RedisTestSupport
import Testing

@Suite("The real-Redis fixture")
struct RedisServerFixtureTests {
    @Test("starts on a free loopback port, answers PING, stops for good")
    func startAndStop() throws {
        let server = try RedisServer.start()
        let connection = try server.connect()
        #expect(try connection.send("PING") == .simpleString("PONG"))
        #expect(try connection.send("SET", "k", "v") == .ok)
        connection.close()
        server.stop()
        #expect(throws: RedisTestConnectionError.self) { try RedisTestConnection(port: server.port, timeout: .seconds(1)) }
        server.stop()  // idempotent
    }

    @Test("a child inherits no descriptor but its standard three, not even one opened without close-on-exec")
    func childDescriptors() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)  // plain pipe(): no O_CLOEXEC, as a thread racing the spawn might open
        defer { close(ends[0]); close(ends[1]) }
        let (status, output) = try ChildProcess.run(["/bin/sh", "-c", "ls /proc/$$/fd"])
        #expect(status == 0)
        #expect(Set(output.split(separator: "\n").map(String.init)) == ["0", "1", "2"], "open in the child: \(output)")
    }

    @Test("restart keeps the port and comes back empty (no persistence unless asked)")
    func restart() throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        let before = try server.connect()
        #expect(try before.send("SET", "k", "v") == .ok)
        try server.restart()
        #expect(throws: (any Error).self) { try before.send("PING") }
        let after = try server.connect()
        #expect(try after.send("PING") == .simpleString("PONG"))
        #expect(try after.send("GET", "k") == .nullBulkString)
    }

    @Test("requirepass: the fixture authenticates, a bare connection gets NOAUTH")
    func password() throws {
        let server = try RedisServer.start(.init(password: "s3cret"))
        defer { server.stop() }
        #expect(try server.connect().send("PING") == .simpleString("PONG"))
        let bare = try RedisTestConnection(port: server.port)
        #expect(try bare.send("GET", "k") == .simpleError("NOAUTH Authentication required."))
    }

    @Test("a missing redis-server is a failure that says how to install it")
    func missingMessage() {
        let text = RedisServerError.notInstalled.description
        #expect(text.contains("scripts/setup"))
        #expect(text.contains("apt-get install"))
    }
}

/// The RESP codec against the real thing: what redis-server writes, the decoder reads; what the
/// request decoder rejects, redis-server rejects with the same text.
@Suite("RESP against a real redis-server")
struct RESPAgainstRedisTests {
    @Test("every RESP3 type Redis can emit (DEBUG PROTOCOL) decodes")
    func debugProtocol() throws {
        let server = try RedisServer.start(.init(enableDebugCommand: true))
        defer { server.stop() }
        let connection = try server.connect()
        guard case .map(let hello) = try connection.send("HELLO", "3") else {
            Issue.record("HELLO 3 did not answer a map")
            return
        }
        #expect(hello.contains { $0.key == .bulk("proto") && $0.value == .integer(3) })
        let expectations: [(String, (RESPValue) -> Bool)] = [
            ("string", { $0 == .bulk("Hello World") }),
            ("integer", { $0 == .integer(12345) }),
            ("double", { $0 == .double(3.141) }),
            ("bignum", { $0 == .bigNumber("1234567999999999999999999999999999999") }),
            ("null", { $0 == .null }),
            ("array", { $0 == .array([.integer(0), .integer(1), .integer(2)]) }),
            ("set", { $0 == .set([.integer(0), .integer(1), .integer(2)]) }),
            ("map", { if case .map(let pairs) = $0 { return pairs.count == 3 } else { return false } }),
            ("attrib", { if case .attributed(let pairs, .bulk("Some real reply following the attribute")) = $0 { return pairs.count == 1 } else { return false } }),
            ("push", { if case .push = $0 { return true } else { return false } }),
            ("verbatim", { $0 == .verbatimString(format: "txt", text: ByteBuffer(string: "This is a verbatim\nstring")) }),
            ("true", { $0 == .boolean(true) }),
            ("false", { $0 == .boolean(false) }),
        ]
        for (type, matches) in expectations {
            var reply = try connection.send("DEBUG", "PROTOCOL", type)
            // DEBUG PROTOCOL push sends the push first and then a regular reply.
            if type == "push" {
                #expect(matches(reply), "push: \(reply)")
                reply = try connection.readValue()
                continue
            }
            #expect(matches(reply), "\(type): \(reply)")
        }
        #expect(try connection.send("PING") == .simpleString("PONG"))
    }

    /// Sends `bytes` raw and returns Redis's error reply (Redis closes the connection after it).
    private func redisProtocolError(_ server: RedisServer, _ bytes: String) throws -> String? {
        let connection = try RedisTestConnection(port: server.port)
        try connection.write(ByteBuffer(string: bytes))
        var rest = try connection.readUntilClosed()
        var decoder = RESPValueDecoder()
        var last: RESPValue?
        while let value = try decoder.decode(from: &rest) { last = value }
        return last?.errorMessage
    }

    private func ourProtocolError(_ bytes: String) -> String? {
        var decoder = RESPRequestDecoder()
        var buffer = ByteBuffer(string: bytes)
        do {
            while try decoder.decode(from: &buffer) != nil {}
            return nil
        } catch {
            return "ERR " + error.message
        }
    }

    /// Malformed input with a short name, so test output stays readable.
    struct Malformed: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: String
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        .init(name: "element not a bulk string", bytes: "*1\r\nx3\r\n"),
        .init(name: "negative bulk length", bytes: "*1\r\n$-5\r\n"),
        .init(name: "bulk length not a number", bytes: "*1\r\n$abc\r\n"),
        .init(name: "multibulk length not a number", bytes: "*abc\r\n"),
        .init(name: "unterminated double quotes", bytes: "SET k \"unterminated\r\n"),
        .init(name: "closing quote followed by text", bytes: "SET k 'a'b\r\n"),
        .init(name: "bulk count line over 64 KB", bytes: "*1\r\n$" + String(repeating: "1", count: 70_000)),
        .init(name: "inline request over 64 KB", bytes: String(repeating: "a", count: 70_000)),
    ]

    @Test("protocol errors: same text as Redis", arguments: malformed)
    func protocolErrors(_ input: Malformed) throws {
        let server = try RedisServer.shared()
        let theirs = try redisProtocolError(server, input.bytes)
        #expect(theirs != nil)
        #expect(ourProtocolError(input.bytes) == theirs)
    }

    @Test("inline commands split as Redis splits them", arguments: [
        "ECHO \"a\\x41\\tb\"",
        "ECHO 'it\\'s'",
        "ECHO \"\\q\"",
        "ECHO    spaced",
        "ECHO \"\\xZZ\"",
    ])
    func inlineCommands(_ line: String) throws {
        let connection = try RedisServer.shared().connect()
        try connection.write(ByteBuffer(string: line + "\r\n"))
        let reply = try connection.readValue()
        let ours = InlineCommandParser.split(ByteBuffer(string: line))
        #expect(ours.map { .bulkString($0[1]) } == reply)
    }
}
