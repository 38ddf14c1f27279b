import NIOCore
import RESP

/// A live subscription to channels, patterns and/or shard channels: an `AsyncSequence` of
/// ``RedisSubscriptionEvent``s.
///
/// ```swift
/// let updates = try await client.subscribe("prices", "news")
/// let alerts = try await client.psubscribe("alerts.*")
/// Task {
///     for await event in alerts {
///         if case .message(let channel, let pattern, let payload) = event {
///             print(channel, pattern!, String(buffer: payload))   // "alerts.disk" "alerts.*" "…"
///         }
///     }
/// }
/// try await client.publish(channel: "alerts.disk", message: "90% full")
/// await updates.unsubscribe(channels: ["news"])     // keeps "prices"
/// ```
///
/// **Guarantees.**
/// - `subscribe` returns once the server confirmed every name: a message published after it
///   returns is received.
/// - After **any** reconnect of the subscriber connection (a dropped socket, `CLIENT KILL`, a
///   server restart) every channel, pattern and shard channel is subscribed again automatically,
///   and the subscription yields ``RedisSubscriptionEvent/resubscribed`` once the server has
///   confirmed them: messages published in between may have been missed.
/// - Ending the iteration (leaving the `for await` loop), cancelling the iterating task, calling
///   ``cancel()`` or releasing the subscription unsubscribes (names other subscriptions of the same
///   client still use stay subscribed on the server).
/// - The sequence ends when the client is closed or when its subscriber connection closes for good
///   (reconnects disabled).
///
/// **Slow consumers.** Messages wait in a buffer of ``bufferCapacity`` messages. When it is full,
/// the **oldest** buffered message is dropped to make room and ``droppedCount`` grows: the
/// subscriber connection never waits for a consumer and memory stays bounded. `.resubscribed`
/// events are never dropped.
///
/// One task should iterate a subscription at a time.
public final class RedisSubscription: AsyncSequence, Sendable {
    public typealias Element = RedisSubscriptionEvent
    public typealias Failure = Never

    /// The buffer size used when `subscribe` is not given one.
    public static let defaultBufferCapacity = 1024

    let id: UInt64
    private let buffer: SubscriptionBuffer
    private let hub: PubSubHub

    init(id: UInt64, buffer: SubscriptionBuffer, hub: PubSubHub) {
        self.id = id
        self.buffer = buffer
        self.hub = hub
    }

    deinit {
        buffer.terminate()
    }

    /// How many messages this subscription buffers before dropping the oldest.
    public var bufferCapacity: Int { buffer.capacity }

    /// How many messages were dropped so far because the consumer did not keep up.
    public var droppedCount: Int { buffer.droppedCount }

    /// How many events wait to be read right now (never more than `2 × bufferCapacity + 1`).
    public var bufferedCount: Int { buffer.bufferedCount }

    /// Whether the subscription has ended (cancelled, unsubscribed from everything, client closed).
    public var isFinished: Bool { buffer.isFinished }

    /// The channels (SUBSCRIBE) this subscription currently listens to.
    public var channels: Set<String> { names(.channel) }
    /// The patterns (PSUBSCRIBE) this subscription currently listens to.
    public var patterns: Set<String> { names(.pattern) }
    /// The shard channels (SSUBSCRIBE) this subscription currently listens to.
    public var shardChannels: Set<String> { names(.shardChannel) }

    private func names(_ kind: RedisSubscriptionKind) -> Set<String> {
        Set(hub.targets(of: id).filter { $0.kind == kind }.map(\.name))
    }

    /// Stops listening to some names and keeps the rest. Unsubscribing from every name ends the
    /// sequence.
    ///
    /// ```swift
    /// subscription.unsubscribe(channels: ["news"], patterns: ["alerts.*"])
    /// ```
    public func unsubscribe(channels: [String] = [], patterns: [String] = [], shardChannels: [String] = []) {
        var targets = Set<SubscriptionTarget>()
        for name in channels { targets.insert(SubscriptionTarget(kind: .channel, name: name)) }
        for name in patterns { targets.insert(SubscriptionTarget(kind: .pattern, name: name)) }
        for name in shardChannels { targets.insert(SubscriptionTarget(kind: .shardChannel, name: name)) }
        hub.unsubscribe(id, targets)
        if hub.targets(of: id).isEmpty { buffer.terminate() }
    }

    /// Unsubscribes from everything and ends the sequence.
    ///
    /// ```swift
    /// subscription.cancel()
    /// ```
    public func cancel() {
        buffer.terminate()
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(token: IteratorToken(buffer: buffer))
    }

    /// Iterates the events; dropping the iterator (leaving the loop) unsubscribes.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let token: IteratorToken

        public mutating func next() async -> RedisSubscriptionEvent? {
            await token.buffer.next()
        }
    }

    /// Ends the subscription when the last copy of an iterator goes away.
    final class IteratorToken: Sendable {
        let buffer: SubscriptionBuffer
        init(buffer: SubscriptionBuffer) { self.buffer = buffer }
        deinit { buffer.terminate() }
    }
}
