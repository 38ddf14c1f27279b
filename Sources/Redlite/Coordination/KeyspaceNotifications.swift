public import NIOCore
import NIOConcurrencyHelpers
import RESP

/// Keyspace notifications (`notify-keyspace-events`): after a write commits, `__keyspace@<db>__:<key>`
/// receives the event name and `__keyevent@<db>__:<event>` receives the key, through the pub/sub hub.
///
/// Classes as in Redis: `K` keyspace channel, `E` keyevent channel, `g` generic (del, expire, rename…),
/// `$` strings, `l` lists, `s` sets, `h` hashes, `z` sorted sets, `x` expired, `e` evicted (Redlite
/// never evicts), `A` all of g$lshzxe. Nothing is published unless K or E and at least one class is on.
/// Events are published only once the write is committed, so a subscriber that reacts by reading sees
/// the change.
public final class KeyspaceNotifications: Sendable {
    /// One event about one key.
    public struct Event: Sendable, Hashable {
        public var database: Int
        public var key: ByteBuffer
        public var name: String
        var kind: Character
    }

    private struct Settings {
        var keyspace = false
        var keyevent = false
        var classes: Set<Character> = []
        var text = ""
    }

    private let settings = NIOLockedValueBox(Settings())

    public init() {}

    /// The current setting in Redis's canonical spelling (CONFIG GET notify-keyspace-events).
    public var configuration: String { settings.withLockedValue { $0.text } }

    /// Applies a `notify-keyspace-events` value; false when it has an unknown class character.
    @discardableResult
    public func configure(_ value: String) -> Bool {
        var parsed = Settings()
        for character in value {
            switch character {
            case "K": parsed.keyspace = true
            case "E": parsed.keyevent = true
            case "A": parsed.classes.formUnion(["g", "$", "l", "s", "h", "z", "x", "e"])
            case "g", "$", "l", "s", "h", "z", "x", "e", "t", "m", "d", "n": parsed.classes.insert(character)
            default: return false
            }
        }
        // Canonical order, as Redis prints it back.
        var text = ""
        let all: Set<Character> = ["g", "$", "l", "s", "h", "z", "x", "e"]
        if all.isSubset(of: parsed.classes) { text += "A" } else { for c in "g$lshzxe" where parsed.classes.contains(c) { text.append(c) } }
        for c in "tmdn" where parsed.classes.contains(c) { text.append(c) }
        if parsed.keyspace { text += "K" }
        if parsed.keyevent { text += "E" }
        parsed.text = (parsed.keyspace || parsed.keyevent) && !parsed.classes.isEmpty ? text : (value.isEmpty ? "" : text)
        settings.withLockedValue { $0 = parsed }
        return true
    }

    /// Whether events of `kind` are published (cheap: checked before any work).
    func isEnabled(_ kind: Character) -> Bool {
        settings.withLockedValue { ($0.keyspace || $0.keyevent) && $0.classes.contains(kind) }
    }

    var isEnabled: Bool {
        settings.withLockedValue { ($0.keyspace || $0.keyevent) && !$0.classes.isEmpty }
    }

    /// Publishes committed events.
    public func publish(_ events: [Event], through hub: PubSubHub) {
        guard !events.isEmpty else { return }
        let current = settings.withLockedValue { $0 }
        for event in events where current.classes.contains(event.kind) {
            if current.keyspace {
                var channel = ByteBuffer(string: "__keyspace@\(event.database)__:")
                channel.writeImmutableBuffer(event.key)
                hub.publish(channel: channel, payload: ByteBuffer(string: event.name))
            }
            if current.keyevent {
                hub.publish(channel: ByteBuffer(string: "__keyevent@\(event.database)__:\(event.name)"), payload: event.key)
            }
        }
    }

    /// Inserts a generic `del` event after the last event about each key the command left empty (a
    /// list, set, sorted set or hash deleted by its last pop or removal), where Redis sends it.
    static func addDeletions(_ events: [Event], emptied: [(database: Int, key: ByteBuffer)]) -> [Event] {
        guard !emptied.isEmpty else { return events }
        var result = events
        for (database, key) in emptied {
            let deletion = Event(database: database, key: key, name: "del", kind: "g")
            if let last = result.lastIndex(where: { $0.database == database && $0.key == key }) {
                result.insert(deletion, at: last + 1)
            } else {
                result.append(deletion)
            }
        }
        return result
    }

    /// Inserts an `expired` event for each key the command found expired (and removed or replaced)
    /// before the first event about that key, where Redis's lookup sends it; at the end for a key the
    /// command then left alone.
    static func addExpirations(_ events: [Event], expired: [(database: Int, key: ByteBuffer)]) -> [Event] {
        guard !expired.isEmpty else { return events }
        var result = events
        for (database, key) in expired {
            let expiry = Event(database: database, key: key, name: "expired", kind: "x")
            if let first = result.firstIndex(where: { $0.database == database && $0.key == key && $0.name != "expired" }) {
                result.insert(expiry, at: first)
            } else {
                result.append(expiry)
            }
        }
        return result
    }

    /// The events a successful write command produces, as Redis 7.0 names them. Commands that changed
    /// nothing (a zero count, a null reply) produce none.
    static func events(command name: String, arguments: [ByteBuffer], keyPositions: [Int], reply: RESPValue, database: Int) -> [Event] {
        if case .integer(0) = reply, !["lpush", "rpush", "hset", "hmset", "zadd", "geoadd"].contains(name) { return [] }
        if reply.isNull { return [] }
        func event(_ position: Int, _ eventName: String, _ kind: Character) -> Event {
            Event(database: database, key: arguments[position], name: eventName, kind: kind)
        }
        let keys = keyPositions
        switch name {
        case "set", "setnx", "setex", "psetex", "getset", "mset", "msetnx":
            var events = keys.map { event($0, "set", "$") }
            if name == "setex" || name == "psetex" || (name == "set" && arguments.contains(where: { ["ex", "px", "exat", "pxat"].contains($0.lowercasedASCII) })) {
                events += keys.map { event($0, "expire", "g") }
            }
            return events
        // Redis names DECR and DECRBY "incrby" too.
        case "incr", "incrby", "decr", "decrby": return keys.map { event($0, "incrby", "$") }
        case "incrbyfloat", "append", "setrange", "setbit": return keys.map { event($0, name, "$") }
        case "bitop": return [event(2, "set", "$")]
        case "bitfield": return []  // emitted by the command, when an operation wrote
        // PFMERGE is announced as a PFADD, as Redis does.
        case "pfadd", "pfmerge": return [event(1, "pfadd", "$")]
        case "getdel": return keys.map { event($0, "del", "g") }
        case "del", "unlink": return []  // emitted by the command, for the keys that existed
        case "expire", "pexpire", "expireat", "pexpireat", "getex":
            return keys.map { event($0, "expire", "g") }
        case "persist": return keys.map { event($0, "persist", "g") }
        case "rename", "renamenx": return [event(1, "rename_from", "g"), event(2, "rename_to", "g")]
        case "copy": return [event(2, "copy_to", "g")]
        case "move": return [event(1, "move_from", "g")]
        case "lpush", "lpushx": return keys.map { event($0, "lpush", "l") }
        case "rpush", "rpushx": return keys.map { event($0, "rpush", "l") }
        case "lpop", "rpop", "linsert", "lset", "ltrim", "lrem": return keys.map { event($0, name, "l") }
        case "lmove", "rpoplpush":
            let from = name == "rpoplpush" || arguments[3].lowercasedASCII == "right" ? "rpop" : "lpop"
            let to = name == "rpoplpush" || arguments[4].lowercasedASCII == "left" ? "lpush" : "rpush"
            return [event(2, to, "l"), event(1, from, "l")]
        case "sadd", "srem", "spop": return keys.map { event($0, name, "s") }
        case "smove": return [event(1, "srem", "s"), event(2, "sadd", "s")]
        case "sinterstore", "sunionstore", "sdiffstore": return [event(1, name, "s")]
        case "hset", "hmset", "hsetnx": return keys.map { event($0, "hset", "h") }
        case "hdel", "hincrby", "hincrbyfloat": return keys.map { event($0, name, "h") }
        case "zadd": return keys.map { event($0, arguments.contains { $0.lowercasedASCII == "incr" } ? "zincr" : "zadd", "z") }
        case "zincrby": return keys.map { event($0, "zincr", "z") }
        // GEOADD runs as a ZADD in Redis, and is announced as one.
        case "geoadd": return keys.map { event($0, "zadd", "z") }
        case "zrem", "zremrangebyrank", "zremrangebyscore", "zremrangebylex", "zpopmin", "zpopmax":
            return keys.map { event($0, name, "z") }
        case "zunionstore", "zinterstore", "zdiffstore", "zrangestore": return [event(1, name, "z")]
        case "flushdb", "flushall", "swapdb", "select": return []
        default: return []
        }
    }
}
