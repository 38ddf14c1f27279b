public import NIOCore
public import RESP

/// Turns raw replies into the types the generated command API returns. The reply kinds a command
/// gets are kept by hand in the generator (`ReplyKind.table` in RedisCommandGeneratorCore); each
/// decoder accepts both the RESP2 and the RESP3 shape of its reply and throws
/// ``RedisClientError/protocolViolation(_:)`` for anything else.
public enum RedisReplyDecoder {
    static func violation(_ command: String, _ expected: String, _ reply: RESPValue) -> RedisClientError {
        .protocolViolation("\(command) answered \(reply), expected \(expected)")
    }

    /// An integer reply.
    public static func integer(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> Int {
        if case .integer(let value) = reply { return Int(value) }
        throw violation(command, "an integer", reply)
    }

    /// An integer reply or null.
    public static func optionalInteger(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> Int? {
        if reply.isNull { return nil }
        return try integer(reply, command)
    }

    /// An integer 0/1 (or a RESP3 boolean).
    public static func boolean(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> Bool {
        switch reply {
        case .integer(let value): return value != 0
        case .boolean(let value): return value
        default: throw violation(command, "0 or 1", reply)
        }
    }

    /// `+OK`.
    public static func ok(_ reply: RESPValue, _ command: String) throws(RedisClientError) {
        guard reply.string == "OK" else { throw violation(command, "OK", reply) }
    }

    /// A status (or bulk) string.
    public static func status(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> String {
        guard let string = reply.string else { throw violation(command, "a string", reply) }
        return string
    }

    /// A bulk string.
    public static func bulk(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> ByteBuffer {
        switch reply {
        case .bulkString(let bytes), .verbatimString(_, let bytes): return bytes
        case .simpleString(let string): return ByteBuffer(string: string)
        default: throw violation(command, "a bulk string", reply)
        }
    }

    /// A bulk string or null.
    public static func optionalBulk(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> ByteBuffer? {
        if reply.isNull { return nil }
        return try bulk(reply, command)
    }

    /// A double (RESP3) or a bulk string holding one (RESP2).
    public static func double(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> Double {
        switch reply {
        case .double(let value): return value
        case .integer(let value): return Double(value)
        default:
            guard let text = reply.string else { throw violation(command, "a double", reply) }
            switch text.lowercased() {
            case "inf", "+inf": return .infinity
            case "-inf": return -.infinity
            default:
                guard let value = Double(text) else { throw violation(command, "a double", reply) }
                return value
            }
        }
    }

    /// A double or null.
    public static func optionalDouble(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> Double? {
        if reply.isNull { return nil }
        return try double(reply, command)
    }

    /// An array or set of bulk strings.
    public static func bulkArray(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> [ByteBuffer] {
        guard let elements = reply.elements else { throw violation(command, "an array", reply) }
        var result: [ByteBuffer] = []
        result.reserveCapacity(elements.count)
        for element in elements { result.append(try bulk(element, command)) }
        return result
    }

    /// An array of bulk strings or nulls.
    public static func optionalBulkArray(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> [ByteBuffer?] {
        guard let elements = reply.elements else { throw violation(command, "an array", reply) }
        var result: [ByteBuffer?] = []
        result.reserveCapacity(elements.count)
        for element in elements { result.append(try optionalBulk(element, command)) }
        return result
    }

    /// An array of integers.
    public static func integerArray(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> [Int] {
        guard let elements = reply.elements else { throw violation(command, "an array", reply) }
        var result: [Int] = []
        for element in elements { result.append(try integer(element, command)) }
        return result
    }

    /// An array of doubles or nulls.
    public static func optionalDoubleArray(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> [Double?] {
        guard let elements = reply.elements else { throw violation(command, "an array", reply) }
        var result: [Double?] = []
        for element in elements { result.append(try optionalDouble(element, command)) }
        return result
    }

    /// The key/value pairs of a RESP3 map or of a RESP2 flat array.
    static func pairs(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> [(RESPValue, RESPValue)] {
        if case .map(let pairs) = reply { return pairs.map { ($0.key, $0.value) } }
        guard let elements = reply.elements, elements.count % 2 == 0 else { throw violation(command, "a map", reply) }
        return stride(from: 0, to: elements.count, by: 2).map { (elements[$0], elements[$0 + 1]) }
    }

    /// A map of names to bulk strings (`HGETALL`).
    public static func bulkMap(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> [String: ByteBuffer] {
        var result: [String: ByteBuffer] = [:]
        for (key, value) in try pairs(reply, command) {
            guard let name = key.string else { throw violation(command, "a map of strings", reply) }
            result[name] = try bulk(value, command)
        }
        return result
    }

    /// A map of names to strings (`CONFIG GET`).
    public static func stringMap(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in try pairs(reply, command) {
            guard let name = key.string, let text = value.string else { throw violation(command, "a map of strings", reply) }
            result[name] = text
        }
        return result
    }

    /// `TIME`: two bulk strings, seconds and microseconds.
    public static func serverTime(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> RedisServerTime {
        guard let elements = reply.elements, elements.count == 2,
              let seconds = elements[0].string.flatMap({ Int($0) }),
              let microseconds = elements[1].string.flatMap({ Int($0) })
        else { throw violation(command, "seconds and microseconds", reply) }
        return RedisServerTime(seconds: seconds, microseconds: microseconds)
    }

    /// `INFO`: `# Section` headers and `field:value` lines → section (lowercased) → field → value.
    /// Fields before any header go under `""`.
    public static func info(_ reply: RESPValue, _ command: String) throws(RedisClientError) -> [String: [String: String]] {
        guard let text = reply.string else { throw violation(command, "INFO text", reply) }
        return parseInfo(text)
    }

    /// Parses the text of an `INFO` reply.
    public static func parseInfo(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var section = ""
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("#") {
                section = line.dropFirst().trimmingSpaces().lowercased()
                sections[section, default: [:]] = sections[section] ?? [:]
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            sections[section, default: [:]][String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return sections
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
