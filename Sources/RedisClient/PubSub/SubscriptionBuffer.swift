import NIOCore
import Synchronization

/// The bounded buffer between the subscriber connection (which must never wait for a consumer)
/// and one subscription's consumer.
///
/// Policy: at most `capacity` messages are held. When a message arrives and the buffer is full, the
/// **oldest message is dropped** and ``droppedCount`` grows by one. `.resubscribed` events are never
/// dropped, and consecutive ones are coalesced, so the buffer holds at most `2 × capacity + 1`
/// events whatever the publish rate.
final class SubscriptionBuffer: Sendable {
    private struct State {
        var events = CircularBuffer<RedisSubscriptionEvent>(initialCapacity: 16)
        var messageCount = 0
        var dropped = 0
        var waiter: CheckedContinuation<RedisSubscriptionEvent?, Never>?
        var finished = false
        var onTerminate: (@Sendable () -> Void)?
    }

    let capacity: Int
    private let state: Mutex<State>

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        self.state = Mutex(State())
    }

    /// Registers what to do once when the consumer goes away (unsubscribing).
    func setOnTerminate(_ body: @escaping @Sendable () -> Void) {
        state.withLock { $0.onTerminate = body }
    }

    var droppedCount: Int { state.withLock { $0.dropped } }
    var bufferedCount: Int { state.withLock { $0.events.count } }
    var isFinished: Bool { state.withLock { $0.finished } }

    /// Adds `event` (or hands it straight to a waiting consumer). Never blocks.
    func yield(_ event: RedisSubscriptionEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<RedisSubscriptionEvent?, Never>? in
            guard !state.finished else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            switch event {
            case .resubscribed:
                if case .resubscribed = state.events.last { return nil }  // coalesce
                state.events.append(event)
            case .message:
                if state.messageCount >= capacity {
                    // Drop the oldest message (gap events stay).
                    if let index = state.events.firstIndex(where: { if case .message = $0 { true } else { false } }) {
                        state.events.remove(at: index)
                        state.messageCount -= 1
                        state.dropped += 1
                    }
                }
                state.events.append(event)
                state.messageCount += 1
            }
            return nil
        }
        waiter?.resume(returning: event)
    }

    /// Ends the sequence: a waiting consumer gets `nil`; buffered events are discarded.
    func finish() {
        let waiter = state.withLock { state -> CheckedContinuation<RedisSubscriptionEvent?, Never>? in
            state.finished = true
            state.events.removeAll()
            state.messageCount = 0
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    /// The consumer is gone (iteration ended, task cancelled, subscription released): finish and
    /// run the terminate action once.
    func terminate() {
        finish()
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            defer { state.onTerminate = nil }
            return state.onTerminate
        }
        action?()
    }

    /// The next event, waiting for one; `nil` once finished. Cancelling the calling task
    /// terminates the subscription.
    func next() async -> RedisSubscriptionEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<RedisSubscriptionEvent?, Never>) in
                let immediate = state.withLock { state -> RedisSubscriptionEvent?? in
                    if let event = state.events.popFirst() {
                        if case .message = event { state.messageCount -= 1 }
                        return .some(event)
                    }
                    if state.finished { return .some(nil) }
                    precondition(state.waiter == nil, "a RedisSubscription has one consumer at a time")
                    state.waiter = continuation
                    return nil
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            terminate()
        }
    }
}
