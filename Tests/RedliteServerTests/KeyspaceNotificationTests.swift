import NIOCore
import RESP
import RedisTestSupport
import Testing

/// The same writes with `notify-keyspace-events` on, against redis-server and redlite serve: the
/// streams of keyspace and keyevent messages must be the same.
@Suite("Keyspace notifications")
struct KeyspaceNotificationTests {
    /// Messages the subscriber has received so far: a PING on its own connection comes back after them.
    static func drain(_ subscriber: RedisTestConnection) throws -> [RESPValue] {
        var buffer = ByteBuffer()
        buffer.writeRESPCommand(["PING"])
        try subscriber.write(buffer)
        var messages: [RESPValue] = []
        for _ in 0..<1000 {
            let value = try subscriber.readValue()
            if value == .array([.bulk("pong"), .bulk("")]) { return messages }
            messages.append(value)
        }
        return messages
    }

    @Test("a key's `expired` event comes soon after it expires, unasked, as from Redis's active expiry")
    func expiredEventsArriveOnTime() async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        for (name, port) in [("redis", redis.port), ("redlite", served.port)] {
            let writer = try RedisTestConnection(port: port)
            // Each read waits at most 3 s: Redlite's sweep interval (60 s) is far longer.
            let subscriber = try RedisTestConnection(port: port, timeout: .seconds(3))
            #expect(try writer.run("CONFIG", "SET", "notify-keyspace-events", "Ex") == .ok)
            _ = try subscriber.run("SUBSCRIBE", "__keyevent@0__:expired")
            #expect(try writer.run("SET", "session", "v", "PX", "150") == .ok)
            #expect(try writer.run("SET", "later", "v") == .ok)
            #expect(try writer.run("PEXPIRE", "later", "300") == .integer(1))
            var expired: [String] = []
            for _ in 0..<2 {
                guard let message = try? subscriber.readValue() else { break }
                if case .array(let parts) = message, parts.count == 3, let key = parts[2].string { expired.append(key) }
            }
            #expect(expired == ["session", "later"], "\(name): \(expired)")
            #expect(try writer.run("EXISTS", "session", "later") == .integer(0))
        }
        await served.stop()
    }

    @Test("the notification stream matches redis-server", arguments: ["KEA", "Kl", "Eg$", "Ez"])
    func stream(classes: String) async throws {
        let redis = try RedisServer.start()
        defer { redis.stop() }
        let served = try await ServedRedlite.start()
        let targets: [(writer: RedisTestConnection, subscriber: RedisTestConnection)] = [
            (try redis.connect(), try redis.connect()), (try served.connect(), try served.connect()),
        ]
        for target in targets {
            #expect(try target.writer.run("CONFIG", "SET", "notify-keyspace-events", classes) == .ok)
            _ = try target.subscriber.run("PSUBSCRIBE", "__key*@*__:*")
        }
        let commands: [[String]] = [
            ["SET", "s", "v"], ["SET", "s", "v", "EX", "100"], ["INCR", "n"], ["INCRBY", "n", "5"], ["DECR", "n"], ["APPEND", "s", "x"],
            ["SETRANGE", "s", "0", "y"], ["INCRBYFLOAT", "f", "1.5"], ["MSET", "a", "1", "b", "2"], ["SETNX", "a", "3"], ["GETDEL", "b"],
            ["EXPIRE", "a", "100"], ["PERSIST", "a"], ["PERSIST", "a"], ["RENAME", "a", "c"], ["DEL", "c", "none"], ["DEL", "none"],
            ["RPUSH", "l", "1", "2", "3"], ["LPUSH", "l", "0"], ["LPOP", "l"], ["RPOP", "l"], ["LSET", "l", "0", "x"], ["LINSERT", "l", "AFTER", "x", "y"],
            ["LREM", "l", "0", "y"], ["LTRIM", "l", "0", "0"], ["LMOVE", "l", "l2", "LEFT", "RIGHT"],
            ["SADD", "st", "a", "b"], ["SADD", "st", "a"], ["SREM", "st", "a"], ["SMOVE", "st", "st2", "b"], ["SINTERSTORE", "st3", "st2"],
            ["HSET", "h", "f", "v"], ["HINCRBY", "h", "n", "1"], ["HDEL", "h", "f"], ["HDEL", "h", "none"],
            ["ZADD", "z", "1", "a", "2", "b"], ["ZINCRBY", "z", "1", "a"], ["ZREM", "z", "a"], ["ZADD", "z", "1", "c"], ["ZPOPMIN", "z"],
            ["ZUNIONSTORE", "z2", "1", "z"], ["COPY", "z2", "z3"],
            // SORT … STORE: sortstore for a result, del for an empty one over an existing key.
            ["RPUSH", "sl", "2", "1"], ["SORT", "sl", "STORE", "sd"], ["SORT", "none", "STORE", "sd"], ["SORT", "none", "STORE", "sd"],
            ["SORT", "sl"], ["PFADD", "hll", "a"], ["PFADD", "hll", "a"], ["PFMERGE", "hll2", "hll"],
            ["BITFIELD", "bf", "SET", "u8", "0", "1"], ["BITFIELD", "bf", "GET", "u8", "0"], ["BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "300"],
            ["GEOADD", "geo", "13.361389", "38.115556", "Palermo"], ["GEOADD", "geo", "13.361389", "38.115556", "Palermo"],
            ["GEORADIUS", "geo", "13", "38", "100", "km", "STORE", "near"], ["GEOSEARCHSTORE", "near2", "geo", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"],
            ["GEOSEARCHSTORE", "near2", "geo", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"],
        ]
        for command in commands {
            let replies = try targets.map { try $0.writer.send(command) }
            let streams = try targets.map { try Self.drain($0.subscriber) }
            #expect(replies[0] == replies[1] || command[0] == "SET", "\(command): replies \(replies[0]) vs \(replies[1])")
            #expect(streams[0] == streams[1], "\(command): redis \(streams[0])\nredlite \(streams[1])")
        }
        // Writes to keys that have expired: each key's `expired` event comes before the write's,
        // whatever the command then does (SET … XX answers null). Either server's active expiry may
        // remove a key before the write does, even while the keys are being set up, which moves its
        // `expired` event earlier in the stream but not among the events about that key: the streams
        // are compared key by key, counting the `expired` events that arrive during the set-up too.
        func tally(_ messages: [RESPValue], into events: inout [String: [String]], expiredOnly: Bool) {
            for message in messages {
                guard case .array(let parts) = message, parts.count == 4, let channel = parts[2].string, let payload = parts[3].string else { continue }
                let (key, event) = channel.hasPrefix("__keyspace@")
                    ? (String(channel.split(separator: ":", maxSplits: 1)[1]), "keyspace " + payload)
                    : (payload, "keyevent " + String(channel.split(separator: ":", maxSplits: 1)[1]))
                if !expiredOnly || event.hasSuffix(" expired") { events[key, default: []].append(event) }
            }
        }
        var byKey: [[String: [String]]] = [[:], [:]]
        for (index, target) in targets.enumerated() {
            for command in [["SET", "e1", "v"], ["SET", "e2", "v"], ["RPUSH", "e3", "a"], ["HSET", "e4", "f", "v"], ["SET", "e5", "v"]] {
                _ = try target.writer.send(command)
                _ = try target.writer.send(["PEXPIRE", command[1], "1"])
            }
            tally(try Self.drain(target.subscriber), into: &byKey[index], expiredOnly: true)
        }
        try await Task.sleep(for: .milliseconds(30))
        for (index, target) in targets.enumerated() {
            for command in [["SET", "e1", "w"], ["SET", "e2", "w", "XX"], ["LPUSH", "e3", "b"], ["SET", "e4", "w"], ["MSET", "e5", "w", "e6", "x"]] {
                _ = try target.writer.send(command)
            }
            tally(try Self.drain(target.subscriber), into: &byKey[index], expiredOnly: false)
        }
        #expect(byKey[0] == byKey[1], "redis \(byKey[0])\nredlite \(byKey[1])")
        if classes == "KEA" { #expect(byKey[1]["e2"] == ["keyspace expired", "keyevent expired"]) }
        await served.stop()
    }
}
