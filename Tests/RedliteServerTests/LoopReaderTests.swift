import Foundation
import NIOCore
import NIOEmbedded
import RESP
import Redlite
@testable import RedliteServer
import Testing

@Suite("LoopReader: one read snapshot per event loop")
struct LoopReaderTests {
    @Test("the snapshot outlives the loop's ticks while reads keep coming, and ends once the loop has read nothing for the idle limit")
    func snapshotEndsWhenIdle() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("loop-reader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try RedliteStore.open(path: directory.appendingPathComponent("r.db").path)
        defer { store.close() }
        let loop = EmbeddedEventLoop()
        let reader = LoopReader(eventLoop: loop, reader: try store.makeReader())
        var session = RedliteSession()
        func get() -> RESPValue { reader.execute([ByteBuffer(string: "GET"), ByteBuffer(string: "k")], name: "get", session: &session) }

        #expect(get() == .nullBulkString)
        #expect(reader.hasOpenSnapshot)
        // Reads half an idle limit apart, for ten limits: the snapshot stays open throughout.
        let half = TimeAmount.nanoseconds(LoopReader.idleLimit.nanoseconds / 2)
        for _ in 0..<20 {
            loop.advanceTime(by: half)
            #expect(get() == .nullBulkString)
            #expect(reader.hasOpenSnapshot)
        }
        // No reads: ended within two limits (the check that saw the last read, then the next one).
        loop.advanceTime(by: LoopReader.idleLimit)
        loop.advanceTime(by: LoopReader.idleLimit)
        #expect(!reader.hasOpenSnapshot)
        // A later read opens one again, which ends the same way.
        #expect(get() == .nullBulkString)
        #expect(reader.hasOpenSnapshot)
        loop.advanceTime(by: LoopReader.idleLimit * 2)
        #expect(!reader.hasOpenSnapshot)
        try loop.syncShutdownGracefully()
    }
}
