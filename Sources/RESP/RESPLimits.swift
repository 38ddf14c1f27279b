/// Bounds the decoders enforce before they allocate anything for a frame.
///
/// The defaults are Redis's own (`proto-max-bulk-len`, the multibulk bound, `PROTO_INLINE_MAX_SIZE`).
/// A length claim over a limit is rejected as soon as its header line is read, so a peer cannot make
/// the decoder reserve memory it never sends.
public struct RESPLimits: Sendable, Hashable {
    /// Largest bulk string (and bulk error, verbatim string) accepted. Redis: 512 MB.
    public var maxBulkLength: Int
    /// Most arguments in one request (`*N`). Redis: 1,048,576.
    public var maxMultibulkLength: Int
    /// Longest inline request, and longest length-header line, in bytes. Redis: 64 KB.
    public var maxInlineLength: Int
    /// Deepest nesting of aggregates in a reply. Redis itself never nests deeper than a few levels
    /// outside of scripts; the bound stops a hostile peer from exhausting the stack of a consumer.
    public var maxNestingDepth: Int
    /// Most elements of one aggregate in a reply (replies can legitimately be far larger than a
    /// request: `LRANGE` of a long list). Memory still only grows with bytes actually received.
    public var maxAggregateLength: Int

    public init(
        maxBulkLength: Int = 512 * 1024 * 1024,
        maxMultibulkLength: Int = 1024 * 1024,
        maxInlineLength: Int = 64 * 1024,
        maxNestingDepth: Int = 128,
        maxAggregateLength: Int = Int(Int32.max)
    ) {
        self.maxBulkLength = maxBulkLength
        self.maxMultibulkLength = maxMultibulkLength
        self.maxInlineLength = maxInlineLength
        self.maxNestingDepth = maxNestingDepth
        self.maxAggregateLength = maxAggregateLength
    }

    /// Redis's defaults.
    public static let `default` = RESPLimits()
}

/// A violation of the RESP protocol or of a `RESPLimits` bound.
///
/// `message` is the text Redis replies with (after `-ERR `) where Redis has one, for example
/// `Protocol error: invalid bulk length`. After a protocol error the stream position is undefined:
/// a server replies with the error and closes the connection, as Redis does.
public struct RESPProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }

    public static let invalidBulkLength = RESPProtocolError("Protocol error: invalid bulk length")
    public static let invalidMultibulkLength = RESPProtocolError("Protocol error: invalid multibulk length")
    public static let tooBigInlineRequest = RESPProtocolError("Protocol error: too big inline request")
    public static let tooBigMultibulkCount = RESPProtocolError("Protocol error: too big mbulk count string")
    public static let tooBigBulkCount = RESPProtocolError("Protocol error: too big bulk count string")
    public static let unbalancedQuotes = RESPProtocolError("Protocol error: unbalanced quotes in request")
    public static let unauthenticatedMultibulkLength = RESPProtocolError("Protocol error: unauthenticated multibulk length")
    public static let unauthenticatedBulkLength = RESPProtocolError("Protocol error: unauthenticated bulk length")
    public static let nestingTooDeep = RESPProtocolError("Protocol error: reply nesting too deep")
    public static let invalidAggregateLength = RESPProtocolError("Protocol error: invalid aggregate length")
    public static let invalidInteger = RESPProtocolError("Protocol error: invalid integer")
    public static let invalidDouble = RESPProtocolError("Protocol error: invalid double")
    public static let invalidBoolean = RESPProtocolError("Protocol error: invalid boolean")
    public static let invalidBigNumber = RESPProtocolError("Protocol error: invalid big number")
    public static let invalidNull = RESPProtocolError("Protocol error: invalid null")
    public static let invalidVerbatimString = RESPProtocolError("Protocol error: invalid verbatim string")
    public static let missingCRLF = RESPProtocolError("Protocol error: expected CRLF")
    public static let lineTooLong = RESPProtocolError("Protocol error: line too long")

    /// Redis's reply when a request element is not a bulk string.
    public static func expectedDollar(got byte: UInt8) -> RESPProtocolError {
        RESPProtocolError("Protocol error: expected '$', got '\(Character(Unicode.Scalar(byte)))'")
    }

    /// A reply starting with a byte that is no RESP type.
    public static func invalidTypeByte(_ byte: UInt8) -> RESPProtocolError {
        RESPProtocolError("Protocol error: invalid type byte 0x\(String(byte, radix: 16))")
    }
}
