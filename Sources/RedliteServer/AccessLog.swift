import Foundation
import NIOConcurrencyHelpers

/// ACL LOG: the latest security events (failed authentications), newest first, at most 128 (Redis's
/// acllog-max-len). Like events within 60 s are one entry with a count, as Redis groups them.
final class AccessLog: Sendable {
    struct Entry: Sendable {
        var count: Int
        var reason: String
        var context: String
        var object: String
        var username: String
        var updated: Date
        var clientInfo: String
    }

    private let log = NIOLockedValueBox<[Entry]>([])
    static let maximumLength = 128

    func record(reason: String, context: String, object: String, username: String, clientInfo: String) {
        let now = Date()
        log.withLockedValue { entries in
            if let index = entries.firstIndex(where: {
                $0.reason == reason && $0.context == context && $0.object == object && $0.username == username
                    && now.timeIntervalSince($0.updated) < 60
            }) {
                var entry = entries.remove(at: index)
                entry.count += 1
                entry.updated = now
                entry.clientInfo = clientInfo
                entries.insert(entry, at: 0)
            } else {
                entries.insert(Entry(count: 1, reason: reason, context: context, object: object, username: username, updated: now,
                                     clientInfo: clientInfo), at: 0)
                if entries.count > Self.maximumLength { entries.removeLast(entries.count - Self.maximumLength) }
            }
        }
    }

    func entries(limit: Int) -> [Entry] { log.withLockedValue { Array($0.prefix(limit)) } }

    func reset() { log.withLockedValue { $0.removeAll() } }
}
