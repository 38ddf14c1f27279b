public import NIOCore
public import RESP

/// Anything that answers RESP commands: a real redis-server connection, the embedded executor, a
/// `redlite serve` connection. The differential harness sends the same commands to two of them.
public protocol RESPCommandTarget: AnyObject {
    func send(_ arguments: [ByteBuffer]) throws -> RESPValue
}

extension RedisTestConnection: RESPCommandTarget {}

/// The judge of correctness: the same commands go to Redis (the reference) and to the subject, and the
/// replies must be equal, with these stated exceptions:
///
/// - **Unordered replies** (KEYS, HKEYS, HVALS, HGETALL, SMEMBERS, SUNION, SINTER, SDIFF, …) are
///   compared as multisets (HGETALL and CONFIG GET as multisets of name/value pairs).
/// - **Time-dependent replies**: TTL may differ by 1 s and PTTL by 100 ms; EXPIRETIME by 1 s and
///   PEXPIRETIME by 100 ms (each side computed it from its own clock); TIME is compared by shape.
/// - **Random replies** (RANDOMKEY, HRANDFIELD, SRANDMEMBER, SPOP, ZRANDMEMBER) are compared on what
///   is deterministic: the reply type, the element count, distinctness where Redis promises it, and
///   for RANDOMKEY whether it is nil.
/// - **COMMAND LIST** is compared as a multiset (Redis lists its command dictionary in hash order).
/// - **MEMORY USAGE** is each implementation's estimate of its own storage: only whether the key was
///   found (an integer or nil) is compared.
/// - **SCAN** cursors are the implementation's own: only the reply shape is compared per call (a test
///   compares whole iterations).
/// - **DBSIZE**: Redis counts a key whose expiry time has passed until its active expiry reclaims it
///   (within about 100 ms; `SET … EXAT <past>` leaves such a key behind), while Redlite never counts
///   an expired key. The subject's count may be lower than Redis's, never higher.
public struct DifferentialHarness {
    public let reference: any RESPCommandTarget
    public let subject: any RESPCommandTarget
    public private(set) var commandsSent = 0

    public init(reference: any RESPCommandTarget, subject: any RESPCommandTarget) {
        self.reference = reference
        self.subject = subject
    }

    /// A difference between the two replies to one command.
    public struct Divergence: Error, CustomStringConvertible, Sendable {
        public var command: [String]
        public var expected: RESPValue
        public var actual: RESPValue
        public var description: String {
            "command \(command.map { "\"\($0)\"" }.joined(separator: " ")):\n  redis:   \(expected)\n  subject: \(actual)"
        }
    }

    /// Sends `command` to both and returns the divergence, if any.
    public mutating func check(_ command: [String]) throws -> Divergence? {
        try check(command.map { ByteBuffer(string: $0) })
    }

    public mutating func check(_ command: [ByteBuffer]) throws -> Divergence? {
        commandsSent += 1
        let expected = try reference.send(command)
        let actual = try subject.send(command)
        if Self.equivalent(command: command, expected, actual) { return nil }
        return Divergence(command: command.map { String(buffer: $0) }, expected: expected, actual: actual)
    }

    /// Whether two replies to `command` are equal under the harness's rules.
    public static func equivalent(command: [ByteBuffer], _ expected: RESPValue, _ actual: RESPValue) -> Bool {
        if expected == actual { return true }
        guard let name = command.first.map({ String(buffer: $0).lowercased() }) else { return false }
        switch name {
        case "keys", "hkeys", "hvals", "smembers", "sunion", "sinter", "sdiff", "hgetall", "config":
            // CONFIG GET answers name/value pairs in the order of Redis's dictionary, unordered.
            if name == "hgetall" || name == "config", case .array(let a) = expected, case .array(let b) = actual {
                return multiset(pairs(a)) == multiset(pairs(b))
            }
            if name == "config" { return false }
            guard case .array(let a) = expected, case .array(let b) = actual else { return false }
            return multiset(a) == multiset(b)
        case "command" where command.count >= 2 && String(buffer: command[1]).lowercased() == "list":
            // Redis lists its command dictionary in hash order.
            guard case .array(let a) = expected, case .array(let b) = actual else { return false }
            return multiset(a) == multiset(b)
        case "latency" where command.count >= 2 && String(buffer: command[1]).lowercased() == "histogram":
            return sameLatencyHistograms(expected, actual)
        case "acl" where command.count >= 2:
            return sameAccessControlReply(subcommand: String(buffer: command[1]).lowercased(), expected, actual)
        case "memory" where command.count >= 2 && String(buffer: command[1]).lowercased() == "usage":
            if case .integer = expected, case .integer = actual { return true }
            return false
        case "ttl", "expiretime":
            return withinTolerance(expected, actual, 1)
        case "pttl", "pexpiretime":
            return withinTolerance(expected, actual, 100)
        case "time":
            return expected.elements?.count == actual.elements?.count
        case "randomkey":
            return expected.isNull == actual.isNull
        case "hrandfield", "srandmember", "spop", "zrandmember":
            return sameRandomShape(command: command, expected, actual)
        case "scan":
            return expected.elements?.count == 2 && actual.elements?.count == 2
        case "dbsize":
            guard case .integer(let a) = expected, case .integer(let b) = actual else { return false }
            return b <= a && b >= 0
        default:
            return false
        }
    }

    /// ACL CAT lists a category's commands in hash order; GENPASS is random (the same number of hex
    /// digits); a LOG entry's age and client line are the moment's and the connection's.
    private static func sameAccessControlReply(subcommand: String, _ expected: RESPValue, _ actual: RESPValue) -> Bool {
        switch (subcommand, expected, actual) {
        case ("cat", .array(let a), .array(let b)):
            return multiset(a) == multiset(b)
        case ("genpass", .bulkString(let a), .bulkString(let b)):
            let hex = Set("0123456789abcdef".utf8)
            return a.readableBytes == b.readableBytes && b.readableBytesView.allSatisfy(hex.contains)
        case ("log", .array(let a), .array(let b)):
            func stable(_ entry: RESPValue) -> [RESPValue] {
                pairs(entry.elements ?? []).filter { pair in
                    guard case .bulkString(let key) = pair.elements?.first else { return true }
                    return !["age-seconds", "client-info"].contains(String(buffer: key))
                }
            }
            return a.map(stable) == b.map(stable)
        default:
            return false
        }
    }

    /// LATENCY HISTOGRAM: the same commands with the same numbers of calls; the times are the
    /// moment's.
    private static func sameLatencyHistograms(_ expected: RESPValue, _ actual: RESPValue) -> Bool {
        func calls(_ reply: RESPValue) -> [RESPValue: RESPValue]? {
            guard let flat = reply.elements, flat.count % 2 == 0 else { return nil }
            var result: [RESPValue: RESPValue] = [:]
            for pair in pairs(flat) {
                guard let name = pair.elements?.first, let details = pair.elements?.last?.elements, details.count == 4 else { return nil }
                result[name] = details[1]
            }
            return result
        }
        guard let a = calls(expected), let b = calls(actual) else { return false }
        return a == b
    }

    private static func multiset(_ values: [RESPValue]) -> [RESPValue: Int] {
        values.reduce(into: [:]) { $0[$1, default: 0] += 1 }
    }

    private static func pairs(_ flat: [RESPValue]) -> [RESPValue] {
        stride(from: 0, to: flat.count - 1, by: 2).map { .array([flat[$0], flat[$0 + 1]]) }
    }

    private static func withinTolerance(_ expected: RESPValue, _ actual: RESPValue, _ tolerance: Int64) -> Bool {
        guard case .integer(let a) = expected, case .integer(let b) = actual else { return false }
        // Negative values (-1, -2) are states, not times: they must be equal.
        if a < 0 || b < 0 { return a == b }
        return abs(a - b) <= tolerance
    }

    private static func sameRandomShape(command: [ByteBuffer], _ expected: RESPValue, _ actual: RESPValue) -> Bool {
        switch (expected, actual) {
        case (.bulkString, .bulkString), (.nullBulkString, .nullBulkString), (.nullArray, .nullArray):
            return true
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            // A non-negative count promises distinct elements.
            if command.count >= 3, let count = Int64(String(buffer: command[2])), count >= 0 {
                let withValues = command.count >= 4
                let names = withValues ? stride(from: 0, to: b.count, by: 2).map { b[$0] } : b
                return Set(names).count == names.count
            }
            return true
        default:
            return false
        }
    }
}
