import Foundation
import NIOCore
import RESP
@testable import Redlite
import Testing

@Suite("Read snapshots, page size, WAL bound")
struct ReaderAndStorageTests {
    @Test("a reader keeps one snapshot for a burst of reads but never misses a committed write", arguments: [false, true])
    func readerSeesEveryCommit(inMemory: Bool) throws {
        let directory = try TemporaryDirectory()
        let store = inMemory ? try RedliteStore.inMemory() : try RedliteStore.open(path: directory.path("reader.db"))
        let reader = try store.makeReader()
        var session = RedliteSession()
        func get(_ key: String) -> RESPValue {
            reader.execute([ByteBuffer(string: "GET"), ByteBuffer(string: key)], name: "get", session: &session)
        }
        #expect(get("k") == .nullBulkString)
        #expect(reader.hasOpenSnapshot == !inMemory)
        for round in 1...50 {
            // A write between two reads of one burst (no endSnapshot in between) is seen by the next.
            #expect(store.execute("SET", "k", "v\(round)", session: &session) == .ok)
            #expect(get("k") == .bulkString(ByteBuffer(string: "v\(round)")))
            #expect(get("k") == .bulkString(ByteBuffer(string: "v\(round)")))
        }
        // Other databases and the session's selection work through the reader too.
        session.database = 3
        #expect(get("k") == .nullBulkString)
        session.database = 0
        reader.endSnapshot()
        #expect(!reader.hasOpenSnapshot)
        #expect(get("k") == .bulkString(ByteBuffer(string: "v50")))
        reader.endSnapshot()
    }

    @Test("a kept snapshot is renewed by a commit of another connection (another process) and by a checkpoint, and only then")
    func readerSeesOtherConnectionsCommits() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("shared.db")
        let store = try RedliteStore.open(path: path)
        // A second store on the same file: its writer is not this store's, as another process's
        // would not be, so this store's write sequence never moves for its commits.
        let other = try RedliteStore.open(path: path)
        let reader = try store.makeReader()
        var session = RedliteSession()
        func get(_ key: String) -> RESPValue {
            reader.execute([ByteBuffer(string: "GET"), ByteBuffer(string: key)], name: "get", session: &session)
        }
        for index in 0..<200 { #expect(store.execute("SET", "k\(index)", "v", session: &session) == .ok) }
        #expect(get("k") == .nullBulkString)
        #expect(get("k") == .nullBulkString)
        let begun = reader.snapshotsBegun
        #expect(get("k0") == .bulk("v"))
        #expect(reader.snapshotsBegun == begun)
        for round in 1...20 {
            #expect(other.execute("SET", "k", "v\(round)", session: &session) == .ok)
            #expect(get("k") == .bulk("v\(round)"))
            #expect(get("k") == .bulk("v\(round)"))
        }
        let afterCommits = reader.snapshotsBegun
        #expect(afterCommits == begun + 20)
        // A checkpoint changes nothing a reader can see, but a snapshot begun after it reads the
        // copied pages from the database file: the next read renews once.
        let checkpointer = try RedliteStore.openConnection(path: path, configuration: .init(), readOnly: false)
        try checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
        #expect(get("k") == .bulk("v20"))
        #expect(get("k") == .bulk("v20"))
        #expect(reader.snapshotsBegun == afterCommits + 1)
        reader.endSnapshot()
    }

    @Test("a write sent through a reader is refused and changes nothing")
    func readerRefusesWrites() throws {
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("refuse.db"))
        let reader = try store.makeReader()
        var session = RedliteSession()
        let reply = reader.execute(["SET", "k", "v"].map { ByteBuffer(string: $0) }, name: "set", session: &session)
        #expect(reply == .simpleError("ERR write command in a read-only snapshot"))
        reader.endSnapshot()
        #expect(store.execute("EXISTS", "k", session: &session) == .integer(0))
    }

    @Test("SET over a key of another type converts it and leaves none of its old elements behind")
    func setConvertsAggregateKeys() throws {
        let directory = try TemporaryDirectory()
        let store = try RedliteStore.open(path: directory.path("convert.db"))
        var session = RedliteSession()
        #expect(store.execute("HSET", "h", "f", "v", "g", "w", session: &session) == .integer(2))
        #expect(store.execute("RPUSH", "l", "a", "b", session: &session) == .integer(2))
        #expect(store.execute("SADD", "s", "a", session: &session) == .integer(1))
        #expect(store.execute("ZADD", "z", "1", "a", session: &session) == .integer(1))
        #expect(store.execute("EXPIRE", "z", "100", session: &session) == .integer(1))
        #expect(store.execute("SET", "h", "1", session: &session) == .ok)
        #expect(store.execute("SET", "l", "2", "EX", "50", session: &session) == .ok)
        #expect(store.execute("SET", "s", "3", session: &session) == .ok)
        #expect(store.execute("SET", "z", "4", "KEEPTTL", session: &session) == .ok)
        for (key, value) in [("h", "1"), ("l", "2"), ("s", "3"), ("z", "4")] {
            #expect(store.execute("TYPE", key, session: &session) == .simpleString("string"))
            #expect(store.execute("GET", key, session: &session) == .bulkString(ByteBuffer(string: value)))
        }
        #expect(store.execute("TTL", "h", session: &session) == .integer(-1))
        #expect(store.execute("TTL", "l", session: &session) == .integer(50))
        #expect(store.execute("TTL", "z", session: &session) == .integer(100))
        #expect(store.execute("INCR", "h", session: &session) == .integer(2))
        let leftovers = try store.withReader { connection -> Int64 in
            let statement = try connection.statement("""
                SELECT (SELECT count(*) FROM hashes) + (SELECT count(*) FROM lists) + (SELECT count(*) FROM sets)
                    + (SELECT count(*) FROM zsets) + (SELECT count(*) FROM keys WHERE size <> 0)
                """)
            defer { statement.reset() }
            _ = try statement.step()
            return statement.int64(0)
        }
        #expect(leftovers == 0)
    }

    @Test("a new database file gets the configured page size")
    func pageSize() throws {
        let directory = try TemporaryDirectory()
        for size in [1024, 4096] {
            var configuration = RedliteStore.Configuration()
            configuration.pageSize = size
            let path = directory.path("pages-\(size).db")
            let store = try RedliteStore.open(path: path, configuration: configuration)
            var session = RedliteSession()
            #expect(store.execute("SET", "k", "v", session: &session) == .ok)
            try store.checkpoint()
            store.close()
            // SQLite's file header: the page size is the big-endian UInt16 at offset 16.
            let header = try Data(contentsOf: URL(fileURLWithPath: path)).prefix(18)
            #expect(Int(header[16]) << 8 | Int(header[17]) == size)
        }
    }

    @Test("the WAL is emptied once it outgrows its limit, though it was never idle")
    func walIsBounded() throws {
        let directory = try TemporaryDirectory()
        var configuration = RedliteStore.Configuration()
        configuration.walLimitBytes = 256 * 1024
        let path = directory.path("wal.db")
        let store = try RedliteStore.open(path: path, configuration: configuration)
        var session = RedliteSession()
        let value = String(repeating: "x", count: 200)
        let deadline = ContinuousClock.now + .seconds(20)
        var largest = 0
        var emptied = false
        // Writes (and reads) keep coming; the WAL must still shrink back at some point.
        for round in 0..<200_000 where ContinuousClock.now < deadline {
            #expect(store.execute("SET", "key:\(round % 5000)", value, session: &session) == .ok)
            _ = store.execute("GET", "key:\(round % 977)", session: &session)
            if round % 500 == 0 {
                let size = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
                largest = max(largest, size)
                if largest > configuration.walLimitBytes && size < largest / 2 {
                    emptied = true
                    break
                }
            }
        }
        #expect(largest > configuration.walLimitBytes)
        #expect(emptied, "the WAL grew to \(largest) bytes and was never emptied")
    }
}
