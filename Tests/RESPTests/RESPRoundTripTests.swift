import NIOCore
import RESP
import RedisTestSupport
#if canImport(Glibc)
import Glibc
#endif
import Testing

@Suite("RESP values encode and decode")
struct RESPRoundTripTests {
    static let everyType: [RESPValue] = [
        .simpleString("OK"),
        .simpleString(""),
        .simpleError("ERR unknown command"),
        .integer(0),
        .integer(-1),
        .integer(Int64.max),
        .integer(Int64.min),
        .bulk("hello"),
        .bulk(""),
        .bulk([0, 13, 10, 255, 36, 42]),
        .nullBulkString,
        .nullArray,
        .null,
        .array([]),
        .array([.integer(1), .bulk("two"), .array([.null])]),
        .map([.init(.bulk("key"), .integer(1)), .init(.simpleString("k2"), .array([]))]),
        .map([]),
        .set([.bulk("a"), .bulk("b")]),
        .double(1.5),
        .double(-0.1),
        .double(.infinity),
        .double(-.infinity),
        .double(.nan),
        .double(1e300),
        .boolean(true),
        .boolean(false),
        .bigNumber("3492890328409238509324850943850943825024385"),
        .bigNumber("-12"),
        .bulkError("SYNTAX invalid syntax"),
        .verbatimString(format: "txt", text: ByteBuffer(string: "Some string\r\nwith CRLF")),
        .verbatimString(format: "mkd", text: ByteBuffer()),
        .push([.bulk("message"), .bulk("channel"), .bulk("payload")]),
        .attributed([.init(.bulk("ttl"), .integer(3600))], .bulk("value")),
        .attributed([], .integer(1)),
        .array([.attributed([.init(.simpleString("a"), .null)], .map([.init(.integer(1), .double(2))]))]),
    ]

    /// RESP3 has one null: the two RESP2 nulls are written as `_` and read back as `.null`.
    static func resp3Canonical(_ value: RESPValue) -> RESPValue {
        switch value {
        case .nullBulkString, .nullArray: return .null
        case .array(let a): return .array(a.map(resp3Canonical))
        case .set(let a): return .set(a.map(resp3Canonical))
        case .push(let a): return .push(a.map(resp3Canonical))
        case .map(let m): return .map(m.map { .init(resp3Canonical($0.key), resp3Canonical($0.value)) })
        case .attributed(let p, let v):
            return .attributed(p.map { .init(resp3Canonical($0.key), resp3Canonical($0.value)) }, resp3Canonical(v))
        default: return value
        }
    }

    @Test("every RESP3 type survives encode then decode", arguments: everyType)
    func roundTrip(_ value: RESPValue) throws {
        var buffer = ByteBuffer()
        buffer.writeRESPValue(value, version: .resp3)
        var decoder = RESPValueDecoder()
        let decoded = try decoder.decode(from: &buffer)
        #expect(decoded == Self.resp3Canonical(value))
        #expect(buffer.readableBytes == 0)
        #expect(decoder.isIdle)
    }

    @Test("RESP2 types, both nulls included, survive a RESP2 round trip")
    func resp2RoundTrip() throws {
        let values: [RESPValue] = [
            .simpleString("PONG"), .simpleError("WRONGTYPE x"), .integer(7), .bulk("v"), .nullBulkString, .nullArray,
            .array([.nullBulkString, .array([.nullArray, .integer(1)]), .bulk([0, 1])]),
        ]
        var buffer = ByteBuffer()
        for value in values { buffer.writeRESPValue(value, version: .resp2) }
        var decoder = RESPValueDecoder()
        var decoded: [RESPValue] = []
        while let value = try decoder.decode(from: &buffer) { decoded.append(value) }
        #expect(decoded == values)
    }

    @Test("wire forms are exactly RESP")
    func wireForms() {
        func encoded(_ value: RESPValue, _ version: RESPVersion = .resp3) -> String {
            var buffer = ByteBuffer()
            buffer.writeRESPValue(value, version: version)
            return String(buffer: buffer)
        }
        #expect(encoded(.simpleString("OK")) == "+OK\r\n")
        #expect(encoded(.integer(-42)) == ":-42\r\n")
        #expect(encoded(.bulk("foo")) == "$3\r\nfoo\r\n")
        #expect(encoded(.array([.bulk("a"), .integer(1)])) == "*2\r\n$1\r\na\r\n:1\r\n")
        #expect(encoded(.double(.infinity)) == ",inf\r\n")
        #expect(encoded(.double(0.1)) == ",0.10000000000000001\r\n")
        #expect(encoded(.verbatimString(format: "txt", text: ByteBuffer(string: "hi"))) == "=6\r\ntxt:hi\r\n")
        #expect(encoded(.bulkError("ERR x")) == "!5\r\nERR x\r\n")
        #expect(encoded(.map([.init(.bulk("a"), .integer(1))])) == "%1\r\n$1\r\na\r\n:1\r\n")
        // Line-based types cannot carry CR or LF: replaced with spaces as Redis does.
        #expect(encoded(.simpleError("ERR a\r\nb")) == "-ERR a  b\r\n")
    }

    @Test("RESP2 clients get RESP3 types the way Redis downgrades them")
    func resp2Downgrade() {
        func encoded(_ value: RESPValue) -> String {
            var buffer = ByteBuffer()
            buffer.writeRESPValue(value, version: .resp2)
            return String(buffer: buffer)
        }
        #expect(encoded(.null) == "$-1\r\n")
        #expect(encoded(.nullArray) == "*-1\r\n")
        #expect(encoded(.map([.init(.bulk("a"), .integer(1))])) == "*2\r\n$1\r\na\r\n:1\r\n")
        #expect(encoded(.set([.bulk("a")])) == "*1\r\n$1\r\na\r\n")
        #expect(encoded(.double(1.5)) == "$3\r\n1.5\r\n")
        #expect(encoded(.double(-.infinity)) == "$4\r\n-inf\r\n")
        #expect(encoded(.boolean(true)) == ":1\r\n")
        #expect(encoded(.bigNumber("123")) == "$3\r\n123\r\n")
        #expect(encoded(.bulkError("ERR x")) == "-ERR x\r\n")
        #expect(encoded(.verbatimString(format: "txt", text: ByteBuffer(string: "hi"))) == "$2\r\nhi\r\n")
        #expect(encoded(.push([.bulk("message")])) == "*1\r\n$7\r\nmessage\r\n")
        #expect(encoded(.attributed([.init(.bulk("a"), .null)], .integer(1))) == ":1\r\n")
    }

    @Test("commands encode as arrays of bulk strings")
    func commands() {
        var buffer = ByteBuffer()
        buffer.writeRESPCommand(["SET", "key", "value"])
        #expect(String(buffer: buffer) == "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
        buffer.clear()
        buffer.writeRESPCommand(["INCRBY", "k", 10, 2.5] as [any RESPBulkEncodable])
        #expect(String(buffer: buffer) == "*4\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$2\r\n10\r\n$3\r\n2.5\r\n")
    }

    @Test("doubles format as Redis 7.0 does (%.17g)")
    func doubleFormatting() {
        #expect(RESPDouble.format(3) == "3")
        #expect(RESPDouble.format(1.5) == "1.5")
        #expect(RESPDouble.format(0.1) == "0.10000000000000001")
        #expect(RESPDouble.format(-0.0) == "-0")
        #expect(RESPDouble.format(1e21) == "1e+21")
        #expect(RESPDouble.format(.infinity) == "inf")
        #expect(RESPDouble.format(-.infinity) == "-inf")
        #expect(RESPDouble.format(1e17) == "1e+17")
        #expect(RESPDouble.format(99_999_999_999_999_984) == "99999999999999984")
        #expect(RESPDouble.format(-42) == "-42")
    }

    @Test("the fast paths format exactly as C's %.17g, over seeded random doubles of every kind")
    func doubleFormattingMatchesC() {
        func c(_ value: Double) -> String {
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer in
                let length = withVaList([value]) { vsnprintf(buffer.baseAddress, 64, "%.17g", $0) }
                return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(length)), as: UTF8.self)
            }
        }
        var generator = SeededGenerator(seed: 17)
        var values: [Double] = [0, 1, -1, 0.5, 1e16, 1e16 + 2, 1e17 - 16, 1e17, 1e17 + 16, 9_007_199_254_740_993, 1e-300, 5e-324,
                                .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 123_456.789]
        for _ in 0..<20_000 {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: values.append(Double(Int64.random(in: -1_000_000_000...1_000_000_000, using: &generator)))
            case 1: values.append(Double(Int64.random(in: Int64.min...Int64.max, using: &generator)))
            case 2: values.append(Double.random(in: -1e6...1e6, using: &generator))
            default: values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator)))
            }
        }
        for value in values where value.isFinite {
            #expect(RESPDouble.format(value) == c(value), "\(value)")
        }
    }

    @Test("decimal writer covers the whole Int64 range")
    func decimals() {
        for value: Int64 in [0, 9, 10, -1, -10, 1_234_567_890, .max, .min] {
            var buffer = ByteBuffer()
            buffer.writeDecimal(value)
            #expect(String(buffer: buffer) == String(value))
        }
    }
}
