import NIOCore
import RESP

#if canImport(Glibc)
import Glibc
#endif

/// Numbers as Redis reads and writes them in values and arguments.
enum RedisNumbers {
    /// `string2ll`: optional `-`, no `+`, no spaces, no leading zeros, within Int64 (RESP's parser).
    static func parseInteger(_ buffer: ByteBuffer) -> Int64? {
        RedisInteger.parse(buffer)
    }

    /// `string2ld` / `strtold` as Redis uses them for long doubles (INCRBYFLOAT, HINCRBYFLOAT): no
    /// leading space, the whole string consumed, not NaN. Accepts what strtold accepts (`1e3`,
    /// `+1.5`, `inf`, `-inf`, hex floats). Plain doubles are read as getDoubleFromObject reads them
    /// (`parseScore`).
    static func parseLongDouble(_ buffer: ByteBuffer) -> Float80? {
        let count = buffer.readableBytes
        guard count > 0, count < 5 * 1024 else { return nil }
        guard !isSpace(buffer.readableBytesView.first!) else { return nil }
        return withCString(buffer) { text -> Float80? in
            var end: UnsafeMutablePointer<CChar>?
            errno = 0
            let value = strtold(text, &end)
            guard let end, end - UnsafeMutablePointer(mutating: text) == count else { return nil }
            guard !value.isNaN else { return nil }
            // strtold reports ERANGE for overflow (±inf) and underflow (0); Redis accepts underflow.
            if errno == ERANGE && value.isInfinite { return nil }
            return value
        }
    }

    /// `body` with the bytes as a NUL-terminated C string (for libc's number parsers).
    static func withCString<T>(_ buffer: ByteBuffer, _ body: (UnsafePointer<CChar>) -> T) -> T {
        var bytes = Array(buffer.readableBytesView)
        bytes.append(0)
        return bytes.withUnsafeBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0d) }

    /// `ld2string(..., LD_STR_HUMAN)`: `%.17Lf` with trailing zeros (and a trailing dot) removed; how
    /// INCRBYFLOAT and HINCRBYFLOAT store their results.
    static func formatHuman(_ value: Float80) -> String {
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        var buffer = [CChar](repeating: 0, count: 5 * 1024 + 16)
        let length = withVaList([value]) { vsnprintf(&buffer, buffer.count, "%.17Lf", $0) }
        var text = String(decoding: buffer[0..<Int(length)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        if text == "-0" { text = "0" }
        return text
    }

    /// Redis 7.0's `%.17g` reply formatting of a double.
    static func formatReply(_ value: Double) -> String { RESPDouble.format(value) }
}
