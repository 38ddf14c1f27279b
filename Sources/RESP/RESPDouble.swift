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
        // Whole numbers below 10^17 print as their digits under %.17g (no exponent, no point): the
        // common case (ranks, counters, timestamps) skips C's formatter.
        if value == value.rounded(.towardZero), value.magnitude < 1e17, !(value == 0 && value.sign == .minus) {
            return String(Int64(value))
        }
        return formatWithC(value)
    }

    /// `%.17g` through C. `strfromd` (glibc) takes the double directly; the variadic `vsnprintf` needs
    /// a `CVaListPointer`, whose builder casts each argument dynamically (a protocol conformance
    /// lookup that cost more than the formatting itself).
    static func formatWithC(_ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 64) { buffer -> String in
            let length: Int32
            if let strfromd = Self.strfromd {
                length = strfromd(buffer.baseAddress, 64, "%.17g", value)
            } else {
                length = withVaList([value]) { vsnprintf(buffer.baseAddress, 64, "%.17g", $0) }
            }
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress, count: Int(min(max(length, 0), 63))), as: UTF8.self)
        }
    }

    private typealias StringFromDouble = @convention(c) (UnsafeMutablePointer<CChar>?, Int, UnsafePointer<CChar>?, Double) -> Int32

    /// glibc's `strfromd` (C23), looked up at run time: Swift's Glibc module does not declare it.
    private static let strfromd: StringFromDouble? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "strfromd") else { return nil }
        return unsafeBitCast(symbol, to: StringFromDouble.self)
        #else
        return nil
        #endif
    }()

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
