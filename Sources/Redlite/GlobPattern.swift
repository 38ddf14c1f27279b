import NIOCore

/// Redis's glob matching (`stringmatchlen` in util.c), byte for byte: `*`, `?`, `[abc]`, `[^a]`,
/// `[a-z]` (reversed ranges allowed), and `\` escapes. Used by KEYS, SCAN/HSCAN MATCH and pub/sub
/// patterns. Bytes compare as C's signed `char`, as in Redis.
struct GlobPattern: Sendable {
    /// The pattern's bytes followed by a NUL, so the C algorithm's look-aheads read what Redis reads.
    private let pattern: [UInt8]
    private let length: Int

    init(_ buffer: ByteBuffer) {
        pattern = Array(buffer.readableBytesView) + [0]
        length = buffer.readableBytes
    }

    /// True when the pattern is `*` (matches everything): callers skip matching.
    var matchesEverything: Bool { length == 1 && pattern[0] == UInt8(ascii: "*") }

    func matches(_ string: ByteBuffer) -> Bool {
        if matchesEverything { return true }
        return string.withUnsafeReadableBytes { raw in
            pattern.withUnsafeBufferPointer { pattern in
                var skipLongerMatches = false
                return Self.match(pattern, 0, length, raw, 0, raw.count, &skipLongerMatches)
            }
        }
    }

    private static func match(
        _ pattern: UnsafeBufferPointer<UInt8>, _ p: Int, _ patternLength: Int,
        _ string: UnsafeRawBufferPointer, _ s: Int, _ stringLength: Int,
        _ skipLongerMatches: inout Bool
    ) -> Bool {
        var p = p, patternLength = patternLength, s = s, stringLength = stringLength
        @inline(__always) func signed(_ byte: UInt8) -> Int { Int(Int8(bitPattern: byte)) }

        while patternLength > 0 && stringLength > 0 {
            switch pattern[p] {
            case UInt8(ascii: "*"):
                while patternLength > 0 && pattern[p + 1] == UInt8(ascii: "*") {
                    p += 1
                    patternLength -= 1
                }
                if patternLength == 1 { return true }
                while stringLength > 0 {
                    if match(pattern, p + 1, patternLength - 1, string, s, stringLength, &skipLongerMatches) { return true }
                    if skipLongerMatches { return false }
                    s += 1
                    stringLength -= 1
                }
                skipLongerMatches = true
                return false
            case UInt8(ascii: "?"):
                s += 1
                stringLength -= 1
            case UInt8(ascii: "["):
                p += 1
                patternLength -= 1
                let negate = pattern[p] == UInt8(ascii: "^")
                if negate {
                    p += 1
                    patternLength -= 1
                }
                var matched = false
                while true {
                    if pattern[p] == UInt8(ascii: "\\") && patternLength >= 2 {
                        p += 1
                        patternLength -= 1
                        if pattern[p] == string[s] { matched = true }
                    } else if pattern[p] == UInt8(ascii: "]") {
                        break
                    } else if patternLength == 0 {
                        p -= 1
                        patternLength += 1
                        break
                    } else if patternLength >= 3 && pattern[p + 1] == UInt8(ascii: "-") {
                        var start = signed(pattern[p])
                        var end = signed(pattern[p + 2])
                        let c = signed(string[s])
                        if start > end { swap(&start, &end) }
                        p += 2
                        patternLength -= 2
                        if c >= start && c <= end { matched = true }
                    } else if pattern[p] == string[s] {
                        matched = true
                    }
                    p += 1
                    patternLength -= 1
                }
                if negate { matched.toggle() }
                if !matched { return false }
                s += 1
                stringLength -= 1
            default:
                if pattern[p] == UInt8(ascii: "\\") && patternLength >= 2 {
                    p += 1
                    patternLength -= 1
                }
                if pattern[p] != string[s] { return false }
                s += 1
                stringLength -= 1
            }
            p += 1
            patternLength -= 1
            if stringLength == 0 {
                while pattern[p] == UInt8(ascii: "*") {
                    p += 1
                    patternLength -= 1
                }
                break
            }
        }
        return patternLength == 0 && stringLength == 0
    }
}
