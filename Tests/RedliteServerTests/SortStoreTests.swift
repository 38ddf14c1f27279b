import Foundation
import RESP
import RedisTestSupport
import Testing

/// SORT … STORE as the write it is: it serves clients blocked on the destination, and breaks a
/// WATCH of it (its replies and events are in the differential and notification suites).
@Suite("SORT … STORE")
struct SortStoreTests {
    @Test("SORT … STORE serves a client blocked on the destination and breaks a WATCH of it")
    func storeWakesAndInvalidates() async throws {
        let served = try await ServedRedlite.start()
        let writer = try served.connect()
        #expect(try writer.run("RPUSH", "source", "3", "1", "2") == .integer(3))
        let port = served.port
        async let popped = offloaded { () -> RESPValue in
            let blocked = try RedisTestConnection(port: port, timeout: .seconds(10))
            return try blocked.run("BLPOP", "sorted", "5")
        }
        // Bounded: until the BLPOP is registered (CLIENT LIST shows it blocked), at most 2 s.
        for _ in 0..<200 {
            if case .bulkString(let list) = try writer.run("CLIENT", "LIST"), String(buffer: list).contains("cmd=blpop") { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(try writer.run("SORT", "source", "STORE", "sorted") == .integer(3))
        #expect(try await popped == .array([.bulk("sorted"), .bulk("1")]))
        #expect(try writer.run("LRANGE", "sorted", "0", "-1") == .array([.bulk("2"), .bulk("3")]))

        let watcher = try served.connect()
        #expect(try watcher.run("WATCH", "sorted") == .ok)
        #expect(try writer.run("SORT", "source", "DESC", "STORE", "sorted") == .integer(3))
        #expect(try watcher.run("MULTI") == .ok)
        #expect(try watcher.run("GET", "x") == .simpleString("QUEUED"))
        #expect(try watcher.run("EXEC") == .nullArray)
        await served.stop()
    }

    @Test("a value out of double's range cannot be sorted by, and refusing it does not stop later sorts (Redis's stale errno does)")
    func outOfRange() async throws {
        let served = try await ServedRedlite.start()
        let client = try served.connect()
        #expect(try client.run("RPUSH", "big", "1e400") == .integer(1))
        #expect(try client.run("SORT", "big") == .simpleError("ERR One or more scores can't be converted into double"))
        #expect(try client.run("RPUSH", "tiny", "1e-400") == .integer(1))
        #expect(try client.run("SORT", "tiny") == .simpleError("ERR One or more scores can't be converted into double"))
        #expect(try client.run("RPUSH", "fine", "2", "1") == .integer(2))
        #expect(try client.run("SORT", "fine") == .array([.bulk("1"), .bulk("2")]))
        await served.stop()
    }
}
