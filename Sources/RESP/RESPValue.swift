public import NIOCore

/// One RESP2 or RESP3 value: a request, a reply, or any part of one.
///
/// Byte payloads (bulk strings, verbatim strings) are `ByteBuffer`s, so binary data passes through
/// unchanged and a decoded value can share storage with the buffer it came from. Simple strings and
/// errors are `String`s because Redis only ever sends line-safe text in them.
///
/// RESP2 has two distinct nulls (`$-1` and `*-1`); RESP3 has one (`_`). All three are kept apart so
/// that a reply can be re-encoded exactly as it was received, and compared exactly in tests.
///
/// Equality treats two NaN doubles as equal (unlike `Double`'s own `==`), so a decoded reply always
/// equals the value it was encoded from.
public enum RESPValue: Sendable {
    /// `+OK\r\n`
    case simpleString(String)
    /// `-ERR message\r\n`
    case simpleError(String)
    /// `:42\r\n`
    case integer(Int64)
    /// `$3\r\nfoo\r\n`: binary-safe bytes.
    case bulkString(ByteBuffer)
    /// RESP2 `$-1\r\n`.
    case nullBulkString
    /// RESP2 `*-1\r\n`.
    case nullArray
    /// RESP3 `_\r\n`.
    case null
    /// `*2\r\n…`
    case array([RESPValue])
    /// RESP3 `%1\r\n…`: ordered key/value pairs (order as received; duplicate keys are kept).
    case map([Pair])
    /// RESP3 `~2\r\n…`
    case set([RESPValue])
    /// RESP3 `,1.5\r\n`, including `inf`, `-inf` and `nan`.
    case double(Double)
    /// RESP3 `#t\r\n`
    case boolean(Bool)
    /// RESP3 `(3492890328409238509324850943850943825024385\r\n`: kept as its decimal text.
    case bigNumber(String)
    /// RESP3 `!21\r\nSYNTAX invalid syntax\r\n`
    case bulkError(String)
    /// RESP3 `=15\r\ntxt:Some string\r\n`: a three-letter format and the text.
    case verbatimString(format: String, text: ByteBuffer)
    /// RESP3 `>3\r\n…`: out-of-band data such as pub/sub messages.
    case push([RESPValue])
    /// RESP3 `|1\r\n…` attributes followed by the value they describe.
    indirect case attributed([Pair], RESPValue)

    /// One entry of a RESP3 map or attribute.
    public struct Pair: Sendable, Hashable {
        public var key: RESPValue
        public var value: RESPValue
        public init(_ key: RESPValue, _ value: RESPValue) {
            self.key = key
            self.value = value
        }
    }
}

// MARK: - Conveniences

extension RESPValue {
    /// `+OK`
    public static let ok = RESPValue.simpleString("OK")

    /// A bulk string holding the UTF-8 bytes of `string`.
    public static func bulk(_ string: some StringProtocol) -> RESPValue {
        .bulkString(ByteBuffer(string: String(string)))
    }

    /// A bulk string holding `bytes`.
    public static func bulk(_ bytes: some Sequence<UInt8>) -> RESPValue {
        .bulkString(ByteBuffer(bytes: bytes))
    }

    /// True for every kind of null (`$-1`, `*-1`, `_`).
    public var isNull: Bool {
        switch self {
        case .null, .nullBulkString, .nullArray: return true
        default: return false
        }
    }

    /// True for simple and bulk errors.
    public var isError: Bool {
        switch self {
        case .simpleError, .bulkError: return true
        default: return false
        }
    }

    /// The error text of a simple or bulk error.
    public var errorMessage: String? {
        switch self {
        case .simpleError(let message), .bulkError(let message): return message
        default: return nil
        }
    }

    /// The payload of a bulk string, simple string or verbatim string as bytes.
    public var bytes: [UInt8]? {
        switch self {
        case .bulkString(let buffer), .verbatimString(_, let buffer): return Array(buffer.readableBytesView)
        case .simpleString(let string): return Array(string.utf8)
        default: return nil
        }
    }

    /// The payload of a bulk, simple or verbatim string decoded as UTF-8 (invalid sequences repaired).
    public var string: String? {
        switch self {
        case .bulkString(let buffer), .verbatimString(_, let buffer): return String(buffer: buffer)
        case .simpleString(let string): return string
        default: return nil
        }
    }

    /// The elements of an array, set or push.
    public var elements: [RESPValue]? {
        switch self {
        case .array(let values), .set(let values), .push(let values): return values
        default: return nil
        }
    }
}

extension RESPValue: ExpressibleByStringLiteral {
    /// A string literal is a bulk string: that is what commands and most replies are made of.
    public init(stringLiteral value: String) {
        self = .bulkString(ByteBuffer(string: value))
    }
}

extension RESPValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }
}

extension RESPValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: RESPValue...) {
        self = .array(elements)
    }
}

// MARK: - Equality

extension RESPValue: Hashable {
    public static func == (lhs: RESPValue, rhs: RESPValue) -> Bool {
        switch (lhs, rhs) {
        case (.simpleString(let a), .simpleString(let b)): return a == b
        case (.simpleError(let a), .simpleError(let b)): return a == b
        case (.integer(let a), .integer(let b)): return a == b
        case (.bulkString(let a), .bulkString(let b)): return a == b
        case (.nullBulkString, .nullBulkString), (.nullArray, .nullArray), (.null, .null): return true
        case (.array(let a), .array(let b)): return a == b
        case (.map(let a), .map(let b)): return a == b
        case (.set(let a), .set(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b || (a.isNaN && b.isNaN)
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.bigNumber(let a), .bigNumber(let b)): return a == b
        case (.bulkError(let a), .bulkError(let b)): return a == b
        case (.verbatimString(let f1, let t1), .verbatimString(let f2, let t2)): return f1 == f2 && t1 == t2
        case (.push(let a), .push(let b)): return a == b
        case (.attributed(let p1, let v1), .attributed(let p2, let v2)): return p1 == p2 && v1 == v2
        default: return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .simpleString(let s): hasher.combine(0); hasher.combine(s)
        case .simpleError(let s): hasher.combine(1); hasher.combine(s)
        case .integer(let i): hasher.combine(2); hasher.combine(i)
        case .bulkString(let b): hasher.combine(3); hasher.combine(b)
        case .nullBulkString: hasher.combine(4)
        case .nullArray: hasher.combine(5)
        case .null: hasher.combine(6)
        case .array(let a): hasher.combine(7); hasher.combine(a)
        case .map(let m): hasher.combine(8); hasher.combine(m)
        case .set(let s): hasher.combine(9); hasher.combine(s)
        case .double(let d): hasher.combine(10); hasher.combine(d.isNaN ? Double.nan.bitPattern : d.bitPattern)
        case .boolean(let b): hasher.combine(11); hasher.combine(b)
        case .bigNumber(let n): hasher.combine(12); hasher.combine(n)
        case .bulkError(let s): hasher.combine(13); hasher.combine(s)
        case .verbatimString(let f, let t): hasher.combine(14); hasher.combine(f); hasher.combine(t)
        case .push(let p): hasher.combine(15); hasher.combine(p)
        case .attributed(let p, let v): hasher.combine(16); hasher.combine(p); hasher.combine(v)
        }
    }
}

// MARK: - Display

extension RESPValue: CustomStringConvertible {
    /// A one-line rendering in the spirit of `redis-cli`, with the RESP type visible, for test
    /// failures and logs: `"foo"`, `(integer) 1`, `(error) ERR syntax error`, `[1, "a"]`.
    public var description: String {
        switch self {
        case .simpleString(let s): return "+\(s)"
        case .simpleError(let s): return "(error) \(s)"
        case .integer(let i): return "(integer) \(i)"
        case .bulkString(let b): return b.redisQuoted
        case .nullBulkString: return "(nil bulk)"
        case .nullArray: return "(nil array)"
        case .null: return "(null)"
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .set(let s): return "~{" + s.map(\.description).joined(separator: ", ") + "}"
        case .double(let d): return "(double) \(RESPDouble.format(d))"
        case .boolean(let b): return "(boolean) \(b)"
        case .bigNumber(let n): return "(big number) \(n)"
        case .bulkError(let s): return "(bulk error) \(s)"
        case .verbatimString(let f, let t): return "(verbatim \(f)) \(t.redisQuoted)"
        case .push(let p): return ">[" + p.map(\.description).joined(separator: ", ") + "]"
        case .attributed(let p, let v): return "|{" + p.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "} \(v)"
        }
    }
}

extension ByteBuffer {
    /// The bytes as Redis quotes them (`sdscatrepr`, as in MONITOR and redis-cli): double quotes, with
    /// \n, \r, \t, \a, \b, \\, \" and \xHH escapes.
    public var redisQuoted: String {
        var text = "\""
        for byte in readableBytesView {
            switch byte {
            case UInt8(ascii: "\\"): text += "\\\\"
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\r"): text += "\\r"
            case UInt8(ascii: "\t"): text += "\\t"
            case 0x07: text += "\\a"
            case 0x08: text += "\\b"
            case 0x20..<0x7f: text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16)
                text += "\\x" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return text + "\""
    }
}
