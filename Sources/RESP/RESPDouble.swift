#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How Redis 7.0 writes and reads doubles in replies (`ZSCORE`, `INCRBYFLOAT`, RESP3 `,` values).
public enum RESPDouble {
    /// Redis 7.0's reply formatting: `%.17g`, with `inf` and `-inf` spelled out.
    ///
    /// `0.1` prints as `0.10000000000000001`, `1.5` as `1.5`, `3` as `3`.
    public static func format(_ value: Double) -> String {
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        if value.isNaN { return "nan" }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> String in
            let length = withVaList([value]) { vsnprintf(buffer.baseAddress, 64, "%.17g", $0) }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(length)), as: UTF8.self)
        }
    }

    /// Parses the text of a RESP3 double (`1.5`, `-2e10`, `inf`, `-inf`, `nan`).
    public static func parse(_ text: some StringProtocol) -> Double? {
        switch text {
        case "inf", "+inf": return .infinity
        case "-inf": return -.infinity
        case "nan", "-nan": return .nan
        default:
            guard let first = text.utf8.first, first != UInt8(ascii: " ") else { return nil }
            return Double(String(text))
        }
    }
}
