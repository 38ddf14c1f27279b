import NIOCore
import RESP

/// String commands (Redis's t_string.c): GET, SET and its variants, counters, ranges, bits, LCS.
enum StringCommands {
    /// Redis's `proto-max-bulk-len`: the largest string value.
    static let maxStringLength: Int64 = 512 * 1024 * 1024

    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("get") { context, arguments in
            try context.read { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string)
                return record.map { .bulkString($0.value!) } ?? .nullBulkString
            }
        }
        registry.register("set") { context, arguments in try set(&context, arguments) }
        registry.register("setnx") { context, arguments in
            try context.write { connection in
                if try connection.lookupKeyForWrite(db: context.db, key: arguments[1], now: context.now, loadingChunks: false) != nil { return .integer(0) }
                try connection.writeString(db: context.db, key: arguments[1], value: arguments[2], expireAt: nil, keepTTL: false, now: context.now)
                return .integer(1)
            }
        }
        registry.register("setex") { context, arguments in
            try setWithExpiry(&context, arguments, unit: .seconds, command: "setex")
        }
        registry.register("psetex") { context, arguments in
            try setWithExpiry(&context, arguments, unit: .milliseconds, command: "psetex")
        }
        registry.register("getset") { context, arguments in
            try context.write { connection in
                let old = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, forWrite: true,
                                                   countedAsRead: true)
                try connection.writeString(db: context.db, key: arguments[1], value: arguments[2], expireAt: nil, keepTTL: false, now: context.now)
                return old.map { .bulkString($0.value!) } ?? .nullBulkString
            }
        }
        registry.register("getdel") { context, arguments in
            try context.write { connection in
                guard let old = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, forWrite: true,
                                                         countedAsRead: true) else {
                    return .nullBulkString
                }
                try connection.deleteKey(id: old.id)
                return .bulkString(old.value!)
            }
        }
        registry.register("getex") { context, arguments in try getex(&context, arguments) }
        registry.register("mget") { context, arguments in
            try context.read { connection in
                var values: [RESPValue] = []
                values.reserveCapacity(arguments.count - 1)
                for index in 1..<arguments.count {
                    let record = try connection.lookupKey(db: context.db, key: arguments[index], now: context.now)
                    values.append(record?.value.map { .bulkString($0) } ?? .nullBulkString)
                }
                return .array(values)
            }
        }
        registry.register("mset") { context, arguments in
            guard arguments.count % 2 == 1 else { throw RedisError.wrongArity("mset") }
            try context.write { connection in
                for index in stride(from: 1, to: arguments.count, by: 2) {
                    try connection.writeString(db: context.db, key: arguments[index], value: arguments[index + 1], expireAt: nil, keepTTL: false, now: context.now)
                }
            }
            return .ok
        }
        registry.register("msetnx") { context, arguments in
            guard arguments.count % 2 == 1 else { throw RedisError.wrongArity("msetnx") }
            return try context.write { connection in
                for index in stride(from: 1, to: arguments.count, by: 2)
                where try connection.lookupKeyForWrite(db: context.db, key: arguments[index], now: context.now, loadingChunks: false) != nil {
                    return .integer(0)
                }
                for index in stride(from: 1, to: arguments.count, by: 2) {
                    try connection.writeString(db: context.db, key: arguments[index], value: arguments[index + 1], expireAt: nil, keepTTL: false, now: context.now)
                }
                return .integer(1)
            }
        }
        registry.register("incr") { context, arguments in try incrementBy(&context, arguments[1], 1) }
        registry.register("decr") { context, arguments in try incrementBy(&context, arguments[1], -1) }
        registry.register("incrby") { context, arguments in
            try incrementBy(&context, arguments[1], try arguments.integer(2))
        }
        registry.register("decrby") { context, arguments in
            let amount = try arguments.integer(2)
            guard amount != Int64.min else { throw RedisError("ERR decrement would overflow") }
            return try incrementBy(&context, arguments[1], -amount)
        }
        registry.register("incrbyfloat") { context, arguments in
            // Redis checks the type, then the current value, then the increment.
            try context.write { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, forWrite: true,
                                                      loadingChunks: false)
                // A string in chunks is longer than any number: not assembled just to be refused.
                if record?.isChunkedString == true { throw RedisError.notFloat }
                var current: Float80 = 0
                if let value = record?.value {
                    guard let parsed = RedisNumbers.parseLongDouble(value) else { throw RedisError.notFloat }
                    current = parsed
                }
                guard let increment = RedisNumbers.parseLongDouble(arguments[2]) else { throw RedisError.notFloat }
                let result = current + increment
                guard !result.isNaN, !result.isInfinite else { throw RedisError.nanOrInfinity }
                let text = ByteBuffer(string: RedisNumbers.formatHuman(result))
                try connection.writeString(db: context.db, key: arguments[1], value: text, expireAt: nil, keepTTL: true, now: context.now)
                return .bulkString(text)
            }
        }
        registry.register("append") { context, arguments in
            try context.write { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, forWrite: true,
                                                      loadingChunks: false)
                let length = record?.stringLength ?? 0
                guard length + Int64(arguments[2].readableBytes) <= maxStringLength else { throw RedisError.stringTooLong }
                if let record, record.isChunkedString || length + Int64(arguments[2].readableBytes) > StringChunks.threshold {
                    // In place: only the last chunk is rewritten (see StringChunks).
                    return .integer(try connection.patchString(record, at: length, with: arguments[2], now: context.now))
                }
                var value = record?.value ?? ByteBuffer()
                value.writeImmutableBuffer(arguments[2])
                try connection.writeString(db: context.db, key: arguments[1], value: value, expireAt: nil, keepTTL: true, now: context.now)
                return .integer(Int64(value.readableBytes))
            }
        }
        registry.register("strlen") { context, arguments in
            try context.read { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, loadingChunks: false)
                return .integer(record?.stringLength ?? 0)
            }
        }
        registry.register("getrange") { context, arguments in try range(&context, arguments) }
        // SUBSTR is GETRANGE's old name, kept by Redis.
        registry.register("substr") { context, arguments in try range(&context, arguments) }
        registry.register("setrange") { context, arguments in
            let offset = try arguments.integer(2)
            guard offset >= 0 else { throw RedisError("ERR offset is out of range") }
            let patch = arguments[3]
            return try context.write { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, forWrite: true,
                                                      loadingChunks: false)
                if record == nil && patch.readableBytes == 0 { return .integer(0) }
                if let record, patch.readableBytes == 0 { return .integer(record.stringLength) }
                // Subtracted, not added: an offset near Int64.max must be refused, not overflow.
                guard offset <= maxStringLength - Int64(patch.readableBytes) else { throw RedisError.stringTooLong }
                if record?.isChunkedString == true || max(record?.stringLength ?? 0, offset + Int64(patch.readableBytes)) > StringChunks.threshold {
                    // In place: only the chunks under the patch are written, none for a gap before it.
                    let target = try record ?? connection.createChunkedString(db: context.db, key: arguments[1], now: context.now)
                    return .integer(try connection.patchString(target, at: offset, with: patch, now: context.now))
                }
                var bytes = Array(record?.value?.readableBytesView ?? ByteBuffer().readableBytesView)
                let end = Int(offset) + patch.readableBytes
                if bytes.count < end { bytes.append(contentsOf: repeatElement(0, count: end - bytes.count)) }
                bytes.replaceSubrange(Int(offset)..<end, with: patch.readableBytesView)
                try connection.writeString(db: context.db, key: arguments[1], value: ByteBuffer(bytes: bytes), expireAt: nil, keepTTL: true, now: context.now)
                return .integer(Int64(bytes.count))
            }
        }
        BitCommands.register(&registry)
    }

    /// GETRANGE and SUBSTR: the bytes from `start` to `end`, both inclusive, negative from the end.
    private static func range(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        var start = try arguments.integer(2)
        var end = try arguments.integer(3)
        return try context.read { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string,
                                                        loadingChunks: false) else {
                return .bulk("")
            }
            let length = record.stringLength
            if start < 0 && end < 0 && start > end { return .bulk("") }
            if start < 0 { start += length }
            if end < 0 { end += length }
            start = max(start, 0)
            end = max(end, 0)
            if end >= length { end = length - 1 }
            if start > end || length == 0 { return .bulk("") }
            return .bulkString(try connection.stringBytes(record, start: start, count: Int(end - start + 1)))
        }
    }

    // MARK: SET

    private struct SetOptions {
        var nx = false, xx = false, get = false, keepTTL = false, persist = false
        var expiry: (ByteBuffer, ExpireArgument.Unit, relative: Bool)?
        var ex = false, px = false, exat = false, pxat = false
    }

    /// Redis's `parseExtendedStringArgumentsOrReply`, for SET (`forGetEx == false`) and GETEX.
    private static func parseOptions(_ arguments: CommandArguments, from first: Int, forGetEx: Bool) throws(RedisError) -> SetOptions {
        var options = SetOptions()
        var index = first
        while index < arguments.count {
            let hasNext = index + 1 < arguments.count
            let anyExpiry = options.ex || options.px || options.exat || options.pxat
            if !forGetEx && arguments.matches(index, "nx") && !options.xx {
                options.nx = true
            } else if !forGetEx && arguments.matches(index, "xx") && !options.nx {
                options.xx = true
            } else if !forGetEx && arguments.matches(index, "get") {
                options.get = true
            } else if !forGetEx && arguments.matches(index, "keepttl") && !options.persist && !anyExpiry {
                options.keepTTL = true
            } else if forGetEx && arguments.matches(index, "persist") && !anyExpiry && !options.keepTTL {
                options.persist = true
            } else if arguments.matches(index, "ex") && !options.keepTTL && !options.persist && !options.exat && !options.px && !options.pxat && hasNext {
                options.ex = true
                options.expiry = (arguments[index + 1], .seconds, true)
                index += 1
            } else if arguments.matches(index, "px") && !options.keepTTL && !options.persist && !options.ex && !options.exat && !options.pxat && hasNext {
                options.px = true
                options.expiry = (arguments[index + 1], .milliseconds, true)
                index += 1
            } else if arguments.matches(index, "exat") && !options.keepTTL && !options.persist && !options.ex && !options.px && !options.pxat && hasNext {
                options.exat = true
                options.expiry = (arguments[index + 1], .seconds, false)
                index += 1
            } else if arguments.matches(index, "pxat") && !options.keepTTL && !options.persist && !options.ex && !options.exat && !options.px && hasNext {
                options.pxat = true
                options.expiry = (arguments[index + 1], .milliseconds, false)
                index += 1
            } else {
                throw .syntax
            }
            index += 1
        }
        return options
    }

    private static func set(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let options = try parseOptions(arguments, from: 3, forGetEx: false)
        var expireAt: Int64?
        if let (raw, unit, relative) = options.expiry {
            expireAt = try ExpireArgument.absoluteMilliseconds(raw, unit: unit, relative: relative, now: context.now, command: "set")
        }
        let key = arguments[1], value = arguments[2]
        // The common case is one statement: no read of the old value is needed.
        if !options.nx && !options.xx && !options.get {
            let now = context.now, db = context.db
            try context.writeOneStatement { connection in
                try connection.writeString(db: db, key: key, value: value, expireAt: expireAt, keepTTL: options.keepTTL, now: now)
            }
            return .ok
        }
        return try context.write { connection in
            let existing = try connection.lookupKeyForWrite(db: context.db, key: key, now: context.now, countedAsRead: options.get,
                                                            loadingChunks: options.get)
            var reply = RESPValue.ok
            if options.get {
                if let existing, existing.type != .string { throw RedisError.wrongType }
                reply = existing?.value.map { .bulkString($0) } ?? .nullBulkString
            }
            if (options.nx && existing != nil) || (options.xx && existing == nil) {
                return options.get ? reply : .nullBulkString
            }
            try connection.writeString(db: context.db, key: key, value: value, expireAt: expireAt, keepTTL: options.keepTTL, now: context.now)
            return reply
        }
    }

    private static func setWithExpiry(_ context: inout CommandContext, _ arguments: CommandArguments, unit: ExpireArgument.Unit, command: String) throws -> RESPValue {
        let expireAt = try ExpireArgument.absoluteMilliseconds(arguments[2], unit: unit, relative: true, now: context.now, command: command)
        let now = context.now, db = context.db
        try context.writeOneStatement { connection in
            try connection.writeString(db: db, key: arguments[1], value: arguments[3], expireAt: expireAt, keepTTL: false, now: now)
        }
        return .ok
    }

    private static func getex(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        let options = try parseOptions(arguments, from: 2, forGetEx: true)
        return try context.write { connection in
            guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .string, forWrite: true,
                                                        countedAsRead: true) else {
                return .nullBulkString
            }
            if let (raw, unit, relative) = options.expiry {
                let expireAt = try ExpireArgument.absoluteMilliseconds(raw, unit: unit, relative: relative, now: context.now, command: "getex")
                if expireAt <= context.now {
                    try connection.deleteKey(id: record.id)
                } else {
                    try connection.setExpiry(id: record.id, expireAt: expireAt, now: context.now)
                }
            } else if options.persist && record.expireAt != nil {
                try connection.setExpiry(id: record.id, expireAt: nil, now: context.now)
            }
            return .bulkString(record.value!)
        }
    }

    // MARK: Counters

    static func incrementBy(_ context: inout CommandContext, _ key: ByteBuffer, _ amount: Int64) throws -> RESPValue {
        try context.write { connection in
            let record = try connection.lookupKey(db: context.db, key: key, now: context.now, type: .string, forWrite: true, loadingChunks: false)
            if record?.isChunkedString == true { throw RedisError.notInteger }  // longer than any number
            var current: Int64 = 0
            if let value = record?.value {
                guard let parsed = RedisNumbers.parseInteger(value) else { throw RedisError.notInteger }
                current = parsed
            }
            let (result, overflow) = current.addingReportingOverflow(amount)
            guard !overflow else { throw RedisError.overflow }
            var text = ByteBuffer()
            text.writeDecimal(result)
            if let record {
                // The row is known from the lookup: update it by row id, keeping its expiry.
                try connection.replaceStringValue(id: record.id, value: text, now: context.now)
            } else {
                try connection.writeString(db: context.db, key: key, value: text, expireAt: nil, keepTTL: true, now: context.now)
            }
            return .integer(result)
        }
    }
}
