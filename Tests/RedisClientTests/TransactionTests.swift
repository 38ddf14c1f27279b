import NIOCore
import RESP
@testable import RedisClient
import RedisTestSupport
import Synchronization
import Testing

@Suite("Transactions against a real redis-server")
struct TransactionTests {
    @Test("MULTI/EXEC: typed replies, a runtime error fails only its own command")
    func typedReplies() async throws {
        let client = try await RedisClient.connect(configuration: RedisServer.shared().configuration())
        let counter = uniqueKey("counter"), name = uniqueKey("name")
        try await bounded(30) { () async throws -> Void in
            let handles = Mutex<(RedisQueuedReply<Int>?, RedisQueuedReply<String?>?, RedisQueuedReply<RESPValue>?, RedisQueuedReply<Int>?)>((nil, nil, nil, nil))
            let result = try await client.transaction { tx in
                tx.queue("SET", name, "Ada")
                let incremented = tx.queue(RedisCommand("INCRBY", counter, 5), as: Int.self)
                let fetched = tx.queue(RedisCommand("GET", name), as: String?.self)
                let wrongType = tx.queue(RedisCommand("LPUSH", name, "x"))   // runs, fails: WRONGTYPE
                let after = tx.queue(RedisCommand("INCR", counter), as: Int.self)
                handles.withLock { $0 = (incremented, fetched, wrongType, after) }
            }
            let (incremented, fetched, wrongType, after) = handles.withLock { $0 }
            #expect(result.replies.count == 5)
            #expect(try result[incremented!] == 5)
            #expect(try result[fetched!] == "Ada")
            #expect(throws: RedisClientError.self) { try result[wrongType!] }
            if case .failure(.server(let reply)) = result.replies[3] { #expect(reply.code == "WRONGTYPE") } else {
                Issue.record("LPUSH on a string did not fail: \(result.replies[3])")
            }
            #expect(try result[after!] == 6)
        }
        await client.close()
    }

    @Test("a queue-time error surfaces as EXECABORT and nothing runs")
    func execAbort() async throws {
        let client = try await RedisClient.connect(configuration: RedisServer.shared().configuration())
        let key = uniqueKey("untouched")
        try await bounded(30) { () async throws -> Void in
            let outcome: Result<RedisTransactionResult, RedisClientError>
            do throws(RedisClientError) {
                outcome = .success(try await client.transaction { tx in
                    tx.queue("SET", key, "1")
                    tx.queue("NOSUCHCOMMAND", key)
                })
            } catch {
                outcome = .failure(error)
            }
            guard case .failure(.server(let reply)) = outcome else {
                Issue.record("expected EXECABORT, got \(outcome)")
                return
            }
            #expect(reply.code == "EXECABORT")
            #expect(reply.message.contains("NOSUCHCOMMAND"), "\(reply.message)")
            #expect(try await client.getString(key) == nil)
            // The pooled connection is usable afterwards (not stuck inside MULTI).
            let result = try await client.transaction { tx in tx.queue("PING") }
            #expect(result.replies.count == 1)
            #expect(try result.replies[0].get() == .simpleString("PONG"))
        }
        await client.close()
    }

    @Test("WATCH conflict from a second client: retried, then committed")
    func watchConflictRetries() async throws {
        let server = try RedisServer.shared()
        let client = try await RedisClient.connect(configuration: server.configuration())
        let other = try await RedisClient.connect(configuration: server.configuration())
        let balance = uniqueKey("balance")
        try await client.set(balance, 100)
        try await bounded(30) { () async throws -> Void in
            let attempts = SharedCounter()
            let result = try await client.watch([balance], maxAttempts: 5) { connection, tx throws(RedisClientError) in
                attempts.increment()
                let current = Int(try await connection.send("GET", balance).string ?? "0") ?? 0
                if attempts.current == 1 {
                    // Another client changes the watched key between the read and EXEC.
                    try await other.set(balance, current + 1000)
                }
                tx.queue("SET", balance, current + 10)
            }
            #expect(attempts.current == 2)
            #expect(result.replies.count == 1)
            #expect(try await client.getString(balance) == "1110")
        }
        await other.close()
        await client.close()
    }

    @Test("WATCH conflicting on every attempt: gives up after maxAttempts")
    func watchGivesUp() async throws {
        let server = try RedisServer.shared()
        let client = try await RedisClient.connect(configuration: server.configuration())
        let other = try await RedisClient.connect(configuration: server.configuration())
        let key = uniqueKey("contended")
        try await bounded(30) { () async throws -> Void in
            let attempts = SharedCounter()
            var failure: RedisTransactionError?
            do throws(RedisTransactionError) {
                _ = try await client.watch([key], maxAttempts: 3) { connection, tx throws(RedisClientError) in
                    attempts.increment()
                    try await other.increment(key)
                    tx.queue("SET", key, "mine")
                }
            } catch {
                failure = error
            }
            #expect(failure == .conflict(attempts: 3))
            #expect(attempts.current == 3)
            #expect(try await client.getString(key) == "3")
        }
        await other.close()
        await client.close()
    }
}
