import NIOCore
import RESP

/// Bit-level string commands (Redis's bitops.c) and LCS.
enum BitCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("setbit") { context, arguments in
            let offset = try bitOffset(arguments[2])
            let bit = try arguments.integer(3, error: .bitValue)
            guard bit == 0 || bit == 1 else { throw RedisError.bitValue }
            return try context.write { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, forWrite: true,
                                                      loadingChunks: false)
                let byteIndex = Int(offset >> 3)
                let mask = UInt8(1 << (7 - Int(offset & 7)))
                if record?.isChunkedString == true || max(record?.stringLength ?? 0, Int64(byteIndex) + 1) > StringChunks.threshold {
                    // In place: one chunk read and written (see StringChunks).
                    let target = try record ?? connection.createChunkedString(db: context.db, key: arguments[1], now: context.now)
                    var byte: UInt8 = 0
                    if Int64(byteIndex) < target.stringLength {
                        byte = try connection.stringBytes(target, start: Int64(byteIndex), count: 1).readableBytesView.first!
                    }
                    let old: Int64 = byte & mask != 0 ? 1 : 0
                    if bit == 1 { byte |= mask } else { byte &= ~mask }
                    try connection.patchString(target, at: Int64(byteIndex), with: ByteBuffer(integer: byte), now: context.now)
                    return .integer(old)
                }
                var bytes = Array(record?.value?.readableBytesView ?? ByteBuffer().readableBytesView)
                if bytes.count <= byteIndex { bytes.append(contentsOf: repeatElement(0, count: byteIndex + 1 - bytes.count)) }
                let old: Int64 = bytes[byteIndex] & mask != 0 ? 1 : 0
                if bit == 1 { bytes[byteIndex] |= mask } else { bytes[byteIndex] &= ~mask }
                try connection.writeString(db: context.db, key: arguments[1], value: ByteBuffer(bytes: bytes), expireAt: nil, keepTTL: true, now: context.now)
                return .integer(old)
            }
        }
        registry.register("getbit") { context, arguments in
            let offset = try bitOffset(arguments[2])
            return try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string,
                                                            loadingChunks: false) else {
                    return .integer(0)
                }
                let byteIndex = Int(offset >> 3)
                guard byteIndex < record.stringLength else { return .integer(0) }
                let byte = try connection.stringBytes(record, start: Int64(byteIndex), count: 1).readableBytesView.first!
                return .integer(byte & UInt8(1 << (7 - Int(offset & 7))) != 0 ? 1 : 0)
            }
        }
        registry.register("bitcount") { context, arguments in try bitcount(&context, arguments) }
        registry.register("bitpos") { context, arguments in try bitpos(&context, arguments) }
        registry.register("bitop") { context, arguments in try bitop(&context, arguments) }
        registry.register("lcs") { context, arguments in try lcs(&context, arguments) }
    }

    /// A bit offset: an integer in 0 ..< 512 MB × 8.
    private static func bitOffset(_ raw: ByteBuffer) throws(RedisError) -> Int64 {
        guard let offset = RedisNumbers.parseInteger(raw), offset >= 0, (offset >> 3) < StringCommands.maxStringLength else {
            throw .bitOffset
        }
        return offset
    }

    /// Set bits in `bytes`, eight bytes at a time.
    static func popcount(_ bytes: UnsafeRawBufferPointer) -> Int64 {
        let words = bytes.count / 8
        var total = 0
        for word in 0..<words { total += bytes.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self).nonzeroBitCount }
        for index in (words * 8)..<bytes.count { total += bytes[index].nonzeroBitCount }
        return Int64(total)
    }

    /// Resolves a BYTE/BIT range the way bitcount and bitpos do; nil when the range is empty.
    private struct Range {
        var start: Int64, end: Int64
        var firstMask: UInt8 = 0, lastMask: UInt8 = 0
    }

    private static func resolve(start: Int64, end: Int64, length: Int64, isBit: Bool) -> Range {
        var start = start, end = end
        let total = isBit ? length << 3 : length
        if start < 0 { start += total }
        if end < 0 { end += total }
        start = max(start, 0)
        end = max(end, 0)
        if end >= total { end = total - 1 }
        var range = Range(start: start, end: end)
        if isBit && start <= end {
            range.firstMask = UInt8(truncatingIfNeeded: ~((1 << (8 - Int(start & 7))) - 1) & 0xFF)
            range.lastMask = UInt8(truncatingIfNeeded: (1 << (7 - Int(end & 7))) - 1)
            range.start = start >> 3
            range.end = end >> 3
        }
        return range
    }

    private static func isBitUnit(_ arguments: CommandArguments, _ index: Int) throws(RedisError) -> Bool {
        if arguments.matches(index, "bit") { return true }
        if arguments.matches(index, "byte") { return false }
        throw .syntax
    }

    private static func bitcount(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        // Redis 7.0 looks the key up first (a missing key is 0 whatever the arguments), then parses.
        try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string,
                                                        loadingChunks: false) else {
                return .integer(0)
            }
            let length = record.stringLength
            var resolved = Range(start: 0, end: length - 1)
            if arguments.count == 4 || arguments.count == 5 {
                let start = try arguments.integer(2)
                let end = try arguments.integer(3)
                let isBit = arguments.count == 5 ? try isBitUnit(arguments, 4) : false
                if start < 0 && end < 0 && start > end { return .integer(0) }
                resolved = resolve(start: start, end: end, length: length, isBit: isBit)
            } else if arguments.count != 2 {
                throw RedisError.syntax
            }
            guard resolved.start <= resolved.end else { return .integer(0) }
            // Only the bytes of the range are read; a string in chunks is counted chunk by chunk, the
            // bytes no chunk holds being zeros (a sparse 512 MB bitmap is not built to count it).
            let count = Int64(resolved.end - resolved.start + 1)
            var total: Int64
            if record.isChunkedString {
                total = try connection.chunkedStringPopcount(id: record.id, start: resolved.start, count: count)
            } else {
                total = try connection.stringBytes(record, start: resolved.start, count: Int(count)).withUnsafeReadableBytes(popcount)
            }
            if resolved.firstMask != 0 || resolved.lastMask != 0 {
                let first = try connection.stringBytes(record, start: resolved.start, count: 1).readableBytesView.first!
                let last = try connection.stringBytes(record, start: resolved.end, count: 1).readableBytesView.first!
                if resolved.firstMask != 0 { total -= Int64((first & resolved.firstMask).nonzeroBitCount) }
                if resolved.lastMask != 0 { total -= Int64((last & resolved.lastMask).nonzeroBitCount) }
            }
            return .integer(total)
        }
    }

    /// Position of the first bit equal to `bit` in `bytes`; for 0 with none found, the bit just past
    /// the end; for 1 with none found, -1 (Redis's `redisBitpos`).
    private static func firstBit(_ bytes: ArraySlice<UInt8>, _ bit: Int64) -> Int64 {
        var position: Int64 = 0
        for byte in bytes {
            let probe = bit == 1 ? byte : ~byte
            if probe != 0 { return position + Int64(probe.leadingZeroBitCount) }
            position += 8
        }
        return bit == 1 ? -1 : position
    }

    /// The position of the first set bit of `bytes` (the most significant bit of a byte first), nil
    /// when there is none. Eight zero bytes at a time, then byte by byte.
    static func firstSetBit(in bytes: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        while index + 8 <= bytes.count && bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) == 0 { index += 8 }
        while index < bytes.count {
            if bytes[index] != 0 { return Int64(index << 3) + Int64(bytes[index].leadingZeroBitCount) }
            index += 1
        }
        return nil
    }

    /// Bytes BITPOS reads at a time.
    static let bitposWindow: Int64 = 64 * 1024

    /// `firstBit` over the `count` bytes from `start` of a string, read a window at a time and only up
    /// to the window with the first match.
    private static func firstBit(in record: KeyRecord, from start: Int64, count: Int64, _ bit: Int64, _ connection: SQLiteConnection) throws -> Int64 {
        if bit == 1 && record.isChunkedString {
            return try connection.chunkedStringFirstSetBit(id: record.id, start: start, count: count) ?? -1
        }
        var offset: Int64 = 0
        while offset < count {
            let size = min(bitposWindow, count - offset)
            let found = try connection.stringBytes(record, start: start + offset, count: Int(size)).withUnsafeReadableBytes { bytes -> Int64 in
                if bit == 1 { return firstSetBit(in: bytes) ?? -1 }
                // Eight bytes at a time past all-1 words, then bit by bit.
                var index = 0
                while index + 8 <= bytes.count && bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) == ~0 { index += 8 }
                return Int64(index << 3) + firstBit(Array(bytes[index...])[...], 0)
            }
            if bit == 1 ? found != -1 : found != size << 3 { return (offset << 3) + found }
            offset += size
        }
        return bit == 1 ? -1 : count << 3
    }

    private static func bitpos(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let bit = try arguments.integer(2)
        guard bit == 0 || bit == 1 else { throw RedisError("ERR The bit argument must be 1 or 0.") }
        return try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string,
                                                        loadingChunks: false) else {
                return .integer(bit == 1 ? -1 : 0)
            }
            let length = record.stringLength
            var endGiven = false
            var range: Range
            if arguments.count >= 4 && arguments.count <= 6 {
                let start = try arguments.integer(3)
                var isBit = false
                if arguments.count == 6 { isBit = try isBitUnit(arguments, 5) }
                let end: Int64
                if arguments.count >= 5 {
                    end = try arguments.integer(4)
                    endGiven = true
                } else {
                    end = isBit ? (length << 3) + 7 : length - 1
                }
                range = resolve(start: start, end: end, length: length, isBit: isBit)
            } else if arguments.count == 3 {
                range = Range(start: 0, end: length - 1)
            } else {
                throw RedisError.syntax
            }
            guard range.start <= range.end else { return .integer(-1) }
            // The range's edge bytes are read on their own and its whole bytes in windows of at most
            // `bitposWindow`, up to the first match: a sparse 512 MB bitmap is never built whole.
            func byte(at index: Int64) throws -> UInt8 { try connection.stringBytes(record, start: index, count: 1).readableBytesView.first! }
            var start = range.start
            var count = range.end - range.start + 1
            var position: Int64
            compute: do {
                if range.firstMask != 0 {
                    let first = try byte(at: start)
                    var byte = bit == 1 ? first & ~range.firstMask : first | range.firstMask
                    if range.lastMask != 0 && count == 1 {
                        byte = bit == 1 ? byte & ~range.lastMask : byte | range.lastMask
                    }
                    position = firstBit([byte][...], bit)
                    if count == 1 || (position != -1 && position != 8) { break compute }
                    start += 1
                    count -= 1
                }
                let whole = count - (range.lastMask != 0 ? 1 : 0)
                if whole > 0 {
                    position = try firstBit(in: record, from: start, count: whole, bit, connection)
                    if count == whole || (position != -1 && position != whole << 3) { break compute }
                    start += whole
                    count -= whole
                }
                let end = try byte(at: range.end)
                let last = bit == 1 ? end & ~range.lastMask : end | range.lastMask
                position = firstBit([last][...], bit)
            }
            if endGiven && bit == 0 && position == count << 3 { return .integer(-1) }
            if position != -1 { position += start << 3 }
            return .integer(position)
        }
    }

    private static func bitop(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        enum Operation { case and, or, xor, not }
        let operation: Operation
        if arguments.matches(1, "and") { operation = .and }
        else if arguments.matches(1, "or") { operation = .or }
        else if arguments.matches(1, "xor") { operation = .xor }
        else if arguments.matches(1, "not") { operation = .not }
        else { throw RedisError.syntax }
        if operation == .not && arguments.count != 4 {
            throw RedisError("ERR BITOP NOT must be called with a single source key.")
        }
        return try context.write { connection in
            var sources: [[UInt8]] = []
            for index in 3..<arguments.count {
                let record = try connection.lookupKey(db: context.db, key: arguments[index], now: context.now, type: .string)
                sources.append(Array(record?.value?.readableBytesView ?? ByteBuffer().readableBytesView))
            }
            let maxLength = sources.map(\.count).max() ?? 0
            var result = [UInt8](repeating: 0, count: maxLength)
            for index in 0..<maxLength {
                switch operation {
                case .not:
                    result[index] = ~sources[0][index]
                case .and:
                    result[index] = sources.reduce(0xFF) { $0 & (index < $1.count ? $1[index] : 0) }
                case .or:
                    result[index] = sources.reduce(0) { $0 | (index < $1.count ? $1[index] : 0) }
                case .xor:
                    result[index] = sources.reduce(0) { $0 ^ (index < $1.count ? $1[index] : 0) }
                }
            }
            if maxLength > 0 {
                try connection.writeString(db: context.db, key: arguments[2], value: ByteBuffer(bytes: result), expireAt: nil, keepTTL: false, now: context.now)
            } else if let existing = try connection.lookupKeyForWrite(db: context.db, key: arguments[2], now: context.now, loadingChunks: false) {
                try connection.deleteKey(id: existing.id)
            }
            return .integer(Int64(maxLength))
        }
    }

    private static func lcs(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let (a, b) = try context.read { connection -> ([UInt8], [UInt8]) in
            let first = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now)
            let second = try connection.lookupKey(db: context.db, key: arguments[2], now: context.now)
            if (first != nil && first?.type != .string) || (second != nil && second?.type != .string) {
                throw RedisError("ERR The specified keys must contain string values")
            }
            return (Array(first?.value?.readableBytesView ?? ByteBuffer().readableBytesView),
                    Array(second?.value?.readableBytesView ?? ByteBuffer().readableBytesView))
        }
        var getLength = false, getIndexes = false, withMatchLength = false
        var minimumMatchLength: Int64 = 0
        var index = 3
        while index < arguments.count {
            let more = arguments.count - 1 - index
            if arguments.matches(index, "idx") { getIndexes = true }
            else if arguments.matches(index, "len") { getLength = true }
            else if arguments.matches(index, "withmatchlen") { withMatchLength = true }
            else if arguments.matches(index, "minmatchlen") && more > 0 {
                minimumMatchLength = max(0, try arguments.integer(index + 1))
                index += 1
            } else {
                throw RedisError.syntax
            }
            index += 1
        }
        if getIndexes && getLength {
            throw RedisError("ERR If you want both the length and indexes, please just use IDX.")
        }
        let aLength = a.count, bLength = b.count
        let cells = (aLength + 1) * (bLength + 1)
        guard Int64(cells) * 4 <= StringCommands.maxStringLength else {
            throw RedisError("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        }
        var table = [UInt32](repeating: 0, count: cells)
        @inline(__always) func at(_ i: Int, _ j: Int) -> Int { j + i * (bLength + 1) }
        if aLength > 0 && bLength > 0 {
            for i in 1...aLength {
                for j in 1...bLength {
                    table[at(i, j)] = a[i - 1] == b[j - 1] ? table[at(i - 1, j - 1)] + 1 : max(table[at(i - 1, j)], table[at(i, j - 1)])
                }
            }
        }
        let total = Int(table[at(aLength, bLength)])
        var result = [UInt8](repeating: 0, count: total)
        var matches: [RESPValue] = []
        var i = aLength, j = bLength, remaining = total
        var aStart = aLength, aEnd = 0, bStart = 0, bEnd = 0
        let computeSequence = getIndexes || !getLength
        while computeSequence && i > 0 && j > 0 {
            var emit = false
            if a[i - 1] == b[j - 1] {
                result[remaining - 1] = a[i - 1]
                if aStart == aLength {
                    aStart = i - 1; aEnd = i - 1; bStart = j - 1; bEnd = j - 1
                } else if aStart == i && bStart == j {
                    aStart -= 1
                    bStart -= 1
                } else {
                    emit = true
                }
                if aStart == 0 || bStart == 0 { emit = true }
                remaining -= 1; i -= 1; j -= 1
            } else {
                if table[at(i - 1, j)] > table[at(i, j - 1)] { i -= 1 } else { j -= 1 }
                if aStart != aLength { emit = true }
            }
            let matchLength = aEnd - aStart + 1
            if emit {
                if getIndexes && (minimumMatchLength == 0 || Int64(matchLength) >= minimumMatchLength) {
                    var match: [RESPValue] = [
                        .array([.integer(Int64(aStart)), .integer(Int64(aEnd))]),
                        .array([.integer(Int64(bStart)), .integer(Int64(bEnd))]),
                    ]
                    if withMatchLength { match.append(.integer(Int64(matchLength))) }
                    matches.append(.array(match))
                }
                aStart = aLength
            }
        }
        if getIndexes {
            return .map([.init(.bulk("matches"), .array(matches)), .init(.bulk("len"), .integer(Int64(total)))])
        }
        if getLength { return .integer(Int64(total)) }
        return .bulk(result)
    }
}
