public import NIOCore

/// What a ``RedisSubscription`` yields.
///
/// ```swift
/// for await event in subscription {
///     switch event {
///     case .message(let channel, let pattern, let payload):
///         print(channel, pattern ?? "-", String(buffer: payload))
///     case .resubscribed:
///         await reloadEverything()   // messages may have been missed while disconnected
///     }
/// }
/// ```
public enum RedisSubscriptionEvent: Sendable, Hashable {
    /// A message published to `channel`. `pattern` is the pattern that matched it when the
    /// subscription received it through PSUBSCRIBE, `nil` for SUBSCRIBE and SSUBSCRIBE.
    case message(channel: String, pattern: String?, payload: ByteBuffer)
    /// The subscriber connection was lost and has been re-established, and every channel, pattern
    /// and shard channel of this subscription is subscribed again (the server confirmed it).
    /// Messages published while the connection was down **may have been missed**: a consumer that
    /// mirrors state should resynchronise now. Messages after this event are received normally.
    case resubscribed

    /// The payload decoded as UTF-8, for `.message`; `nil` for `.resubscribed`.
    ///
    /// ```swift
    /// if let text = event.payloadString { print(text) }
    /// ```
    public var payloadString: String? {
        if case .message(_, _, let payload) = self { return String(buffer: payload) }
        return nil
    }
}

/// The kinds of subscription Redis has: channels (SUBSCRIBE), patterns (PSUBSCRIBE) and shard
/// channels (SSUBSCRIBE, Redis 7).
public enum RedisSubscriptionKind: String, Sendable, Hashable, CaseIterable {
    case channel, pattern, shardChannel

    var subscribeCommand: String {
        switch self {
        case .channel: return "SUBSCRIBE"
        case .pattern: return "PSUBSCRIBE"
        case .shardChannel: return "SSUBSCRIBE"
        }
    }

    var unsubscribeCommand: String {
        switch self {
        case .channel: return "UNSUBSCRIBE"
        case .pattern: return "PUNSUBSCRIBE"
        case .shardChannel: return "SUNSUBSCRIBE"
        }
    }

    /// The kind whose confirmation frame is named `frame` (`subscribe`, `psubscribe`, `ssubscribe`).
    init?(confirmation frame: String) {
        switch frame {
        case "subscribe": self = .channel
        case "psubscribe": self = .pattern
        case "ssubscribe": self = .shardChannel
        default: return nil
        }
    }
}

/// One channel, pattern or shard channel.
struct SubscriptionTarget: Hashable, Sendable {
    var kind: RedisSubscriptionKind
    var name: String
}
