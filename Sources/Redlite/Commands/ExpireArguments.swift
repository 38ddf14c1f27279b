import NIOCore

/// Expiry arguments as Redis reads them (`getExpireMillisecondsOrReply`): relative or absolute,
/// seconds or milliseconds, turned into an absolute Unix time in milliseconds.
enum ExpireArgument {
    enum Unit { case seconds, milliseconds }

    /// - Throws: `ERR value is not an integer or out of range` for a non-integer, `ERR invalid expire
    ///   time in '<command>' command` for a non-positive value or one that overflows.
    static func absoluteMilliseconds(
        _ raw: ByteBuffer, unit: Unit, relative: Bool, now: Int64, command: String
    ) throws(RedisError) -> Int64 {
        guard var value = RedisNumbers.parseInteger(raw) else { throw .notInteger }
        if value <= 0 || (unit == .seconds && value > Int64.max / 1000) { throw .invalidExpire(command) }
        if unit == .seconds { value *= 1000 }
        if relative {
            if value > Int64.max - now { throw .invalidExpire(command) }
            value += now
        }
        return value
    }
}
