import Foundation
import NIOCore
import RESP
@testable import RedisClient
import RedisCommands
import Synchronization
import Testing

/// An executor that records what the generated methods send and answers with a fixed reply.
final class RecordingExecutor: RedisCommandExecutor {
    private let sent = Mutex<[[String]]>([])
    let reply: RESPValue

    init(reply: RESPValue = .simpleString("OK")) {
        self.reply = reply
    }

    func send(_ command: RedisCommand, timeout: Duration?) async throws(RedisClientError) -> RESPValue {
        let words = Self.words(command.encoded)
        sent.withLock { $0.append(words) }
        return reply
    }

    var last: [String] { sent.withLock { $0.last ?? [] } }

    /// `*N\r\n$len\r\nbytes\r\n…` → the bulk strings.
    static func words(_ encoded: ByteBuffer) -> [String] {
        let bytes = Array(encoded.readableBytesView)
        var index = 0
        func line() -> String {
            let start = index
            while bytes[index] != UInt8(ascii: "\r") { index += 1 }
            defer { index += 2 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        let count = Int(line().dropFirst())!
        var words: [String] = []
        for _ in 0..<count {
            let length = Int(line().dropFirst())!
            words.append(String(decoding: bytes[index..<index + length], as: UTF8.self))
            index += length + 2
        }
        return words
    }
}

/// What the generated methods put on the wire, checked without a server: token order, optional
/// blocks, repeated tokens, computed `numkeys`, subcommand names — and that every one of these is
/// an argument count the command's arity accepts.
@Suite("Generated command encoding")
struct GeneratedCommandEncodingTests {
    static func expectWire(_ executor: RecordingExecutor, _ expected: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let wire = executor.last
        #expect(wire == expected, sourceLocation: sourceLocation)
        var name = wire.first?.lowercased() ?? ""
        let table = try CommandTable.bundled
        if let container = table[name], !container.subcommands.isEmpty, wire.count > 1 { name += "|" + wire[1].lowercased() }
        let spec = try #require(table[name], sourceLocation: sourceLocation)
        #expect(spec.accepts(argumentCount: wire.count), "\(wire) does not fit the arity of \(name)", sourceLocation: sourceLocation)
    }

    @Test("tokens, choices and optional arguments are written in Redis's order")
    func encoding() async throws {
        let ok = RecordingExecutor()
        _ = try await ok.set(key: "k", value: "v", condition: .nx, get: true, expiration: .milliseconds(5))
        try Self.expectWire(ok, ["SET", "k", "v", "NX", "GET", "PX", "5"])
        _ = try await ok.set(key: "k", value: ByteBuffer(bytes: [0, 1]))
        try Self.expectWire(ok, ["SET", "k", "\u{0}\u{1}"])

        _ = try await ok.sort("k", pattern: "w_*", offsetCount: (offset: 0, count: 10), patterns: ["o_*", "#"],
                              order: .desc, sorting: true, destination: "dst")
        try Self.expectWire(ok, ["SORT", "k", "BY", "w_*", "LIMIT", "0", "10", "GET", "o_*", "GET", "#", "DESC", "ALPHA", "STORE", "dst"])

        _ = try await ok.xadd("s", nomkstream: true, trim: .init(strategy: .maxlen, operator: .approximately, threshold: 1000, count: 10),
                              idOrAuto: .autoId, fieldValues: [(field: "f", value: "v"), (field: "g", value: 2)])
        try Self.expectWire(ok, ["XADD", "s", "NOMKSTREAM", "MAXLEN", "~", "1000", "LIMIT", "10", "*", "f", "v", "g", "2"])

        _ = try await ok.clientKill(.newFormat([.clientId(7), .normalMasterSlavePubsub(.pubsub), .yesNo("no")]))
        try Self.expectWire(ok, ["CLIENT", "KILL", "ID", "7", "TYPE", "PUBSUB", "SKIPME", "no"])

        _ = try await ok.migrate("h", port: 6379, keyOrEmptyString: .emptyString, destinationDb: 0, timeout: 100, replace: true,
                                 authentication: .usernamePassword(username: "u", password: "p"), keys: ["a", "b"])
        try Self.expectWire(ok, ["MIGRATE", "h", "6379", "", "0", "100", "REPLACE", "AUTH2", "u", "p", "KEYS", "a", "b"])

        _ = try await ok.geosearch("g", from: .member("m"), by: .box(.init(width: 1, height: 2.5, unit: .km)), count: .init(count: 3, any: true), withdist: true)
        try Self.expectWire(ok, ["GEOSEARCH", "g", "FROMMEMBER", "m", "BYBOX", "1", "2.5", "KM", "COUNT", "3", "ANY", "WITHDIST"])

        _ = try await ok.bitfield("k", operations: [.write(.init(wrapSatFail: .sat, writeOperation: .encodingOffsetIncrement(encoding: "u8", offset: 0, increment: 1))),
                                                    .encodingOffset(encoding: "i4", offset: 8)])
        try Self.expectWire(ok, ["BITFIELD", "k", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "1", "GET", "i4", "8"])

        _ = try await ok.failover(target: .init(host: "h", port: 1, force: true), milliseconds: 50)
        try Self.expectWire(ok, ["FAILOVER", "TO", "h", "1", "FORCE", "TIMEOUT", "50"])

        try await ok.configSet([(parameter: "a", value: "1"), (parameter: "b", value: 2)])
        try Self.expectWire(ok, ["CONFIG", "SET", "a", "1", "b", "2"])

        _ = try await ok.ping(message: "hey")
        try Self.expectWire(ok, ["PING", "hey"])
        _ = try await ok.xread(count: 2, milliseconds: 0, streams: .init(keys: ["s1", "s2"], ids: ["0", "$"]))
        try Self.expectWire(ok, ["XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "s1", "s2", "0", "$"])

        _ = try await ok.clientList(normalMasterReplicaPubsub: .pubsub)
        try Self.expectWire(ok, ["CLIENT", "LIST", "TYPE", "PUBSUB"])

        let integer = RecordingExecutor(reply: .integer(2))
        _ = try await integer.zinterstore("d", keys: ["a", "b"], weights: [1, 2], aggregate: .max)
        try Self.expectWire(integer, ["ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "2", "AGGREGATE", "MAX"])
        _ = try await integer.eval("return 1", args: ["x"])
        try Self.expectWire(integer, ["EVAL", "return 1", "0", "x"])
        _ = try await integer.lmpop(["l1", "l2"], where: .right, count: 3)
        try Self.expectWire(integer, ["LMPOP", "2", "l1", "l2", "RIGHT", "COUNT", "3"])
        _ = try await integer.zadd("z", comparison: .gt, change: true, scoreMembers: [(score: 1.5, member: "a"), (score: -2, member: "b")])
        try Self.expectWire(integer, ["ZADD", "z", "GT", "CH", "1.5", "a", "-2", "b"])
        _ = try await integer.expire("k", seconds: 10, condition: .nx)
        try Self.expectWire(integer, ["EXPIRE", "k", "10", "NX"])
    }

    @Test("typed replies accept RESP2 and RESP3 shapes and reject others")
    func typedReplies() async throws {
        let flatHash = RecordingExecutor(reply: .array([.bulkString(ByteBuffer(string: "f")), .bulkString(ByteBuffer(string: "v"))]))
        #expect(try await flatHash.hgetall("h") == ["f": ByteBuffer(string: "v")])
        let mapHash = RecordingExecutor(reply: .map([.init(.bulkString(ByteBuffer(string: "f")), .bulkString(ByteBuffer(string: "v")))]))
        #expect(try await mapHash.hgetall("h") == ["f": ByteBuffer(string: "v")])
        #expect(try await RecordingExecutor(reply: .bulkString(ByteBuffer(string: "1.5"))).zscore("z", member: "m") == 1.5)
        #expect(try await RecordingExecutor(reply: .double(1.5)).zscore("z", member: "m") == 1.5)
        #expect(try await RecordingExecutor(reply: .null).zscore("z", member: "m") == nil)
        #expect(try await RecordingExecutor(reply: .boolean(true)).sismember("s", member: "m"))
        let time = try await RecordingExecutor(reply: .array([.bulkString(ByteBuffer(string: "1700000000")), .bulkString(ByteBuffer(string: "42"))])).time()
        #expect(time == RedisServerTime(seconds: 1_700_000_000, microseconds: 42))
        #expect(time.description == "1700000000.000042")

        await #expect(throws: RedisClientError.self) { _ = try await RecordingExecutor(reply: .integer(1)).get(key: "k") }
        await #expect(throws: RedisClientError.self) { _ = try await RecordingExecutor(reply: .simpleString("QUEUED")).incr("k") }
        await #expect(throws: RedisClientError.self) { try await RecordingExecutor(reply: .simpleString("NOPE")).flushdb() }
        await #expect(throws: RedisClientError.self) { _ = try await RecordingExecutor(reply: .array([.integer(1)])).hgetall("h") }
    }
}
