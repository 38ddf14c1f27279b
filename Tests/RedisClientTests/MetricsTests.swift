import MetricsTestKit
import NIOCore
import RESP
@testable import RedisClient
import RedisTestSupport
import Testing

/// The client's swift-metrics instruments, through a test factory given to `connect` (no
/// process-wide bootstrap, so other tests are unaffected).
@Suite("Client metrics")
struct ClientMetricsTests {
    @Test("command latency, errors by category and queue depth are recorded")
    func metrics() async throws {
        try await bounded(30) {
            let metrics = TestMetrics()
            let client = try await RedisClient.connect(configuration: try RedisServer.shared().configuration(), metricsFactory: metrics)
            let key = uniqueKey("metrics")
            for index in 0..<5 { try await client.set(key, "v\(index)") }
            try await client.set(key + ":s", "text")
            await #expect(throws: RedisClientError.self) { try await client.send("INCR", key + ":s") }
            let timer = try metrics.expectTimer("redis.client.command.duration", [("db.system", "redis")])
            #expect(timer.values.count >= 7)
            #expect(timer.values.allSatisfy { $0 > 0 })
            let serverErrors = try metrics.expectCounter("redis.client.errors", [("category", "server")])
            #expect(serverErrors.values.reduce(0, +) == 1)
            #expect((try? metrics.expectGauge("redis.client.queue.depth", [("queue", "in_flight")])) != nil)
            await client.close()
        }
    }
}
