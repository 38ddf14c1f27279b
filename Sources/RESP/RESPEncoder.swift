public import NIOCore

/// The protocol generation a connection speaks: RESP2 by default, RESP3 after `HELLO 3`.
public enum RESPVersion: Int, Sendable, Hashable {
    case resp2 = 2
    case resp3 = 3
}

/// Anything that can be one argument of a command: written as a RESP bulk string.
public protocol RESPBulkEncodable {
    /// Appends `$<length>\r\n<bytes>\r\n` to `buffer`.
    func writeBulk(into buffer: inout ByteBuffer)
}

extension String: RESPBulkEncodable {
    @inlinable
    public func writeBulk(into buffer: inout ByteBuffer) {
        var copy = self
        copy.withUTF8 { buffer.writeRESPBulk(UnsafeRawBufferPointer($0)) }
    }
}

extension Substring: RESPBulkEncodable {
    @inlinable
    public func writeBulk(into buffer: inout ByteBuffer) { String(self).writeBulk(into: &buffer) }
}

extension ByteBuffer: RESPBulkEncodable {
    @inlinable
    public func writeBulk(into buffer: inout ByteBuffer) {
        withUnsafeReadableBytes { buffer.writeRESPBulk($0) }
    }
}

extension Array: RESPBulkEncodable where Element == UInt8 {
    @inlinable
    public func writeBulk(into buffer: inout ByteBuffer) {
        withUnsafeBytes { buffer.writeRESPBulk($0) }
    }
}

extension Int: RESPBulkEncodable {
    @inlinable
    public func writeBulk(into buffer: inout ByteBuffer) {
        // Small integers are written without an intermediate string.
        var digits = ByteBuffer()
        digits.writeDecimal(Int64(self))
        digits.writeBulk(into: &buffer)
    }
}

extension Double: RESPBulkEncodable {
    public func writeBulk(into buffer: inout ByteBuffer) { RESPDouble.format(self).writeBulk(into: &buffer) }
}

extension ByteBuffer {
    /// Appends `bytes` as a bulk string.
    @inlinable
    public mutating func writeRESPBulk(_ bytes: UnsafeRawBufferPointer) {
        // One capacity check and one copy for the whole element: a long array reply (LRANGE,
        // HGETALL) writes thousands of these.
        let count = bytes.count
        writeWithUnsafeMutableBytes(minimumWritableBytes: count + Self.maximumHeaderLength + 2) { out in
            var index = Self.writeHeaderLine(UInt8(ascii: "$"), Int64(count), into: out)
            if count > 0 { (out.baseAddress! + index).copyMemory(from: bytes.baseAddress!, byteCount: count) }
            index += count
            out[index] = 0x0D
            out[index + 1] = 0x0A
            return index + 2
        }
    }

    /// Appends an aggregate header such as `*3\r\n`.
    @inlinable
    public mutating func writeRESPHeader(_ type: UInt8, count: Int) {
        writeRESPLine(type, Int64(count))
    }

    /// Appends a type byte, a decimal number and CRLF: `*3\r\n`, `:42\r\n`, `$-1\r\n`.
    @inlinable
    public mutating func writeRESPLine(_ type: UInt8, _ value: Int64) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: Self.maximumHeaderLength) { out in
            Self.writeHeaderLine(type, value, into: out)
        }
    }

    /// Type byte, sign, 20 digits, CRLF.
    @usableFromInline
    static let maximumHeaderLength = 24

    /// Writes `type`, `value` in decimal and CRLF at the start of `out` (at least
    /// `maximumHeaderLength` bytes); returns the bytes written.
    @inlinable
    static func writeHeaderLine(_ type: UInt8, _ value: Int64, into out: UnsafeMutableRawBufferPointer) -> Int {
        out[0] = type
        var index = 1
        if value < 0 {
            out[index] = UInt8(ascii: "-")
            index += 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var position = index + digits
        repeat {
            position -= 1
            out[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        index += digits
        out[index] = 0x0D
        out[index + 1] = 0x0A
        return index + 2
    }

    /// Appends a command as a RESP array of bulk strings: what a client sends.
    @inlinable
    public mutating func writeRESPCommand<Arguments: Collection>(_ arguments: Arguments) where Arguments.Element: RESPBulkEncodable {
        writeRESPHeader(UInt8(ascii: "*"), count: arguments.count)
        for argument in arguments { argument.writeBulk(into: &self) }
    }

    /// Appends a command whose arguments are of different kinds.
    public mutating func writeRESPCommand(_ arguments: [any RESPBulkEncodable]) {
        writeRESPHeader(UInt8(ascii: "*"), count: arguments.count)
        for argument in arguments { argument.writeBulk(into: &self) }
    }

    /// Appends `value` as the given protocol generation writes it.
    ///
    /// Under RESP2, RESP3-only types are written as Redis writes them to a RESP2 client: maps as flat
    /// arrays, sets and pushes as arrays, doubles, big numbers and verbatim strings as bulk strings,
    /// booleans as `:1`/`:0`, `_` as `$-1`, bulk errors as simple errors, and attributes dropped.
    public mutating func writeRESPValue(_ value: RESPValue, version: RESPVersion = .resp3) {
        switch value {
        case .simpleString(let text):
            writeInteger(UInt8(ascii: "+"))
            writeLineSafe(text)
            writeInteger(UInt16(0x0D0A))
        case .simpleError(let text):
            writeInteger(UInt8(ascii: "-"))
            writeLineSafe(text)
            writeInteger(UInt16(0x0D0A))
        case .integer(let number):
            writeRESPLine(UInt8(ascii: ":"), number)
        case .bulkString(let bytes):
            bytes.writeBulk(into: &self)
        case .nullBulkString:
            writeStaticString(version == .resp3 ? "_\r\n" : "$-1\r\n")
        case .nullArray:
            writeStaticString(version == .resp3 ? "_\r\n" : "*-1\r\n")
        case .null:
            writeStaticString(version == .resp3 ? "_\r\n" : "$-1\r\n")
        case .array(let elements):
            writeAggregate(UInt8(ascii: "*"), elements, version: version)
        case .set(let elements):
            writeAggregate(version == .resp3 ? UInt8(ascii: "~") : UInt8(ascii: "*"), elements, version: version)
        case .push(let elements):
            writeAggregate(version == .resp3 ? UInt8(ascii: ">") : UInt8(ascii: "*"), elements, version: version)
        case .map(let pairs):
            if version == .resp3 {
                writeRESPHeader(UInt8(ascii: "%"), count: pairs.count)
            } else {
                writeRESPHeader(UInt8(ascii: "*"), count: pairs.count * 2)
            }
            for pair in pairs {
                writeRESPValue(pair.key, version: version)
                writeRESPValue(pair.value, version: version)
            }
        case .double(let number):
            let text = RESPDouble.format(number)
            if version == .resp3 {
                writeInteger(UInt8(ascii: ","))
                writeString(text)
                writeInteger(UInt16(0x0D0A))
            } else {
                text.writeBulk(into: &self)
            }
        case .boolean(let flag):
            if version == .resp3 {
                writeStaticString(flag ? "#t\r\n" : "#f\r\n")
            } else {
                writeStaticString(flag ? ":1\r\n" : ":0\r\n")
            }
        case .bigNumber(let digits):
            if version == .resp3 {
                writeInteger(UInt8(ascii: "("))
                writeString(digits)
                writeInteger(UInt16(0x0D0A))
            } else {
                digits.writeBulk(into: &self)
            }
        case .bulkError(let text):
            if version == .resp3 {
                writeInteger(UInt8(ascii: "!"))
                writeDecimal(Int64(text.utf8.count))
                writeInteger(UInt16(0x0D0A))
                writeString(text)
                writeInteger(UInt16(0x0D0A))
            } else {
                writeInteger(UInt8(ascii: "-"))
                writeLineSafe(text)
                writeInteger(UInt16(0x0D0A))
            }
        case .verbatimString(let format, let text):
            if version == .resp3 {
                writeInteger(UInt8(ascii: "="))
                writeDecimal(Int64(text.readableBytes + 4))
                writeInteger(UInt16(0x0D0A))
                writeString(format)
                writeInteger(UInt8(ascii: ":"))
                writeImmutableBuffer(text)
                writeInteger(UInt16(0x0D0A))
            } else {
                text.writeBulk(into: &self)
            }
        case .attributed(let pairs, let inner):
            if version == .resp3 {
                writeRESPHeader(UInt8(ascii: "|"), count: pairs.count)
                for pair in pairs {
                    writeRESPValue(pair.key, version: version)
                    writeRESPValue(pair.value, version: version)
                }
            }
            writeRESPValue(inner, version: version)
        }
    }

    private mutating func writeAggregate(_ type: UInt8, _ elements: [RESPValue], version: RESPVersion) {
        writeRESPHeader(type, count: elements.count)
        for element in elements { writeRESPValue(element, version: version) }
    }

    /// Simple strings and errors cannot hold CR or LF; Redis replaces them with spaces.
    private mutating func writeLineSafe(_ text: String) {
        for byte in text.utf8 {
            writeInteger(byte == ByteScanning.cr || byte == ByteScanning.lf ? UInt8(ascii: " ") : byte)
        }
    }
}
