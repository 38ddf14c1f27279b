import Foundation
import NIOCore
import RESP
import RedisTestSupport
@testable import Redlite
import RedliteSQLiteWAL
import Testing

/// The VFS shim that writes a transaction's WAL frames together (Sources/RedliteSQLiteWAL).
@Suite("WAL write coalescing")
struct WALCoalescingTests {
    private static func counters() -> (received: Int64, made: Int64) {
        var received: Int64 = 0
        var made: Int64 = 0
        redlite_sqlite_wal_coalescing_counters(&received, &made)
        return (received, made)
    }

    private static func value(_ index: Int, size: Int) -> String {
        String(repeating: String(index % 10), count: size)
    }

    @Test("SQLite's process-wide settings were made before SQLite initialized (memory statistics off)")
    func processConfigurationTookEffect() throws {
        let store = try RedliteStore.inMemory()
        var session = RedliteSession()
        #expect(store.execute("SET", "k", "v", session: &session) == .ok)
        // The first call's result is kept: SQLITE_MISUSE had SQLite been initialized before it.
        #expect(redlite_sqlite_configure_process() == 0)
    }

    @Test("a large transaction's frames are written in few calls; other connections and a reopened file see all of it",
          arguments: [1024, 65536])
    func largeTransaction(pageSize: Int) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("coalesced-\(pageSize).db")
        var configuration = RedliteStore.Configuration()
        configuration.pageSize = pageSize
        let store = try RedliteStore.open(path: path, configuration: configuration)
        var session = RedliteSession()
        // Values big enough that one MSET is several buffers' worth of frames (the buffer holds
        // 120 KiB; a 64 KiB page makes every frame nearly half of it).
        let keys = 400
        let valueSize = pageSize == 1024 ? 700 : 20_000
        let before = Self.counters()
        var mset = ["MSET"]
        for index in 0..<keys { mset += ["key:\(index)", Self.value(index, size: valueSize)] }
        #expect(store.execute(mset.map { ByteBuffer(string: $0) }, session: &session) == .ok)
        let after = Self.counters()
        // Every frame is two writes received (header, page). With 1 KiB pages a flush takes up to 117
        // frames; a 64 KiB page fills most of the buffer, so there the two writes of a frame become
        // one, exactly half. The counters are the process's and other tests write at the same time
        // (some flushes hold only a WAL header), so the bounds leave room for them: uncoalesced,
        // `made` would equal `received`.
        let received = after.received - before.received, made = after.made - before.made
        #expect(received > 200)
        if pageSize == 1024 { #expect(made * 8 < received) } else { #expect(made * 3 <= received * 2) }

        // Another connection (its own WAL file handle) sees the whole transaction.
        let other = try RedliteStore.open(path: path, configuration: configuration)
        var otherSession = RedliteSession()
        for index in stride(from: 0, to: keys, by: 37) {
            #expect(other.execute("GET", "key:\(index)", session: &otherSession)
                == .bulkString(ByteBuffer(string: Self.value(index, size: valueSize))))
        }
        #expect(try other.integrityCheck() == "ok")
        other.close()

        // Writes after a WAL reset (checkpoint) land at the start of the file again.
        try store.checkpoint()
        for index in 0..<50 {
            #expect(store.execute("SET", "after:\(index)", Self.value(index, size: valueSize), session: &session) == .ok)
        }
        store.close()

        let reopened = try RedliteStore.open(path: path, configuration: configuration)
        var reopenedSession = RedliteSession()
        #expect(reopened.execute("DBSIZE", session: &reopenedSession) == .integer(Int64(keys + 50)))
        #expect(reopened.execute("GET", "key:\(keys - 1)", session: &reopenedSession)
            == .bulkString(ByteBuffer(string: Self.value(keys - 1, size: valueSize))))
        #expect(reopened.execute("GET", "after:49", session: &reopenedSession)
            == .bulkString(ByteBuffer(string: Self.value(49, size: valueSize))))
        #expect(try reopened.integrityCheck() == "ok")
        reopened.close()
    }

    @Test("a reader on another thread never sees a torn or missing commit while small transactions stream in")
    func concurrentReader() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("stream.db")
        let store = try RedliteStore.open(path: path)
        let writes = 2_000
        // Both on threads of their own: the reader's loop blocks its thread for as long as it runs, and
        // on the cooperative pool (two threads on two cores) it and another test's blocking work left
        // the writer task no thread for the reader's whole minute (it saw no commit at all).
        let writer = Task {
            try await offloaded {
                for index in 1...writes {
                    // Two keys per transaction, far apart in the key order (different pages).
                    try store.transaction { transaction in
                        _ = transaction.execute("SET", "a:counter", "\(index)")
                        _ = transaction.execute("SET", "z:counter", "\(index)")
                    }
                }
            }
        }
        let (last, problems) = try await offloaded { () -> (Int, [String]) in
            let reader = try store.makeReader()
            var session = RedliteSession()
            var last = 0
            var checks = 0
            var problems: [String] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while last < writes && ContinuousClock.now < deadline && checks < 1_000_000 && problems.count < 5 {
                checks += 1
                // One command, one snapshot: both keys come from the same commit.
                let reply = reader.execute(["MGET", "a:counter", "z:counter"].map { ByteBuffer(string: $0) }, name: "mget", session: &session)
                reader.endSnapshot()
                guard case .array(let values) = reply, values.count == 2 else {
                    problems.append("unexpected reply \(reply)")
                    break
                }
                guard case .bulkString(let first) = values[0], let value = Int(String(buffer: first)) else { continue }
                if values[1] != values[0] { problems.append("torn: \(values)") }
                if value < last { problems.append("went back from \(last) to \(value)") }
                last = value
            }
            return (last, problems)
        }
        #expect(problems.isEmpty, "\(problems)")
        try await writer.value
        #expect(last == writes)
        #expect(try store.integrityCheck() == "ok")
        store.close()
    }
}
