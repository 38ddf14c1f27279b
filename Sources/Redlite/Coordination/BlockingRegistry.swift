public import NIOCore
import NIOConcurrencyHelpers
public import RESP

/// Clients blocked on keys (BLPOP, BZPOPMIN, …), served first come, first served, when a committed
/// write makes one of their keys ready. Event-driven: nothing polls.
///
/// A waiter carries its own `attempt`: the non-blocking form of its command (LPOP, ZPOPMIN, LMOVE…)
/// run inside a transaction on the writer. After each commit, the writer calls `serveReady(using:)`:
/// for every key written while clients wait on it, waiters are tried in arrival order until one finds
/// nothing (the key is empty again). A waiter served is removed from every key it waited on; a waiter
/// cancelled (timeout, disconnect) leaves nothing behind.
public final class BlockingRegistry: Sendable {
    public struct Key: Hashable, Sendable {
        public let database: Int
        public let key: ByteBuffer
        public init(database: Int, key: ByteBuffer) {
            self.database = database
            self.key = key
        }
    }

    /// One blocked client.
    public final class Waiter: Sendable {
        public let keys: [Key]
        /// The non-blocking attempt; nil when there is still nothing to take.
        public let attempt: @Sendable (RedliteTransaction) -> RESPValue?
        /// Receives the reply once served (called after the serving transaction commits).
        public let complete: @Sendable (RESPValue) -> Void

        public init(keys: [Key], attempt: @escaping @Sendable (RedliteTransaction) -> RESPValue?, complete: @escaping @Sendable (RESPValue) -> Void) {
            self.keys = keys
            self.attempt = attempt
            self.complete = complete
        }
    }

    private struct State {
        var waiters: [Key: [Waiter]] = [:]
        var ready: [Key] = []
        var readySet: Set<Key> = []
    }

    private let state = NIOLockedValueBox(State())
    private let readyObserver = NIOLockedValueBox<(@Sendable () -> Void)?>(nil)

    public init() {}

    /// Sets what is called (outside any lock, inside the writing transaction) when a key some client
    /// waits on is written, by whoever writes it. A server serves its waiters after its own commits; this
    /// tells it about writes it did not make (embedded code sharing its store), so it can serve them
    /// once they commit.
    public func observeReadyKeys(_ observer: (@Sendable () -> Void)?) {
        readyObserver.withLockedValue { $0 = observer }
    }

    /// Whether any client is blocked: the engine only tracks written keys while this is true.
    public var hasWaiters: Bool { state.withLockedValue { !$0.waiters.isEmpty } }

    /// Whether written keys have waiters to serve.
    public var hasReadyKeys: Bool { state.withLockedValue { !$0.ready.isEmpty } }

    /// Blocks `waiter` on its keys (after its first attempt found nothing, on the writer).
    public func register(_ waiter: Waiter) {
        state.withLockedValue { state in
            for key in waiter.keys { state.waiters[key, default: []].append(waiter) }
        }
    }

    /// Removes a waiter (timeout, disconnect). False when it was already served or cancelled.
    @discardableResult
    public func cancel(_ waiter: Waiter) -> Bool {
        state.withLockedValue { Self.remove(waiter, from: &$0) }
    }

    /// Records that `key` was written; only keys someone waits on are remembered.
    public func markWritten(_ key: Key) {
        let becameReady = state.withLockedValue { state -> Bool in
            guard state.waiters[key] != nil, state.readySet.insert(key).inserted else { return false }
            state.ready.append(key)
            return true
        }
        if becameReady, let observer = readyObserver.withLockedValue({ $0 }) { observer() }
    }

    /// Serves waiters of written keys in arrival order, inside `transaction`. Returns the served
    /// waiters with their replies: complete them after the transaction commits.
    public func serveReady(using transaction: RedliteTransaction) -> [(Waiter, RESPValue)] {
        var served: [(Waiter, RESPValue)] = []
        // Bounded even if a misbehaving attempt kept re-marking its key.
        var passes = 0
        while passes < 100_000, let key = state.withLockedValue({ state -> Key? in
            guard !state.ready.isEmpty else { return nil }
            let key = state.ready.removeFirst()
            state.readySet.remove(key)
            return key
        }) {
            passes += 1
            // Each pass serves at least one waiter or stops: a key re-marked by its own waiter's
            // attempt (LMOVE onto itself) moves on to the next waiter.
            while let waiter = state.withLockedValue({ $0.waiters[key]?.first }) {
                guard let reply = waiter.attempt(transaction) else { break }
                let stillWaiting = state.withLockedValue { Self.remove(waiter, from: &$0) }
                if stillWaiting { served.append((waiter, reply)) }
            }
        }
        return served
    }

    private static func remove(_ waiter: Waiter, from state: inout State) -> Bool {
        var found = false
        for key in waiter.keys {
            guard var queue = state.waiters[key], let index = queue.firstIndex(where: { $0 === waiter }) else { continue }
            queue.remove(at: index)
            state.waiters[key] = queue.isEmpty ? nil : queue
            found = true
        }
        return found
    }
}
