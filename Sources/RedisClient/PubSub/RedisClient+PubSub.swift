public import RESP

extension RedisClient {
    /// Subscribes to `channels` (SUBSCRIBE) and returns once the server confirmed them.
    ///
    /// ```swift
    /// let subscription = try await client.subscribe("orders", "payments")
    /// for await event in subscription {
    ///     if case .message(let channel, _, let payload) = event { handle(channel, payload) }
    /// }
    /// ```
    ///
    /// Subscriptions live on a subscriber connection of their own (one per client, made on first
    /// use, under RESP2 and RESP3 alike), so ordinary commands are never delayed by them. See
    /// ``RedisSubscription`` for reconnects, unsubscribing and the slow-consumer policy.
    ///
    /// - Throws: `.timeout(.reply)` when the server did not confirm within the command timeout,
    ///   `.server` when it refused (for example an ACL), `.disconnected(.closed)` after `close()`,
    ///   connection errors when the subscriber connection cannot be made. Over the embedded
    ///   (`redlite:`) transport, subscriptions go through the store's own hub.
    public func subscribe(_ channels: String..., bufferCapacity: Int = RedisSubscription.defaultBufferCapacity) async throws(RedisClientError) -> RedisSubscription {
        try await subscribe(channels: channels, bufferCapacity: bufferCapacity)
    }

    /// Subscribes to `patterns` (PSUBSCRIBE, glob-style: `news.*`); each message says which
    /// pattern matched it.
    ///
    /// ```swift
    /// let subscription = try await client.psubscribe("sensor.*")
    /// ```
    public func psubscribe(_ patterns: String..., bufferCapacity: Int = RedisSubscription.defaultBufferCapacity) async throws(RedisClientError) -> RedisSubscription {
        try await subscribe(patterns: patterns, bufferCapacity: bufferCapacity)
    }

    /// Subscribes to shard channels (SSUBSCRIBE, Redis 7).
    ///
    /// ```swift
    /// let subscription = try await client.ssubscribe("user:42:events")
    /// ```
    public func ssubscribe(_ shardChannels: String..., bufferCapacity: Int = RedisSubscription.defaultBufferCapacity) async throws(RedisClientError) -> RedisSubscription {
        try await subscribe(shardChannels: shardChannels, bufferCapacity: bufferCapacity)
    }

    /// One subscription to any mix of channels, patterns and shard channels.
    ///
    /// ```swift
    /// let subscription = try await client.subscribe(channels: ["orders"], patterns: ["orders.*"])
    /// ```
    public func subscribe(
        channels: [String] = [], patterns: [String] = [], shardChannels: [String] = [],
        bufferCapacity: Int = RedisSubscription.defaultBufferCapacity
    ) async throws(RedisClientError) -> RedisSubscription {
        let targets = channels.map { SubscriptionTarget(kind: .channel, name: $0) }
            + patterns.map { SubscriptionTarget(kind: .pattern, name: $0) }
            + shardChannels.map { SubscriptionTarget(kind: .shardChannel, name: $0) }
        return try await pubSub.subscribe(targets, bufferCapacity: bufferCapacity)
    }
}

extension RedisCommandExecutor {
    /// `PUBLISH channel message`: how many subscribers received it (on this server).
    ///
    /// ```swift
    /// let receivers = try await client.publish(channel: "orders", message: "order 17 paid")
    /// ```
    @discardableResult
    public func publish(channel: String, message: some RESPBulkEncodable & Sendable) async throws(RedisClientError) -> Int {
        try await receiverCount(send(RedisCommand("PUBLISH", channel, message), timeout: nil), "PUBLISH")
    }

    /// `SPUBLISH shardchannel message` (Redis 7): how many shard-channel subscribers received it.
    ///
    /// ```swift
    /// try await client.spublish(channel: "user:42:events", message: "login")
    /// ```
    @discardableResult
    public func spublish(channel: String, message: some RESPBulkEncodable & Sendable) async throws(RedisClientError) -> Int {
        try await receiverCount(send(RedisCommand("SPUBLISH", channel, message), timeout: nil), "SPUBLISH")
    }

    private func receiverCount(_ reply: RESPValue, _ name: String) throws(RedisClientError) -> Int {
        guard case .integer(let count) = reply else { throw .protocolViolation("\(name) answered \(reply)") }
        return Int(count)
    }
}
