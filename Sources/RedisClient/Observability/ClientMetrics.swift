import Metrics

/// The client's swift-metrics instruments, created once per client (never per command).
///
/// | label | kind | dimensions |
/// | --- | --- | --- |
/// | `redis.client.command.duration` | timer (ns) | `db.system=redis` |
/// | `redis.client.errors` | counter | `category` (connection, timeout, protocol, server, disconnected, cancelled) |
/// | `redis.client.reconnects` | counter | |
/// | `redis.client.queue.depth` | gauge | `queue` (`offline`, `in_flight`) |
/// | `redis.client.pool.connections` | gauge | `state` (`active`, `idle`, `waiting`, `total`) |
struct ClientMetrics: Sendable {
    let commandDuration: Timer
    let errors: [RedisClientError.Category: Counter]
    let reconnects: Counter
    let offlineDepth: Gauge
    let inFlightDepth: Gauge
    let poolActive: Gauge
    let poolIdle: Gauge
    let poolWaiting: Gauge
    let poolTotal: Gauge

    /// - Parameter factory: where the instruments come from: the process-wide `MetricsSystem` by
    ///   default, or a factory given to `RedisClient.connect` (tests, multi-tenant apps).
    init(factory: any MetricsFactory = MetricsSystem.factory) {
        commandDuration = Timer(label: "redis.client.command.duration", dimensions: [("db.system", "redis")], factory: factory)
        var errors: [RedisClientError.Category: Counter] = [:]
        for category in RedisClientError.Category.allCases {
            errors[category] = Counter(label: "redis.client.errors", dimensions: [("category", category.rawValue)], factory: factory)
        }
        self.errors = errors
        reconnects = Counter(label: "redis.client.reconnects", factory: factory)
        offlineDepth = Gauge(label: "redis.client.queue.depth", dimensions: [("queue", "offline")], factory: factory)
        inFlightDepth = Gauge(label: "redis.client.queue.depth", dimensions: [("queue", "in_flight")], factory: factory)
        poolActive = Gauge(label: "redis.client.pool.connections", dimensions: [("state", "active")], factory: factory)
        poolIdle = Gauge(label: "redis.client.pool.connections", dimensions: [("state", "idle")], factory: factory)
        poolWaiting = Gauge(label: "redis.client.pool.connections", dimensions: [("state", "waiting")], factory: factory)
        poolTotal = Gauge(label: "redis.client.pool.connections", dimensions: [("state", "total")], factory: factory)
    }

    func recordError(_ error: RedisClientError) {
        errors[error.category]?.increment()
    }
}
