import Foundation
import NIOCore
import RESP
import RedisTestSupport
import Redlite
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Kill -9 in the middle of a stream of writes: every acknowledged write must survive, and the file
/// must pass SQLite's integrity check.
@Suite("Durability")
struct DurabilityTests {
    /// The DurabilityWriter executable built beside the test bundle.
    static var writerPath: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("DurabilityWriter").path
    }

    /// Starts the writer on `path` and returns it with a function that waits for at least `count`
    /// acknowledgements (bounded by 60 s) and returns the last acknowledged index.
    ///
    /// Spawned with `ChildProcess` (posix_spawn), its output going to a file beside the database:
    /// Foundation's `Process.run()` crashed in a memcpy when the test process had more than about
    /// 1,300 descriptors open, as it has while the server suites run in parallel.
    static func startWriter(path: String, synchronous: String) throws -> (ChildProcess, (Int) -> Int) {
        let outputPath = path + ".acks"
        let process = try ChildProcess(arguments: [writerPath, path, synchronous], outputPath: outputPath)
        var lastAcknowledged = -1
        var consumed = 0
        let waitFor: (Int) -> Int = { count in
            let deadline = ContinuousClock.now + .seconds(60)
            while lastAcknowledged < count - 1 && ContinuousClock.now < deadline {
                // Looked at before reading: once it has exited, one more read sees all it wrote.
                let exited = !process.isRunning
                // Whole lines only: the writer may be in the middle of one.
                guard let data = FileManager.default.contents(atPath: outputPath), data.count > consumed,
                      let end = data[consumed...].lastIndex(of: UInt8(ascii: "\n")) else {
                    if exited { break }
                    Thread.sleep(forTimeInterval: 0.005)
                    continue
                }
                for line in String(decoding: data[consumed...end], as: UTF8.self).split(separator: "\n") {
                    if line.hasPrefix("ack "), let index = Int(line.dropFirst(4)) { lastAcknowledged = index }
                }
                consumed = end + 1
            }
            return lastAcknowledged
        }
        return (process, waitFor)
    }

    @Test("checkpoint() empties the WAL into the database file, and throws instead of answering success while a reader's snapshot keeps it")
    func checkpointReportsWhatItCouldNotDo() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("c.db").path
        var configuration = RedliteStore.Configuration()
        configuration.busyTimeout = .milliseconds(200)
        let store = try RedliteStore.open(path: path, configuration: configuration)
        defer { store.close() }
        var session = RedliteSession()
        #expect(store.execute("SET", "a", "1", session: &session) == .simpleString("OK"))
        // A reader's snapshot of that commit, then a newer commit: the WAL cannot be emptied while the
        // snapshot lasts.
        let reader = try store.makeReader()
        #expect(reader.execute([ByteBuffer(string: "GET"), ByteBuffer(string: "a")], name: "get", session: &session)
            == .bulkString(ByteBuffer(string: "1")))
        #expect(reader.hasOpenSnapshot)
        #expect(store.execute("SET", "b", "2", session: &session) == .simpleString("OK"))
        #expect(throws: (any Error).self) { try store.checkpoint() }
        reader.endSnapshot()
        try store.checkpoint()
        let walSize = (try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? -1
        #expect(walSize == 0)
    }

    @Test("two processes on one file: this one reads and writes while another writes")
    func twoProcesses() async throws {
        try await offloaded { try Self.twoProcessesBody() }
    }

    static func twoProcessesBody() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("shared.db")
        let (writer, waitFor) = try startWriter(path: path, synchronous: "normal")
        defer {
            writer.signal(SIGKILL)
            _ = writer.waitForExit(timeout: .seconds(10))
        }
        let seen = waitFor(200)
        #expect(seen >= 199)
        let store = try RedliteStore.open(path: path)
        var session = RedliteSession()
        for round in 0..<50 {
            // Our writes wait for the other process's write lock (busy timeout), then succeed.
            #expect(store.execute("SET", "mine:\(round)", "v", session: &session) == .ok)
            #expect(store.execute("GET", "key:\(seen)", session: &session) == .bulk("value:\(seen)"))
        }
        let later = waitFor(seen + 200)
        #expect(later > seen, "the other process kept writing")
        #expect(store.execute("GET", "key:\(later)", session: &session) == .bulk("value:\(later)"))
        #expect(store.execute("EXISTS", "mine:0", "mine:49", session: &session) == .integer(2))
    }

    @Test("SIGKILL mid-stream loses no acknowledged write", arguments: ["normal", "full"])
    func killedWriter(synchronous: String) async throws {
        try await offloaded { try Self.killedWriterBody(synchronous: synchronous) }
    }

    static func killedWriterBody(synchronous: String) throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("durable.db")
        #expect(FileManager.default.isExecutableFile(atPath: writerPath), "build DurabilityWriter first (swift build --build-tests)")

        // Read acknowledgements until enough have arrived (bounded in count and time), then kill.
        let (process, waitFor) = try startWriter(path: path, synchronous: synchronous)
        let lastAcknowledged = waitFor(1_501)
        process.signal(SIGKILL)
        #expect(process.waitForExit(timeout: .seconds(10)), "the killed writer did not exit")
        #expect(lastAcknowledged >= 1_500, "the writer acknowledged only \(lastAcknowledged + 1) writes")

        let store = try RedliteStore.open(path: path)
        var session = RedliteSession()
        var missing: [Int] = []
        for index in 0...max(lastAcknowledged, 0) {
            let reply = store.execute(["GET", "key:\(index)"].map { ByteBuffer(string: $0) }, session: &session)
            if reply != .bulk("value:\(index)") { missing.append(index) }
        }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(10))")
        #expect(try store.integrityCheck() == "ok")
    }
}
