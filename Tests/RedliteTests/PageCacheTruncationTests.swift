import Foundation
import NIOCore
import RESP
@testable import Redlite
import RedisTestSupport
import RedliteSQLiteWAL
import Testing

/// The page cache wrapper that skips commits' empty truncations (Sources/RedliteSQLiteWAL).
@Suite("Page cache truncation")
struct PageCacheTruncationTests {
    private static func counters() -> (skipped: Int64, scansAvoided: Int64, passedOn: Int64) {
        var skipped: Int64 = 0
        var scansAvoided: Int64 = 0
        var passedOn: Int64 = 0
        redlite_sqlite_page_cache_counters(&skipped, &scansAvoided, &passedOn)
        return (skipped, scansAvoided, passedOn)
    }

    private struct Abort: Error {}

    @Test("commits that split pages skip the default cache's scan; a rolled-back growth is truncated and leaves nothing behind")
    func truncation() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("truncation.db")
        let store = try RedliteStore.open(path: path)
        var session = RedliteSession()
        let before = Self.counters()

        // Keys in scattered order split pages all over the tree; balancing renumbers new siblings
        // through the pending-byte page, after which the default cache would scan at the commit.
        var generator = SeededGenerator(seed: 7)
        var written: [String: String] = [:]
        for _ in 0..<60 {
            var mset = ["MSET"]
            for _ in 0..<40 {
                let key = "key:\(UInt32.random(in: 0..<1_000_000, using: &generator))"
                let value = String(repeating: "v", count: Int.random(in: 1...200, using: &generator))
                written[key] = value
                mset += [key, value]
            }
            #expect(store.execute(mset.map { ByteBuffer(string: $0) }, session: &session) == .ok)
        }
        let afterWrites = Self.counters()
        #expect(afterWrites.skipped - before.skipped >= 60)
        #expect(afterWrites.scansAvoided - before.scansAvoided >= 1)

        // A transaction that grows the file by many pages and is rolled back: the pages past the
        // old end must leave the cache (the truncation is passed on), and later growth must not
        // find their contents.
        #expect(throws: Abort.self) {
            try store.transaction { transaction in
                for index in 0..<2_000 {
                    _ = transaction.execute("SET", "rolled-back:\(index)", String(repeating: "r", count: 500))
                }
                throw Abort()
            }
        }
        #expect(Self.counters().passedOn > afterWrites.passedOn)
        for index in 0..<2_000 {
            #expect(store.execute("SET", "after:\(index)", String(repeating: "a", count: 300 + index % 7), session: &session) == .ok)
        }

        func verify(_ store: RedliteStore) throws {
            var session = RedliteSession()
            #expect(store.execute("DBSIZE", session: &session) == .integer(Int64(written.count + 2_000)))
            #expect(store.execute("GET", "rolled-back:0", session: &session) == .nullBulkString)
            #expect(store.execute("GET", "rolled-back:1999", session: &session) == .nullBulkString)
            for index in stride(from: 0, to: 2_000, by: 97) {
                #expect(store.execute("GET", "after:\(index)", session: &session)
                    == .bulkString(ByteBuffer(string: String(repeating: "a", count: 300 + index % 7))))
            }
            for (key, value) in written.prefix(200) {
                #expect(store.execute("GET", key, session: &session) == .bulkString(ByteBuffer(string: value)))
            }
            #expect(try store.integrityCheck() == "ok")
        }
        try verify(store)
        store.close()
        let reopened = try RedliteStore.open(path: path)
        try verify(reopened)
        reopened.close()
    }
}
