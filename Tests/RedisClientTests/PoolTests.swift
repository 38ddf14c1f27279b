import Foundation
import RESP
@testable import RedisClient
import RedisTestSupport
import Testing

@Suite("Pool")
struct PoolTests {
    static func configuration(maximum: Int, minimum: Int = 0, acquireTimeout: Duration = .seconds(5),
                              idleTimeout: Duration = .seconds(60), healthCheckAfterIdle: Duration = .seconds(1)) throws -> RedisConfiguration {
        var configuration = try RedisServer.shared().configuration()
        configuration.pool = .init(minimumConnections: minimum, maximumConnections: maximum, acquireTimeout: acquireTimeout,
                                   idleTimeout: idleTimeout, healthCheckAfterIdle: healthCheckAfterIdle)
        return configuration
    }

    @Test("connections are made on demand up to the maximum; statistics follow")
    func sizing() async throws {
        let configuration = try Self.configuration(maximum: 2)
        try await bounded(30) {
            let pool = try await RedisConnectionPool.make(configuration: configuration)
            #expect(pool.statistics == .init(active: 0, idle: 0, waiting: 0, total: 0))
            let first = try await pool.lease()
            let second = try await pool.lease()
            #expect(first !== second)
            #expect(pool.statistics == .init(active: 2, idle: 0, waiting: 0, total: 2))
            // A third lease waits until one is released.
            let third = Task { try await pool.lease() }
            #expect(await eventually { pool.statistics.waiting == 1 })
            pool.release(first)
            let handedOver = try await third.value
            #expect(handedOver === first)
            #expect(pool.statistics == .init(active: 2, idle: 0, waiting: 0, total: 2))
            pool.release(second)
            pool.release(handedOver)
            #expect(pool.statistics == .init(active: 0, idle: 2, waiting: 0, total: 2))
            await pool.close()
            await #expect(throws: RedisClientError.disconnected(.closed)) { try await pool.lease() }
        }
    }

    @Test("a lease that waits too long fails with an acquire timeout")
    func acquireTimeout() async throws {
        let configuration = try Self.configuration(maximum: 1, acquireTimeout: .milliseconds(200))
        try await bounded(30) {
            let pool = try await RedisConnectionPool.make(configuration: configuration)
            let held = try await pool.lease()
            await #expect(throws: RedisClientError.timeout(.poolAcquire)) { try await pool.lease() }
            #expect(pool.statistics.waiting == 0)
            pool.release(held)
            await pool.close()
        }
    }

    @Test("withConnection gives a connection of its own: WATCH/MULTI/EXEC and blocking commands")
    func scoped() async throws {
        let configuration = try Self.configuration(maximum: 4)
        let key = uniqueKey("pool")
        try await bounded(30) {
            let client = try await RedisClient.connect(configuration: configuration)
            let exec = try await client.withConnection { connection in
                try await connection.send("WATCH", key)
                try await connection.send("MULTI")
                try await connection.send("INCR", key)
                try await connection.send("INCR", key)
                return try await connection.send("EXEC")
            }
            #expect(exec == .array([.integer(1), .integer(2)]))
            // A blocking command on a pooled connection does not hold up the shared one.
            let blocked = Task {
                try await client.withConnection { connection in try await connection.send("BLPOP", key + ":list", 5) }
            }
            #expect(await eventually { client.pool.statistics.active == 1 })
            #expect(try await client.ping() == "PONG")
            try await client.send("RPUSH", key + ":list", "job")
            #expect(try await blocked.value == .array([.bulk(key + ":list"), .bulk("job")]))
            #expect(client.pool.statistics.active == 0)
            // Errors thrown by the body still return the connection.
            struct Abort: Error {}
            await #expect(throws: Abort.self) { try await client.withConnection { _ in throw Abort() } }
            #expect(client.pool.statistics.active == 0)
            await client.close()
        }
    }

    @Test("a connection that died while idle is dropped; the health check protects the lease")
    func deadConnections() async throws {
        let configuration = try Self.configuration(maximum: 2, healthCheckAfterIdle: .zero)
        let server = try RedisServer.shared()
        try await bounded(30) {
            let pool = try await RedisConnectionPool.make(configuration: configuration)
            let connection = try await pool.lease()
            let id = try await clientID(of: connection)
            pool.release(connection)
            let admin = try server.connect()
            #expect(try admin.send("CLIENT", "KILL", "ID", String(id)) == .integer(1))
            let next = try await pool.lease()
            #expect(try await next.ping() == "PONG")
            #expect(try await clientID(of: next) != id)
            pool.release(next)
            #expect(pool.statistics.total <= 2)
            #expect(await eventually { pool.statistics.total == 1 })
            await pool.close()
        }
    }

    @Test("idle connections beyond the minimum close after the idle timeout; the minimum is kept warm")
    func idleTimeout() async throws {
        let configuration = try Self.configuration(maximum: 3, minimum: 1, idleTimeout: .milliseconds(200))
        try await bounded(30) {
            let pool = try await RedisConnectionPool.make(configuration: configuration)
            #expect(await eventually { pool.statistics.idle == 1 })
            let a = try await pool.lease()
            let b = try await pool.lease()
            let c = try await pool.lease()
            pool.release(a)
            pool.release(b)
            pool.release(c)
            #expect(pool.statistics.total == 3)
            #expect(await eventually { pool.statistics.total == 1 && pool.statistics.idle == 1 })
            await pool.close()
        }
    }
}
