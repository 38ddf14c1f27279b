public import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Line and number primitives shared by both decoders. Every function works on the readable bytes
/// of a buffer at an offset relative to `readerIndex` and never moves the reader index itself, so a
/// caller can give up on an incomplete frame without having consumed anything.
enum ByteScanning {
    static let cr = UInt8(ascii: "\r")
    static let lf = UInt8(ascii: "\n")

    /// Offset (relative to the reader index) of the first `byte` at or after `offset`, looking at
    /// no more than `limit` bytes; nil when not present in that window.
    @inline(__always)
    static func firstIndex(of byte: UInt8, in buffer: ByteBuffer, from offset: Int, limit: Int) -> Int? {
        buffer.withUnsafeReadableBytes { raw -> Int? in
            let available = raw.count - offset
            guard available > 0, let base = raw.baseAddress else { return nil }
            let count = min(available, limit)
            guard let hit = memchr(base + offset, Int32(byte), count) else { return nil }
            return UnsafeRawPointer(hit) - base
        }
    }

    /// Parses a decimal integer the way Redis's `string2ll` does (see `RedisInteger`).
    @inline(__always)
    static func parseInteger(_ buffer: ByteBuffer, offset: Int, length: Int) -> Int64? {
        buffer.withUnsafeReadableBytes { raw -> Int64? in
            RedisInteger.parse(UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + length)]))
        }
    }
}

/// Integers as Redis reads them everywhere (lengths in the protocol, arguments, stored values):
/// `string2ll`'s rules.
public enum RedisInteger {
    /// An optional `-`, no `+`, no spaces, no leading zeros (`-0` refused), within Int64.
    public static func parse(_ buffer: ByteBuffer) -> Int64? {
        buffer.withUnsafeReadableBytes { parse($0) }
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        let count = bytes.count
        guard count > 0, count <= 20 else { return nil }
        var negative = false
        if bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
            guard count > 1 else { return nil }
        }
        let first = bytes[index]
        if first == UInt8(ascii: "0") {
            return (count == index + 1 && !negative) ? 0 : nil
        }
        guard first >= UInt8(ascii: "1"), first <= UInt8(ascii: "9") else { return nil }
        // Accumulate as a negative number so that Int64.min parses too.
        var value: Int64 = 0
        while index < count {
            let digit = bytes[index] &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.subtractingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return nil }
            value = next
            index += 1
        }
        if negative { return value }
        let (positive, overflow) = Int64(0).subtractingReportingOverflow(value)
        return overflow ? nil : positive
    }
}

extension ByteBuffer {
    /// Writes `value` in decimal ASCII without creating a `String`.
    @inlinable
    public mutating func writeDecimal(_ value: Int64) {
        if value >= 0 && value < 10 {
            writeInteger(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = value.magnitude
            var position = 20
            while magnitude > 0 {
                position -= 1
                digits[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            }
            if value < 0 { writeInteger(UInt8(ascii: "-")) }
            writeBytes(UnsafeBufferPointer(rebasing: digits[position..<20]))
        }
    }
}

extension ByteBuffer {
    /// The ASCII-lowercased text of the readable bytes (a command name or option), made without an
    /// intermediate array: names of up to 15 bytes become a small string with no allocation at all.
    public var lowercasedASCII: String {
        withUnsafeReadableBytes { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { text in
                for index in 0..<bytes.count {
                    let byte = bytes[index]
                    text[index] = byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
                }
                return bytes.count
            }
        }
    }
}
