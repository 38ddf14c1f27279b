import Foundation
import NIOCore
import RESP
@testable import RedisClient
import RedisTestSupport
import Synchronization
import Testing

/// Collects a subscription's events from a task of its own; cancelling `task` ends the iteration.
final class SubscriptionCollector: Sendable {
    private final class Storage: Sendable {
        let events = Mutex<[RedisSubscriptionEvent]>([])
    }
    private let storage = Storage()
    let task: Task<Void, Never>

    init(_ subscription: RedisSubscription) {
        let storage = self.storage
        task = Task {
            for await event in subscription { storage.events.withLock { $0.append(event) } }
        }
    }

    var all: [RedisSubscriptionEvent] { storage.events.withLock { $0 } }
    var payloads: [String] { all.compactMap(\.payloadString) }

    func waitFor(seconds: Double = 15, _ predicate: @escaping @Sendable ([RedisSubscriptionEvent]) -> Bool) async -> Bool {
        await eventually(seconds) { predicate(self.all) }
    }

    deinit { task.cancel() }
}

/// PUBSUB NUMSUB for one channel, as the server counts it.
func subscriberCount(_ client: RedisClient, _ channel: String) async -> Int64? {
    guard let reply = try? await client.send(RedisCommand(["PUBSUB", "NUMSUB", channel]), timeout: nil),
          let parts = reply.elements, parts.count == 2, case .integer(let count) = parts[1] else { return nil }
    return count
}

@Suite("Pub/sub against a real redis-server")
struct PubSubTests {
    static let protocols: [RedisConfiguration.ProtocolPreference] = [.resp3, .resp2]

    @Test("messages from channels and patterns; publish counts receivers", arguments: protocols)
    func channelsAndPatterns(_ preference: RedisConfiguration.ProtocolPreference) async throws {
        let server = try RedisServer.shared()
        var configuration = server.configuration()
        configuration.protocolPreference = preference
        let client = try await RedisClient.connect(configuration: configuration)
        let channel = uniqueKey("news")
        let pattern = channel.dropLast(4) + "*"
        try await bounded(30) { () async throws -> Void in
            let byChannel = try await client.subscribe(channel)
            let byPattern = try await client.psubscribe(String(pattern))
            let channels = SubscriptionCollector(byChannel)
            let patterns = SubscriptionCollector(byPattern)
            #expect(try await client.publish(channel: channel, message: "one") == 2)
            #expect(try await client.publish(channel: channel, message: ByteBuffer(bytes: [0, 255, 13, 10])) == 2)
            #expect(await channels.waitFor { $0.count == 2 })
            #expect(await patterns.waitFor { $0.count == 2 })
            #expect(channels.all.first == .message(channel: channel, pattern: nil, payload: ByteBuffer(string: "one")))
            #expect(patterns.all.first == .message(channel: channel, pattern: String(pattern), payload: ByteBuffer(string: "one")))
            #expect(channels.all.last == .message(channel: channel, pattern: nil, payload: ByteBuffer(bytes: [0, 255, 13, 10])))
            // Ordinary commands on the client are unaffected by the subscriber connection.
            #expect(try await client.ping() == "PONG")
            #expect(byPattern.patterns == [String(pattern)])
        }
        await client.close()
    }

    @Test("sharded pub/sub: SSUBSCRIBE and SPUBLISH")
    func sharded() async throws {
        let client = try await RedisClient.connect(configuration: RedisServer.shared().configuration())
        let channel = uniqueKey("shard")
        try await bounded(30) { () async throws -> Void in
            let subscription = try await client.ssubscribe(channel)
            let collector = SubscriptionCollector(subscription)
            #expect(try await client.spublish(channel: channel, message: "s1") == 1)
            #expect(await collector.waitFor { $0.count == 1 })
            #expect(collector.all == [.message(channel: channel, pattern: nil, payload: ByteBuffer(string: "s1"))])
        }
        await client.close()
    }

    /// Subscribes to a channel and a pattern, breaks the subscriber connection with `fault`, and
    /// checks both come back (gap event, then messages flow again).
    func survives(_ preference: RedisConfiguration.ProtocolPreference, fault: @escaping @Sendable (RedisServer) throws -> Void) async throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.protocolPreference = preference
        let client = try await RedisClient.connect(configuration: configuration)
        try await bounded(60) { () async throws -> Void in
            let byChannel = try await client.subscribe("orders")
            let byPattern = try await client.psubscribe("alerts.*")
            let channels = SubscriptionCollector(byChannel)
            let patterns = SubscriptionCollector(byPattern)
            #expect(try await client.publish(channel: "orders", message: "before") == 1)
            #expect(try await client.publish(channel: "alerts.disk", message: "before") == 1)
            #expect(await channels.waitFor { $0.count == 1 })
            #expect(await patterns.waitFor { $0.count == 1 })

            try fault(server)

            #expect(await channels.waitFor(seconds: 30) { $0.contains(.resubscribed) }, "channel subscription saw no gap event")
            #expect(await patterns.waitFor(seconds: 30) { $0.contains(.resubscribed) }, "pattern subscription saw no gap event")
            // The gap event comes after the server confirmed the subscription again.
            #expect(await subscriberCount(client, "orders") == 1)
            #expect(try await client.send("PUBSUB", "NUMPAT") == .integer(1))
            #expect(try await client.publish(channel: "orders", message: "after") == 1)
            #expect(try await client.publish(channel: "alerts.cpu", message: "after") == 1)
            #expect(await channels.waitFor { $0.last == .message(channel: "orders", pattern: nil, payload: ByteBuffer(string: "after")) })
            #expect(await patterns.waitFor {
                $0.last == .message(channel: "alerts.cpu", pattern: "alerts.*", payload: ByteBuffer(string: "after"))
            })
            #expect(channels.payloads == ["before", "after"])
            #expect(patterns.payloads == ["before", "after"])
        }
        await client.close()
    }

    @Test("CLIENT KILL TYPE pubsub: channels and patterns re-subscribed, gap event, messages flow", arguments: protocols)
    func clientKill(_ preference: RedisConfiguration.ProtocolPreference) async throws {
        try await survives(preference) { server in
            let admin = try server.connect()
            defer { admin.close() }
            guard case .integer(let killed) = try admin.send("CLIENT", "KILL", "TYPE", "pubsub"), killed >= 1 else {
                Issue.record("CLIENT KILL TYPE pubsub killed nothing")
                return
            }
        }
    }

    @Test("server restart: channels and patterns re-subscribed, gap event, messages flow", arguments: protocols)
    func serverRestart(_ preference: RedisConfiguration.ProtocolPreference) async throws {
        try await survives(preference) { server in try server.restart() }
    }

    @Test("cancelling the iterating task unsubscribes (PUBSUB NUMSUB drops to 0)")
    func cancelUnsubscribes() async throws {
        let server = try RedisServer.shared()
        let client = try await RedisClient.connect(configuration: server.configuration())
        let channel = uniqueKey("cancel")
        try await bounded(30) { () async throws -> Void in
            let collector = SubscriptionCollector(try await client.subscribe(channel))
            #expect(await subscriberCount(client, channel) == 1)
            collector.task.cancel()
            #expect(await eventually { await subscriberCount(client, channel) == 0 })
        }
        await client.close()
    }

    @Test("leaving the loop unsubscribes; partial unsubscribe keeps the rest")
    func breakAndPartialUnsubscribe() async throws {
        let server = try RedisServer.shared()
        let client = try await RedisClient.connect(configuration: server.configuration())
        let a = uniqueKey("a"), b = uniqueKey("b")
        try await bounded(30) { () async throws -> Void in
            let subscription = try await client.subscribe(a, b)
            subscription.unsubscribe(channels: [a])
            #expect(subscription.channels == [b])
            #expect(await eventually { await subscriberCount(client, a) == 0 })
            #expect(try await client.publish(channel: b, message: "kept") == 1)
            for await event in subscription {
                #expect(event.payloadString == "kept")
                break
            }
            #expect(await eventually { await subscriberCount(client, b) == 0 })
            #expect(subscription.isFinished)
        }
        await client.close()
    }

    @Test("slow consumer: the oldest messages are dropped and counted, the buffer stays bounded")
    func slowConsumer() async throws {
        let server = try RedisServer.shared()
        let client = try await RedisClient.connect(configuration: server.configuration())
        let channel = uniqueKey("firehose")
        try await bounded(60) { () async throws -> Void in
            let subscription = try await client.subscribe(channel, bufferCapacity: 16)
            #expect(subscription.bufferCapacity == 16)
            let total = 500
            for index in 0..<total {
                _ = try await client.publish(channel: channel, message: "m\(index)")
            }
            // Nothing reads: every message past the 16 newest is dropped.
            #expect(await eventually { subscription.droppedCount == total - 16 }, "dropped \(subscription.droppedCount)")
            #expect(subscription.bufferedCount == 16)
            var received: [String] = []
            for await event in subscription {
                if let text = event.payloadString { received.append(text) }
                if received.count == 16 { break }
            }
            #expect(received == (total - 16..<total).map { "m\($0)" })
        }
        await client.close()
    }

    @Test("the embedded transport: pub/sub through the store's own hub", arguments: protocols)
    func embedded(_ preference: RedisConfiguration.ProtocolPreference) async throws {
        var configuration = try RedisConfiguration(url: "redlite::memory:")
        configuration.protocolPreference = preference
        let client = try await RedisClient.connect(configuration: configuration)
        try await bounded(30) { () async throws -> Void in
            let byChannel = try await client.subscribe("orders")
            let byPattern = try await client.psubscribe("ord*")
            let channels = SubscriptionCollector(byChannel)
            let patterns = SubscriptionCollector(byPattern)
            #expect(try await client.publish(channel: "orders", message: "first") == 2)
            #expect(try await client.publish(channel: "other", message: "ignored") == 0)
            #expect(await channels.waitFor { $0.count == 1 })
            #expect(await patterns.waitFor { $0.count == 1 })
            #expect(channels.payloads == ["first"])
            #expect(patterns.payloads == ["first"])
            byChannel.cancel()
            #expect(await eventually { (try? await client.publish(channel: "orders", message: "second")) == 1 })
        }
        await client.close()
    }

    @Test("under RESP3 subscriptions share the client's one connection with normal commands")
    func resp3SharesTheConnection() async throws {
        let server = try RedisServer.start()
        defer { server.stop() }
        var configuration = server.configuration()
        configuration.protocolPreference = .resp3
        let name = "shared-\(UInt32.random(in: 0 ..< .max))"
        configuration.clientName = name
        let client = try await RedisClient.connect(configuration: configuration)
        try await bounded(30) { () async throws -> Void in
            let subscription = try await client.subscribe("updates")
            let collector = SubscriptionCollector(subscription)
            #expect(try await client.send("SET", "k", "v") == .ok)  // normal traffic beside the pushes
            #expect(try await client.publish(channel: "updates", message: "one") == 1)
            #expect(await collector.waitFor { $0.count == 1 })
            let admin = try server.connect()
            let list = try admin.send(["CLIENT", "LIST"]).string ?? ""
            #expect(list.split(separator: "\n").filter { $0.contains("name=\(name) ") }.count == 1, "\(list)")
            // Killing that one connection: it reconnects, re-subscribes, reports the gap.
            _ = try admin.send(["CLIENT", "KILL", "TYPE", "pubsub"])
            #expect(await collector.waitFor { $0.contains { if case .resubscribed = $0 { true } else { false } } })
            #expect(await eventually { (try? await client.publish(channel: "updates", message: "two")) == 1 })
            #expect(await collector.waitFor { $0.compactMap(\.payloadString).contains("two") })
            #expect(try await client.send("GET", "k") == .bulk("v"))
        }
        await client.close()
    }
}
