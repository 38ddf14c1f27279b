import NIOCore
import RESP
@testable import RedisClient
import Testing

@Suite("Configuration, URLs, backoff, errors")
struct ConfigurationTests {
    @Test("redis:// with credentials, port and database")
    func redisURL() throws {
        let configuration = try RedisConfiguration(url: "redis://app:p%40ss@cache.internal:6380/2?name=api&protocol=2&timeout=1.5&connect_timeout=3")
        #expect(configuration.endpoint == .tcp(host: "cache.internal", port: 6380))
        #expect(configuration.username == "app")
        #expect(configuration.password == "p@ss")
        #expect(configuration.database == 2)
        #expect(configuration.clientName == "api")
        #expect(configuration.protocolPreference == .resp2)
        #expect(configuration.commandTimeout == .milliseconds(1500))
        #expect(configuration.connectTimeout == .seconds(3))
        #expect(configuration.tls == nil)
    }

    @Test("defaults: port 6379, database 0, RESP3, a password alone")
    func defaults() throws {
        let plain = try RedisConfiguration(url: "redis://localhost")
        #expect(plain.endpoint == .tcp(host: "localhost", port: 6379))
        #expect(plain.database == 0 && plain.password == nil && plain.username == nil)
        #expect(plain.protocolPreference == .resp3)
        let password = try RedisConfiguration(url: "redis://:secret@127.0.0.1:7000")
        #expect(password.password == "secret" && password.username == nil)
        let ipv6 = try RedisConfiguration(url: "redis://[::1]:6390/1")
        #expect(ipv6.endpoint == .tcp(host: "::1", port: 6390))
        #expect(ipv6.database == 1)
    }

    @Test("rediss:// turns TLS on with verification")
    func tlsURL() throws {
        let configuration = try RedisConfiguration(url: "rediss://secure.example:6380")
        #expect(configuration.tls == RedisConfiguration.TLS())
        #expect(configuration.tls?.verifyCertificate == true)
    }

    @Test("unix:// and the embedded forms")
    func otherURLs() throws {
        #expect(try RedisConfiguration(url: "unix:///var/run/redis.sock?db=3").endpoint == .unixSocket(path: "/var/run/redis.sock"))
        #expect(try RedisConfiguration(url: "unix:///var/run/redis.sock?db=3").database == 3)
        #expect(try RedisConfiguration(url: "redlite:///var/lib/app/cache.db").endpoint == .embedded(path: "/var/lib/app/cache.db"))
        #expect(try RedisConfiguration(url: "redlite::memory:").endpoint == .embedded(path: nil))
    }

    @Test("invalid URLs say what is wrong", arguments: [
        "localhost:6379", "http://x", "redis://host:notaport", "redis://host/db", "redis://host?protocol=4",
        "redlite:relative.db", "unix://", "redis://host?unknown=1", "redis://host:99999",
    ])
    func invalidURLs(url: String) {
        #expect(throws: RedisURLError.self) { try RedisConfiguration(url: url) }
    }

    @Test("backoff: 0.1 s doubling to 60 s, jitter within ±25 %")
    func backoff() {
        let policy = RedisConfiguration.ReconnectPolicy.default
        #expect(policy.delay(attempt: 1, random: 0.5) == .milliseconds(100))
        #expect(policy.delay(attempt: 2, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(attempt: 4, random: 0.5) == .milliseconds(800))
        #expect(policy.delay(attempt: 30, random: 0.5) == .seconds(60))
        #expect(policy.delay(attempt: 1, random: 0) == .milliseconds(75))
        #expect(policy.delay(attempt: 1, random: 1) == .milliseconds(125))
        for attempt in 1...20 {
            let delay = policy.delay(attempt: attempt)
            #expect(delay >= .zero && delay <= .seconds(75))
        }
    }

    @Test("error replies are split into Redis's code and message")
    func replyCodes() {
        #expect(RedisReplyError(message: "WRONGTYPE Operation against a key holding the wrong kind of value").code == "WRONGTYPE")
        #expect(RedisReplyError(message: "NOSCRIPT No matching script. Please use EVAL.").code == "NOSCRIPT")
        #expect(RedisReplyError(message: "MOVED 3999 127.0.0.1:6381").code == "MOVED")
        #expect(RedisReplyError(message: "ERR unknown command 'FOO'").code == "ERR")
        #expect(RedisReplyError(message: "something lower case").code == "ERR")
        #expect(RedisClientError.server(RedisReplyError(message: "BUSY x")).category == .server)
        #expect(RedisClientError.timeout(.reply).outcomeUnknown)
        #expect(!RedisClientError.timeout(.write).outcomeUnknown)
        #expect(!RedisClientError.disconnected(.offlineQueueFull).outcomeUnknown)
    }

    @Test("commands are encoded once; blocking commands know their wait")
    func commands() {
        let set = RedisCommand("SET", "k", 42)
        #expect(String(buffer: set.encoded) == "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2\r\n42\r\n")
        #expect(set.blockingTimeout == nil)
        #expect(RedisCommand(["BLPOP", "a", "b", "2.5"]).blockingTimeout == .milliseconds(2500))
        #expect(RedisCommand(["blpop", "a", "0"]).blockingTimeout == .zero)
        #expect(RedisCommand("BLMPOP", 1, 1, "list", "LEFT").blockingTimeout == .seconds(1))
        #expect(RedisCommand(["XREAD", "BLOCK", "1500", "STREAMS", "s", "$"]).blockingTimeout == .milliseconds(1500))
        #expect(RedisCommand(["XREAD", "STREAMS", "s", "0"]).blockingTimeout == nil)
        #expect(RedisCommand(["WAIT", "1", "100"]).blockingTimeout == .milliseconds(100))
        #expect(RedisCommand([ByteBuffer(string: "GET"), ByteBuffer(bytes: [0, 1])]).encoded.readableBytes == 21)
    }
}
