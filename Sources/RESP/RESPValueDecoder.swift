public import NIOCore

/// An incremental decoder for RESP2 and RESP3 values, as a client reads replies.
///
/// Feed it whatever arrived: a frame may be split at any byte and one read may hold many frames.
/// `decode(from:)` returns the next complete value, or nil when more bytes are needed. Complete
/// elements of a partially received aggregate are consumed and remembered, so a long reply that
/// trickles in is parsed once, in linear time, not re-parsed on every read.
///
/// Every length claim is checked against `limits` before anything is reserved for it; an aggregate's
/// storage grows only with elements actually received.
///
/// A decoder is a value: give each connection its own.
public struct RESPValueDecoder: Sendable {
    public var limits: RESPLimits
    private var stack: [PartialAggregate] = []

    public init(limits: RESPLimits = .default) {
        self.limits = limits
    }

    /// True when no partially decoded value is held.
    public var isIdle: Bool { stack.isEmpty }

    /// Decodes the next complete value from the front of `buffer`.
    ///
    /// - Returns: the value, with its bytes consumed; or nil when `buffer` ends inside a value (the
    ///   complete parts of it are consumed and kept; call again with more bytes appended).
    /// - Throws: `RESPProtocolError` for malformed input or a breached limit. The decoder must not
    ///   be used for that stream again.
    public mutating func decode(from buffer: inout ByteBuffer) throws(RESPProtocolError) -> RESPValue? {
        while true {
            guard let step = try parseStep(&buffer) else { return nil }
            var completed: RESPValue
            switch step {
            case .value(let value):
                completed = value
            case .aggregate(let kind, let count):
                guard stack.count < limits.maxNestingDepth else { throw .nestingTooDeep }
                if count == 0 {
                    if case .attribute = kind {
                        stack.append(PartialAggregate(kind: .attributed([]), remaining: 1))
                        continue
                    }
                    completed = kind.empty
                } else {
                    stack.append(PartialAggregate(kind: kind, remaining: count))
                    continue
                }
            }
            // Fold the completed value into the enclosing aggregates, as far as they complete.
            while !stack.isEmpty {
                let top = stack.count - 1
                stack[top].elements.append(completed)
                stack[top].remaining -= 1
                guard stack[top].remaining == 0 else { break }
                let finished = stack.removeLast()
                if case .attribute = finished.kind {
                    // Attributes describe the value that follows them: wait for it.
                    let pairs = Self.pairs(finished.elements)
                    stack.append(PartialAggregate(kind: .attributed(pairs), remaining: 1))
                    break
                }
                completed = finished.build()
                if stack.isEmpty { return completed }
            }
            if stack.isEmpty { return completed }
        }
    }

    // MARK: - One step

    private enum Step {
        case value(RESPValue)
        case aggregate(AggregateKind, Int)
    }

    fileprivate enum AggregateKind {
        case array, set, push, map, attribute
        case attributed([RESPValue.Pair])

        var empty: RESPValue {
            switch self {
            case .array: return .array([])
            case .set: return .set([])
            case .push: return .push([])
            case .map: return .map([])
            case .attribute, .attributed: preconditionFailure("attributes always wrap a value")
            }
        }
    }

    private mutating func parseStep(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> Step? {
        guard let typeByte = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        let lineLimit: Int
        switch typeByte {
        case UInt8(ascii: "+"), UInt8(ascii: "-"): lineLimit = limits.maxBulkLength
        default: lineLimit = limits.maxInlineLength
        }
        guard let lineEnd = try Self.lineEnd(buffer, limit: lineLimit) else { return nil }
        let lineLength = lineEnd - 1
        let afterLine = lineEnd + 2

        switch typeByte {
        case UInt8(ascii: "+"):
            let text = buffer.getString(at: buffer.readerIndex + 1, length: lineLength) ?? ""
            buffer.moveReaderIndex(forwardBy: afterLine)
            return .value(.simpleString(text))
        case UInt8(ascii: "-"):
            let text = buffer.getString(at: buffer.readerIndex + 1, length: lineLength) ?? ""
            buffer.moveReaderIndex(forwardBy: afterLine)
            return .value(.simpleError(text))
        case UInt8(ascii: ":"):
            guard let value = ByteScanning.parseInteger(buffer, offset: 1, length: lineLength) else { throw .invalidInteger }
            buffer.moveReaderIndex(forwardBy: afterLine)
            return .value(.integer(value))
        case UInt8(ascii: "$"), UInt8(ascii: "!"), UInt8(ascii: "="):
            guard let length = ByteScanning.parseInteger(buffer, offset: 1, length: lineLength) else { throw .invalidBulkLength }
            if length == -1 && typeByte == UInt8(ascii: "$") {
                buffer.moveReaderIndex(forwardBy: afterLine)
                return .value(.nullBulkString)
            }
            guard length >= 0, length <= limits.maxBulkLength else { throw .invalidBulkLength }
            let total = afterLine + Int(length) + 2
            guard buffer.readableBytes >= total else { return nil }
            guard buffer.getInteger(at: buffer.readerIndex + total - 2, as: UInt16.self) == 0x0D0A else { throw .missingCRLF }
            let payload = buffer.getSlice(at: buffer.readerIndex + afterLine, length: Int(length))!
            buffer.moveReaderIndex(forwardBy: total)
            switch typeByte {
            case UInt8(ascii: "$"):
                return .value(.bulkString(payload))
            case UInt8(ascii: "!"):
                return .value(.bulkError(String(buffer: payload)))
            default:
                guard length >= 4, payload.getInteger(at: payload.readerIndex + 3, as: UInt8.self) == UInt8(ascii: ":") else {
                    throw .invalidVerbatimString
                }
                let format = payload.getString(at: payload.readerIndex, length: 3) ?? ""
                return .value(.verbatimString(format: format, text: payload.getSlice(at: payload.readerIndex + 4, length: Int(length) - 4)!))
            }
        case UInt8(ascii: "*"), UInt8(ascii: "~"), UInt8(ascii: ">"), UInt8(ascii: "%"), UInt8(ascii: "|"):
            guard let count = ByteScanning.parseInteger(buffer, offset: 1, length: lineLength) else { throw .invalidAggregateLength }
            buffer.moveReaderIndex(forwardBy: afterLine)
            if count == -1 && typeByte == UInt8(ascii: "*") { return .value(.nullArray) }
            guard count >= 0, count <= limits.maxAggregateLength else { throw .invalidAggregateLength }
            switch typeByte {
            case UInt8(ascii: "*"): return .aggregate(.array, Int(count))
            case UInt8(ascii: "~"): return .aggregate(.set, Int(count))
            case UInt8(ascii: ">"): return .aggregate(.push, Int(count))
            case UInt8(ascii: "%"):
                guard count <= limits.maxAggregateLength / 2 else { throw .invalidAggregateLength }
                return .aggregate(.map, Int(count) * 2)
            default:
                guard count <= limits.maxAggregateLength / 2 else { throw .invalidAggregateLength }
                return .aggregate(.attribute, Int(count) * 2)
            }
        case UInt8(ascii: "_"):
            guard lineLength == 0 else { throw .invalidNull }
            buffer.moveReaderIndex(forwardBy: afterLine)
            return .value(.null)
        case UInt8(ascii: "#"):
            guard lineLength == 1, let flag = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt8.self) else { throw .invalidBoolean }
            let value: Bool
            switch flag {
            case UInt8(ascii: "t"): value = true
            case UInt8(ascii: "f"): value = false
            default: throw .invalidBoolean
            }
            buffer.moveReaderIndex(forwardBy: afterLine)
            return .value(.boolean(value))
        case UInt8(ascii: ","):
            guard let text = buffer.getString(at: buffer.readerIndex + 1, length: lineLength),
                  let value = RESPDouble.parse(text) else { throw .invalidDouble }
            buffer.moveReaderIndex(forwardBy: afterLine)
            return .value(.double(value))
        case UInt8(ascii: "("):
            guard let text = buffer.getString(at: buffer.readerIndex + 1, length: lineLength), Self.isBigNumber(text) else {
                throw .invalidBigNumber
            }
            buffer.moveReaderIndex(forwardBy: afterLine)
            return .value(.bigNumber(text))
        default:
            throw .invalidTypeByte(typeByte)
        }
    }

    /// Offset of the `\r` ending the line that starts at the reader index, or nil if the line is
    /// not complete yet. The line (type byte included) may be at most `limit` bytes.
    private static func lineEnd(_ buffer: ByteBuffer, limit: Int) throws(RESPProtocolError) -> Int? {
        let window = limit.addingReportingOverflow(2)
        guard let cr = ByteScanning.firstIndex(of: ByteScanning.cr, in: buffer, from: 1, limit: window.overflow ? Int.max : window.partialValue) else {
            if buffer.readableBytes > limit &+ 2 { throw .lineTooLong }
            return nil
        }
        guard let next = buffer.getInteger(at: buffer.readerIndex + cr + 1, as: UInt8.self) else { return nil }
        guard next == ByteScanning.lf else { throw .missingCRLF }
        return cr
    }

    private static func isBigNumber(_ text: String) -> Bool {
        var digits = Substring(text)
        if digits.first == "-" || digits.first == "+" { digits = digits.dropFirst() }
        return !digits.isEmpty && digits.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    fileprivate static func pairs(_ flat: [RESPValue]) -> [RESPValue.Pair] {
        var pairs: [RESPValue.Pair] = []
        pairs.reserveCapacity(flat.count / 2)
        var index = 0
        while index + 1 < flat.count {
            pairs.append(RESPValue.Pair(flat[index], flat[index + 1]))
            index += 2
        }
        return pairs
    }

    // MARK: - Partial aggregates

    private struct PartialAggregate: Sendable {
        var kind: AggregateKind
        var remaining: Int
        var elements: [RESPValue] = []

        init(kind: AggregateKind, remaining: Int) {
            self.kind = kind
            self.remaining = remaining
            // Reserve for what is claimed only up to a small bound: the claim is not proof the
            // elements will come.
            elements.reserveCapacity(min(remaining, 64))
        }

        func build() -> RESPValue {
            switch kind {
            case .array: return .array(elements)
            case .set: return .set(elements)
            case .push: return .push(elements)
            case .map: return .map(RESPValueDecoder.pairs(elements))
            case .attributed(let pairs): return .attributed(pairs, elements[0])
            case .attribute: preconditionFailure("attribute frames are replaced before they are built")
            }
        }
    }
}

extension RESPValueDecoder.AggregateKind: Sendable {}
