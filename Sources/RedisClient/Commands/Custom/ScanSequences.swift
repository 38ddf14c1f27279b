public import NIOCore
import RESP

/// The elements of a `SCAN`, `HSCAN`, `SSCAN` or `ZSCAN` iteration as an `AsyncSequence`: each
/// batch is fetched when the previous one is used up, and the cursor is followed until the server
/// returns `0`.
///
/// Redis's guarantees apply: an element present for the whole iteration is returned; an element
/// added or removed meanwhile may or may not be; an element may be returned twice only if the
/// collection shrank during the iteration. Iteration is lazy and cancellable (a cancelled task ends
/// it with ``RedisClientError/cancelled``), and the memory used is one batch.
///
/// ```swift
/// for try await key in client.scanAll(match: "user:*") { … }
/// for try await (field, value) in client.hscanAll("user:1") { … }
/// ```
public struct RedisScanSequence<Element: Sendable>: AsyncSequence, Sendable {
    public typealias Failure = RedisClientError

    let executor: any RedisCommandExecutor
    /// `SCAN`, `HSCAN`, …
    let command: String
    /// The collection's key (nil for SCAN).
    let key: RedisArgument?
    /// `MATCH`, `COUNT`, `TYPE` and their values.
    let options: [RedisArgument]
    /// Turns one batch's array into elements.
    let decode: @Sendable ([RESPValue]) throws(RedisClientError) -> [Element]

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(sequence: self)
    }

    /// Fetches batches as they are needed.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: RedisScanSequence
        var buffer: [Element] = []
        var position = 0
        /// The next cursor to ask for; nil once the server said `0`.
        var cursor: String? = "0"

        init(sequence: RedisScanSequence) {
            self.sequence = sequence
        }

        public mutating func next() async throws(RedisClientError) -> Element? {
            while position == buffer.count {
                guard let current = cursor else { return nil }
                if Task.isCancelled { throw .cancelled }
                var arguments: [any RESPBulkEncodable] = []
                if let key = sequence.key { arguments.append(key) }
                arguments.append(current)
                for option in sequence.options { arguments.append(option) }
                let reply = try await sequence.executor.send(RedisCommand(sequence.command, arguments: arguments), timeout: nil)
                guard let parts = reply.elements, parts.count == 2, let next = parts[0].string,
                      let batch = parts[1].elements
                else { throw .protocolViolation("\(sequence.command) answered \(reply)") }
                buffer = try sequence.decode(batch)
                position = 0
                cursor = next == "0" ? nil : next
            }
            defer { position += 1 }
            return buffer[position]
        }
    }
}

extension RedisCommandExecutor {
    private func scanOptions(match: RedisArgument?, count: Int?, type: RedisArgument? = nil) -> [RedisArgument] {
        var options: [RedisArgument] = []
        if let match { options += ["MATCH", match] }
        if let count { options += ["COUNT", count] }
        if let type { options += ["TYPE", type] }
        return options
    }

    /// Every key of the current database (`SCAN` followed to the end).
    ///
    /// - Parameters:
    ///   - match: A glob-style pattern the keys must match (`MATCH`).
    ///   - count: How much work the server does per batch (`COUNT`, a hint).
    ///   - type: Only keys of this type (`TYPE`: `string`, `hash`, …).
    public func scanAll(match: RedisArgument? = nil, count: Int? = nil, type: RedisArgument? = nil) -> RedisScanSequence<ByteBuffer> {
        RedisScanSequence(executor: self, command: "SCAN", key: nil, options: scanOptions(match: match, count: count, type: type)) { batch throws(RedisClientError) in
            try RedisReplyDecoder.bulkArray(.array(batch), "SCAN")
        }
    }

    /// Every member of the set at `key` (`SSCAN` followed to the end).
    public func sscanAll(_ key: RedisArgument, match: RedisArgument? = nil, count: Int? = nil) -> RedisScanSequence<ByteBuffer> {
        RedisScanSequence(executor: self, command: "SSCAN", key: key, options: scanOptions(match: match, count: count)) { batch throws(RedisClientError) in
            try RedisReplyDecoder.bulkArray(.array(batch), "SSCAN")
        }
    }

    /// Every field and value of the hash at `key` (`HSCAN` followed to the end).
    public func hscanAll(_ key: RedisArgument, match: RedisArgument? = nil, count: Int? = nil) -> RedisScanSequence<(field: ByteBuffer, value: ByteBuffer)> {
        RedisScanSequence(executor: self, command: "HSCAN", key: key, options: scanOptions(match: match, count: count)) { batch throws(RedisClientError) in
            let flat = try RedisReplyDecoder.bulkArray(.array(batch), "HSCAN")
            guard flat.count % 2 == 0 else { throw .protocolViolation("HSCAN returned an odd number of items") }
            return stride(from: 0, to: flat.count, by: 2).map { (field: flat[$0], value: flat[$0 + 1]) }
        }
    }

    /// Every member and score of the sorted set at `key` (`ZSCAN` followed to the end).
    public func zscanAll(_ key: RedisArgument, match: RedisArgument? = nil, count: Int? = nil) -> RedisScanSequence<(member: ByteBuffer, score: Double)> {
        RedisScanSequence(executor: self, command: "ZSCAN", key: key, options: scanOptions(match: match, count: count)) { batch throws(RedisClientError) in
            guard batch.count % 2 == 0 else { throw .protocolViolation("ZSCAN returned an odd number of items") }
            var result: [(member: ByteBuffer, score: Double)] = []
            result.reserveCapacity(batch.count / 2)
            for index in stride(from: 0, to: batch.count, by: 2) {
                result.append((member: try RedisReplyDecoder.bulk(batch[index], "ZSCAN"),
                               score: try RedisReplyDecoder.double(batch[index + 1], "ZSCAN")))
            }
            return result
        }
    }
}
