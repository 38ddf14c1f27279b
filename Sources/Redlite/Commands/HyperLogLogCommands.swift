import NIOCore
import RESP

/// PFADD, PFCOUNT and PFMERGE over `HyperLogLog` strings, as Redis 7.0's hyperloglog.c answers
/// them. One difference: PFCOUNT of one key does not write the count it works out back into the
/// string's cache (a read never writes in Redlite), so a GET after it shows a stale cache where
/// Redis's shows the count, and PFCOUNT does not break a WATCH of the key as Redis's does.
enum HyperLogLogCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("pfadd") { context, arguments in
            try context.write { connection in
                var updated = false
                var hyperLogLog: HyperLogLog
                if let existing = try Self.load(arguments[1], connection, context, forWrite: true) {
                    hyperLogLog = existing
                } else {
                    // Creating the key counts as a change, even with no elements.
                    hyperLogLog = HyperLogLog()
                    updated = true
                }
                for index in 2..<arguments.count where try hyperLogLog.add(arguments[index].readableBytesView) {
                    updated = true
                }
                guard updated else { return .integer(0) }
                hyperLogLog.invalidateCache()
                try Self.store(hyperLogLog, at: arguments[1], connection, context)
                return .integer(1)
            }
        }
        registry.register("pfcount") { context, arguments in
            try context.read { connection in
                if arguments.count == 2 {
                    guard let hyperLogLog = try Self.load(arguments[1], connection, context, forWrite: false) else { return .integer(0) }
                    if let cached = hyperLogLog.cachedCount { return .integer(Int64(bitPattern: cached)) }
                    return .integer(Int64(bitPattern: HyperLogLog.estimate(try hyperLogLog.registers())))
                }
                var maximum = [UInt8](repeating: 0, count: HyperLogLog.registerCount)
                for index in 1..<arguments.count {
                    guard let hyperLogLog = try Self.load(arguments[index], connection, context, forWrite: false) else { continue }
                    Self.merge(try hyperLogLog.registers(), into: &maximum)
                }
                return .integer(Int64(bitPattern: HyperLogLog.estimate(maximum)))
            }
        }
        registry.register("pfmerge") { context, arguments in
            try context.write { connection in
                var maximum = [UInt8](repeating: 0, count: HyperLogLog.registerCount)
                var anyDense = false
                // The destination is a source too.
                var destination: HyperLogLog?
                for index in 1..<arguments.count {
                    guard let hyperLogLog = try Self.load(arguments[index], connection, context, forWrite: false) else { continue }
                    if index == 1 { destination = hyperLogLog }
                    anyDense = anyDense || hyperLogLog.isDense
                    Self.merge(try hyperLogLog.registers(), into: &maximum)
                }
                // A destination found expired is removed first, so that its old time to live goes too.
                if destination == nil { _ = try connection.lookupKeyForWrite(db: context.db, key: arguments[1], now: context.now) }
                var merged = destination ?? HyperLogLog()
                // Dense as soon as one input is, as Redis does.
                if anyDense { try merged.makeDense() }
                for (index, value) in maximum.enumerated() where value > 0 { _ = try merged.set(index, value) }
                merged.invalidateCache()
                try Self.store(merged, at: arguments[1], connection, context)
                return .ok
            }
        }
    }

    /// The HyperLogLog at `key`; nil when missing, WRONGTYPE for another type, Redis's HyperLogLog
    /// error for a string that is not one.
    private static func load(_ key: ByteBuffer, _ connection: SQLiteConnection, _ context: CommandContext, forWrite: Bool) throws -> HyperLogLog? {
        guard let record = try connection.lookupKey(db: context.db, key: key, now: context.now, type: .string, forWrite: forWrite) else {
            return nil
        }
        guard let value = record.value, let hyperLogLog = HyperLogLog(Array(value.readableBytesView)) else {
            throw HyperLogLog.notHyperLogLog
        }
        return hyperLogLog
    }

    /// The string written back, its time to live kept (Redis changes the value in place).
    private static func store(_ hyperLogLog: HyperLogLog, at key: ByteBuffer, _ connection: SQLiteConnection, _ context: CommandContext) throws {
        try connection.writeString(db: context.db, key: key, value: ByteBuffer(bytes: hyperLogLog.bytes), expireAt: nil, keepTTL: true, now: context.now)
    }

    private static func merge(_ registers: [UInt8], into maximum: inout [UInt8]) {
        for index in registers.indices where registers[index] > maximum[index] { maximum[index] = registers[index] }
    }
}
