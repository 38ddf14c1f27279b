/// Why ``RedisClient/watch(_:maxAttempts:_:)`` gave up.
public enum RedisTransactionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Every attempt found a watched key changed by another client (EXEC answered null).
    case conflict(attempts: Int)
    /// A command, the lease of a connection, or the body failed.
    case client(RedisClientError)

    public var description: String {
        switch self {
        case .conflict(let attempts): return "Redis transaction: watched keys changed during each of \(attempts) attempts"
        case .client(let error): return error.description
        }
    }
}

extension RedisClient {
    /// Runs the commands `body` queues as one MULTI/EXEC transaction on a pooled connection of its
    /// own, and returns every command's reply.
    ///
    /// ```swift
    /// var length: RedisQueuedReply<Int>?
    /// let result = try await client.transaction { tx in
    ///     tx.queue("SET", "job:17", "queued")
    ///     length = tx.queue(RedisCommand("RPUSH", "jobs", "17"), as: Int.self)
    /// }
    /// print(try result[length!])
    /// ```
    ///
    /// MULTI, the commands and EXEC go out in one write. A command the server refuses while
    /// queueing (unknown command, wrong number of arguments) discards the whole transaction: this
    /// throws `.server` with code `EXECABORT` and a message naming the refused command. A command
    /// that fails while executing (`WRONGTYPE`) fails only its own reply in the result; the others
    /// ran (Redis does not roll back).
    ///
    /// - Throws: `.server` (`EXECABORT`), connection and timeout errors (a transaction whose EXEC
    ///   reply was lost may have run), pool errors, or what `body` throws.
    public func transaction(_ body: (RedisTransaction) throws(RedisClientError) -> Void) async throws(RedisClientError) -> RedisTransactionResult {
        let transaction = RedisTransaction()
        try body(transaction)
        let connection = try await pool.lease()
        defer { pool.release(connection) }
        guard let result = try await transaction.execute(on: connection) else {
            throw .protocolViolation("EXEC answered null although no key was watched")
        }
        return result
    }

    /// Optimistic locking: WATCHes `keys`, runs `body` (which reads through the connection it is
    /// given and queues writes), then runs the queued commands with MULTI/EXEC. When another client
    /// changed a watched key in between (EXEC answers null) the whole sequence runs again, up to
    /// `maxAttempts` times.
    ///
    /// ```swift
    /// let result = try await client.watch(["balance"], maxAttempts: 10) { connection, tx in
    ///     let balance = Int(try await connection.send("GET", "balance").string ?? "0") ?? 0
    ///     tx.queue("SET", "balance", balance + 10)
    /// }
    /// ```
    ///
    /// Everything runs on one pooled connection of its own; the watch is cleared (UNWATCH) when
    /// `body` throws, so the connection returns to the pool clean.
    ///
    /// - Throws: `.conflict(attempts:)` when every attempt conflicted, `.client` for everything
    ///   else (including EXECABORT and errors thrown by `body`).
    public func watch(
        _ keys: [String], maxAttempts: Int = 16,
        _ body: (RedisConnection, RedisTransaction) async throws(RedisClientError) -> Void
    ) async throws(RedisTransactionError) -> RedisTransactionResult {
        precondition(!keys.isEmpty, "WATCH needs at least one key")
        let attempts = max(1, maxAttempts)
        let connection: RedisConnection
        do {
            connection = try await pool.lease()
        } catch {
            throw .client(error)
        }
        defer { pool.release(connection) }
        for attempt in 1...attempts {
            let transaction = RedisTransaction()
            do {
                _ = try await connection.send(RedisCommand(["WATCH"] + keys), timeout: nil)
                try await body(connection, transaction)
            } catch {
                _ = try? await connection.send(RedisCommand(["UNWATCH"]), timeout: nil)
                throw .client(error)
            }
            let outcome: RedisTransactionResult?
            do {
                outcome = try await transaction.execute(on: connection)
            } catch {
                throw .client(error)
            }
            if let outcome { return outcome }
            connection.logger.debug("redis WATCH conflict, retrying", metadata: ["attempt": "\(attempt)"])
        }
        throw .conflict(attempts: attempts)
    }
}
