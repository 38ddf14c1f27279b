import Foundation
import NIOCore
import RESP
import RedisTestSupport
@testable import Redlite
import Synchronization
import Testing

@Suite("The embedded store")
struct StoreTests {
    @Test("typed API over strings, keys and hashes", arguments: [false, true])
    func typedAPI(inMemory: Bool) throws {
        let directory = try TemporaryDirectory()
        let store = inMemory ? try RedliteStore.inMemory() : try RedliteStore.open(path: directory.path("typed.db"))
        try store.set("greeting", "hello", expiration: .seconds(10))
        #expect(try store.getString("greeting") == "hello")
        guard case .expires(let remaining) = try store.timeToLive("greeting") else {
            Issue.record("expected a time to live")
            return
        }
        #expect(remaining > .seconds(9) && remaining <= .seconds(10))
        #expect(try store.set("greeting", "again", condition: .ifNotExists) == false)
        #expect(try store.set("other", "x", condition: .ifExists) == false)
        #expect(try store.increment("counter") == 1)
        #expect(try store.increment("counter", by: 41) == 42)
        #expect(try store.increment("float", by: 1.5) == 1.5)
        #expect(try store.append("greeting", " world") == 11)
        #expect(try store.hset("user:1", ["name": "Ada", "lang": "Swift"]) == 2)
        #expect(try store.hget("user:1", field: "name").map { String(buffer: $0) } == "Ada")
        #expect(try store.hgetall("user:1") == [ByteBuffer(string: "name"): ByteBuffer(string: "Ada"), ByteBuffer(string: "lang"): ByteBuffer(string: "Swift")])
        #expect(try store.hincrby("user:1", field: "visits", by: 3) == 3)
        #expect(try store.type("user:1") == "hash")
        #expect(try store.type("nothing") == nil)
        #expect(throws: RedisError.wrongType) { try store.get("user:1") }
        #expect(Set(try store.keys(matching: "user:*").map { String(buffer: $0) }) == ["user:1"])
        #expect(try store.delete("user:1", "nothing") == 1)
        #expect(try store.count() == 3)
        let second = store.database(1)
        #expect(try second.get("greeting") == nil)
        try second.set("greeting", "in db 1")
        #expect(try store.getString("greeting") == "hello world")
    }

    @Test("transactions are all or nothing")
    func transactions() throws {
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("tx.db"))
        try store.transaction { tx in
            try tx.set("a", "1")
            try tx.set("b", "2")
            #expect(try tx.getString("a") == "1")  // a transaction reads its own writes
        }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try store.transaction { tx in
                try tx.set("a", "changed")
                try tx.delete("b")
                throw Abort()
            }
        }
        let store2 = store
        #expect(try store2.getString("a") == "1")
        #expect(try store2.getString("b") == "2")
        // An error reply inside does not roll back by itself (as in EXEC): the caller decides.
        let reply = try store.transaction { tx -> RESPValue in
            _ = tx.execute("SET", "c", "3")
            return tx.execute("INCR", "a", "extra")
        }
        #expect(reply.isError)
        #expect(try store2.getString("c") == "3")
    }

    @Test("expired keys are invisible, and active expiry removes their rows")
    func expiry() throws {
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("expiry.db"))
        var session = RedliteSession()
        // Off, so that VACUUM finds the expired rows: the background cleaner would remove them as
        // soon as they are written (see `cleanerWakesForExpiries`).
        #expect(store.execute("AUTOVACUUM", "OFF", session: &session) == .ok)
        for index in 0..<1200 {
            _ = store.execute("SET", "old:\(index)", "v", "PXAT", "1000", session: &session)
        }
        _ = store.execute("SET", "live", "v", session: &session)
        #expect(store.execute("DBSIZE", session: &session) == .integer(1))
        #expect(store.execute("KEYS", "*", session: &session) == .array([.bulk("live")]))
        #expect(store.keyspaceStatistics.totals.expiredKeys == 0)
        #expect(store.execute("VACUUM", session: &session) == .integer(1200))
        #expect(store.execute("VACUUM", session: &session) == .integer(0))
        #expect(store.keyspaceStatistics.totals.expiredKeys == 1200)
        #expect(store.execute("AUTOVACUUM", "INTERVAL", "10", session: &session).isError)
        #expect(store.execute("AUTOVACUUM", "OFF", session: &session) == .ok)
        #expect(store.execute("AUTOVACUUM", session: &session) == .map([.init(.bulk("enabled"), .integer(0)), .init(.bulk("interval_ms"), .integer(60_000))]))
        guard case .map(let info) = store.execute("KEYINFO", "live", session: &session) else {
            Issue.record("KEYINFO did not answer a map")
            return
        }
        #expect(info.first { $0.key == .bulk("type") }?.value == .simpleString("string"))
        #expect(store.execute("KEYINFO", "old:1", session: &session) == .nullBulkString)
    }

    @Test("keyspace hits and misses: reads count each key they look up, through the store, a reader or a transaction; writes do not", arguments: [false, true])
    func keyspaceStatistics(inMemory: Bool) throws {
        let directory = try TemporaryDirectory()
        let store = inMemory ? try RedliteStore.inMemory() : try RedliteStore.open(path: directory.path("hits.db"))
        var session = RedliteSession()
        func totals() -> (Int64, Int64) { (store.keyspaceStatistics.totals.hits, store.keyspaceStatistics.totals.misses) }
        _ = store.execute("SET", "a", "1", session: &session)
        _ = store.execute("INCR", "a", session: &session)
        _ = store.execute("LPUSH", "l", "x", session: &session)
        #expect(totals() == (0, 0))
        _ = store.execute("GET", "a", session: &session)
        _ = store.execute("MGET", "a", "b", "l", session: &session)
        #expect(totals() == (3, 1))
        // A wrong type is found: a hit, then WRONGTYPE.
        #expect(store.execute("GET", "l", session: &session).isError)
        #expect(totals() == (4, 1))
        let reader = try store.makeReader()
        _ = reader.execute([ByteBuffer(string: "GET"), ByteBuffer(string: "nope")], name: "get", session: &session)
        reader.endSnapshot()
        #expect(totals() == (4, 2))
        _ = store.execute("GETDEL", "a", session: &session)
        _ = store.execute("GETDEL", "a", session: &session)
        #expect(totals() == (5, 3))
        store.keyspaceStatistics.reset()
        #expect(store.keyspaceStatistics.totals == .init(hits: 0, misses: 0, expiredKeys: 0))
    }

    @Test("DBSIZE, INFO keyspace and RANDOMKEY over several databases, with expired rows not yet removed", arguments: [false, true])
    func keyCounts(inMemory: Bool) throws {
        let directory = try TemporaryDirectory()
        let store = inMemory ? try RedliteStore.inMemory() : try RedliteStore.open(path: directory.path("counts.db"))
        var sessions = [0, 1, 3, 5].map { database -> RedliteSession in
            var session = RedliteSession()
            _ = store.execute("SELECT", String(database), session: &session)
            return session
        }
        _ = store.execute("AUTOVACUUM", "OFF", session: &sessions[0])
        for index in 0..<30 { _ = store.execute("SET", "zero:\(index)", "v", session: &sessions[0]) }
        for index in 0..<5 { _ = store.execute("SET", "zero:gone:\(index)", "v", "PXAT", "1000", session: &sessions[0]) }
        for index in 0..<10 { _ = store.execute("SET", "one:\(index)", "v", "EX", "1000", session: &sessions[1]) }
        _ = store.execute("RPUSH", "one:list", "a", session: &sessions[1])
        _ = store.execute("SET", "three:gone", "v", "PXAT", "1000", session: &sessions[2])
        #expect(store.execute("DBSIZE", session: &sessions[0]) == .integer(30))
        #expect(store.execute("DBSIZE", session: &sessions[1]) == .integer(11))
        #expect(store.execute("DBSIZE", session: &sessions[2]) == .integer(0))
        #expect(store.execute("DBSIZE", session: &sessions[3]) == .integer(0))
        let summary = try store.keyspaceSummary()
        #expect(summary.map(\.database) == [0, 1])
        #expect(summary.map(\.keys) == [30, 11])
        #expect(summary.map(\.expires) == [0, 10])
        #expect(summary[1].averageTTLMilliseconds > 990_000 && summary[1].averageTTLMilliseconds <= 1_000_000)
        for _ in 0..<40 {
            guard case .bulkString(let key) = store.execute("RANDOMKEY", session: &sessions[0]) else {
                Issue.record("RANDOMKEY found nothing in db 0")
                return
            }
            #expect(String(buffer: key).hasPrefix("zero:") && !String(buffer: key).hasPrefix("zero:gone"))
            guard case .bulkString(let other) = store.execute("RANDOMKEY", session: &sessions[1]) else {
                Issue.record("RANDOMKEY found nothing in db 1")
                return
            }
            #expect(String(buffer: other).hasPrefix("one:"))
        }
        // Only an expired key, or none at all: nothing to pick.
        #expect(store.execute("RANDOMKEY", session: &sessions[2]) == .nullBulkString)
        #expect(store.execute("RANDOMKEY", session: &sessions[3]) == .nullBulkString)
        #expect(store.execute("VACUUM", session: &sessions[0]) == .integer(6))
        #expect(store.execute("DBSIZE", session: &sessions[0]) == .integer(30))
        #expect(try store.keyspaceSummary().map(\.keys) == [30, 11])
        _ = store.execute("FLUSHDB", session: &sessions[0])
        #expect(try store.keyspaceSummary().map(\.database) == [1])
    }

    @Test("SCAN's work per call is bounded by COUNT: at most COUNT keys of the database, at most ten times as many rows of others")
    func scanBoundedPerCall() throws {
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("scan.db"))
        var zero = RedliteSession(), one = RedliteSession()
        _ = store.execute("SELECT", "1", session: &one)
        for index in 0..<300 { _ = store.execute("SET", "zero:\(index)", "v", session: &zero) }
        for index in 0..<3 { _ = store.execute("SET", "one:\(index)", "v", session: &one) }
        for index in 300..<310 { _ = store.execute("SET", "zero:\(index)", "v", session: &zero) }
        /// Every call of a whole iteration: the keys it answered.
        func iterate(_ session: inout RedliteSession) -> [[String]] {
            var cursor = "0", calls: [[String]] = []
            repeat {
                guard case .array(let reply) = store.execute("SCAN", cursor, "COUNT", "10", session: &session), reply.count == 2,
                      case .bulkString(let next) = reply[0], case .array(let keys) = reply[1] else {
                    Issue.record("bad SCAN reply")
                    return calls
                }
                cursor = String(buffer: next)
                calls.append(keys.compactMap(\.string))
            } while cursor != "0" && calls.count < 1000
            return calls
        }
        let sparse = iterate(&one)
        #expect(Set(sparse.joined()) == ["one:0", "one:1", "one:2"])
        // 313 rows, at most 100 examined per call.
        #expect(sparse.count <= 5)
        let dense = iterate(&zero)
        #expect(Set(dense.joined()).count == 310 && dense.joined().count == 310)
        #expect(dense.allSatisfy { $0.count <= 10 })
        #expect(dense.count >= 31 && dense.count <= 33)
    }

    @Test("MEMORY USAGE grows with a key's elements and values; SAMPLES extrapolates from the first elements; STATS counts keys")
    func memoryUsage() throws {
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("memory.db"))
        var session = RedliteSession()
        func usage(_ words: String...) -> Int64 {
            guard case .integer(let bytes) = store.execute((["MEMORY", "USAGE"] + words).map { ByteBuffer(string: $0) }, session: &session) else { return -1 }
            return bytes
        }
        _ = store.execute("SET", "small", "x", session: &session)
        _ = store.execute("SET", "large", String(repeating: "x", count: 10_000), session: &session)
        #expect(usage("large") - usage("small") == 9_999)
        _ = store.execute((["RPUSH", "short"] + (0..<10).map { "element:\($0)" }).map { ByteBuffer(string: $0) }, session: &session)
        _ = store.execute((["RPUSH", "long"] + (0..<1000).map { "element:\($0 % 10)" }).map { ByteBuffer(string: $0) }, session: &session)
        #expect(usage("long") > 50 * usage("short"))
        // Ten short elements first, then long ones: five samples see only short ones, all of them see the rest.
        _ = store.execute((["RPUSH", "mixed"] + Array(repeating: "a", count: 10) + Array(repeating: String(repeating: "b", count: 100), count: 90))
            .map { ByteBuffer(string: $0) }, session: &session)
        #expect(usage("mixed", "SAMPLES", "0") > 5 * usage("mixed"))
        #expect(usage("mixed", "SAMPLES", "0") == usage("mixed", "SAMPLES", "100"))
        _ = store.execute("HSET", "hash", "field", "value", session: &session)
        _ = store.execute("SADD", "set", "member", session: &session)
        _ = store.execute("ZADD", "zset", "1", "member", session: &session)
        #expect(usage("hash") > usage("small") && usage("set") > usage("small") && usage("zset") > usage("set"))
        #expect(store.execute("MEMORY", "USAGE", "nosuch", session: &session) == .nullBulkString)
        guard case .map(let stats) = store.execute("MEMORY", "STATS", session: &session) else {
            Issue.record("MEMORY STATS is not a map")
            return
        }
        #expect(stats.first { $0.key == .bulk("keys.count") }?.value == .integer(8))
        #expect(store.execute("MEMORY", "PURGE", session: &session) == .ok)
    }

    @Test("random picks (SRANDMEMBER, SPOP, HRANDFIELD, ZRANDMEMBER) are members, distinct when asked, and evenly spread")
    func randomPicks() throws {
        for _ in 0..<200 {
            let positions = RandomPositions.distinct(7, of: 20)
            #expect(positions.count == 7 && Set(positions).count == 7 && positions == positions.sorted() && positions.allSatisfy { (0..<20).contains($0) })
        }
        #expect(RandomPositions.distinct(5, of: 3) == [0, 1, 2])
        #expect(RandomPositions.withRepetition(50, of: 2).count == 50)
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("random.db"))
        var session = RedliteSession()
        _ = store.execute((["SADD", "small"] + ["a", "b", "c", "d"]).map { ByteBuffer(string: $0) }, session: &session)
        var seen: [String: Int] = [:]
        for _ in 0..<2000 {
            if let member = store.execute("SRANDMEMBER", "small", session: &session).string { seen[member, default: 0] += 1 }
        }
        // Each of four members about 500 times out of 2,000 (more than 7 standard deviations of room).
        #expect(seen.count == 4 && seen.values.allSatisfy { (350...650).contains($0) }, "\(seen)")
        let members = (0..<1000).map { "member:\($0)" }
        _ = store.execute((["SADD", "large"] + members).map { ByteBuffer(string: $0) }, session: &session)
        let picked = store.execute("SRANDMEMBER", "large", "10", session: &session).elements?.compactMap(\.string) ?? []
        #expect(picked.count == 10 && Set(picked).count == 10 && Set(picked).isSubset(of: members))
        let repeated = store.execute("SRANDMEMBER", "small", "-30", session: &session).elements?.compactMap(\.string) ?? []
        #expect(repeated.count == 30 && Set(repeated).isSubset(of: ["a", "b", "c", "d"]))
        let popped = store.execute("SPOP", "large", "5", session: &session).elements?.compactMap(\.string) ?? []
        #expect(Set(popped).count == 5)
        #expect(store.execute("SCARD", "large", session: &session) == .integer(995))
        #expect(popped.allSatisfy { store.execute("SISMEMBER", "large", $0, session: &session) == .integer(0) })

        _ = store.execute((["HSET", "hash"] + (0..<100).flatMap { ["f\($0)", "v\($0)"] }).map { ByteBuffer(string: $0) }, session: &session)
        let pairs = store.execute("HRANDFIELD", "hash", "-20", "WITHVALUES", session: &session).elements?.compactMap(\.string) ?? []
        #expect(pairs.count == 40)
        for index in stride(from: 0, to: pairs.count, by: 2) { #expect("v" + pairs[index].dropFirst() == pairs[index + 1]) }
        #expect(Set(store.execute("HRANDFIELD", "hash", "30", session: &session).elements?.compactMap(\.string) ?? []).count == 30)
        #expect(store.execute("HRANDFIELD", "hash", session: &session).string?.hasPrefix("f") == true)

        _ = store.execute((["ZADD", "zset"] + (0..<100).flatMap { ["\($0)", "m\($0)"] }).map { ByteBuffer(string: $0) }, session: &session)
        // Scores come as doubles (RESP3's type) or as strings.
        let scored = store.execute("ZRANDMEMBER", "zset", "3", "WITHSCORES", session: &session).elements?.compactMap { element -> String? in
            if case .double(let score) = element { return String(Int(score)) }
            return element.string
        } ?? []
        #expect(scored.count == 6 && Set(stride(from: 0, to: 6, by: 2).map { scored[$0] }).count == 3)
        for index in stride(from: 0, to: scored.count, by: 2) { #expect("m" + scored[index + 1] == scored[index]) }
        #expect(store.execute("ZRANDMEMBER", "zset", "200", session: &session).elements?.count == 100)
    }

    @Test("the background cleaner deletes expired rows without being asked")
    func backgroundCleaner() async throws {
        let directory = try TemporaryDirectory()
        var configuration = RedliteStore.Configuration()
        configuration.autovacuumInterval = .seconds(1)
        let store = try RedliteStore.open(path: directory.path("cleaner.db"), configuration: configuration)
        var session = RedliteSession()
        _ = store.execute("SET", "soon", "v", "PX", "100", session: &session)
        // Bounded wait: up to 5 s for the cleaner's first passes.
        func storedRows() throws -> Int64 {
            try store.withReader { connection in
                let statement = try connection.statement("SELECT count(*) FROM keys")
                defer { statement.reset() }
                _ = try statement.step()
                return statement.int64(0)
            }
        }
        #expect(try storedRows() == 1)
        var cleaned = false
        for _ in 0..<50 {
            try await Task.sleep(for: .milliseconds(100))
            if try storedRows() == 0 {
                cleaned = true
                break
            }
        }
        #expect(cleaned, "the expired row was still stored after 5 s")
    }

    @Test("an expired key is removed soon after its expiry, not at the next sweep; also one stored before the store was opened")
    func cleanerWakesForExpiries() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("soon.db")
        func storedRows(_ store: RedliteStore) throws -> Int64 {
            try store.withReader { connection in
                let statement = try connection.statement("SELECT count(*) FROM keys")
                defer { statement.reset() }
                _ = try statement.step()
                return statement.int64(0)
            }
        }
        /// Bounded wait: up to 3 s, against a sweep interval of 60 s.
        func emptied(_ store: RedliteStore) async throws -> Bool {
            for _ in 0..<60 {
                if try storedRows(store) == 0 { return true }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }
        do {
            let store = try RedliteStore.open(path: path)
            var session = RedliteSession()
            _ = store.execute("SET", "soon", "v", "PX", "100", session: &session)
            _ = store.execute("SET", "later", "v", session: &session)
            _ = store.execute("PEXPIRE", "later", "250", session: &session)
            #expect(try storedRows(store) == 2)
            #expect(try await emptied(store), "expired rows still stored after 3 s")
            #expect(store.keyspaceStatistics.totals.expiredKeys == 2)
            // AUTOVACUUM OFF keeps the row; ON again removes it without waiting for a sweep.
            #expect(store.execute("AUTOVACUUM", "OFF", session: &session) == .ok)
            _ = store.execute("SET", "held", "v", "PX", "50", session: &session)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try storedRows(store) == 1)
            #expect(store.execute("AUTOVACUUM", "ON", session: &session) == .ok)
            #expect(try await emptied(store), "the row expired while AUTOVACUUM was off was still there 3 s after ON")
            #expect(store.execute("AUTOVACUUM", "INTERVAL", "86400001", session: &session)
                == .simpleError("ERR AUTOVACUUM INTERVAL must be at most 86400000 ms (a day)"))
            #expect(store.execute("AUTOVACUUM", "INTERVAL", "9223372036854775807", session: &session).isError)
            // Stored now, expiring once the store has been closed and opened again.
            _ = store.execute("SET", "across", "v", "PX", "400", session: &session)
            store.close()
        }
        let reopened = try RedliteStore.open(path: path)
        #expect(try storedRows(reopened) == 1)
        #expect(try await emptied(reopened), "the row stored before opening was still there after 3 s")
    }

    @Test("a store released while its background threads wait (expiry for a due key, checkpoints) closes its files")
    func releasedStoreClosesFiles() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("released.db")
        func openDescriptors() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").filter { name in
                (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)"))?.hasPrefix(path) == true
            }.count
        }
        weak var weakStore: RedliteStore?
        do {
            let store = try RedliteStore.open(path: path)
            weakStore = store
            var session = RedliteSession()
            // A key due in a minute: the expiry thread waits for it, holding nothing of the store.
            _ = store.execute("SET", "k", "v", "EX", "60", session: &session)
            _ = store.execute("GET", "k", session: &session)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try openDescriptors() > 0)
        }
        // Bounded wait: up to 3 s for the last reference (possibly the expiry thread's) to go.
        var closed = false
        for _ in 0..<60 {
            if try openDescriptors() == 0 {
                closed = true
                break
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(weakStore == nil, "the store is still referenced")
        #expect(closed, "the released store's files were still open after 3 s")
    }

    @Test("many tasks at once: every increment counted, readers never blocked out")
    func concurrency() async throws {
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("concurrent.db"))
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var session = RedliteSession()
                    for index in 0..<200 {
                        _ = store.execute("INCR", "counter", session: &session)
                        _ = store.execute("HSET", "h:\(task)", "f\(index)", "v", session: &session)
                        _ = store.execute("GET", "counter", session: &session)
                    }
                }
            }
        }
        var session = RedliteSession()
        #expect(store.execute("GET", "counter", session: &session) == .bulk("1600"))
        #expect(store.execute("HLEN", "h:3", session: &session) == .integer(200))
    }

    @Test("a read command sees one snapshot: a string in chunks read while another thread replaces it is always one of its values", arguments: [false, true])
    func readsSeeOneSnapshot(chunkedOnly: Bool) async throws {
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("snapshot.db"))
        let long = [UInt8](repeating: 0, count: 20_000) + [UInt8(ascii: "x")]
        let done = Mutex(false)
        // A writer alternates the key between a string in chunks and a short one (or rewrites the
        // chunks); 2,000 rounds at most, or 5 s.
        let writer = Task {
            try await offloaded {
                var session = RedliteSession()
                let started = ContinuousClock.now
                for _ in 0..<2000 where ContinuousClock.now - started < .seconds(5) && !done.withLock({ $0 }) {
                    _ = store.execute("DEL", "big", session: &session)
                    _ = store.execute("SETRANGE", "big", "20000", "x", session: &session)
                    if !chunkedOnly { _ = store.execute("SET", "big", "hello", session: &session) }
                }
                done.withLock { $0 = true }
            }
        }
        let torn = try await offloaded {
            var session = RedliteSession()
            var torn: [String] = []
            let started = ContinuousClock.now
            while !done.withLock({ $0 }) && ContinuousClock.now - started < .seconds(6) && torn.count < 5 {
                switch store.execute("GET", "big", session: &session) {
                case .nullBulkString: break
                case .bulkString(let value) where value == ByteBuffer(string: "hello") || Array(value.readableBytesView) == long: break
                case let other: torn.append("\(other)".prefix(80).description)
                }
                if case .integer(let length) = store.execute("STRLEN", "big", session: &session), ![0, 5, 20_001].contains(length) {
                    torn.append("STRLEN \(length)")
                }
            }
            return torn
        }
        done.withLock { $0 = true }
        try await writer.value
        #expect(torn.isEmpty, "reads between two states: \(torn)")
    }

    @Test("two stores (as two processes would) share one file")
    func twoStoresOneFile() throws {
        let directory = try TemporaryDirectory()
        let first = try RedliteStore.open(path: directory.path("shared.db"))
        let second = try RedliteStore.open(path: directory.path("shared.db"))
        var one = RedliteSession(), two = RedliteSession()
        _ = first.execute("SET", "k", "from first", session: &one)
        #expect(second.execute("GET", "k", session: &two) == .bulk("from first"))
        _ = second.execute("INCR", "n", session: &two)
        _ = first.execute("INCR", "n", session: &one)
        #expect(first.execute("GET", "n", session: &one) == .bulk("2"))
        #expect(try first.integrityCheck() == "ok")
    }

    @Test("opening a file: the schema's migrations apply once and are recorded where GRDB recorded them, a reopened file keeps its data, a file that is not a database is refused at open")
    func openingFiles() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("migrated.db")
        func recordedMigrations(_ store: RedliteStore) throws -> [String] {
            try store.withWriterAutocommit { connection in
                let statement = try connection.statement("SELECT identifier FROM grdb_migrations ORDER BY identifier")
                defer { statement.reset() }
                var identifiers: [String] = []
                while try statement.step() { identifiers.append(String(buffer: statement.bytes(0))) }
                return identifiers
            }
        }
        var session = RedliteSession()
        let first = try RedliteStore.open(path: path)
        _ = first.execute("SET", "kept", "value", session: &session)
        _ = first.execute("RPUSH", "list", "a", "b", session: &session)
        #expect(try recordedMigrations(first) == Schema.migrations.map(\.identifier).sorted())
        first.close()
        let second = try RedliteStore.open(path: path)
        #expect(try recordedMigrations(second) == Schema.migrations.map(\.identifier).sorted())
        #expect(second.execute("GET", "kept", session: &session) == .bulk("value"))
        #expect(second.execute("LRANGE", "list", "0", "-1", session: &session) == .array([.bulk("a"), .bulk("b")]))
        #expect(try second.integrityCheck() == "ok")
        second.close()

        let notADatabase = directory.path("notes.txt")
        try Data(String(repeating: "not a database, just text\n", count: 200).utf8).write(to: URL(fileURLWithPath: notADatabase))
        #expect {
            _ = try RedliteStore.open(path: notADatabase)
        } throws: { error in
            guard case RedliteError.sqlite(let code, let message) = error else { return false }
            return code & 0xff == 26 && message.contains("not a database") // SQLITE_NOTADB
        }
    }

    @Test("long strings changed in place live in chunks: APPEND, SETRANGE and SETBIT write only the chunks they touch, whole-value writes and deletes leave none behind")
    func stringChunks() throws {
        let store = try RedliteStore.inMemory()
        var session = RedliteSession()
        func chunks(_ key: String) throws -> (rows: Int64, bytes: Int64) {
            try store.withReader { connection in
                let statement = try connection.statement("""
                    SELECT count(*), coalesce(sum(length(bytes)), 0) FROM string_chunks WHERE key_id = (SELECT id FROM keys WHERE key = ?1)
                    """)
                defer { statement.reset() }
                statement.bind(1, ByteBuffer(string: key))
                _ = try statement.step()
                return (statement.int64(0), statement.int64(1))
            }
        }
        func version(_ key: String) throws -> Int64? { try store.keyVersion(database: 0, key: ByteBuffer(string: key))?.version }

        // 300 appends of 100 bytes: in the key row up to 16 KiB, then in eight chunks of up to 4 KiB.
        var expected = ""
        for index in 0..<300 {
            let piece = String(repeating: Character(UnicodeScalar(UInt8(97 + index % 26))), count: 100)
            expected += piece
            #expect(store.execute("APPEND", "log", piece, session: &session) == .integer(Int64(expected.utf8.count)))
        }
        #expect(try chunks("log") == (8, 30_000))
        #expect(store.execute("GET", "log", session: &session) == .bulk(expected))
        #expect(store.execute("STRLEN", "log", session: &session) == .integer(30_000))
        #expect(store.execute("GETRANGE", "log", "16380", "16389", session: &session)
            == .bulk(String(expected.dropFirst(16_380).prefix(10))))
        let before = try version("log")
        #expect(store.execute("SETRANGE", "log", "16383", "XY", session: &session) == .integer(30_000))
        #expect(try version("log") != before, "an in-place change is a write WATCH sees")
        #expect(store.execute("GETRANGE", "log", "16382", "16385", session: &session)
            == .bulk(String(expected.dropFirst(16_382).prefix(1)) + "XY" + String(expected.dropFirst(16_385).prefix(1))))

        // A bit at the end of a 512 MB bitmap is one short chunk, not 512 MB of zeros.
        #expect(store.execute("SETBIT", "bits", "4294967295", "1", session: &session) == .integer(0))
        #expect(store.execute("STRLEN", "bits", session: &session) == .integer(536_870_912))
        #expect(try chunks("bits") == (1, 4_096))
        #expect(store.execute("GETBIT", "bits", "4294967295", session: &session) == .integer(1))
        // Counted in its one chunk, not in a 512 MB buffer.
        #expect(store.execute("BITCOUNT", "bits", session: &session) == .integer(1))
        #expect(store.execute("BITCOUNT", "bits", "-1", "-1", session: &session) == .integer(1))
        #expect(store.execute("BITCOUNT", "bits", "4294967288", "4294967294", "BIT", session: &session) == .integer(0))
        #expect(store.execute("BITCOUNT", "bits", "4294967289", "4294967295", "BIT", session: &session) == .integer(1))
        #expect(store.execute("GETBIT", "bits", "4294967294", session: &session) == .integer(0))
        #expect(store.execute("GETRANGE", "bits", "-2", "-1", session: &session) == .bulk([0, 1]))
        #expect(store.execute("GETRANGE", "bits", "1000000", "1000003", session: &session) == .bulk([0, 0, 0, 0]))
        #expect(store.execute("BITPOS", "bits", "0", session: &session) == .integer(0))
        #expect(store.execute("BITPOS", "bits", "1", "536870000", session: &session) == .integer(4_294_967_295))
        #expect(store.execute("BITPOS", "bits", "1", "-1", "-1", session: &session) == .integer(4_294_967_295))
        #expect(store.execute("BITPOS", "bits", "1", "4294967280", "4294967294", "BIT", session: &session) == .integer(-1))
        // Looking for a 1 reads the stored chunks only: the whole 512 MB, without a range.
        #expect(store.execute("BITPOS", "bits", "1", session: &session) == .integer(4_294_967_295))
        #expect(store.execute("BITPOS", "bits", "1", "0", "-1", "BIT", session: &session) == .integer(4_294_967_295))
        #expect(store.execute("SETBIT", "bits", "4294967295", "0", session: &session) == .integer(1))
        // Found past several windows of BITPOS's reading: a 1 at 1 MB, after zeros.
        #expect(store.execute("SETBIT", "sparse", "8000003", "1", session: &session) == .integer(0))
        #expect(store.execute("BITPOS", "sparse", "1", session: &session) == .integer(8_000_003))
        #expect(store.execute("BITPOS", "sparse", "1", "1", "1000000", session: &session) == .integer(8_000_003))
        #expect(store.execute("BITPOS", "sparse", "1", "1", "999999", session: &session) == .integer(-1))
        #expect(store.execute("BITPOS", "sparse", "0", "1000000", session: &session) == .integer(8_000_000))
        #expect(store.execute("DEL", "sparse", session: &session) == .integer(1))
        // Set bits outside the range, in a chunk the range starts or ends in, are not found.
        #expect(store.execute("SETBIT", "edges", "8", "1", session: &session) == .integer(0))
        #expect(store.execute("SETBIT", "edges", "100", "1", session: &session) == .integer(0))
        #expect(store.execute("SETBIT", "edges", "8000003", "1", session: &session) == .integer(0))
        #expect(store.execute("SETBIT", "edges", "8000100", "1", session: &session) == .integer(0))
        #expect(store.execute("BITPOS", "edges", "1", session: &session) == .integer(8))
        #expect(store.execute("BITPOS", "edges", "1", "9", "-1", "BIT", session: &session) == .integer(100))
        #expect(store.execute("BITPOS", "edges", "1", "13", session: &session) == .integer(8_000_003))
        #expect(store.execute("BITPOS", "edges", "1", "13", "999999", session: &session) == .integer(-1))
        #expect(store.execute("BITPOS", "edges", "1", "1000001", session: &session) == .integer(8_000_100))
        #expect(store.execute("BITPOS", "edges", "1", "8000004", "8000099", "BIT", session: &session) == .integer(-1))
        #expect(store.execute("DEL", "edges", session: &session) == .integer(1))

        // COPY takes the chunks along; SET, DEL and a new type leave none behind.
        #expect(store.execute("COPY", "log", "copy", session: &session) == .integer(1))
        #expect(try chunks("copy") == (8, 30_000))
        #expect(store.execute("SET", "log", "short", session: &session) == .ok)
        #expect(try chunks("log") == (0, 0))
        #expect(store.execute("APPEND", "log", "!", session: &session) == .integer(6))
        #expect(store.execute("GET", "log", session: &session) == .bulk("short!"))
        #expect(store.execute("GETRANGE", "copy", "16383", "16384", session: &session) == .bulk("XY"))
        #expect(store.execute("DEL", "bits", session: &session) == .integer(1))
        #expect(store.execute("SETRANGE", "far", "20000", "x", session: &session) == .integer(20_001))
        #expect(try chunks("far") == (1, 20_001 - 16_384))
        #expect(store.execute("GETDEL", "far", session: &session) == .bulk([UInt8](repeating: 0, count: 20_000) + [120]))
        let orphans = try store.withReader { connection in
            let statement = try connection.statement("SELECT count(*) FROM string_chunks WHERE key_id NOT IN (SELECT id FROM keys)")
            defer { statement.reset() }
            _ = try statement.step()
            return statement.int64(0)
        }
        #expect(orphans == 0)
    }

    @Test("keys a write empties are not kept for notifications nobody asked for: none pile up, none reach a later subscriber", arguments: [false, true])
    func emptiedKeysAreNotKept(inTransaction: Bool) throws {
        let store = try RedliteStore.inMemory()
        var session = RedliteSession()
        for _ in 0..<100 {
            if inTransaction {
                _ = try store.transaction { tx in
                    _ = tx.execute("RPUSH", "queue", "job")
                    _ = tx.execute("RPOP", "queue")
                }
            } else {
                _ = store.execute("RPUSH", "queue", "job", session: &session)
                _ = store.execute("RPOP", "queue", session: &session)
            }
        }
        _ = store.execute("SADD", "s", "m", session: &session)
        _ = store.execute("SREM", "s", "m", "x", session: &session)
        #expect(store.writer.withLockedValue { $0.emptiedKeys.count } == 0)
        // Turned on later, notifications carry only the events of the writes after.
        store.notifications.configure("KEA")
        let received = Mutex<[String]>([])
        let subscriber = PubSubHub.Subscriber { message in received.withLock { $0.append(String(buffer: message.payload)) } }
        store.pubsub.subscribe(subscriber, pattern: ByteBuffer(string: "__key*__:*"))
        _ = store.execute("SET", "k", "v", session: &session)
        #expect(received.withLock { $0 } == ["set", "k"])
    }

    @Test("binary-safe keys and values, including empty ones")
    func binarySafety() throws {
        let store = try RedliteStore.inMemory()
        var session = RedliteSession()
        let key = ByteBuffer(bytes: [0, 255, 13, 10])
        let value = ByteBuffer(bytes: [0, 0, 1])
        #expect(store.execute([ByteBuffer(string: "SET"), key, value], session: &session) == .ok)
        #expect(store.execute([ByteBuffer(string: "GET"), key], session: &session) == .bulkString(value))
        #expect(store.execute([ByteBuffer(string: "SET"), ByteBuffer(), ByteBuffer()], session: &session) == .ok)
        #expect(store.execute([ByteBuffer(string: "GET"), ByteBuffer()], session: &session) == .bulk(""))
        #expect(store.execute("EXISTS", "", session: &session) == .integer(1))
    }
}

@Suite("The typed API, continued")
struct MoreTypedAPITests {
    @Test func keysStringsHashes() throws {
        let store = try RedliteStore.inMemory()
        try store.set("a", "hello world")
        #expect(try store.copy("a", to: "b") == true)
        #expect(try store.copy("a", to: "b") == false)
        #expect(try store.copy("a", to: "b", database: 2) == true)
        #expect(try store.database(2).getString("b") == "hello world")
        #expect(try store.move("b", toDatabase: 3) == true)
        #expect(try store.renameIfNew("a", to: "c") == true)
        #expect(try store.expire("c", at: Date(timeIntervalSinceNow: 100)) == true)
        #expect(try store.keyInfo("c")?.timeToLiveSeconds.map { $0 > 90 } == true)
        #expect(try store.keyInfo("nothing") == nil)
        #expect(String(buffer: try store.getRange("c", 0, 4)) == "hello")
        #expect(try store.setRange("c", offset: 6, "WORLD") == 11)
        #expect(try store.getDelete("c").map { String(buffer: $0) } == "hello WORLD")
        #expect(try store.getSet("d", "1") == nil)
        #expect(try store.decrement("d", by: 5) == -4)
        #expect(try store.setBit("bits", offset: 3, true) == false)
        #expect(try store.getBit("bits", offset: 3))
        #expect(try store.bitCount("bits") == 1)
        try store.set([(key: "x", value: "ohmytext"), (key: "y", value: "mynewtext")])
        #expect(String(buffer: try store.longestCommonSubsequence("x", "y")) == "mytext")
        #expect(Set(try store.scanAll().map { String(buffer: $0) }) == ["d", "bits", "x", "y"])
        #expect(try store.scanAll(type: "hash").isEmpty)
        #expect(try store.hsetnx("h", field: "f", value: "1"))
        #expect(try store.hsetnx("h", field: "f", value: "2") == false)
        #expect(try store.hmget("h", fields: ["f", "g"]).map { $0.map { String(buffer: $0) } } == ["1", nil])
        #expect(try store.hexists("h", field: "f"))
        #expect(try store.hincrbyfloat("h", field: "f", by: 0.5) == 1.5)
        #expect(try store.hstrlen("h", field: "f") == 3)
        #expect(try store.hvals("h").map { String(buffer: $0) } == ["1.5"])
        #expect(try store.hrandfield("h", count: -3).count == 3)
        #expect(try store.randomKey() != nil)
        try store.flushAll()
        #expect(try store.count() == 0)
        #expect(try store.database(3).count() == 0)
    }
}

@Suite("Lists, sets and sorted sets through the typed API")
struct CollectionsTypedAPITests {
    @Test func collections() throws {
        let store = try RedliteStore.inMemory()
        #expect(try store.push("l", ["a", "b", "c"]) == 3)
        #expect(try store.push("l", ["z"], to: .left) == 4)
        #expect(try store.range("l").map { String(buffer: $0) } == ["z", "a", "b", "c"])
        #expect(try store.element("l", at: -1).map { String(buffer: $0) } == "c")
        try store.setElement("l", at: 1, "A")
        #expect(try store.insert("l", "before-b", before: true, pivot: "b") == 5)
        #expect(try store.remove("l", "z") == 1)
        #expect(try store.pop("l", from: .right, count: 2).map { String(buffer: $0) } == ["c", "b"])
        #expect(try store.move(from: "l", .left, to: "m", .right).map { String(buffer: $0) } == "A")
        #expect(try store.length(ofList: "l") == 1)
        #expect(try store.sadd("s", ["x", "y", "x"]) == 2)
        #expect(try store.sismember("s", "y"))
        #expect(try store.smembers("s") == [ByteBuffer(string: "x"), ByteBuffer(string: "y")])
        #expect(try store.sinter(["s", "missing"]).isEmpty)
        #expect(try store.zadd("z", [(member: "a", score: 1), (member: "b", score: 2.5)]) == 2)
        #expect(try store.zincrby("z", "a", by: 5) == 6)
        #expect(try store.zscore("z", "b") == 2.5)
        #expect(try store.zrank("z", "a") == 1)
        #expect(try store.zrange("z").map { String(buffer: $0.member) } == ["b", "a"])
        #expect(try store.zrange("z", byScore: "(2.5", "+inf").map(\.score) == [6])
        #expect(try store.zpop("z", max: true).first?.score == 6)
        #expect(try store.zcard("z") == 1)
    }

    @Test("exhausted list positions are renumbered with fresh gaps")
    func rebalancing() throws {
        let store = try RedliteStore.inMemory()
        try store.push("l", ["left", "right"])
        for index in 0..<40 { try store.insert("l", "m\(index)", before: true, pivot: "right") }
        let positions = try store.withReader { connection -> [Int64] in
            let statement = try connection.statement("SELECT position FROM lists ORDER BY position")
            defer { statement.reset() }
            var positions: [Int64] = []
            while try statement.step() { positions.append(statement.int64(0)) }
            return positions
        }
        #expect(positions.count == 42)
        // Evenly spaced again: the 33rd insert at one spot found no midpoint and renumbered the list.
        let gaps = Set(zip(positions, positions.dropFirst()).map { $1 - $0 })
        #expect(gaps.contains(ListPositions.gap))
        #expect(try store.range("l").map { String(buffer: $0) } == ["left"] + (0..<40).map { "m\($0)" } + ["right"])
    }
}

@Suite("The rest of engine II through the typed API")
struct MoreCollectionsTypedAPITests {
    @Test func more() throws {
        let store = try RedliteStore.inMemory()
        try store.push("l", ["a", "b", "a"])
        #expect(try store.position("l", of: "a", rank: -1) == 2)
        let popped = try store.popFirst(["none", "l"], from: .right, count: 2)
        #expect(popped?.key == ByteBuffer(string: "l") && popped?.values.count == 2)
        try store.sadd("s", ["x", "y"])
        try store.sadd("t", ["y"])
        #expect(try store.smove("x", from: "s", to: "t"))
        #expect(try store.sintercard(["s", "t"]) == 1)
        #expect(try store.srandmember("t", count: -4).count == 4)
        try store.zadd("z", [(member: "a", score: 1), (member: "b", score: 2)])
        try store.zadd("w", [(member: "b", score: 10)])
        #expect(try store.zmscore("z", ["a", "nope"]) == [1, nil])
        #expect(try store.zcount("z", "(1", "+inf") == 1)
        #expect(try store.zrange("z", byLex: "-", "+").count == 2)
        #expect(try store.zcombine(["z", "w"], intersect: true, weights: [1, 2]).map(\.score) == [22])
        #expect(try store.zrandmember("z", count: 5).count == 2)
        #expect(try store.zremrange("z", byScore: "-inf", "1") == 1)
    }
}
