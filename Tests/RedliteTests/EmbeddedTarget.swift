import Foundation
import NIOCore
import RESP
import RedisTestSupport
import Redlite

/// The embedded executor as a differential-harness target. Replies go through the RESP2 encoder and
/// decoder, so the harness compares exactly what a RESP2 client of `redlite serve` would read.
final class EmbeddedTarget: RESPCommandTarget {
    let store: RedliteStore
    var session = RedliteSession()

    init(store: RedliteStore) {
        self.store = store
    }

    func send(_ arguments: [ByteBuffer]) throws -> RESPValue {
        let reply = store.execute(arguments, session: &session)
        var wire = ByteBuffer()
        wire.writeRESPValue(reply, version: .resp2)
        var decoder = RESPValueDecoder()
        guard let decoded = try decoder.decode(from: &wire), wire.readableBytes == 0 else {
            fatalError("the engine's reply did not survive the wire: \(reply)")
        }
        return decoded
    }
}

/// A temporary directory for database files, removed at deinit.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("redlite-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A real Redis and a fresh file-backed Redlite store, side by side.
struct DifferentialPair {
    let redis: RedisServer
    let directory: TemporaryDirectory
    let store: RedliteStore
    var harness: DifferentialHarness

    init() throws {
        redis = try RedisServer.start()
        directory = try TemporaryDirectory()
        store = try RedliteStore.open(path: directory.path("differential.db"))
        harness = DifferentialHarness(reference: try redis.connect(), subject: EmbeddedTarget(store: store))
    }

    /// Runs commands in order; returns every divergence.
    mutating func run(_ commands: [[String]]) throws -> [DifferentialHarness.Divergence] {
        var divergences: [DifferentialHarness.Divergence] = []
        for command in commands {
            if let divergence = try harness.check(command) { divergences.append(divergence) }
        }
        return divergences
    }
}
