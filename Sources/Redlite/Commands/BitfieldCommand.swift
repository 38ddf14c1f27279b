import NIOCore
import RESP

/// BITFIELD and BITFIELD_RO, as Redis 7.0's bitops.c: integers of 1 to 64 bits (unsigned to 63) at
/// any bit offset of a string, most significant bit first as SETBIT numbers them, read (GET),
/// written (SET, answering the old value) or incremented (INCRBY, answering the new one), with
/// OVERFLOW WRAP, SAT or FAIL (a null, nothing written) for the operations after it.
enum BitfieldCommand {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("bitfield") { context, arguments in try bitfield(&context, arguments, readOnlyCommand: false) }
        registry.register("bitfield_ro") { context, arguments in try bitfield(&context, arguments, readOnlyCommand: true) }
    }

    enum Overflow { case wrap, saturate, fail }

    struct Operation {
        enum Kind { case get, set, increment }
        var kind: Kind
        var signed: Bool
        var bits: Int
        var offset: UInt64
        var value: Int64
        var overflow: Overflow
    }

    static let invalidType = RedisError("ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.")

    /// The operations, parsed all before any runs, with Redis's errors in Redis's order.
    static func parse(_ arguments: CommandArguments) throws -> [Operation] {
        var operations: [Operation] = []
        var overflow = Overflow.wrap
        var index = 2
        while index < arguments.count {
            let remaining = arguments.count - index - 1
            let kind: Operation.Kind
            if arguments.matches(index, "get") && remaining >= 2 {
                kind = .get
            } else if arguments.matches(index, "set") && remaining >= 3 {
                kind = .set
            } else if arguments.matches(index, "incrby") && remaining >= 3 {
                kind = .increment
            } else if arguments.matches(index, "overflow") && remaining >= 1 {
                if arguments.matches(index + 1, "wrap") { overflow = .wrap }
                else if arguments.matches(index + 1, "sat") { overflow = .saturate }
                else if arguments.matches(index + 1, "fail") { overflow = .fail }
                else { throw RedisError("ERR Invalid OVERFLOW type specified") }
                index += 2
                continue
            } else {
                throw RedisError.syntax
            }
            // The type: i1…i64 or u1…u63, lowercase, digits as string2ll reads them.
            let type = Array(arguments[index + 1].readableBytesView)
            guard let first = type.first, first == UInt8(ascii: "i") || first == UInt8(ascii: "u"),
                  let bits = RedisNumbers.parseInteger(ByteBuffer(bytes: type.dropFirst())),
                  bits >= 1, bits <= (first == UInt8(ascii: "i") ? 64 : 63) else { throw invalidType }
            // The offset: bits, or with `#` a multiple of the type's width.
            var offsetText = arguments[index + 2]
            let multiple = offsetText.readableBytesView.first == UInt8(ascii: "#")
            if multiple { offsetText.moveReaderIndex(forwardBy: 1) }
            guard var offset = RedisNumbers.parseInteger(offsetText) else { throw RedisError.bitOffset }
            if multiple {
                let (product, overflowed) = offset.multipliedReportingOverflow(by: bits)
                guard !overflowed else { throw RedisError.bitOffset }
                offset = product
            }
            guard offset >= 0, (offset >> 3) < StringCommands.maxStringLength else { throw RedisError.bitOffset }
            let value = kind == .get ? 0 : try arguments.integer(index + 3)
            operations.append(Operation(kind: kind, signed: first == UInt8(ascii: "i"), bits: Int(bits), offset: UInt64(offset),
                                        value: value, overflow: overflow))
            index += kind == .get ? 3 : 4
        }
        return operations
    }

    private static func bitfield(_ context: inout CommandContext, _ arguments: CommandArguments, readOnlyCommand: Bool) throws -> RESPValue {
        let operations = try parse(arguments)
        let writes = operations.filter { $0.kind != .get }
        guard !writes.isEmpty else {
            return try context.read { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, loadingChunks: false)
                var replies: [RESPValue] = []
                for operation in operations {
                    var window = try Self.window(at: operation.offset, of: record, connection)
                    replies.append(apply(operation, to: &window).reply)
                }
                return .array(replies)
            }
        }
        if readOnlyCommand { throw RedisError("ERR BITFIELD_RO only supports the GET subcommand") }
        // The string grows to the last bit any write reaches, even a write that fails to overflow.
        let lastByte = Int64(writes.map { ($0.offset + UInt64($0.bits) - 1) >> 3 }.max()!)
        // Announced as a SETBIT when an operation wrote (not when every write failed to overflow,
        // though the string has grown).
        var wrote = false
        let reply = try context.write { connection -> RESPValue in
            let found = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, forWrite: true,
                                                 loadingChunks: false)
            var replies: [RESPValue] = []
            if found?.isChunkedString == true || max(found?.stringLength ?? 0, lastByte + 1) > StringChunks.threshold {
                // In place, as SETBIT: each operation reads and writes its few bytes of the chunks.
                var record = try found ?? connection.createChunkedString(db: context.db, key: arguments[1], now: context.now)
                if record.stringLength < lastByte + 1 {
                    let length = try connection.patchString(record, at: lastByte, with: ByteBuffer(integer: UInt8(0)), now: context.now)
                    record = KeyRecord(id: record.id, type: .string, expireAt: record.expireAt, value: nil, size: length)
                }
                for operation in operations {
                    var window = try Self.window(at: operation.offset, of: record, connection)
                    let (reply, written) = apply(operation, to: &window)
                    replies.append(reply)
                    wrote = wrote || written > 0
                    if written > 0 {
                        let length = try connection.patchString(record, at: Int64(operation.offset >> 3), with: ByteBuffer(bytes: window.prefix(written)),
                                                                now: context.now)
                        record = KeyRecord(id: record.id, type: .string, expireAt: record.expireAt, value: nil, size: length)
                    }
                }
            } else {
                var bytes = Array(found?.value?.readableBytesView ?? ByteBuffer().readableBytesView)
                if bytes.count <= Int(lastByte) { bytes.append(contentsOf: repeatElement(0, count: Int(lastByte) + 1 - bytes.count)) }
                for operation in operations {
                    let start = Int(operation.offset >> 3)
                    // A GET may lie past the string, which grows only as far as the writes reach.
                    var window = padded(bytes.dropFirst(start).prefix(9))
                    let (reply, written) = apply(operation, to: &window)
                    replies.append(reply)
                    wrote = wrote || written > 0
                    if written > 0 { bytes.replaceSubrange(start..<(start + written), with: window.prefix(written)) }
                }
                try connection.writeString(db: context.db, key: arguments[1], value: ByteBuffer(bytes: bytes), expireAt: nil, keepTTL: true,
                                           now: context.now)
            }
            return .array(replies)
        }
        if wrote { context.deletedKeyEvents = [.init(database: context.database, key: arguments[1], name: "setbit", kind: "$")] }
        return reply
    }

    /// The 9 bytes from the one holding bit `offset` (enough for 64 bits at any bit within it),
    /// zeros past the string's end.
    private static func window(at offset: UInt64, of record: KeyRecord?, _ connection: SQLiteConnection) throws -> [UInt8] {
        let start = Int64(offset >> 3)
        guard let record, start < record.stringLength else { return padded([]) }
        return padded(try connection.stringBytes(record, start: start, count: Int(min(9, record.stringLength - start))).readableBytesView)
    }

    /// Up to 9 bytes, zeros after them.
    private static func padded(_ bytes: some Collection<UInt8>) -> [UInt8] {
        Array(bytes) + repeatElement(0, count: 9 - bytes.count)
    }

    /// Runs one operation on its window (bit `offset & 7` of byte 0 is the first); returns the reply
    /// and how many bytes of the window it changed (0 for GET and a FAIL overflow).
    static func apply(_ operation: Operation, to window: inout [UInt8]) -> (reply: RESPValue, written: Int) {
        let bit = Int(operation.offset & 7), bits = operation.bits
        let raw = unsignedField(window, bit, bits)
        let touched = (bit + bits + 7) / 8
        if operation.signed {
            let old = signExtended(raw, bits)
            var overflowed = false, new: Int64, reply: Int64
            switch operation.kind {
            case .get: return (.integer(old), 0)
            case .increment:
                let wrapped = signedOverflow(old, operation.value, bits, operation.overflow)
                overflowed = wrapped != nil
                new = wrapped ?? (old &+ operation.value)
                reply = new
            case .set:
                let wrapped = signedOverflow(operation.value, 0, bits, operation.overflow)
                overflowed = wrapped != nil
                new = wrapped ?? operation.value
                reply = old
            }
            if overflowed && operation.overflow == .fail { return (.nullBulkString, 0) }
            setField(&window, bit, bits, UInt64(bitPattern: new))
            return (.integer(reply), touched)
        }
        var overflowed = false, new: UInt64, reply: UInt64
        switch operation.kind {
        case .get: return (.integer(Int64(bitPattern: raw)), 0)
        case .increment:
            let wrapped = unsignedOverflow(raw, operation.value, bits, operation.overflow)
            overflowed = wrapped != nil
            new = wrapped ?? (raw &+ UInt64(bitPattern: operation.value))
            reply = new
        case .set:
            let value = UInt64(bitPattern: operation.value)
            let wrapped = unsignedOverflow(value, 0, bits, operation.overflow)
            overflowed = wrapped != nil
            new = wrapped ?? value
            reply = raw
        }
        if overflowed && operation.overflow == .fail { return (.nullBulkString, 0) }
        setField(&window, bit, bits, new)
        return (.integer(Int64(bitPattern: reply)), touched)
    }

    private static func unsignedField(_ bytes: [UInt8], _ offset: Int, _ bits: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + bits) {
            value = value << 1 | UInt64(bytes[index >> 3] >> (7 - UInt8(index & 7)) & 1)
        }
        return value
    }

    private static func setField(_ bytes: inout [UInt8], _ offset: Int, _ bits: Int, _ value: UInt64) {
        for step in 0..<bits {
            let index = offset + step, mask = UInt8(1) << (7 - UInt8(index & 7))
            if value >> UInt64(bits - 1 - step) & 1 == 1 { bytes[index >> 3] |= mask } else { bytes[index >> 3] &= ~mask }
        }
    }

    private static func signExtended(_ raw: UInt64, _ bits: Int) -> Int64 {
        guard bits < 64, raw & (1 << UInt64(bits - 1)) != 0 else { return Int64(bitPattern: raw) }
        return Int64(bitPattern: raw | (UInt64.max << UInt64(bits)))
    }

    /// checkUnsignedBitfieldOverflow: nil without overflow; otherwise the value to store (for FAIL,
    /// anything: nothing is stored).
    static func unsignedOverflow(_ value: UInt64, _ increment: Int64, _ bits: Int, _ overflow: Overflow) -> UInt64? {
        let maximum: UInt64 = (1 << UInt64(bits)) - 1
        let maxIncrement = Int64(bitPattern: maximum &- value), minIncrement = Int64(bitPattern: 0 &- value)
        let wrap = { (UInt64(bitPattern: Int64(bitPattern: value) &+ increment)) & ~(UInt64.max << UInt64(bits)) }
        if value > maximum || (increment > 0 && increment > maxIncrement) {
            return overflow == .wrap ? wrap() : maximum
        }
        if increment < 0 && increment < minIncrement {
            return overflow == .wrap ? wrap() : 0
        }
        return nil
    }

    /// checkSignedBitfieldOverflow, with C's wrapping arithmetic where Redis relies on it.
    static func signedOverflow(_ value: Int64, _ increment: Int64, _ bits: Int, _ overflow: Overflow) -> Int64? {
        let maximum: Int64 = bits == 64 ? .max : (1 << Int64(bits - 1)) - 1
        let minimum = -maximum - 1
        let maxIncrement = Int64(bitPattern: UInt64(bitPattern: maximum) &- UInt64(bitPattern: value))
        let minIncrement = minimum &- value
        let wrap = { () -> Int64 in
            var sum = UInt64(bitPattern: value) &+ UInt64(bitPattern: increment)
            if bits < 64 {
                let mask = UInt64.max << UInt64(bits)
                if sum & (1 << UInt64(bits - 1)) != 0 { sum |= mask } else { sum &= ~mask }
            }
            return Int64(bitPattern: sum)
        }
        if value > maximum || (bits != 64 && increment > maxIncrement) || (value >= 0 && increment > 0 && increment > maxIncrement) {
            return overflow == .wrap ? wrap() : maximum
        }
        if value < minimum || (bits != 64 && increment < minIncrement) || (value < 0 && increment < 0 && increment < minIncrement) {
            return overflow == .wrap ? wrap() : minimum
        }
        return nil
    }
}
