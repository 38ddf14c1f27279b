public import NIOCore

/// Splits an inline command line into arguments exactly as Redis's `sdssplitargs` does.
///
/// - Whitespace separates arguments.
/// - `"double quoted"` arguments understand `\n \r \t \b \a \\ \"` and `\xHH`; any other escaped
///   character stands for itself.
/// - `'single quoted'` arguments understand only `\'`.
/// - A closing quote must be followed by whitespace or the end of the line.
public enum InlineCommandParser {
    /// The arguments of `line`, or nil when its quotes are unbalanced.
    public static func split(_ line: ByteBuffer) -> [ByteBuffer]? {
        // sdssplitargs reads a C string: a NUL byte ends the line.
        let bytes = Array(line.readableBytesView.prefix { $0 != 0 })
        var arguments: [ByteBuffer] = []
        var index = 0
        let count = bytes.count

        while true {
            while index < count, isSpace(bytes[index]) { index += 1 }
            if index >= count { return arguments }

            var current: [UInt8] = []
            var inDoubleQuotes = false
            var inSingleQuotes = false
            var done = false
            while !done {
                if inDoubleQuotes {
                    guard index < count else { return nil }  // unterminated quotes
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\\"), index + 3 < count, bytes[index + 1] == UInt8(ascii: "x"),
                       let high = hexValue(bytes[index + 2]), let low = hexValue(bytes[index + 3]) {
                        current.append(high << 4 | low)
                        index += 3
                    } else if byte == UInt8(ascii: "\\"), index + 1 < count {
                        index += 1
                        switch bytes[index] {
                        case UInt8(ascii: "n"): current.append(UInt8(ascii: "\n"))
                        case UInt8(ascii: "r"): current.append(UInt8(ascii: "\r"))
                        case UInt8(ascii: "t"): current.append(UInt8(ascii: "\t"))
                        case UInt8(ascii: "b"): current.append(0x08)
                        case UInt8(ascii: "a"): current.append(0x07)
                        default: current.append(bytes[index])
                        }
                    } else if byte == UInt8(ascii: "\"") {
                        // The closing quote must be followed by a space or nothing.
                        if index + 1 < count, !isSpace(bytes[index + 1]) { return nil }
                        done = true
                    } else {
                        current.append(byte)
                    }
                } else if inSingleQuotes {
                    guard index < count else { return nil }
                    let byte = bytes[index]
                    if byte == UInt8(ascii: "\\"), index + 1 < count, bytes[index + 1] == UInt8(ascii: "'") {
                        index += 1
                        current.append(UInt8(ascii: "'"))
                    } else if byte == UInt8(ascii: "'") {
                        if index + 1 < count, !isSpace(bytes[index + 1]) { return nil }
                        done = true
                    } else {
                        current.append(byte)
                    }
                } else {
                    if index >= count {
                        done = true
                        break
                    }
                    let byte = bytes[index]
                    switch byte {
                    case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                        done = true
                    case UInt8(ascii: "\""):
                        inDoubleQuotes = true
                    case UInt8(ascii: "'"):
                        inSingleQuotes = true
                    default:
                        current.append(byte)
                    }
                }
                if index < count { index += 1 }
            }
            arguments.append(ByteBuffer(bytes: current))
        }
    }

    /// `isspace` in the C locale.
    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (byte >= 0x09 && byte <= 0x0d)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
