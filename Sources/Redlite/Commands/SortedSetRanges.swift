import NIOCore

#if canImport(Glibc)
import Glibc
#endif

/// Score and lexicographic ranges as Redis parses them (`zslParseRange`, `zslParseLexRange`).
struct ScoreRange {
    var min: Double
    var max: Double
    var minExclusive = false
    var maxExclusive = false

    /// `1.5`, `(1.5` (exclusive), `-inf`, `+inf`; strtod's rules (leading spaces allowed, an empty
    /// string is 0), NaN refused. Error: `ERR min or max is not a float`.
    init(min: ByteBuffer, max: ByteBuffer) throws(RedisError) {
        guard let (low, lowExclusive) = Self.bound(min), let (high, highExclusive) = Self.bound(max) else {
            throw RedisError("ERR min or max is not a float")
        }
        self.min = low
        self.max = high
        self.minExclusive = lowExclusive
        self.maxExclusive = highExclusive
    }

    private static func bound(_ raw: ByteBuffer) -> (Double, Bool)? {
        var bytes = Array(raw.readableBytesView)
        var exclusive = false
        if bytes.first == UInt8(ascii: "(") {
            exclusive = true
            bytes.removeFirst()
        }
        guard let value = strtodWhole(bytes), !value.isNaN else { return nil }
        return (value, exclusive)
    }

    func contains(_ score: Double) -> Bool {
        (minExclusive ? score > min : score >= min) && (maxExclusive ? score < max : score <= max)
    }

    /// Scores from `low` up to, not including, `high` (a geohash cell's scores).
    init(from low: Double, below high: Double) {
        min = low
        max = high
        maxExclusive = true
    }

    /// True when no score can be in the range.
    var isEmpty: Bool { min > max || (min == max && (minExclusive || maxExclusive)) }
}

/// C's strtod over the whole byte string (stopping at a NUL, as Redis's C strings do).
func strtodWhole(_ bytes: [UInt8]) -> Double? {
    var text = bytes.prefix { $0 != 0 }.map { CChar(bitPattern: $0) }
    text.append(0)
    return text.withUnsafeBufferPointer { pointer -> Double? in
        var end: UnsafeMutablePointer<CChar>?
        let value = strtod(pointer.baseAddress!, &end)
        guard let end, end - UnsafeMutablePointer(mutating: pointer.baseAddress!) == pointer.count - 1 else { return nil }
        return value
    }
}

/// `[a`, `(a`, `-`, `+`. Error: `ERR min or max not valid string range item`.
struct LexRange {
    enum Bound {
        case minusInfinity, plusInfinity
        case inclusive(ByteBuffer), exclusive(ByteBuffer)
    }

    var min: Bound
    var max: Bound

    init(min: ByteBuffer, max: ByteBuffer) throws(RedisError) {
        guard let low = Self.bound(min), let high = Self.bound(max) else {
            throw RedisError("ERR min or max not valid string range item")
        }
        self.min = low
        self.max = high
    }

    private static func bound(_ raw: ByteBuffer) -> Bound? {
        guard let first = raw.getInteger(at: raw.readerIndex, as: UInt8.self) else { return nil }
        let rest = raw.getSlice(at: raw.readerIndex + 1, length: raw.readableBytes - 1)!
        switch first {
        case UInt8(ascii: "+") where raw.readableBytes == 1: return .plusInfinity
        case UInt8(ascii: "-") where raw.readableBytes == 1: return .minusInfinity
        case UInt8(ascii: "["): return .inclusive(rest)
        case UInt8(ascii: "("): return .exclusive(rest)
        default: return nil
        }
    }

    func aboveMin(_ member: ByteBuffer) -> Bool {
        switch min {
        case .minusInfinity: return true
        case .plusInfinity: return false
        case .inclusive(let bound): return compare(member, bound) >= 0
        case .exclusive(let bound): return compare(member, bound) > 0
        }
    }

    func belowMax(_ member: ByteBuffer) -> Bool {
        switch max {
        case .minusInfinity: return false
        case .plusInfinity: return true
        case .inclusive(let bound): return compare(member, bound) <= 0
        case .exclusive(let bound): return compare(member, bound) < 0
        }
    }

    func contains(_ member: ByteBuffer) -> Bool { aboveMin(member) && belowMax(member) }
}

/// memcmp order, shorter first on a common prefix: how Redis (and SQLite BLOBs) order members.
func compare(_ a: ByteBuffer, _ b: ByteBuffer) -> Int {
    a.withUnsafeReadableBytes { x in
        b.withUnsafeReadableBytes { y in
            let common = Swift.min(x.count, y.count)
            if common > 0 {
                let result = memcmp(x.baseAddress!, y.baseAddress!, common)
                if result != 0 { return Int(result) }
            }
            return x.count - y.count
        }
    }
}

/// Redis's `getDoubleFromObject` for ZADD scores and weights: non-empty, no leading space, the whole
/// string consumed, no overflow, not NaN.
func parseScore(_ raw: ByteBuffer) -> Double? {
    let bytes = Array(raw.readableBytesView)
    guard let first = bytes.first, !(first == 0x20 || (first >= 0x09 && first <= 0x0d)), !bytes.contains(0) else { return nil }
    errno = 0
    guard let value = strtodWhole(bytes), !value.isNaN else { return nil }
    if errno == ERANGE && (value.isInfinite || value == 0) { return nil }
    return value
}
