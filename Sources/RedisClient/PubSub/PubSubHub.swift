import Logging
import NIOCore
import RESP
import Synchronization

/// Owns a client's subscriber connection and every live ``RedisSubscription`` on it.
///
/// - One dedicated ``RedisConnection`` (made on the first subscribe) carries only the
///   SUBSCRIBE/UNSUBSCRIBE family, under RESP2 and RESP3 alike: its frames arrive through the
///   connection's out-of-band handler (RESP3 pushes, RESP2 arrays), never as command replies.
/// - Channels, patterns and shard channels are reference counted across subscriptions: the server
///   is told to unsubscribe only when no subscription needs a name any more.
/// - On every `.connected` event after the first (any reconnect: CLIENT KILL, a server restart)
///   every counted name is subscribed again, and each subscription yields `.resubscribed` once the
///   server has confirmed all of its names.
final class PubSubHub: Sendable {
    private struct Entry {
        var targets: Set<SubscriptionTarget>
        let buffer: SubscriptionBuffer
        /// Names the server has not confirmed since the subscription was made.
        var unconfirmed: Set<SubscriptionTarget>
        var confirmation: CheckedContinuation<Result<Void, RedisClientError>, Never>?
        var confirmationResult: Result<Void, RedisClientError>?
        /// After a reconnect: names not yet confirmed again; `.resubscribed` when it empties.
        var resyncing: Set<SubscriptionTarget>?
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var counts: [SubscriptionTarget: Int] = [:]
        var nextID: UInt64 = 1
        var connection: RedisConnection?
        var connecting: Task<Result<RedisConnection, RedisClientError>, Never>?
        var connectedOnce = false
        var closed = false
    }

    private let factory: ConnectionFactory
    private let configuration: RedisConfiguration
    private let state = Mutex(State())

    /// The client's shared connection: used for subscriptions when it speaks RESP3, where pushes
    /// and replies can share one connection (never closed by the hub).
    private let shared: RedisConnection?

    init(factory: ConnectionFactory, configuration: RedisConfiguration, shared: RedisConnection? = nil) {
        self.factory = factory
        self.configuration = configuration
        self.shared = shared
    }

    // MARK: Subscribing

    func subscribe(_ targets: [SubscriptionTarget], bufferCapacity: Int) async throws(RedisClientError) -> RedisSubscription {
        let unique = Set(targets)
        guard !unique.isEmpty else {
            throw .server(RedisReplyError(message: "ERR a subscription needs at least one channel, pattern or shard channel"))
        }
        let buffer = SubscriptionBuffer(capacity: bufferCapacity)
        let id = try state.withLock { state throws(RedisClientError) -> UInt64 in
            guard !state.closed else { throw .disconnected(.closed) }
            let id = state.nextID
            state.nextID += 1
            state.entries[id] = Entry(targets: unique, buffer: buffer, unconfirmed: unique)
            for target in unique { state.counts[target, default: 0] += 1 }
            return id
        }
        buffer.setOnTerminate { [weak self] in self?.remove(id) }
        let subscription = RedisSubscription(id: id, buffer: buffer, hub: self)
        let connection: RedisConnection
        do {
            connection = try await ensureConnection()
        } catch {
            buffer.terminate()
            throw error
        }
        state.withLock { _ in
            // Under the lock, so that writes reach the socket in the order the counts changed.
            Self.write(unique, subscribe: true, on: connection)
        }
        // The subscription is usable once the server confirmed every name (a PUBLISH after this
        // returns reaches it). A connection that is down re-subscribes on reconnect; the wait is
        // bounded by the command timeout.
        let timeout = configuration.commandTimeout
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            if !Task.isCancelled { self?.resolveConfirmation(id, .failure(.timeout(.reply))) }
        }
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Result<Void, RedisClientError>, Never>) in
                let ready = state.withLock { state -> Result<Void, RedisClientError>? in
                    guard var entry = state.entries[id] else { return .failure(.disconnected(.closed)) }
                    if let result = entry.confirmationResult { return result }
                    entry.confirmation = continuation
                    state.entries[id] = entry
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            resolveConfirmation(id, .failure(.cancelled))
        }
        timer.cancel()
        if case .failure(let error) = result {
            buffer.terminate()
            throw error
        }
        return subscription
    }

    /// Removes some names from subscription `id` (the server unsubscribes those no other
    /// subscription still uses).
    func unsubscribe(_ id: UInt64, _ targets: Set<SubscriptionTarget>) {
        state.withLock { state in
            guard var entry = state.entries[id] else { return }
            let removed = entry.targets.intersection(targets)
            entry.targets.subtract(removed)
            entry.unconfirmed.subtract(removed)
            entry.resyncing?.subtract(removed)
            state.entries[id] = entry
            Self.release(removed, in: &state)
        }
    }

    func targets(of id: UInt64) -> Set<SubscriptionTarget> {
        state.withLock { $0.entries[id]?.targets ?? [] }
    }

    /// The subscription's consumer is gone: forget it and unsubscribe what nobody else needs.
    private func remove(_ id: UInt64) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<Void, RedisClientError>, Never>? in
            guard let entry = state.entries.removeValue(forKey: id) else { return nil }
            Self.release(entry.targets, in: &state)
            return entry.confirmation
        }
        continuation?.resume(returning: .failure(.cancelled))
    }

    /// Decrements the counts of `targets` and sends the UNSUBSCRIBE family for those at zero.
    private static func release(_ targets: Set<SubscriptionTarget>, in state: inout State) {
        var unused = Set<SubscriptionTarget>()
        for target in targets {
            let count = (state.counts[target] ?? 1) - 1
            if count <= 0 {
                state.counts[target] = nil
                unused.insert(target)
            } else {
                state.counts[target] = count
            }
        }
        if let connection = state.connection, !unused.isEmpty {
            write(unused, subscribe: false, on: connection)
        }
    }

    /// Writes SUBSCRIBE/PSUBSCRIBE/SSUBSCRIBE (or the UNSUBSCRIBE family) for `targets`, one
    /// command per kind. Nothing is written while the connection is down (reconnects re-subscribe
    /// from the counts, and a new connection has nothing to unsubscribe).
    private static func write(_ targets: Set<SubscriptionTarget>, subscribe: Bool, on connection: RedisConnection) {
        for kind in RedisSubscriptionKind.allCases {
            let names = targets.filter { $0.kind == kind }.map(\.name).sorted()
            guard !names.isEmpty else { continue }
            // Shard channels may hash to different slots; one per command keeps a cluster happy.
            let groups = kind == .shardChannel ? names.map { [$0] } : [names]
            for group in groups {
                let name = subscribe ? kind.subscribeCommand : kind.unsubscribeCommand
                _ = connection.sendWithoutReply(RedisCommand([name] + group))
            }
        }
    }

    private func resolveConfirmation(_ id: UInt64, _ result: Result<Void, RedisClientError>) {
        let continuation = state.withLock { state -> CheckedContinuation<Result<Void, RedisClientError>, Never>? in
            guard var entry = state.entries[id], entry.confirmationResult == nil else { return nil }
            entry.confirmationResult = result
            let continuation = entry.confirmation
            entry.confirmation = nil
            state.entries[id] = entry
            return continuation
        }
        continuation?.resume(returning: result)
    }

    // MARK: The subscriber connection

    private func ensureConnection() async throws(RedisClientError) -> RedisConnection {
        let task = try state.withLock { state throws(RedisClientError) -> Task<Result<RedisConnection, RedisClientError>, Never> in
            guard !state.closed else { throw .disconnected(.closed) }
            if let connecting = state.connecting { return connecting }
            let task = Task { await self.openConnection() }
            state.connecting = task
            return task
        }
        let result = await task.value
        if case .failure = result {
            state.withLock { state in
                if state.connecting == task { state.connecting = nil }
            }
        }
        return try result.get()
    }

    private func openConnection() async -> Result<RedisConnection, RedisClientError> {
        if let shared, shared.protocolVersion == .resp3 {
            // RESP3: subscribe on the shared connection. It is already connected; its pushes come
            // here, and every later (re)connect re-subscribes, as for a connection of our own.
            shared.setPushHandler { [weak self] values in self?.receive(values) }
            let events = shared.events
            Task { [weak self, shared] in
                for await event in events {
                    if case .connected = event { self?.connected(shared) }
                }
                self?.connectionEnded(shared)
            }
            let keep = state.withLock { state -> Bool in
                guard !state.closed else { return false }
                state.connection = shared
                state.connectedOnce = true
                return true
            }
            return keep ? .success(shared) : .failure(.disconnected(.closed))
        }
        let connection = RedisConnection(factory: factory, configuration: configuration,
                                         eventLoop: factory.eventLoopGroup.next()) { [weak self] values in
            self?.receive(values)
        }
        // Subscribe to the events before the first connect, so the first `.connected` is seen.
        let events = connection.events
        Task { [weak self, connection] in
            for await event in events {
                if case .connected = event { self?.connected(connection) }
            }
            self?.connectionEnded(connection)
        }
        do {
            try await connection.start()
        } catch {
            return .failure(error)
        }
        let keep = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.connection = connection
            return true
        }
        if !keep {
            await connection.close()
            return .failure(.disconnected(.closed))
        }
        return .success(connection)
    }

    /// The subscriber connection finished a handshake: after a reconnect, every name is
    /// subscribed again and every subscription waits for its confirmations to yield `.resubscribed`.
    private func connected(_ connection: RedisConnection) {
        var gaps: [SubscriptionBuffer] = []
        state.withLock { state in
            guard !state.closed else { return }
            let reconnect = state.connectedOnce
            state.connectedOnce = true
            if reconnect {
                for (id, var entry) in state.entries {
                    if entry.targets.isEmpty {
                        gaps.append(entry.buffer)
                    } else {
                        entry.resyncing = entry.targets
                    }
                    state.entries[id] = entry
                }
            }
            Self.write(Set(state.counts.keys), subscribe: true, on: connection)
        }
        for buffer in gaps { buffer.yield(.resubscribed) }
    }

    /// The subscriber connection closed for good (reconnects disabled, or closed): every
    /// subscription ends.
    private func connectionEnded(_ connection: RedisConnection) {
        let buffers = state.withLock { state -> [SubscriptionBuffer] in
            guard state.connection === connection else { return [] }
            state.connection = nil
            state.connecting = nil
            state.connectedOnce = false
            return state.entries.values.map(\.buffer)
        }
        for buffer in buffers { buffer.terminate() }
    }

    // MARK: Frames

    /// Out-of-band frames of the subscriber connection, in arrival order.
    private func receive(_ values: [RESPValue]) {
        var deliveries: [(SubscriptionBuffer, RedisSubscriptionEvent)] = []
        var confirmations: [(CheckedContinuation<Result<Void, RedisClientError>, Never>, Result<Void, RedisClientError>)] = []
        state.withLock { state in
            for value in values {
                guard let parts = value.elements, let kind = parts.first?.string?.lowercased() else {
                    if let message = value.errorMessage {
                        // A refused SUBSCRIBE (ACL, unknown command): fail the subscriptions still
                        // waiting for their first confirmation.
                        let error = RedisClientError.server(RedisReplyError(message: message))
                        factory.logger.warning("redis subscriber connection error", metadata: ["error": "\(message)"])
                        for (id, var entry) in state.entries where entry.confirmationResult == nil && !entry.unconfirmed.isEmpty {
                            entry.confirmationResult = .failure(error)
                            if let continuation = entry.confirmation { confirmations.append((continuation, .failure(error))) }
                            entry.confirmation = nil
                            state.entries[id] = entry
                        }
                    }
                    continue
                }
                switch kind {
                case "message", "smessage":
                    guard parts.count >= 3, let channel = parts[1].string, let payload = Self.payload(parts[2]) else { continue }
                    let target = SubscriptionTarget(kind: kind == "message" ? .channel : .shardChannel, name: channel)
                    for entry in state.entries.values where entry.targets.contains(target) {
                        deliveries.append((entry.buffer, .message(channel: channel, pattern: nil, payload: payload)))
                    }
                case "pmessage":
                    guard parts.count >= 4, let pattern = parts[1].string, let channel = parts[2].string,
                          let payload = Self.payload(parts[3]) else { continue }
                    let target = SubscriptionTarget(kind: .pattern, name: pattern)
                    for entry in state.entries.values where entry.targets.contains(target) {
                        deliveries.append((entry.buffer, .message(channel: channel, pattern: pattern, payload: payload)))
                    }
                default:
                    guard let subscriptionKind = RedisSubscriptionKind(confirmation: kind), parts.count >= 2,
                          let name = parts[1].string else { continue }  // unsubscribe confirmations, pong
                    let target = SubscriptionTarget(kind: subscriptionKind, name: name)
                    for (id, var entry) in state.entries {
                        var changed = false
                        if entry.unconfirmed.remove(target) != nil {
                            changed = true
                            if entry.unconfirmed.isEmpty, entry.confirmationResult == nil {
                                entry.confirmationResult = .success(())
                                if let continuation = entry.confirmation { confirmations.append((continuation, .success(()))) }
                                entry.confirmation = nil
                            }
                        }
                        if entry.resyncing?.remove(target) != nil {
                            changed = true
                            if entry.resyncing?.isEmpty == true {
                                entry.resyncing = nil
                                deliveries.append((entry.buffer, .resubscribed))
                            }
                        }
                        if changed { state.entries[id] = entry }
                    }
                }
            }
        }
        for (continuation, result) in confirmations { continuation.resume(returning: result) }
        for (buffer, event) in deliveries { buffer.yield(event) }
    }

    private static func payload(_ value: RESPValue) -> ByteBuffer? {
        switch value {
        case .bulkString(let bytes), .verbatimString(_, let bytes): return bytes
        case .simpleString(let string): return ByteBuffer(string: string)
        default: return nil
        }
    }

    // MARK: Closing

    /// Ends every subscription and closes the subscriber connection.
    func close() async {
        let (connection, connecting, entries) = state.withLock { state -> (RedisConnection?, Task<Result<RedisConnection, RedisClientError>, Never>?, [Entry]) in
            state.closed = true
            defer {
                state.connection = nil
                state.connecting = nil
                state.entries = [:]
                state.counts = [:]
            }
            return (state.connection, state.connecting, Array(state.entries.values))
        }
        for entry in entries {
            entry.confirmation?.resume(returning: .failure(.disconnected(.closed)))
            entry.buffer.finish()
        }
        // The shared connection belongs to the client, which closes it.
        if let connection, connection !== shared {
            await connection.close()
        } else if connection == nil, let connecting, case .success(let connection) = await connecting.value, connection !== shared {
            await connection.close()
        }
    }
}
