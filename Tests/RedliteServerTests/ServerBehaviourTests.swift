import Foundation
import MetricsTestKit
import NIOCore
import RESP
import RedisTestSupport
import Redlite
@testable import RedliteServer
import Testing

@Suite("redlite serve: protocol, connections, transactions, pub/sub, security")
struct ServerBehaviourTests {
    @Test("inline commands, pipelines and RESP3")
    func protocolBasics() async throws {
        let served = try await ServedRedlite.start()
        let connection = try served.connect()
        try connection.write(ByteBuffer(string: "SET greeting \"hello world\"\r\nGET greeting\r\n"))
        #expect(try connection.readValue() == .ok)
        #expect(try connection.readValue() == .bulk("hello world"))
        let replies = try connection.pipeline((0..<1000).map { _ in ["INCR", "counter"] })
        #expect(replies.last == .integer(1000))
        #expect(try connection.run("HSET", "h", "f", "v") == .integer(1))
        guard case .map = try connection.run("HELLO", "3") else {
            Issue.record("HELLO 3 did not answer a map")
            return
        }
        #expect(try connection.run("HGETALL", "h") == .map([.init(.bulk("f"), .bulk("v"))]))
        #expect(try connection.run("GET", "missing") == .null)
        await served.stop()
    }

    @Test("a protocol error gets Redis's text and closes only that connection")
    func protocolError() async throws {
        let served = try await ServedRedlite.start()
        let bad = try served.connect()
        let good = try served.connect()
        try bad.write(ByteBuffer(string: "*1\r\n$-5\r\n"))
        var rest = try bad.readUntilClosed()
        var decoder = RESPValueDecoder()
        #expect(try decoder.decode(from: &rest) == .simpleError("ERR Protocol error: invalid bulk length"))
        #expect(try good.run("PING") == .simpleString("PONG"))
        await served.stop()
    }

    @Test("requests that arrived before a protocol error are answered (and applied) first")
    func requestsBeforeProtocolError() async throws {
        let served = try await ServedRedlite.start()
        let bad = try served.connect()
        try bad.write(ByteBuffer(string: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\nPING\r\n*1\r\n$-5\r\n"))
        var rest = try bad.readUntilClosed()
        var decoder = RESPValueDecoder()
        #expect(try decoder.decode(from: &rest) == .simpleString("OK"))
        #expect(try decoder.decode(from: &rest) == .bulkString(ByteBuffer(string: "v")))
        #expect(try decoder.decode(from: &rest) == .simpleString("PONG"))
        #expect(try decoder.decode(from: &rest) == .simpleError("ERR Protocol error: invalid bulk length"))
        #expect(try served.connect().run("GET", "k") == .bulk("v"))
        await served.stop()
    }

    @Test("pipelined reads on one connection see every write acknowledged to another")
    func pipelinedReadsSeeOtherConnectionsWrites() async throws {
        let served = try await ServedRedlite.start()
        let writer = try served.connect()
        let reader = try served.connect()
        for round in 0..<300 {
            #expect(try writer.run("SET", "k", "\(round)") == .ok)
            #expect(try writer.run("HSET", "h", "f\(round % 7)", "\(round)") == .integer(round < 7 ? 1 : 0))
            let replies = try reader.pipeline([["GET", "k"], ["HGET", "h", "f\(round % 7)"], ["GET", "k"], ["EXISTS", "k", "h"]])
            #expect(replies == [.bulk("\(round)"), .bulk("\(round)"), .bulk("\(round)"), .integer(2)])
            // And a lone read right after a write of the same connection.
            #expect(try reader.run("INCR", "n") == .integer(Int64(round + 1)))
            #expect(try reader.run("GET", "n") == .bulk("\(round + 1)"))
        }
        await served.stop()
    }

    @Test("the query-buffer limit holds for unparsed input, for requests waiting behind a blocked one, and for both together")
    func queryBufferLimit() async throws {
        let served = try await ServedRedlite.start { $0.queryBufferLimit = 64 * 1024 }
        // Unparsed: one bulk string announced larger than the limit, sent in part.
        let unparsed = try served.connect()
        try unparsed.write(ByteBuffer(string: "*2\r\n$4\r\nECHO\r\n$200000\r\n" + String(repeating: "x", count: 100_000)))
        // The server closes with input unread, so the kernel may reset the connection and drop the
        // error reply before the client reads it (Redis behaves the same); closed it must be.
        let limitError = RESPValue.simpleError("ERR query buffer limit exceeded")
        #expect(try Self.lastWords(of: unparsed).map { $0 == limitError } ?? true)
        // Parsed but waiting: a client blocked in BLPOP that keeps sending writes.
        let blocked = try served.connect()
        var requests = ByteBuffer()
        requests.writeRESPCommand(["BLPOP", "nothing", "0"])
        for index in 0..<2000 { requests.writeRESPCommand(["SET", "queued:\(index)", String(repeating: "v", count: 40)]) }
        try? blocked.write(requests)
        #expect(try Self.lastWords(of: blocked).map { $0 == limitError } ?? true)
        // Both at once, each under the limit and their sum over it: requests waiting behind a blocked
        // one (about 40 KiB) and an unfinished one (30 KiB).
        let both = try served.connect()
        var waiting = ByteBuffer()
        waiting.writeRESPCommand(["BLPOP", "nothing", "0"])
        for index in 0..<400 { waiting.writeRESPCommand(["SET", "waiting:\(index)", String(repeating: "v", count: 40)]) }
        try both.write(waiting)
        try await Task.sleep(for: .milliseconds(200))
        try? both.write(ByteBuffer(string: "*2\r\n$4\r\nECHO\r\n$100000\r\n" + String(repeating: "x", count: 30_000)))
        #expect(try Self.lastWords(of: both).map { $0 == limitError } ?? true)
        // Others are unaffected; nothing queued behind the blocked requests ran, and they left no waiter.
        let other = try served.connect()
        #expect(try other.run("EXISTS", "queued:0", "queued:1999", "waiting:0", "waiting:399") == .integer(0))
        #expect(try other.run("LPUSH", "nothing", "x") == .integer(1))
        #expect(try other.run("LLEN", "nothing") == .integer(1))
        await served.stop()
    }

    @Test("a MULTI queue, WATCHed keys and subscriptions count toward the query-buffer limit: a client that queues, watches or subscribes without end is closed, and nothing it queued runs")
    func transactionStateLimit() async throws {
        let served = try await ServedRedlite.start { $0.queryBufferLimit = 64 * 1024 }
        let limitError = RESPValue.simpleError("ERR query buffer limit exceeded")
        // 2,000 queued SETs of ~60 bytes each, sent as separate writes so that each is processed
        // (and queued) before the next arrives: the unprocessed input alone never nears the limit.
        let queuing = try served.connect()
        #expect(try queuing.run("MULTI") == .ok)
        var closed = false
        for index in 0..<2000 where !closed {
            do {
                let reply = try queuing.run("SET", "queued:\(index)", String(repeating: "v", count: 40))
                if reply == limitError { closed = true } else { #expect(reply == .simpleString("QUEUED")) }
            } catch {
                closed = true  // closed before the reply could be read
            }
        }
        #expect(closed)
        let watching = try served.connect()
        closed = false
        for index in 0..<2000 where !closed {
            do {
                let reply = try watching.run("WATCH", "watched:\(index):" + String(repeating: "k", count: 40))
                if reply == limitError { closed = true } else { #expect(reply == .ok) }
            } catch {
                closed = true
            }
        }
        #expect(closed)
        // Subscriptions likewise, counted down again by UNSUBSCRIBE.
        let subscriber = try served.connect()
        for index in 0..<200 { _ = try subscriber.run("SUBSCRIBE", "channel:\(index):" + String(repeating: "c", count: 40)) }
        for index in 0..<200 { _ = try subscriber.run("UNSUBSCRIBE", "channel:\(index):" + String(repeating: "c", count: 40)) }
        closed = false
        for index in 0..<2000 where !closed {
            do {
                let reply = try subscriber.run("PSUBSCRIBE", "pattern:\(index):" + String(repeating: "p", count: 40))
                if reply == limitError { closed = true } else { #expect(reply.elements?.count == 3) }
            } catch {
                closed = true
            }
        }
        #expect(closed)
        let other = try served.connect()
        #expect(try other.run("EXISTS", "queued:0", "queued:100") == .integer(0))
        #expect(try other.run("PUBSUB", "NUMPAT") == .integer(0))
        // Under the limit, a transaction as large as it allows runs whole, and the count starts over.
        let large = try served.connect()
        for _ in 0..<2 {
            #expect(try large.run("MULTI") == .ok)
            for index in 0..<300 { #expect(try large.run("SET", "large:\(index)", String(repeating: "v", count: 40)) == .simpleString("QUEUED")) }
            #expect(try large.run("EXEC").elements?.count == 300)
        }
        #expect(try other.run("EXISTS", "large:0", "large:299") == .integer(2))
        await served.stop()
    }

    /// The first reply before the server closed the connection, or nil when it was reset.
    static func lastWords(of connection: RedisTestConnection) throws -> RESPValue? {
        do {
            var rest = try connection.readUntilClosed()
            var decoder = RESPValueDecoder()
            return try decoder.decode(from: &rest)
        } catch RedisTestConnectionError.readFailed(errno: ECONNRESET) {
            return nil
        }
    }

    @Test("requirepass and users: NOAUTH, WRONGPASS, AUTH, HELLO AUTH")
    func authentication() async throws {
        let served = try await ServedRedlite.start { configuration in
            configuration.requirePass = "s3cret"
            configuration.users = ["alice": "wonderland"]
        }
        let connection = try served.connect()
        #expect(try connection.run("GET", "k") == .simpleError("NOAUTH Authentication required."))
        #expect(try connection.run("AUTH", "wrong") == .simpleError("WRONGPASS invalid username-password pair or user is disabled."))
        #expect(try connection.run("AUTH", "s3cret") == .ok)
        #expect(try connection.run("SET", "k", "v") == .ok)
        let alice = try served.connect()
        #expect(try alice.run("AUTH", "alice", "nope").isError)
        #expect(try alice.run("AUTH", "alice", "wonderland") == .ok)
        #expect(try alice.run("GET", "k") == .bulk("v"))
        let hello = try served.connect()
        guard case .map = try hello.run("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "h3") else {
            Issue.record("HELLO with AUTH failed")
            return
        }
        #expect(try hello.run("CLIENT", "GETNAME") == .bulk("h3"))
        await served.stop()
    }

    @Test("WATCH: a change by another client, an expiry or a flush makes EXEC return null")
    func watchConflicts() async throws {
        let served = try await ServedRedlite.start()
        let first = try served.connect()
        let second = try served.connect()
        try first.run("SET", "balance", "10")
        try first.run("WATCH", "balance")
        try second.run("INCRBY", "balance", "5")
        try first.run("MULTI")
        try first.run("DECRBY", "balance", "3")
        #expect(try first.run("EXEC") == .nullArray)
        #expect(try first.run("GET", "balance") == .bulk("15"))

        try first.run("WATCH", "balance")
        try first.run("MULTI")
        try first.run("DECRBY", "balance", "3")
        #expect(try first.run("EXEC") == .array([.integer(12)]))

        try first.run("SET", "short", "v", "PX", "400")
        try first.run("WATCH", "short")
        try await Task.sleep(for: .milliseconds(800))
        try first.run("MULTI")
        try first.run("SET", "x", "1")
        #expect(try first.run("EXEC") == .nullArray)

        try first.run("WATCH", "balance")
        try second.run("FLUSHALL")
        try first.run("MULTI")
        try first.run("SET", "x", "1")
        #expect(try first.run("EXEC") == .nullArray)
        await served.stop()
    }

    @Test("pub/sub across connections: channels, patterns, RESP2 restrictions, RESP3 pushes")
    func pubsub() async throws {
        let served = try await ServedRedlite.start()
        let subscriber = try served.connect()
        let publisher = try served.connect()
        #expect(try subscriber.run("SUBSCRIBE", "news") == .array([.bulk("subscribe"), .bulk("news"), .integer(1)]))
        try subscriber.write({ var b = ByteBuffer(); b.writeRESPCommand(["PSUBSCRIBE", "n*"]); return b }())
        #expect(try subscriber.readValue() == .array([.bulk("psubscribe"), .bulk("n*"), .integer(2)]))
        #expect(try publisher.run("PUBLISH", "news", "hello") == .integer(2))
        let first = try subscriber.readValue(), second = try subscriber.readValue()
        #expect(Set([first, second]) == [
            .array([.bulk("message"), .bulk("news"), .bulk("hello")]),
            .array([.bulk("pmessage"), .bulk("n*"), .bulk("news"), .bulk("hello")]),
        ])
        #expect(try subscriber.run("GET", "k") == .simpleError("ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"))
        #expect(try subscriber.run("PING") == .array([.bulk("pong"), .bulk("")]))
        #expect(try publisher.run("PUBSUB", "NUMSUB", "news") == .array([.bulk("news"), .integer(1)]))
        #expect(try subscriber.run("UNSUBSCRIBE", "news") == .array([.bulk("unsubscribe"), .bulk("news"), .integer(1)]))
        #expect(try subscriber.run("PUNSUBSCRIBE") == .array([.bulk("punsubscribe"), .bulk("n*"), .integer(0)]))
        #expect(try subscriber.run("GET", "k") == .nullBulkString)

        let resp3 = try served.connect()
        try resp3.run("HELLO", "3")
        #expect(try resp3.run("SUBSCRIBE", "events") == .push([.bulk("subscribe"), .bulk("events"), .integer(1)]))
        #expect(try resp3.run("SET", "k", "v") == .ok)  // RESP3 allows normal commands while subscribed
        #expect(try publisher.run("PUBLISH", "events", "e1") == .integer(1))
        #expect(try resp3.readValue() == .push([.bulk("message"), .bulk("events"), .bulk("e1")]))
        await served.stop()
    }

    @Test("clients that go away leave nothing behind: subscribers, clients blocked in BLPOP or WAIT and monitors are freed, their registrations gone")
    func departedClientsAreFreed() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        func alive() -> Int64 { served.server.context.connectionHandlersAlive.current }
        for _ in 0..<3 {
            let subscriber = try served.connect()
            _ = try subscriber.run("SUBSCRIBE", "news")
            _ = try subscriber.run("PSUBSCRIBE", "n*")
            let resp3 = try served.connect()
            _ = try resp3.run("HELLO", "3")
            _ = try resp3.run("SSUBSCRIBE", "shard")
            let blocked = try served.connect()
            try blocked.write({ var b = ByteBuffer(); b.writeRESPCommand(["BLPOP", "queue", "0"]); return b }())
            let waiting = try served.connect()
            try waiting.write({ var b = ByteBuffer(); b.writeRESPCommand(["WAIT", "1", "0"]); return b }())
            let monitor = try served.connect()
            _ = try monitor.run("MONITOR")
            // Until the server has the BLPOP and the WAIT, closing would not test their clean-up.
            for _ in 0..<100 {
                if case .integer(let count) = try admin.run("INFO", "clients").string.map({ text -> RESPValue in
                    let line = text.split(separator: "\r\n").first { $0.hasPrefix("blocked_clients:") }
                    return .integer(Int64(line?.split(separator: ":").last ?? "0") ?? 0)
                }) ?? .null, count == 2 { break }
                try await Task.sleep(for: .milliseconds(20))
            }
            for connection in [subscriber, resp3, blocked, waiting, monitor] { connection.close() }
        }
        // Bounded wait (5 s) for the event loop to see the closes.
        for _ in 0..<250 where alive() != 1 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(alive() == 1, "connection handlers still in memory besides the admin's: \(alive() - 1)")
        #expect(try admin.run("PUBSUB", "NUMSUB", "news") == .array([.bulk("news"), .integer(0)]))
        #expect(try admin.run("PUBSUB", "NUMPAT") == .integer(0))
        #expect(try admin.run("PUBSUB", "SHARDNUMSUB", "shard") == .array([.bulk("shard"), .integer(0)]))
        // No dead client takes the element.
        #expect(try admin.run("RPUSH", "queue", "job") == .integer(1))
        #expect(try admin.run("LLEN", "queue") == .integer(1))
        await served.stop()
    }

    @Test("a subscriber that stops reading is disconnected at the output-buffer limit; others are unaffected")
    func slowSubscriber() async throws {
        let served = try await ServedRedlite.start { configuration in
            configuration.pubsubOutputLimit = .init(hard: 256 * 1024, soft: 128 * 1024, softSeconds: 60)
        }
        let slow = try served.connect(timeout: .seconds(5))
        try slow.run("SUBSCRIBE", "firehose")
        let publisher = try served.connect()
        let payload = String(repeating: "x", count: 16 * 1024)
        // Bounded: at most 4,000 messages of 16 KB (64 MB offered), stopping once nobody listens.
        let receivers = try await served.publishUntilNobodyListens(channel: "firehose", payload: payload, limit: 4_000)
        #expect(receivers.last == .integer(0), "the slow subscriber was never disconnected")
        #expect(try publisher.run("PUBSUB", "NUMSUB", "firehose") == .array([.bulk("firehose"), .integer(0)]))
        #expect(try publisher.run("PING") == .simpleString("PONG"))
        await served.stop()
    }

    /// What a fuzzer of server commands found (CLIENT SETINFO with too few arguments crashed the
    /// server): every server command and subcommand, with random arguments drawn from numbers,
    /// option words and names, must be answered, and the server must stay up for every client.
    @Test("server commands with random arguments are each answered; the server stays up", arguments: [UInt64(3), 4])
    func serverCommandFuzz(seed: UInt64) async throws {
        let served = try await ServedRedlite.start()
        try await offloaded {
            var rng = SeededGenerator(seed: seed)
            func pick<T>(_ items: [T]) -> T { items[Int(rng.next() % UInt64(items.count))] }
            // Left out: what ends or changes the connection's protocol (QUIT, RESET, HELLO 3, SUBSCRIBE,
            // MONITOR, CLIENT REPLY OFF), stops or stalls the server (SHUTDOWN, CLIENT PAUSE, DEBUG,
            // WAIT) or closes other clients (CLIENT KILL).
            let commands: [String: [String]] = [
                "auth": ["default", "x", ""], "ping": [], "select": ["0", "1", "99", "x"], "watch": ["k"], "unwatch": [],
                "publish": ["ch"], "spublish": ["ch"], "pubsub": ["channels", "numsub", "numpat", "shardchannels", "shardnumsub", "help", "x"],
                "slowlog": ["get", "len", "reset", "help", "x"], "client": [
                    "id", "setname", "getname", "list", "info", "no-evict", "setinfo", "unblock", "getredir", "trackinginfo", "caching",
                    "help", "x", "tracking", "no-touch",
                ],
                "config": ["get", "resetstat", "help", "rewrite", "x"], "command": ["count", "info", "docs", "list", "getkeys", "getkeysandflags", "help", "x"],
                "info": ["server", "all", "x", "keyspace", "commandstats"], "role": [], "lastsave": [],
                "memory": ["usage", "stats", "doctor", "purge", "help", "x"], "multi": [], "discard": [], "exec": [], "echo": [], "time": [],
                "acl": ["whoami", "users", "list", "getuser", "cat", "genpass", "dryrun", "log", "deluser", "setuser", "load", "save", "help", "x"],
            ]
            let values = [
                "", "x", "k", "0", "1", "-1", "99999999999999999999", "-9223372036854775808", "lib-name", "lib-ver", "ID", "ADDR", "LADDR",
                "USER", "TYPE", "SKIPME", "MAXAGE", "normal", "pubsub", "yes", "no", "on", "off", "TIMEOUT", "ERROR", "get", "set",
                "FILTERBY", "ACLCAT", "PATTERN", "MODULE", "*", "a b", "maxclients", "AUTH", "SETNAME", "default", "MSET", "ZADD",
                "SORT", "MIGRATE", "GET", "client|list", "SAMPLES", "RESET", "string", "4096", "alice",
            ]
            let connection = try served.connect()
            let names = commands.keys.sorted()
            for _ in 0..<1500 {
                let name = pick(names)
                var words = [name]
                if let subcommands = commands[name], !subcommands.isEmpty, rng.next() % 10 != 0 { words.append(pick(subcommands)) }
                words += (0..<Int(rng.next() % 5)).map { _ in pick(values) }
                _ = try connection.send(words)
            }
            _ = try connection.send(["DISCARD"])
            #expect(try connection.run("PING") == .simpleString("PONG"))
            #expect(try served.connect().run("PING") == .simpleString("PONG"))
        }
        await served.stop()
    }

    /// Connections that send random RESP fragments and random bytes, then go: whatever each gets
    /// back (replies, a protocol error, a closed connection), the server must answer the next client.
    @Test("random RESP fragments and random bytes on 300 connections leave the server answering", arguments: [UInt64(5)])
    func byteFuzz(seed: UInt64) async throws {
        let served = try await ServedRedlite.start()
        try await offloaded {
            var rng = SeededGenerator(seed: seed)
            let pieces = [
                "*", "$", "+", "-", ":", "\r\n", "\r", "\n", "0", "1", "-1", "3", "9223372036854775807", "-9223372036854775808",
                "99999999999999999999", "1048576", "536870913", "SET", "GET", "PING", "MULTI", "EXEC", "CLIENT", "SETINFO", "HELLO",
                "AUTH", "\u{0}", " ", "\"", "'", "\\", "a", "k", "LPUSH", "SUBSCRIBE", "BLPOP", String(repeating: "x", count: 100),
            ].map { Array($0.utf8) }
            for _ in 0..<300 {
                var bytes: [UInt8] = []
                if rng.next() % 10 < 3 {
                    bytes = (0..<(1 + Int(rng.next() % 200))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                } else {
                    for _ in 0..<(1 + Int(rng.next() % 60)) { bytes += pieces[Int(rng.next() % UInt64(pieces.count))] }
                }
                let connection = try served.connect(timeout: .milliseconds(20))
                try? connection.write(ByteBuffer(bytes: bytes))
                _ = try? connection.readValue()
                connection.close()
            }
            #expect(try served.connect().run("PING") == .simpleString("PONG"))
        }
        await served.stop()
    }

    @Test("timeouts longer than the event loop's clock can count (BLPOP, WAIT) wait until served or unblocked, and crash nothing")
    func hugeTimeouts() async throws {
        let served = try await ServedRedlite.start()
        let other = try served.connect()
        // 9,223,372,036,854 seconds: in Redis's range (its milliseconds fit a long long), far
        // past NIO's (about 292 years of nanoseconds). Both had overflowed and crashed the server.
        let blocked = try served.connect(timeout: .seconds(5))
        try blocked.write(ByteBuffer(string: "BLPOP huge 9223372036854\r\n"))
        let waiting = try served.connect(timeout: .seconds(5))
        guard case .integer(let waitingID) = try waiting.run("CLIENT", "ID") else {
            Issue.record("CLIENT ID")
            return
        }
        try waiting.write(ByteBuffer(string: "WAIT 1 9223372036854775807\r\n"))
        try await Task.sleep(for: .milliseconds(200))
        #expect(try other.run("PING") == .simpleString("PONG"))
        #expect(try other.run("RPUSH", "huge", "x") == .integer(1))
        #expect(try blocked.readValue() == .array([.bulk("huge"), .bulk("x")]))
        #expect(try other.run("CLIENT", "UNBLOCK", String(waitingID)) == .integer(1))
        #expect(try waiting.readValue() == .integer(0))
        await served.stop()
    }

    @Test("CLIENT LIST, CLIENT KILL, maxclients")
    func clients() async throws {
        let served = try await ServedRedlite.start { $0.maxClients = 3 }
        let admin = try served.connect()
        let victim = try served.connect()
        try victim.run("CLIENT", "SETNAME", "victim")
        guard case .integer(let victimID) = try victim.run("CLIENT", "ID") else {
            Issue.record("CLIENT ID")
            return
        }
        // CLIENT SETINFO is newer than the command table: its arity is checked all the same (a short
        // request had crashed the server reading arguments that were not there).
        #expect(try victim.run("CLIENT", "SETINFO", "lib-name") == .simpleError("ERR wrong number of arguments for 'client|setinfo' command"))
        #expect(try victim.run("CLIENT", "SETINFO") == .simpleError("ERR wrong number of arguments for 'client|setinfo' command"))
        #expect(try victim.run("MULTI") == .ok)
        #expect(try victim.run("CLIENT", "SETINFO", "lib-ver") == .simpleError("ERR wrong number of arguments for 'client|setinfo' command"))
        #expect(try victim.run("DISCARD") == .ok)
        #expect(try victim.run("CLIENT", "SETINFO", "lib-name", "tests") == .ok)
        let list = try admin.run("CLIENT", "LIST").string ?? ""
        #expect(list.contains("name=victim"))
        #expect(list.contains("lib-name=tests"))
        // The last command, a container's with its subcommand, as Redis lists it.
        #expect(list.contains("name=victim age=") && list.contains("cmd=client|setinfo "))
        #expect(list.contains("cmd=client|list "))
        #expect(try admin.run("CLIENT", "KILL", "ID", String(victimID)) == .integer(1))
        #expect(throws: (any Error).self) { try victim.run("PING") }
        let second = try served.connect()
        let third = try served.connect()
        _ = try second.run("PING")
        _ = try third.run("PING")
        let fourth = try served.connect()
        #expect(try fourth.readValue() == .simpleError("ERR max number of clients reached"))
        await served.stop()
    }
}

@Suite("MONITOR")
struct MonitorTests {
    @Test("a monitoring client sees other clients' commands as Redis formats them")
    func monitor() async throws {
        let served = try await ServedRedlite.start()
        let watcher = try served.connect()
        #expect(try watcher.run("MONITOR") == .ok)
        let worker = try served.connect()
        try worker.run("SET", "key", "a \"quoted\"\nvalue")
        try worker.run("AUTH", "secret")  // never shown: it can hold a password
        try worker.run("GET", "key")
        let first = try watcher.readValue(), second = try watcher.readValue()
        guard case .simpleString(let set) = first, case .simpleString(let get) = second else {
            Issue.record("unexpected monitor lines \(first) \(second)")
            return
        }
        #expect(set.hasSuffix(" \"SET\" \"key\" \"a \\\"quoted\\\"\\nvalue\""), "\(set)")
        #expect(set.contains(" [0 127.0.0.1:"))
        #expect(get.hasSuffix(" \"GET\" \"key\""), "\(get)")
        await served.stop()
    }
}

@Suite("Server metrics")
struct ServerMetricsTests {
    @Test("commands, errors, connections, command durations and commit batch sizes are recorded")
    func metrics() async throws {
        let metrics = TestMetrics()
        let served = try await ServedRedlite.start(metricsFactory: metrics)
        let connection = try served.connect()
        for index in 0..<10 { try connection.run("SET", "k\(index)", "v") }
        try connection.run("GET", "k1")
        _ = try connection.run("INCR", "k1")  // an error reply
        #expect(try metrics.expectCounter("redlite_commands_total").values.reduce(0, +) >= 12)
        #expect(try metrics.expectCounter("redlite_errors_total").values.reduce(0, +) == 1)
        #expect(try metrics.expectTimer("redlite_command_duration").values.count >= 11)
        #expect(try metrics.expectRecorder("redlite_commit_batch_size").values.count >= 10)
        #expect(try metrics.expectGauge("redlite_connections").lastValue == 1)
        await served.stop()
    }
}

@Suite("Replies to a client that does not read them")
struct NonReadingClientTests {
    @Test("a client that sends a large pipeline before reading is answered only as fast as it reads: no deadlock, nothing lost, bounded buffering")
    func nonReadingClient() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        // A 1,000-byte key makes each request 1 KiB, so the pipeline outgrows the kernel's socket
        // buffers (a few MiB each way on loopback) with few requests.
        let key = String(repeating: "k", count: 1_000)
        let value = String(repeating: "x", count: 64 * 1024)
        try admin.run("SET", key, value)
        func processed() throws -> Int {
            let info = try admin.run("INFO", "stats").string ?? ""
            let line = info.split(separator: "\r\n").first { $0.hasPrefix("total_commands_processed:") }
            return Int(line?.split(separator: ":").last ?? "") ?? -1
        }
        let before = try processed()

        // 20,000 GETs (20 MiB of requests) in one blocking write before reading any reply: it completes
        // only if the server keeps reading requests it does not answer yet. Answered into memory, the
        // replies would be 1.25 GiB.
        let requests = 20_000
        let slow = try served.connect(timeout: .seconds(30))
        var pipeline = ByteBuffer()
        for _ in 0..<requests { pipeline.writeString("*2\r\n$3\r\nGET\r\n$\(key.utf8.count)\r\n\(key)\r\n") }
        try slow.write(pipeline)

        // Wait (bounded) until the server stops making progress on them.
        var last = -1
        var polls = 0
        while polls < 50 {
            polls += 1
            try await Task.sleep(for: .milliseconds(200))
            // Each poll is itself one command (INFO).
            let now = try processed()
            defer { last = now }
            if now == last + 1 { break }
        }
        let answered = last - before - polls
        #expect(answered < 1_000, "the server answered \(answered) of \(requests) requests nobody read")

        // Reading again, the client gets the replies in order, and the server answers as it reads.
        let read = 200
        for index in 0..<read {
            let reply = try slow.readValue()
            guard reply == .bulk(value) else {
                Issue.record("reply \(index) is not the value")
                break
            }
        }
        #expect(try processed() - before > read)
        slow.close()
        #expect(try admin.run("PING") == .simpleString("PONG"))
        await served.stop()
    }
}

@Suite("redlite serve: saves and WAIT")
struct ServerAdministrationTests {
    /// The WAL's size in bytes (0 when it is absent).
    private static func walSize(_ served: ServedRedlite) -> Int {
        let wal = served.directory.appendingPathComponent("served.db-wal").path
        return (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
    }

    /// The value of one INFO field.
    private static func info(_ connection: RedisTestConnection, _ field: String) throws -> String? {
        // RESP2: INFO's verbatim text arrives as a bulk string.
        guard case .bulkString(let text) = try connection.run("INFO", "persistence") else { return nil }
        return String(buffer: text).split(separator: "\r\n").first { $0.hasPrefix("\(field):") }.map { String($0.dropFirst(field.count + 1)) }
    }

    @Test("SAVE, BGSAVE and BGREWRITEAOF leave the database file complete on its own; LASTSAVE and INFO persistence report them")
    func saves() async throws {
        let served = try await ServedRedlite.start()
        let connection = try served.connect()
        guard case .integer(let startedAt) = try connection.run("LASTSAVE") else {
            Issue.record("LASTSAVE is not an integer")
            return
        }
        for index in 0..<500 { #expect(try connection.run("SET", "k\(index)", "v\(index)") == .ok) }
        #expect(Self.walSize(served) > 0)
        #expect(try connection.run("SAVE") == .ok)
        #expect(Self.walSize(served) == 0)
        // The file alone, without its WAL, holds every key.
        let copy = served.directory.appendingPathComponent("copy.db")
        try FileManager.default.copyItem(at: served.directory.appendingPathComponent("served.db"), to: copy)
        let store = try RedliteStore.open(path: copy.path)
        var session = RedliteSession()
        #expect(store.execute("DBSIZE", session: &session) == .integer(500))
        #expect(store.execute("GET", "k499", session: &session) == .bulk("v499"))
        store.close()

        for (command, started) in [("BGSAVE", "Background saving started"), ("BGREWRITEAOF", "Background append only file rewriting started")] {
            for index in 0..<100 { #expect(try connection.run("SET", "\(command):\(index)", "v") == .ok) }
            #expect(Self.walSize(served) > 0)
            #expect(try connection.run(command) == .simpleString(started))
            let field = command == "BGSAVE" ? "rdb_bgsave_in_progress" : "aof_rewrite_in_progress"
            for _ in 0..<200 where try Self.info(connection, field) != "0" { try await Task.sleep(for: .milliseconds(25)) }
            #expect(try Self.info(connection, field) == "0")
            #expect(Self.walSize(served) == 0)
        }
        #expect(try Self.info(connection, "rdb_last_bgsave_status") == "ok")
        #expect(try Self.info(connection, "rdb_saves") == "2")
        #expect(try Self.info(connection, "aof_rewrites") == "1")
        guard case .integer(let savedAt) = try connection.run("LASTSAVE") else {
            Issue.record("LASTSAVE is not an integer")
            return
        }
        #expect(savedAt >= startedAt)
        #expect(try Self.info(connection, "rdb_last_save_time") == String(savedAt))
        await served.stop()
    }

    @Test("INFO stats: bytes in and out of every client, gone or not, and recent rates; CONFIG RESETSTAT starts the totals again")
    func networkStatistics() async throws {
        let served = try await ServedRedlite.start()
        let watcher = try served.connect()
        func stat(_ field: String) throws -> Double? {
            guard case .bulkString(let text) = try watcher.run("INFO", "stats") else { return nil }
            return String(buffer: text).split(separator: "\r\n").first { $0.hasPrefix("\(field):") }
                .flatMap { Double($0.dropFirst(field.count + 1)) }
        }
        let before = try stat("total_net_input_bytes") ?? 0
        let readsBefore = try stat("total_reads_processed") ?? 0, writesBefore = try stat("total_writes_processed") ?? 0
        // 2,000 PINGs of 14 bytes each, answered with 7 bytes each, over more than two seconds, on
        // a thread of its own; the connection is gone when INFO is asked.
        try await offloaded {
            let client = try served.connect()
            for round in 0..<20 {
                _ = try client.pipeline((0..<100).map { _ in ["PING"] })
                if round < 19 { Thread.sleep(forTimeInterval: 0.12) }
            }
            client.close()
        }
        try await Task.sleep(for: .milliseconds(200))
        let received = try #require(try stat("total_net_input_bytes")) - before
        let sent = try #require(try stat("total_net_output_bytes"))
        #expect(received >= 28_000)
        #expect(sent >= 14_000)
        // At least one read and one write per pipeline of 100, at most one per byte.
        let reads = try #require(try stat("total_reads_processed")) - readsBefore
        let writes = try #require(try stat("total_writes_processed")) - writesBefore
        #expect(reads >= 20 && reads <= received)
        #expect(writes >= 20 && writes <= sent)
        #expect(try #require(try stat("instantaneous_ops_per_sec")) > 0)
        #expect(try watcher.run("CONFIG", "RESETSTAT") == .ok)
        #expect(try #require(try stat("total_net_input_bytes")) < 1000)
        #expect(try #require(try stat("total_reads_processed")) < 10)
        await served.stop()
    }

    @Test("INFO has the fields clients and monitoring tools read, with real values: run_id, server time, peak memory, replication ids, avg_ttl")
    func infoFields() async throws {
        let served = try await ServedRedlite.start()
        let connection = try served.connect()
        func fields(_ section: String) throws -> [String: String] {
            guard case .bulkString(let text) = try connection.run("INFO", section) else { return [:] }
            var fields: [String: String] = [:]
            for line in String(buffer: text).split(separator: "\r\n") where !line.hasPrefix("#") {
                let parts = line.split(separator: ":", maxSplits: 1)
                if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
            }
            return fields
        }
        let hex = Set("0123456789abcdef")
        let server = try fields("server")
        let runID = try #require(server["run_id"])
        #expect(runID.count == 40 && runID.allSatisfy(hex.contains))
        #expect(try fields("server")["run_id"] == runID)
        let serverTime = try #require(server["server_time_usec"].flatMap { Double($0) }) / 1_000_000
        #expect(abs(serverTime - Date().timeIntervalSince1970) < 60)
        #expect(server["os"]?.hasPrefix("Linux ") == true)
        #expect(server["lru_clock"].flatMap { Int($0) }.map { $0 < 1 << 24 } == true)

        let memory = try fields("memory")
        let used = try #require(memory["used_memory"].flatMap { Int($0) }), peak = try #require(memory["used_memory_peak"].flatMap { Int($0) })
        #expect(used > 0 && peak >= used)
        #expect(memory["used_memory_peak_human"]?.hasSuffix("M") == true)
        #expect(try #require(memory["total_system_memory"].flatMap { Int($0) }) > peak)
        #expect(memory["maxmemory_human"] == "0B")

        let replication = try fields("replication")
        #expect(replication["master_replid"] == runID)
        #expect(replication["master_repl_offset"] == "0")
        #expect(replication["second_repl_offset"] == "-1")

        // The mean time to live of db0's volatile keys, in milliseconds: here 100 s and 200 s.
        #expect(try connection.run("SET", "a", "1", "EX", "100") == .ok)
        #expect(try connection.run("SET", "b", "1", "EX", "200") == .ok)
        #expect(try connection.run("SET", "c", "1") == .ok)
        let line = try #require(try fields("keyspace")["db0"])
        #expect(line.hasPrefix("keys=3,expires=2,avg_ttl="))
        let averageTTL = try #require(Int(line.split(separator: "=").last ?? ""))
        #expect(averageTTL > 140_000 && averageTTL <= 150_000)
        await served.stop()
    }

    @Test("CLIENT LIST reports each client's memory (qbuf of a request half received, multi-mem of a MULTI queue, argv-mem of the asking command); INFO clients has Redis 7.0's fields, clients_in_timeout_table counting blocked clients with a timeout")
    func clientMemory() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        func line(_ name: String) throws -> Substring? {
            guard let list = try admin.run("CLIENT", "LIST").string else { return nil }
            return list.split(separator: "\n").first { $0.contains(" name=\(name) ") }
        }
        func field(_ line: Substring?, _ name: String) -> Int? {
            line?.split(separator: " ").first { $0.hasPrefix("\(name)=") }.flatMap { Int($0.dropFirst(name.count + 1)) }
        }
        let partial = try served.connect(), queuing = try served.connect(), timed = try served.connect(), forever = try served.connect()
        #expect(try partial.run("CLIENT", "SETNAME", "partial") == .ok)
        #expect(try queuing.run("CLIENT", "SETNAME", "queuing") == .ok)
        try partial.write(ByteBuffer(string: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + String(repeating: "x", count: 5000)))
        #expect(try queuing.run("MULTI") == .ok)
        for index in 0..<20 { #expect(try queuing.run("SET", "k\(index)", String(repeating: "v", count: 100)) == .simpleString("QUEUED")) }
        try BlockingCommandTests.send(timed, "BLPOP", "nothing", "100")
        try BlockingCommandTests.send(forever, "BLPOP", "nothing", "0")
        try BlockingCommandTests.waitForBlocked(admin, 2)
        // Received in pieces: poll (bounded) until the half request has all arrived.
        var received = 0
        for _ in 0..<250 where received < 5000 {
            received = field(try line("partial"), "qbuf") ?? 0
            if received < 5000 { usleep(20_000) }
        }
        #expect(received >= 5000)
        let queued = try line("queuing")
        #expect((field(queued, "multi-mem") ?? 0) >= 20 * 100)
        #expect((field(queued, "tot-mem") ?? 0) >= (field(queued, "multi-mem") ?? 0))
        let list = try #require(admin.run("CLIENT", "LIST").string)
        #expect(list.split(separator: "\n").contains { $0.contains("cmd=client|list") && $0.contains(" argv-mem=10 ") })

        guard case .bulkString(let text) = try admin.run("INFO", "clients") else {
            Issue.record("INFO clients did not answer a bulk string")
            return
        }
        var info: [String: String] = [:]
        for entry in String(buffer: text).split(separator: "\r\n") where !entry.hasPrefix("#") {
            let parts = entry.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { info[String(parts[0])] = String(parts[1]) }
        }
        for name in ["connected_clients", "cluster_connections", "maxclients", "client_recent_max_input_buffer",
                     "client_recent_max_output_buffer", "blocked_clients", "tracking_clients", "clients_in_timeout_table"] {
            #expect(info[name] != nil, "INFO clients lacks \(name)")
        }
        #expect(info["blocked_clients"] == "2")
        #expect(info["clients_in_timeout_table"] == "1")
        #expect((info["client_recent_max_input_buffer"].flatMap { Int($0) } ?? 0) >= 5000)
        timed.close()
        forever.close()
        try BlockingCommandTests.waitForBlocked(admin, 0)
        #expect(try admin.run("INFO", "clients").string?.contains("clients_in_timeout_table:0\r\n") == true)
        await served.stop()
    }

    @Test("CONFIG REWRITE brings the configuration file up to the running settings: comments and other directives kept, managed ones replaced in place and their repeats dropped, missing ones appended; read back, it gives the running settings; a failure answers Redis's error")
    func configRewrite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("redlite-rewrite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("redlite.conf").path
        let original = "# Redlite settings\nmaxclients 100\nuser alice:secret\n\ntimeout 5\ntimeout 6\nslowlog-max-len 50\n"
        try original.write(toFile: path, atomically: true, encoding: .utf8)
        let served = try await ServedRedlite.start { configuration in
            try? configuration.apply(configurationFile: original)
            configuration.configFile = path
        }
        let connection = try served.connect()
        #expect(try connection.run("AUTH", "alice", "secret") == .ok)
        #expect(try connection.run("CONFIG", "SET", "maxclients", "200", "slowlog-max-len", "64", "notify-keyspace-events", "Kx",
                                   "requirepass", "two \"quoted\" words") == .ok)
        #expect(try connection.run("CONFIG", "REWRITE") == .ok)
        let rewritten = try String(contentsOfFile: path, encoding: .utf8)
        let lines = rewritten.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(Array(lines.prefix(7)) == ["# Redlite settings", "maxclients 200", "user alice:secret", "", "timeout 6", "slowlog-max-len 64",
                                          ServerConfiguration.generatedMarker])
        #expect(lines.contains(#"requirepass "two \"quoted\" words""#))
        #expect(lines.contains("notify-keyspace-events xK"))
        #expect(!lines.contains { $0.hasPrefix("slowlog-log-slower-than") })  // at its default, and not in the file
        var reread = ServerConfiguration()
        try reread.apply(configurationFile: rewritten)
        let running = served.server.context.configuration
        #expect(reread.maxClients == 200 && reread.slowlogMaxLength == 64 && reread.idleTimeout == 6)
        #expect(reread.requirePass == running.requirePass && reread.notifyKeyspaceEvents == "xK" && reread.users == ["alice": "secret"])
        #expect(reread.port == running.port && reread.tcpKeepAlive == running.tcpKeepAlive)
        // Rewritten again with nothing changed: the same file.
        #expect(try connection.run("CONFIG", "REWRITE") == .ok)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == rewritten)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["redlite.conf"])  // no temporary left
        try FileManager.default.removeItem(at: directory)
        #expect(try connection.run("CONFIG", "REWRITE") == .simpleError("ERR Rewriting config file: No such file or directory"))
        await served.stop()
    }

    @Test("INFO latencystats: the 50th, 99th and 99.9th percentiles of each command's execution times, only with ALL or by name; CONFIG RESETSTAT clears them")
    func latencyStatistics() async throws {
        let served = try await ServedRedlite.start()
        let connection = try served.connect()
        for index in 0..<200 { #expect(try connection.run("SET", "k\(index)", "v") == .ok) }
        #expect(try connection.run("CLIENT", "GETNAME") == .nullBulkString)
        func latencyLines(_ section: String) throws -> [String: String] {
            guard case .bulkString(let text) = try connection.run("INFO", section) else { return [:] }
            var fields: [String: String] = [:]
            for line in String(buffer: text).split(separator: "\r\n") where line.hasPrefix("latency_percentiles_usec_") {
                let parts = line.split(separator: ":", maxSplits: 1)
                fields[String(parts[0])] = String(parts[1])
            }
            return fields
        }
        #expect(try latencyLines("default").isEmpty)
        let lines = try latencyLines("latencystats")
        #expect(try latencyLines("all").keys.contains("latency_percentiles_usec_set"))
        let set = try #require(lines["latency_percentiles_usec_set"])
        let values = set.split(separator: ",").map { $0.split(separator: "=") }
        #expect(values.map { String($0[0]) } == ["p50", "p99", "p99.9"])
        let numbers = values.compactMap { Double($0[1]) }
        #expect(numbers.count == 3 && numbers[0] > 0 && numbers[0] <= numbers[1] && numbers[1] <= numbers[2])
        #expect(lines["latency_percentiles_usec_client|getname"] != nil)
        #expect(lines["latency_percentiles_usec_get"] == nil)  // never run
        #expect(try connection.run("CONFIG", "RESETSTAT") == .ok)
        #expect(try !latencyLines("latencystats").keys.contains("latency_percentiles_usec_set"))
        await served.stop()
    }

    @Test("WAIT for replicas a standalone server does not have: 0 after the timeout, or never with timeout 0, holding the client's later requests; a client that leaves meanwhile leaves nothing behind")
    func waitForReplicas() async throws {
        let served = try await ServedRedlite.start()
        let timed = try served.connect()
        try timed.write(ByteBuffer(string: "WAIT 1 150\r\nPING\r\n"))
        #expect(try timed.readValue() == .integer(0))
        #expect(try timed.readValue() == .simpleString("PONG"))

        let forever = try served.connect(timeout: .milliseconds(400))
        try forever.write(ByteBuffer(string: "WAIT 1 0\r\nPING\r\n"))
        #expect(throws: RedisTestConnectionError.self) { try forever.readValue() }
        forever.close()
        let other = try served.connect()
        #expect(try other.run("WAIT", "0", "0") == .integer(0))
        #expect(try other.run("PING") == .simpleString("PONG"))
        await served.stop()
    }
}

@Suite("redlite serve: idle clients and dead peers")
struct ServerConnectionLifetimeTests {
    /// The timer of the server's end of `connection` once no reply is in flight, from
    /// /proc/net/tcp: the `tr` column is 2 while a keepalive timer runs, 0 with no timer, and 1 (the
    /// retransmission timer) while sent bytes await their acknowledgement. Polled for at most a second.
    private static func settledTimer(of connection: RedisTestConnection, serverPort: Int) async throws -> String? {
        guard case .bulkString(let info) = try connection.run("CLIENT", "INFO"),
              let address = String(buffer: info).split(separator: " ").first(where: { $0.hasPrefix("addr=") }),
              let clientPort = address.split(separator: ":").last.flatMap({ Int($0) }) else { return nil }
        func timer() throws -> String? {
            let table = String(decoding: FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
            for line in table.split(separator: "\n").dropFirst() {
                let fields = line.split(separator: " ")
                if fields.count > 5, fields[1].hasSuffix(String(format: ":%04X", serverPort)),
                   fields[2].hasSuffix(String(format: ":%04X", clientPort)) {
                    return String(fields[5].prefix(2))
                }
            }
            return nil
        }
        var current = try timer()
        for _ in 0..<50 where current == "01" || current == nil {
            try await Task.sleep(for: .milliseconds(20))
            current = try timer()
        }
        return current
    }

    @Test("tcp-keepalive: new TCP connections get keepalive probes (Redis's default 300 s), none once it is set to 0")
    func keepAlive() async throws {
        let served = try await ServedRedlite.start()
        let first = try served.connect()
        #expect(try await Self.settledTimer(of: first, serverPort: served.port) == "02")
        #expect(try first.run("CONFIG", "GET", "tcp-keepalive") == .array([.bulk("tcp-keepalive"), .bulk("300")]))
        #expect(try first.run("CONFIG", "SET", "tcp-keepalive", "0") == .ok)
        let second = try served.connect()
        #expect(try await Self.settledTimer(of: second, serverPort: served.port) == "00")
        await served.stop()
    }

    @Test("timeout: an idle client is disconnected; an active one, a subscriber and a client in WAIT are not")
    func idleTimeout() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        let idle = try served.connect(timeout: .seconds(20))
        #expect(try idle.run("PING") == .simpleString("PONG"))
        let subscriber = try served.connect()
        _ = try subscriber.run("SUBSCRIBE", "news")
        let waiting = try served.connect()
        try waiting.write(ByteBuffer(string: "WAIT 1 0\r\n"))
        #expect(try admin.run("CONFIG", "SET", "timeout", "2") == .ok)
        // The active client talks every 100 ms for longer than the timeout plus the sweep's second,
        // on a thread of its own: the cooperative pool's threads may be held by other tests' blocking
        // work for seconds, which would leave it idle for real. (The admin client, silent meanwhile,
        // is disconnected too.)
        let (pongs, list) = try await offloaded {
            let active = try served.connect()
            var pongs = 0
            for _ in 0..<40 {
                if try active.run("PING") == .simpleString("PONG") { pongs += 1 }
                Thread.sleep(forTimeInterval: 0.1)
            }
            let list = try active.run("CLIENT", "LIST")
            _ = try active.run("CONFIG", "SET", "timeout", "0")
            return (pongs, list)
        }
        #expect(pongs == 40)
        #expect(throws: RedisTestConnectionError.closedByPeer) { try idle.readValue() }
        #expect(throws: RedisTestConnectionError.closedByPeer) { try admin.readValue() }
        #expect(try subscriber.run("PING") == .array([.bulk("pong"), .bulk("")]))
        // The client in WAIT is still there, blocked; the subscriber too.
        #expect(list.description.contains("flags=b"))
        #expect(list.description.contains("flags=P"))
        await served.stop()
    }
}
