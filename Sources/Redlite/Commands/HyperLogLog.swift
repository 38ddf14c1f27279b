import Foundation

/// Redis's HyperLogLog string, byte for byte (hyperloglog.c): a 16-byte header (`HYLL`, the
/// encoding, three unused bytes, the cached cardinality in 8 little-endian bytes whose top bit marks
/// it stale), then 16,384 six-bit registers, either dense (12,288 bytes, packed from the low bits
/// up) or sparse (run-length opcodes: ZERO `00xxxxxx` for 1–64 empty registers, XZERO `01xxxxxx
/// yyyyyyyy` for 1–16,384, VAL `1vvvvvxx` for 1–4 registers of value 1–32). Elements are hashed
/// with MurmurHash64A as Redis hashes them, sparse strings are updated in place as Redis updates
/// them and made dense past 3,000 bytes or a value above 32, and counts use Redis's estimator
/// (Ertl's), so the strings, and therefore GET, and every count are Redis's.
struct HyperLogLog {
    private(set) var bytes: [UInt8]

    static let precision = 14
    static let registerCount = 1 << precision
    static let registerMax: UInt8 = 63
    static let headerSize = 16
    static let denseSize = headerSize + (registerCount * 6 + 7) / 8
    static let dense: UInt8 = 0
    static let sparse: UInt8 = 1
    /// `hll-sparse-max-bytes`: a sparse string that would grow past this becomes dense.
    static let sparseMaxBytes = 3000
    static let sparseValueMax = 32

    /// Redis's text for a string that is not one.
    static let notHyperLogLog = RedisError("WRONGTYPE Key is not a valid HyperLogLog string value.")
    static let corrupted = RedisError("INVALIDOBJ Corrupted HLL object detected")

    /// An empty HyperLogLog: sparse, one XZERO over every register, a cached count of 0.
    init() {
        bytes = Array("HYLL".utf8) + [Self.sparse, 0, 0, 0] + Array(repeating: 0, count: 8)
        bytes += Self.xzero(Self.registerCount)
    }

    /// The string `value` as a HyperLogLog, nil when it is not one (isHLLObjectOrReply).
    init?(_ value: [UInt8]) {
        guard value.count >= Self.headerSize, value.starts(with: Array("HYLL".utf8)), value[4] <= Self.sparse,
              value[4] != Self.dense || value.count == Self.denseSize else { return nil }
        bytes = value
    }

    var isDense: Bool { bytes[4] == Self.dense }

    // MARK: Hashing

    /// MurmurHash64A with Redis's seed, reading 8-byte blocks little-endian.
    static func murmur64(_ data: some Collection<UInt8>, seed: UInt32 = 0xadc8_3b19) -> UInt64 {
        let m: UInt64 = 0xc6a4_a793_5bd1_e995
        let r: UInt64 = 47
        let data = Array(data)
        var h = UInt64(seed) ^ (UInt64(data.count) &* m)
        let blocks = data.count / 8
        for block in 0..<blocks {
            var k: UInt64 = 0
            for byte in 0..<8 { k |= UInt64(data[block * 8 + byte]) << (8 * UInt64(byte)) }
            k &*= m
            k ^= k >> r
            k &*= m
            h ^= k
            h &*= m
        }
        let tail = data.count & 7
        if tail > 0 {
            for byte in stride(from: tail - 1, through: 0, by: -1) { h ^= UInt64(data[blocks * 8 + byte]) << (8 * UInt64(byte)) }
            h &*= m
        }
        h ^= h >> r
        h &*= m
        h ^= h >> r
        return h
    }

    /// The register an element falls in and the length of its run of zeros plus one (hllPatLen).
    static func position(of element: some Collection<UInt8>) -> (index: Int, count: UInt8) {
        var hash = murmur64(element)
        let index = Int(hash & UInt64(registerCount - 1))
        hash >>= UInt64(precision)
        hash |= 1 << UInt64(64 - precision)
        return (index, UInt8(hash.trailingZeroBitCount + 1))
    }

    // MARK: Registers

    private static func denseRegister(_ bytes: [UInt8], _ index: Int) -> UInt8 {
        let bit = index * 6, byte = headerSize + bit / 8, shift = bit & 7
        let low = UInt16(bytes[byte]), high = byte + 1 < bytes.count ? UInt16(bytes[byte + 1]) : 0
        return UInt8(truncatingIfNeeded: ((low >> shift) | (high << (8 - shift))) & UInt16(registerMax))
    }

    private static func setDenseRegister(_ bytes: inout [UInt8], _ index: Int, _ value: UInt8) {
        let bit = index * 6, byte = headerSize + bit / 8, shift = bit & 7
        bytes[byte] &= ~UInt8(truncatingIfNeeded: UInt16(registerMax) << shift)
        bytes[byte] |= UInt8(truncatingIfNeeded: UInt16(value) << shift)
        // The last register ends in its first byte (shift 2): nothing spills past the array.
        if byte + 1 < bytes.count {
            bytes[byte + 1] &= ~(registerMax >> (8 - shift))
            bytes[byte + 1] |= value >> (8 - shift)
        }
    }

    /// Every register's value; throws when a sparse string does not cover exactly 16,384.
    func registers() throws -> [UInt8] {
        if isDense { return (0..<Self.registerCount).map { Self.denseRegister(bytes, $0) } }
        var registers = [UInt8](repeating: 0, count: Self.registerCount)
        var index = 0, position = Self.headerSize
        while position < bytes.count {
            let opcode = bytes[position]
            if opcode & 0xc0 == 0 {
                index += Int(opcode & 0x3f) + 1
                position += 1
            } else if opcode & 0xc0 == 0x40 {
                guard position + 1 < bytes.count else { throw Self.corrupted }
                index += (Int(opcode & 0x3f) << 8 | Int(bytes[position + 1])) + 1
                position += 2
            } else {
                let value = (opcode >> 2 & 0x1f) + 1, length = Int(opcode & 0x3) + 1
                guard index + length <= Self.registerCount else { throw Self.corrupted }
                for register in index..<(index + length) { registers[register] = value }
                index += length
                position += 1
            }
            guard index <= Self.registerCount else { throw Self.corrupted }
        }
        guard index == Self.registerCount else { throw Self.corrupted }
        return registers
    }

    // MARK: Writing

    /// Adds an element; true when a register grew (PFADD's 1).
    mutating func add(_ element: some Collection<UInt8>) throws -> Bool {
        let (index, count) = Self.position(of: element)
        return try set(index, count)
    }

    /// Raises register `index` to `count`; true when it grew.
    mutating func set(_ index: Int, _ count: UInt8) throws -> Bool {
        if isDense {
            guard Self.denseRegister(bytes, index) < count else { return false }
            Self.setDenseRegister(&bytes, index, count)
            return true
        }
        return try setSparse(index, count)
    }

    /// The string made dense (hllSparseToDense): the header kept, cached count included.
    mutating func makeDense() throws {
        guard !isDense else { return }
        let registers = try registers()
        var dense = Array(bytes[0..<Self.headerSize]) + [UInt8](repeating: 0, count: Self.denseSize - Self.headerSize)
        dense[4] = Self.dense
        for (index, value) in registers.enumerated() where value > 0 { Self.setDenseRegister(&dense, index, value) }
        bytes = dense
    }

    /// Marks the cached count stale (HLL_INVALIDATE_CACHE).
    mutating func invalidateCache() { bytes[15] |= 0x80 }

    /// hllSparseSet: the opcode covering `index` is changed in place, split in up to three, and
    /// equal neighbouring values merged, exactly as Redis does, so the string stays Redis's.
    private mutating func setSparse(_ index: Int, _ count: UInt8) throws -> Bool {
        if count > Self.sparseValueMax { return try promote(index, count) }
        // Step 1: the opcode covering the register.
        var position = Self.headerSize, first = 0, span = 0
        var previous: Int?
        while position < bytes.count {
            let length = Self.opcodeLength(bytes, position)
            span = Self.opcodeSpan(bytes, position)
            if index <= first + span - 1 { break }
            previous = position
            position += length
            first += span
        }
        guard span > 0, position < bytes.count else { throw Self.corrupted }
        let opcode = bytes[position]
        let isXZero = opcode & 0xc0 == 0x40, isZero = opcode & 0xc0 == 0, isValue = opcode & 0x80 != 0
        let runLength = span

        var updated = false
        if isValue {
            let current = (opcode >> 2 & 0x1f) + 1
            if current >= count { return false }
            if runLength == 1 {
                bytes[position] = Self.value(count, 1)
                updated = true
            }
        }
        if !updated && isZero && runLength == 1 {
            bytes[position] = Self.value(count, 1)
            updated = true
        }
        if !updated {
            // Step 2: the general case, the opcode split around the register.
            var sequence: [UInt8] = []
            let last = first + span - 1
            if isZero || isXZero {
                if index != first { sequence += Self.zeros(index - first) }
                sequence.append(Self.value(count, 1))
                if index != last { sequence += Self.zeros(last - index) }
            } else {
                let current = (opcode >> 2 & 0x1f) + 1
                if index != first { sequence.append(Self.value(current, index - first)) }
                sequence.append(Self.value(count, 1))
                if index != last { sequence.append(Self.value(current, last - index)) }
            }
            let oldLength = isXZero ? 2 : 1
            // Step 3: too long for a sparse string: dense instead.
            if sequence.count > oldLength && bytes.count + sequence.count - oldLength > Self.sparseMaxBytes {
                return try promote(index, count)
            }
            bytes.replaceSubrange(position..<(position + oldLength), with: sequence)
        }
        // Step 4: merge adjacent VAL opcodes of one value, scanning up to 5 opcodes from the one
        // before the change.
        var scan = previous ?? Self.headerSize
        var scanned = 5
        while scan < bytes.count && scanned > 0 {
            scanned -= 1
            let opcode = bytes[scan]
            if opcode & 0xc0 == 0x40 {
                scan += 2
                continue
            }
            if opcode & 0xc0 == 0 {
                scan += 1
                continue
            }
            if scan + 1 < bytes.count && bytes[scan + 1] & 0x80 != 0 {
                let value = (opcode >> 2 & 0x1f) + 1, nextValue = (bytes[scan + 1] >> 2 & 0x1f) + 1
                let length = Int(opcode & 0x3) + 1 + Int(bytes[scan + 1] & 0x3) + 1
                if value == nextValue && length <= 4 {
                    bytes[scan + 1] = Self.value(value, length)
                    bytes.remove(at: scan)
                    continue
                }
            }
            scan += 1
        }
        invalidateCache()
        return true
    }

    private mutating func promote(_ index: Int, _ count: UInt8) throws -> Bool {
        try makeDense()
        guard Self.denseRegister(bytes, index) < count else { return false }
        Self.setDenseRegister(&bytes, index, count)
        return true
    }

    private static func opcodeLength(_ bytes: [UInt8], _ position: Int) -> Int { bytes[position] & 0xc0 == 0x40 ? 2 : 1 }

    private static func opcodeSpan(_ bytes: [UInt8], _ position: Int) -> Int {
        let opcode = bytes[position]
        if opcode & 0xc0 == 0 { return Int(opcode & 0x3f) + 1 }
        if opcode & 0x80 != 0 { return Int(opcode & 0x3) + 1 }
        guard position + 1 < bytes.count else { return 0 }
        return (Int(opcode & 0x3f) << 8 | Int(bytes[position + 1])) + 1
    }

    private static func value(_ value: UInt8, _ length: Int) -> UInt8 { 0x80 | (value - 1) << 2 | UInt8(length - 1) }

    private static func xzero(_ length: Int) -> [UInt8] { [0x40 | UInt8((length - 1) >> 8), UInt8((length - 1) & 0xff)] }

    /// A run of empty registers: ZERO up to 64, XZERO beyond.
    private static func zeros(_ length: Int) -> [UInt8] { length > 64 ? xzero(length) : [UInt8(length - 1)] }

    // MARK: Counting

    /// The cached count when it is current.
    var cachedCount: UInt64? {
        guard bytes[15] & 0x80 == 0 else { return nil }
        return (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[8 + $1]) << (8 * UInt64($1)) }
    }

    mutating func cache(_ count: UInt64) {
        for byte in 0..<8 { bytes[8 + byte] = UInt8(truncatingIfNeeded: count >> (8 * UInt64(byte))) }
    }

    /// Redis's estimate for these registers (hllCount: Ertl's improved estimator).
    static func estimate(_ registers: [UInt8]) -> UInt64 {
        let m = Double(registerCount)
        var histogram = [Int](repeating: 0, count: 64)
        for register in registers { histogram[Int(register)] += 1 }
        let q = 64 - precision
        var z = m * tau((m - Double(histogram[q + 1])) / m)
        for j in stride(from: q, through: 1, by: -1) {
            z += Double(histogram[j])
            z *= 0.5
        }
        z += m * sigma(Double(histogram[0]) / m)
        let alphaInfinity = 0.721347520444481703680
        let estimate = (alphaInfinity * m * m / z).rounded(.toNearestOrAwayFromZero)
        // llroundl of what a long long cannot hold (registers no PFADD writes, in a string a client
        // SET) gives LLONG_MIN on x86-64, 2^63 as Redis's uint64_t.
        guard estimate.isFinite, estimate < 0x1p63 else { return 1 << 63 }
        return UInt64(estimate)
    }

    private static func sigma(_ value: Double) -> Double {
        if value == 1 { return .infinity }
        var x = value, y = 1.0, z = value, previous: Double
        repeat {
            x *= x
            previous = z
            z += x * y
            y += y
        } while previous != z
        return z
    }

    private static func tau(_ value: Double) -> Double {
        if value == 0 || value == 1 { return 0 }
        var x = value, y = 1.0, z = 1 - value, previous: Double
        repeat {
            x = x.squareRoot()
            previous = z
            y *= 0.5
            z -= pow(1 - x, 2) * y
        } while previous != z
        return z / 3
    }
}
