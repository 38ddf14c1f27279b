import Foundation
import NIOConcurrencyHelpers
import RESP
import RedisTestSupport
import Redlite
@testable import RedliteServer
import Testing

/// CONFIG SET of the settings that change the server's listeners and its durability mode while it
/// runs (the errors Redis answers are in the network differential suite).
@Suite("CONFIG SET port, bind, synchronous")
struct ListenerConfigurationTests {
    @Test("CONFIG SET port moves the listener: new clients on the new port, the old one refused, connected clients kept; a port in use changes nothing")
    func port() async throws {
        let served = try await ServedRedlite.start()
        let other = try await ServedRedlite.start()
        let admin = try served.connect()
        let newPort = try RedisServer.freeLoopbackPort()
        #expect(try admin.run("CONFIG", "SET", "port", String(newPort)) == .ok)
        #expect(try admin.run("CONFIG", "GET", "port") == .array([.bulk("port"), .bulk(String(newPort))]))
        #expect(try RedisTestConnection(port: newPort).run("PING") == .simpleString("PONG"))
        #expect(served.server.localAddresses.first?.port == newPort)
        #expect(try Self.refusesConnections(port: served.port), "the old port still accepts")
        #expect(try admin.run("SET", "still", "here") == .ok)

        // The port of another server: nothing changes, not even the other setting in the same call.
        #expect(try admin.run("CONFIG", "SET", "maxclients", "77", "port", String(other.port))
            == .simpleError("ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on this port. Check server logs."))
        #expect(try admin.run("CONFIG", "GET", "maxclients") == .array([.bulk("maxclients"), .bulk("10000")]))
        #expect(try admin.run("CONFIG", "GET", "port") == .array([.bulk("port"), .bulk(String(newPort))]))
        #expect(try RedisTestConnection(port: newPort).run("GET", "still") == .bulk("here"))
        #expect(try other.connect().run("GET", "still") == .nullBulkString)
        await other.stop()
        await served.stop()
    }

    @Test("CONFIG SET bind listens on the addresses named, keeps a listener named again, and refuses an address not on this machine")
    func bind() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        // A fixed port first: with port 0 every new address would get a port of its own.
        let port = try RedisServer.freeLoopbackPort()
        #expect(try admin.run("CONFIG", "SET", "port", String(port)) == .ok)
        let first = try RedisTestConnection(host: "127.0.0.1", port: port)

        #expect(try admin.run("CONFIG", "SET", "bind", "127.0.0.1 127.0.0.2") == .ok)
        #expect(try RedisTestConnection(host: "127.0.0.2", port: port).run("PING") == .simpleString("PONG"))
        #expect(try RedisTestConnection(host: "127.0.0.1", port: port).run("PING") == .simpleString("PONG"))
        #expect(try admin.run("CONFIG", "GET", "bind") == .array([.bulk("bind"), .bulk("127.0.0.1 127.0.0.2")]))

        // TEST-NET-1 is nobody's address: refused, and both listeners stay.
        #expect(try admin.run("CONFIG", "SET", "bind", "127.0.0.2 192.0.2.1")
            == .simpleError("ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses."))
        #expect(try admin.run("CONFIG", "GET", "bind") == .array([.bulk("bind"), .bulk("127.0.0.1 127.0.0.2")]))
        #expect(try RedisTestConnection(host: "127.0.0.1", port: port).run("PING") == .simpleString("PONG"))

        #expect(try admin.run("CONFIG", "SET", "bind", "127.0.0.2") == .ok)
        #expect(try Self.refusesConnections(host: "127.0.0.1", port: port), "127.0.0.1 still accepts")
        #expect(try RedisTestConnection(host: "127.0.0.2", port: port).run("PING") == .simpleString("PONG"))
        // Connections accepted before are never closed by a listener change.
        #expect(try first.run("PING") == .simpleString("PONG"))
        #expect(served.server.localAddresses.map(\.ipAddress) == ["127.0.0.2"])
        // Inside EXEC a change that would have to close a listener first (0.0.0.0 overlaps 127.0.0.2
        // on this port) cannot wait for it: refused, and nothing is bound to the wildcard.
        #expect(try admin.run("MULTI") == .ok)
        #expect(try admin.run("CONFIG", "SET", "bind", "0.0.0.0") == .simpleString("QUEUED"))
        #expect(try admin.run("EXEC") == .array([
            .simpleError("ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to specified addresses."),
        ]))
        #expect(served.server.localAddresses.map(\.ipAddress) == ["127.0.0.2"])
        // An empty list is the default, as in Redis: here loopback only.
        #expect(try admin.run("CONFIG", "SET", "bind", "") == .ok)
        #expect(try admin.run("CONFIG", "GET", "bind") == .array([.bulk("bind"), .bulk("127.0.0.1")]))
        #expect(try RedisTestConnection(host: "127.0.0.1", port: port).run("PING") == .simpleString("PONG"))
        await served.stop()
    }

    @Test("Redis's bind syntax at start: `-` skips an address this machine lacks (the default redis.conf binds 127.0.0.1 -::1), `*` and `::*` are the wildcards")
    func bindSyntax() async throws {
        let served = try await ServedRedlite.start { $0.bind = ["127.0.0.1", "-192.0.2.1"] }
        #expect(served.server.localAddresses.map(\.ipAddress) == ["127.0.0.1"])
        #expect(try served.connect().run("CONFIG", "GET", "bind") == .array([.bulk("bind"), .bulk("127.0.0.1 -192.0.2.1")]))
        await served.stop()
        #expect(Listeners.bindAddress("*") == ("0.0.0.0", false))
        #expect(Listeners.bindAddress("-::*") == ("::", true))
        #expect(Listeners.bindAddress("-::1") == ("::1", true))
        #expect(Listeners.bindAddress("127.0.0.1") == ("127.0.0.1", false))
        // Without the `-`, a missing address fails the start.
        var configuration = ServerConfiguration()
        configuration.databasePath = nil
        configuration.port = 0
        configuration.bind = ["127.0.0.1", "192.0.2.1"]
        let failing = try RedliteServer(configuration: configuration)
        await #expect(throws: (any Error).self) { try await failing.start() }
        #expect(failing.localAddresses.isEmpty)
        // Only optional addresses, none of them here: nowhere to listen, which fails as in Redis.
        configuration.bind = ["-192.0.2.1"]
        let nowhere = try RedliteServer(configuration: configuration)
        await #expect(throws: ServerStartFailure.self) { try await nowhere.start() }
        // A host name that cannot be resolved fails even when optional.
        configuration.bind = ["127.0.0.1", "-no-such-host.invalid"]
        let unresolved = try RedliteServer(configuration: configuration)
        await #expect(throws: (any Error).self) { try await unresolved.start() }
    }

    @Test("CONFIG SET synchronous switches SQLite's mode for the next commits, and back")
    func synchronous() async throws {
        let served = try await ServedRedlite.start()
        let admin = try served.connect()
        #expect(try served.server.store.currentSynchronous == .normal)
        #expect(try admin.run("CONFIG", "SET", "synchronous", "full") == .ok)
        #expect(try served.server.store.currentSynchronous == .full)
        #expect(try admin.run("CONFIG", "GET", "synchronous", "appendfsync")
            == .array([.bulk("appendfsync"), .bulk("always"), .bulk("synchronous"), .bulk("full")]))
        // Writes go on, through the writer thread (event loops lead no fsyncing commits).
        for index in 0..<20 { #expect(try admin.run("SET", "k\(index)", "v") == .ok) }
        #expect(try admin.run("DBSIZE") == .integer(20))
        #expect(try admin.run("CONFIG", "SET", "synchronous", "sometimes")
            == .simpleError("ERR CONFIG SET failed (possibly related to argument 'synchronous') - synchronous is normal or full"))
        #expect(try served.server.store.currentSynchronous == .full)
        #expect(try admin.run("CONFIG", "SET", "synchronous", "normal") == .ok)
        #expect(try served.server.store.currentSynchronous == .normal)
        #expect(try admin.run("SET", "after", "v") == .ok)
        await served.stop()
    }

    @Test("one CONFIG SET at a time: a turn is handed to the first waiter, and is free once nobody waits")
    func exclusiveTurns() {
        let turns = ExclusiveTurns()
        let order = NIOLockedValueBox<[String]>([])
        @Sendable func waiter(_ name: String) -> @Sendable () -> Void {
            { order.withLockedValue { $0.append(name) } }
        }
        let first = turns.acquire(orQueue: waiter("never"))
        let second = turns.acquire(orQueue: waiter("second"))
        let third = turns.acquire(orQueue: waiter("third"))
        #expect(first && !second && !third)
        turns.release()  // handed to the second, still busy for anyone else
        #expect(order.withLockedValue { $0 } == ["second"])
        let fourth = turns.acquire(orQueue: waiter("fourth"))
        #expect(!fourth)
        turns.release()
        turns.release()
        #expect(order.withLockedValue { $0 } == ["second", "third", "fourth"])
        turns.release()  // nobody waits: free
        let fifth = turns.acquire(orQueue: waiter("fifth"))
        #expect(fifth)
    }

    @Test("CONFIG REWRITE writes the TLS settings CONFIG SET can change")
    func rewriteKeepsTLS() {
        var configuration = ServerConfiguration()
        configuration.tls = .init(port: 7443, certificatePath: "/c.pem", keyPath: "/k.pem", caPath: "/ca.pem")
        let directives = Dictionary(uniqueKeysWithValues: configuration.rewrittenDirectives.map { ($0.name, $0.words) })
        #expect(directives["tls-port"] == ["7443"])
        #expect(directives["tls-cert-file"] == ["/c.pem"])
        #expect(directives["tls-key-file"] == ["/k.pem"])
        #expect(directives["tls-ca-cert-file"] == ["/ca.pem"])
    }

    /// Whether new connections to the port are refused, waiting up to 2 s for a listener being
    /// closed (CONFIG SET answers once the new listeners listen; the old ones close just after).
    static func refusesConnections(host: String = "127.0.0.1", port: Int) throws -> Bool {
        for _ in 0..<40 {
            guard let connection = try? RedisTestConnection(host: host, port: port, timeout: .seconds(1)) else { return true }
            // Accepted by the closing listener's backlog: it is closed with it.
            _ = try? connection.run("PING")
            Thread.sleep(forTimeInterval: 0.05)
        }
        return false
    }
}
