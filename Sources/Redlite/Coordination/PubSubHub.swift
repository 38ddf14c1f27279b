public import NIOCore
import NIOConcurrencyHelpers

/// In-process publish/subscribe: channels, glob patterns and shard channels, as Redis routes them.
///
/// The hub lives in the engine so that an embedded process gets pub/sub among its own tasks, and the
/// server exposes the same hub to its connections. Delivery is at most once and never blocks the
/// publisher: each subscriber's `deliver` closure is called synchronously and must only enqueue (the
/// server hands the message to the subscriber's connection, which applies its output-buffer limit).
///
/// Thread-safe: any number of publishers and subscribers at once.
public final class PubSubHub: Sendable {
    /// One delivered message.
    public struct Message: Sendable, Hashable {
        public enum Kind: Sendable, Hashable {
            case message
            /// Matched by this subscribed pattern.
            case patternMessage(pattern: ByteBuffer)
            case shardMessage
        }

        public var kind: Kind
        public var channel: ByteBuffer
        public var payload: ByteBuffer
    }

    /// A subscriber: identity plus where its messages go.
    public final class Subscriber: Sendable, Hashable {
        public let deliver: @Sendable (Message) -> Void

        public init(deliver: @escaping @Sendable (Message) -> Void) {
            self.deliver = deliver
        }

        public static func == (lhs: Subscriber, rhs: Subscriber) -> Bool { lhs === rhs }
        public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
    }

    private struct State {
        var channels: [ByteBuffer: Set<Subscriber>] = [:]
        var patterns: [ByteBuffer: (matcher: GlobPattern, subscribers: Set<Subscriber>)] = [:]
        var shardChannels: [ByteBuffer: Set<Subscriber>] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Subscribes to a channel; false when already subscribed.
    @discardableResult
    public func subscribe(_ subscriber: Subscriber, channel: ByteBuffer) -> Bool {
        state.withLockedValue { $0.channels[channel, default: []].insert(subscriber).inserted }
    }

    /// Unsubscribes from a channel; false when not subscribed.
    @discardableResult
    public func unsubscribe(_ subscriber: Subscriber, channel: ByteBuffer) -> Bool {
        state.withLockedValue { state in
            guard state.channels[channel]?.remove(subscriber) != nil else { return false }
            if state.channels[channel]?.isEmpty == true { state.channels[channel] = nil }
            return true
        }
    }

    @discardableResult
    public func subscribe(_ subscriber: Subscriber, pattern: ByteBuffer) -> Bool {
        state.withLockedValue { state in
            if state.patterns[pattern] == nil { state.patterns[pattern] = (GlobPattern(pattern), []) }
            return state.patterns[pattern]!.subscribers.insert(subscriber).inserted
        }
    }

    @discardableResult
    public func unsubscribe(_ subscriber: Subscriber, pattern: ByteBuffer) -> Bool {
        state.withLockedValue { state in
            guard state.patterns[pattern]?.subscribers.remove(subscriber) != nil else { return false }
            if state.patterns[pattern]?.subscribers.isEmpty == true { state.patterns[pattern] = nil }
            return true
        }
    }

    @discardableResult
    public func subscribe(_ subscriber: Subscriber, shardChannel: ByteBuffer) -> Bool {
        state.withLockedValue { $0.shardChannels[shardChannel, default: []].insert(subscriber).inserted }
    }

    @discardableResult
    public func unsubscribe(_ subscriber: Subscriber, shardChannel: ByteBuffer) -> Bool {
        state.withLockedValue { state in
            guard state.shardChannels[shardChannel]?.remove(subscriber) != nil else { return false }
            if state.shardChannels[shardChannel]?.isEmpty == true { state.shardChannels[shardChannel] = nil }
            return true
        }
    }

    /// Publishes to a channel: its subscribers, then every subscriber of each matching pattern (one
    /// message per pattern, as Redis sends). Returns the number of deliveries.
    @discardableResult
    public func publish(channel: ByteBuffer, payload: ByteBuffer) -> Int {
        let deliveries = state.withLockedValue { state -> [(Subscriber, Message)] in
            var deliveries: [(Subscriber, Message)] = []
            for subscriber in state.channels[channel] ?? [] {
                deliveries.append((subscriber, Message(kind: .message, channel: channel, payload: payload)))
            }
            for (pattern, entry) in state.patterns where entry.matcher.matches(channel) {
                for subscriber in entry.subscribers {
                    deliveries.append((subscriber, Message(kind: .patternMessage(pattern: pattern), channel: channel, payload: payload)))
                }
            }
            return deliveries
        }
        for (subscriber, message) in deliveries { subscriber.deliver(message) }
        return deliveries.count
    }

    /// SPUBLISH: shard-channel subscribers only.
    @discardableResult
    public func publish(shardChannel: ByteBuffer, payload: ByteBuffer) -> Int {
        let subscribers = state.withLockedValue { $0.shardChannels[shardChannel] ?? [] }
        for subscriber in subscribers { subscriber.deliver(Message(kind: .shardMessage, channel: shardChannel, payload: payload)) }
        return subscribers.count
    }

    /// PUBSUB CHANNELS: active channels (at least one subscriber), optionally matching a pattern.
    public func activeChannels(matching pattern: ByteBuffer? = nil, shard: Bool = false) -> [ByteBuffer] {
        let matcher = pattern.map(GlobPattern.init)
        return state.withLockedValue { state in
            (shard ? state.shardChannels : state.channels).keys.filter { matcher?.matches($0) ?? true }
        }
    }

    /// PUBSUB NUMSUB: subscribers of a channel.
    public func subscriberCount(channel: ByteBuffer, shard: Bool = false) -> Int {
        state.withLockedValue { (shard ? $0.shardChannels : $0.channels)[channel]?.count ?? 0 }
    }

    /// PUBSUB NUMPAT: distinct subscribed patterns.
    public var patternCount: Int { state.withLockedValue { $0.patterns.count } }
}
