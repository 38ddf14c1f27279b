import Foundation
import Logging
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import Redlite
@testable import RedliteServer
import Testing

/// The settings Redis clients, test set-ups and redis.conf files commonly change, beyond the
/// listeners: output-buffer limits, the log level, and the persistence and memory settings Redlite
/// honours in its own terms (the errors Redis answers are in the network differential suite).
@Suite("CONFIG SET client-output-buffer-limit, loglevel, appendfsync, save, appendonly, maxmemory")
struct CommonSettingsTests {
    @Test("an ordinary client whose reply would pass the normal class's limit is closed, as in Redis; nothing is lost and others are unaffected")
    func normalOutputLimit() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        let value = String(repeating: "v", count: 2 * 1024 * 1024)
        #expect(try admin.run("SET", "big", value) == .ok)
        // No limit by default: the reply comes whole.
        #expect(try admin.run("GET", "big") == .bulk(value))
        #expect(try admin.run("CONFIG", "SET", "client-output-buffer-limit", "normal 1mb 0 0") == .ok)
        let reader = try served.connect(timeout: .seconds(5))
        #expect(try reader.run("GET", "small") == .nullBulkString)
        #expect(throws: (any Error).self) { try reader.run("GET", "big") }
        #expect(try admin.run("STRLEN", "big") == .integer(Int64(value.count)))
        #expect(try admin.run("SET", "small", "s") == .ok)
        #expect(try admin.run("GET", "small") == .bulk("s"))
        // Back to none: the big reply goes through again.
        #expect(try admin.run("CONFIG", "SET", "client-output-buffer-limit", "normal 0 0 0") == .ok)
        let again = try served.connect(timeout: .seconds(5))
        #expect(try again.run("GET", "big") == .bulk(value))
        await served.stop()
    }

    @Test("CONFIG SET client-output-buffer-limit pubsub applies to subscribers from then on")
    func pubsubLimitAtRunTime() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        #expect(try admin.run("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 128kb 60") == .ok)
        #expect(try admin.run("CONFIG", "GET", "client-output-buffer-limit")
            == .array([.bulk("client-output-buffer-limit"), .bulk("normal 0 0 0 slave 268435456 67108864 60 pubsub 262144 131072 60")]))
        let slow = try served.connect(timeout: .seconds(5))
        try slow.run("SUBSCRIBE", "firehose")
        let payload = String(repeating: "x", count: 16 * 1024)
        // Bounded: at most 2,000 messages of 16 KB (32 MB offered, the default hard limit), stopping
        // once nobody listens; with the new limit that comes after some 256 KB unsent.
        let receivers = try await served.publishUntilNobodyListens(channel: "firehose", payload: payload, limit: 2_000)
        #expect(receivers.last == .integer(0), "the slow subscriber was never disconnected")
        #expect(receivers.count < 2_000)
        await served.stop()
    }

    @Test("OutputLimit: 0 turns a limit off; the soft limit needs its seconds, counted from the first time it is reached")
    func outputLimitRule() {
        let start = ContinuousClock.now
        var since: ContinuousClock.Instant?
        let none = ServerConfiguration.OutputLimit(hard: 0, soft: 0, softSeconds: 0)
        #expect(!none.isReached(pending: 1 << 40, overSoftSince: &since, now: start))
        let limit = ServerConfiguration.OutputLimit(hard: 100, soft: 50, softSeconds: 10)
        #expect(limit.isReached(pending: 100, overSoftSince: &since, now: start))
        #expect(!limit.isReached(pending: 60, overSoftSince: &since, now: start))
        #expect(since == start)
        #expect(!limit.isReached(pending: 60, overSoftSince: &since, now: start + .seconds(9)))
        #expect(limit.isReached(pending: 60, overSoftSince: &since, now: start + .seconds(10)))
        // Below the soft limit, the count starts over.
        #expect(!limit.isReached(pending: 10, overSoftSince: &since, now: start + .seconds(11)))
        #expect(since == nil)
        #expect(!limit.isReached(pending: 60, overSoftSince: &since, now: start + .seconds(20)))
        let softOnly = ServerConfiguration.OutputLimit(hard: 0, soft: 50, softSeconds: 0)
        since = nil
        #expect(softOnly.isReached(pending: 50, overSoftSince: &since, now: start))
    }

    @Test("memory values read as Redis's memtoull reads them")
    func memoryValues() {
        #expect(ServerConfiguration.memoryValue("0") == 0)
        #expect(ServerConfiguration.memoryValue("123") == 123)
        #expect(ServerConfiguration.memoryValue("5b") == 5)
        #expect(ServerConfiguration.memoryValue("2k") == 2000)
        #expect(ServerConfiguration.memoryValue("2KB") == 2048)
        #expect(ServerConfiguration.memoryValue("3m") == 3_000_000)
        #expect(ServerConfiguration.memoryValue("3Mb") == 3 * 1024 * 1024)
        #expect(ServerConfiguration.memoryValue("1g") == 1_000_000_000)
        #expect(ServerConfiguration.memoryValue("1gb") == 1 << 30)
        for bad in ["", "-1", "1x", "kb", "1.5mb", " 1", "99999999999999999999", "9223372036854775807gb"] {
            #expect(ServerConfiguration.memoryValue(bad) == nil, "\(bad)")
        }
    }

    @Test("a configuration file takes the same settings, and CONFIG REWRITE writes them back")
    func configurationFile() throws {
        var configuration = ServerConfiguration()
        try configuration.apply(configurationFile: """
            client-output-buffer-limit pubsub 1mb 256kb 10
            client-output-buffer-limit normal 10mb 0 0 replica 1gb 512mb 120
            save 900 1 300 10
            appendonly yes
            appendfsync always
            maxmemory 0
            maxmemory-policy noeviction
            loglevel warning
            """)
        #expect(configuration.pubsubOutputLimit == .init(hard: 1024 * 1024, soft: 256 * 1024, softSeconds: 10))
        #expect(configuration.normalOutputLimit == .init(hard: 10 * 1024 * 1024, soft: 0, softSeconds: 0))
        #expect(configuration.replicaOutputLimit == .init(hard: 1 << 30, soft: 512 * 1024 * 1024, softSeconds: 120))
        #expect(configuration.saveSchedule.map(\.seconds) == [900, 300])
        #expect(configuration.saveSchedule.map(\.changes) == [1, 10])
        #expect(configuration.appendOnly)
        #expect(configuration.synchronous == .full)
        #expect(configuration.logLevel == .warning)
        let rewritten = configuration.rewrittenConfigurationFile("appendfsync no\n")
        #expect(rewritten.contains("appendfsync always\n"))
        #expect(rewritten.contains("save 900 1 300 10\n"))
        #expect(rewritten.contains("appendonly yes\n"))
        #expect(rewritten.contains("loglevel warning\n"))
        #expect(rewritten.contains("client-output-buffer-limit normal 10485760 0 0 slave 1073741824 536870912 120 pubsub 1048576 262144 10\n"))
        var reread = ServerConfiguration()
        try reread.apply(configurationFile: rewritten)
        #expect(reread.pubsubOutputLimit == configuration.pubsubOutputLimit)
        #expect(reread.saveSchedule.map(\.seconds) == [900, 300])
        #expect(reread.synchronous == .full)
        // Half a group, a class Redis has no limit for, eviction Redlite cannot do.
        for line in ["client-output-buffer-limit pubsub 1mb", "client-output-buffer-limit master 1 1 1", "maxmemory 1gb",
                     "maxmemory-policy allkeys-lru", "save 900", "loglevel loud", "appendfsync sometimes"] {
            var other = ServerConfiguration()
            #expect(throws: ConfigurationError.self, "\(line)") { try other.apply(configurationFile: line) }
        }
    }

    @Test("CONFIG SET appendfsync is SQLite's synchronous mode; save and appendonly are kept for a file store and refused in memory; maxmemory only as 0")
    func persistenceSettings() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        #expect(try admin.run("CONFIG", "SET", "appendfsync", "always") == .ok)
        #expect(try served.server.store.currentSynchronous == .full)
        #expect(try admin.run("CONFIG", "GET", "synchronous") == .array([.bulk("synchronous"), .bulk("full")]))
        #expect(try admin.run("CONFIG", "SET", "appendfsync", "no") == .ok)
        #expect(try served.server.store.currentSynchronous == .normal)
        #expect(try admin.run("CONFIG", "GET", "appendfsync") == .array([.bulk("appendfsync"), .bulk("everysec")]))
        #expect(try admin.run("CONFIG", "SET", "save", "3600 1 300 100", "appendonly", "yes") == .ok)
        #expect(try admin.run("CONFIG", "GET", "save") == .array([.bulk("save"), .bulk("3600 1 300 100")]))
        #expect(try admin.run("CONFIG", "GET", "appendonly") == .array([.bulk("appendonly"), .bulk("yes")]))
        #expect(try admin.run("CONFIG", "SET", "maxmemory", "100mb")
            == .simpleError("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - Redlite keeps its data on disk and evicts nothing; maxmemory must be 0"))
        #expect(try admin.run("CONFIG", "SET", "maxmemory-policy", "allkeys-lru")
            == .simpleError("ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - Redlite keeps its data on disk and evicts nothing; the policy is noeviction"))
        await served.stop()

        let inMemory = try await ServedRedlite.start { $0.databasePath = nil }
        let client = try inMemory.connect()
        #expect(try client.run("CONFIG", "SET", "save", "") == .ok)
        #expect(try client.run("CONFIG", "SET", "appendonly", "no") == .ok)
        for (name, value) in [("save", "3600 1"), ("appendonly", "yes")] {
            #expect(try client.run("CONFIG", "SET", name, value)
                == .simpleError("ERR CONFIG SET failed (possibly related to argument '\(name)') - an in-memory store (--memory) keeps nothing on disk"))
        }
        await inMemory.stop()
    }

    @Test("REPLICAOF another server is refused with a reason (Redis would start replicating); NO ONE is the master it is")
    func replicaOf() async throws {
        let served = try await ServedRedlite.start()
        let client = try served.connect()
        #expect(try client.run("REPLICAOF", "127.0.0.1", "6379")
            == .simpleError("ERR Redlite does not replicate: it cannot become a replica of another server"))
        #expect(try client.run("SLAVEOF", "NO", "ONE") == .ok)
        #expect(try client.run("ROLE") == .array([.bulk("master"), .integer(0), .array([])]))
        await served.stop()
    }

    @Test("CONFIG SET loglevel changes what every copy of the server's logger lets through")
    func logLevelAtRunTime() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        // The test server's logger logs warnings and up: Redis's warning.
        #expect(try admin.run("CONFIG", "GET", "loglevel") == .array([.bulk("loglevel"), .bulk("warning")]))
        #expect(try admin.run("CONFIG", "SET", "loglevel", "verbose") == .ok)
        #expect(try admin.run("CONFIG", "GET", "loglevel") == .array([.bulk("loglevel"), .bulk("verbose")]))
        #expect(served.server.context.logger.logLevel == .info)
        await served.stop()
    }

    @Test("AdjustableLogLevel: the shared level decides; a copy given its own level keeps it")
    func adjustableLogLevel() {
        let captured = NIOLockedValueBox<[String]>([])
        var given = Logger(label: "test") { _ in CapturingHandler(captured: captured) }
        given.logLevel = .notice
        let shared = AdjustableLogLevel(initial: given.logLevel, configured: nil)
        let logger = shared.adjusting(given)
        logger.info("info 1")
        logger.notice("notice 1")
        #expect(shared.effective == .notice)
        shared.configured = .verbose
        logger.info("info 2")
        shared.configured = .warning
        logger.notice("notice 3")
        var own = logger
        own.logLevel = .error
        own.warning("warning 1")
        own.error("error 1")
        shared.configured = .debug
        own.info("info 3")
        logger.debug("debug 1")
        #expect(captured.withLockedValue { $0 } == ["notice 1", "info 2", "error 1", "debug 1"])
    }
}

/// Keeps the messages logged to it.
private struct CapturingHandler: LogHandler {
    let captured: NIOLockedValueBox<[String]>
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        captured.withLockedValue { $0.append("\(event.message)") }
    }
}
