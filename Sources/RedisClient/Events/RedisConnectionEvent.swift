import NIOConcurrencyHelpers

/// What happens to a connection over its life, delivered as an `AsyncSequence` by
/// ``RedisConnection/events`` and ``RedisClient/events``.
///
/// ```swift
/// Task {
///     for await event in client.events {
///         if case .disconnected(let reason) = event { logger.warning("redis: \(reason)") }
///     }
/// }
/// ```
public enum RedisConnectionEvent: Sendable, Hashable {
    /// The connection is up and its handshake (HELLO/AUTH, SELECT, CLIENT SETNAME) done; queued
    /// commands are being sent.
    case connected
    /// The connection went down. Commands that were in flight have failed; new ones queue.
    case disconnected(reason: RedisDisconnectReason)
    /// A reconnect attempt (1-based) will start after `delay`.
    case reconnecting(attempt: Int, delay: Duration)
    /// Something failed that no single command reports: a reconnect attempt that did not succeed,
    /// a protocol violation that reset the connection.
    case error(RedisClientError)
}

/// Why a connection went down.
public enum RedisDisconnectReason: String, Sendable, Hashable {
    /// The connection broke (reset, an I/O error, an unreadable reply).
    case connectionLost
    /// A command's reply did not arrive before its deadline; the client reset the connection.
    case timeout
    /// The server closed the connection (shutdown, restart, `CLIENT KILL`, idle timeout).
    case serverClosed
}

/// Fans events out to every live `events` sequence. Each subscriber has its own buffer of the
/// newest 256 events, so a slow reader never holds the connection up.
final class EventBroadcaster: Sendable {
    private let subscribers = NIOLockedValueBox<(next: Int, continuations: [Int: AsyncStream<RedisConnectionEvent>.Continuation], finished: Bool)>(
        (0, [:], false))

    func subscribe() -> AsyncStream<RedisConnectionEvent> {
        let (stream, continuation) = AsyncStream<RedisConnectionEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id: Int? = subscribers.withLockedValue { state in
            guard !state.finished else { return nil }
            let id = state.next
            state.next += 1
            state.continuations[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLockedValue { $0.continuations.removeValue(forKey: id) }
        }
        return stream
    }

    func emit(_ event: RedisConnectionEvent) {
        let continuations = subscribers.withLockedValue { Array($0.continuations.values) }
        for continuation in continuations { continuation.yield(event) }
    }

    func finish() {
        let continuations = subscribers.withLockedValue { state -> [AsyncStream<RedisConnectionEvent>.Continuation] in
            state.finished = true
            defer { state.continuations = [:] }
            return Array(state.continuations.values)
        }
        for continuation in continuations { continuation.finish() }
    }
}
