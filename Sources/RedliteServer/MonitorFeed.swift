import Foundation
import NIOConcurrencyHelpers
import NIOCore
import RESP
import Synchronization

/// MONITOR: every command the server processes, as one line per command, to every monitoring client.
///
/// Lines look like Redis's: `1700000000.123456 [0 127.0.0.1:54321] "SET" "key" "value"`. Formatting
/// only happens while someone monitors (an atomic check on each command otherwise). AUTH and HELLO
/// are not shown: their arguments can hold passwords.
final class MonitorFeed: Sendable {
    private let watchers = NIOLockedValueBox<[UInt64: @Sendable (String) -> Void]>([:])
    private let count = Atomic<Int>(0)

    var isActive: Bool { count.load(ordering: .relaxed) > 0 }

    func add(id: UInt64, deliver: @escaping @Sendable (String) -> Void) {
        let total = watchers.withLockedValue { watchers -> Int in
            watchers[id] = deliver
            return watchers.count
        }
        count.store(total, ordering: .relaxed)
    }

    func remove(id: UInt64) {
        let total = watchers.withLockedValue { watchers -> Int in
            watchers[id] = nil
            return watchers.count
        }
        count.store(total, ordering: .relaxed)
    }

    /// Sends one command to every monitor (except the client that issued it, if it monitors).
    func feed(_ request: [ByteBuffer], database: Int, address: String, from client: UInt64) {
        guard isActive, let first = request.first else { return }
        let name = String(buffer: first).lowercased()
        if name == "auth" || name == "hello" { return }
        let now = Date().timeIntervalSince1970
        var line = String(format: "%.6f", now) + " [\(database) \(address)]"
        for argument in request { line += " " + argument.redisQuoted }
        let targets = watchers.withLockedValue { $0.filter { $0.key != client }.map(\.value) }
        for deliver in targets { deliver(line) }
    }
}
