import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RESP
import Redlite
import Synchronization

/// The embedded transport's "socket": commands written to it are executed in order on a Redlite
/// store, off the Swift concurrency pool (SQLite calls block), and their replies delivered to the
/// connection exactly as a socket's replies are. One session per client connection, holding one
/// `RedliteSession` (selected database, protocol).
///
/// Redlite's engine has no HELLO, AUTH or CLIENT; the session answers them itself so that the
/// client's handshake runs unchanged: HELLO switches the protocol and answers Redis's HELLO map,
/// AUTH and CLIENT SETNAME succeed, CLIENT GETNAME and CLIENT ID answer.
final class EmbeddedSession: Sendable {
    private struct State {
        var queue: CircularBuffer<ByteBuffer> = CircularBuffer(initialCapacity: 8)
        var running = false
        var closed = false
        var session = RedliteSession()
        var name: String?
        var sink: (any RedisReplySink)?
    }

    private let store: RedliteStore
    private let threadPool: NIOThreadPool
    private let generation: UInt64
    private let clientID: Int64
    private let state: NIOLockedValueBox<State>
    private static let nextClientID = Atomic<Int64>(0)

    init(store: RedliteStore, threadPool: NIOThreadPool, generation: UInt64, sink: any RedisReplySink) {
        self.store = store
        self.threadPool = threadPool
        self.generation = generation
        self.clientID = Self.nextClientID.wrappingAdd(1, ordering: .relaxed).newValue
        var initial = State()
        initial.sink = sink
        self.state = NIOLockedValueBox(initial)
    }

    /// Queues encoded commands; starts a drain job on the thread pool unless one is running.
    func submit(_ bytes: ByteBuffer) {
        let start = state.withLockedValue { state -> Bool in
            guard !state.closed else { return false }
            state.queue.append(bytes)
            if state.running { return false }
            state.running = true
            return true
        }
        if start {
            threadPool.submit { [self] _ in drain() }
        }
    }

    /// Stops executing: anything still queued is dropped (its commands were failed by the connection).
    func close() {
        let sink = state.withLockedValue { state -> (any RedisReplySink)? in
            state.closed = true
            state.queue.removeAll()
            defer { state.sink = nil }
            return state.sink
        }
        sink?.linkClosed(generation: generation, reason: .connectionLost, detail: "the embedded session was closed")
    }

    private func drain() {
        var decoder = RESPValueDecoder()
        var session = state.withLockedValue { $0.session }
        var replies: [RESPValue] = []
        while true {
            let next = state.withLockedValue { state -> (ByteBuffer, (any RedisReplySink)?)? in
                state.session = session
                guard !state.closed, let bytes = state.queue.popFirst() else {
                    state.running = false
                    return nil
                }
                return (bytes, state.sink)
            }
            guard let (bytes, sink) = next else { return }
            var buffer = bytes
            while buffer.readableBytes > 0 {
                do {
                    guard let command = try decoder.decode(from: &buffer) else { break }
                    replies.append(execute(command, session: &session))
                } catch {
                    replies.append(.simpleError("ERR \(error.message)"))
                    break
                }
            }
            if !replies.isEmpty {
                sink?.receive(&replies, generation: generation)
                replies.removeAll(keepingCapacity: true)
            }
        }
    }

    private func execute(_ command: RESPValue, session: inout RedliteSession) -> RESPValue {
        guard case .array(let elements) = command, !elements.isEmpty else {
            return .simpleError("ERR Protocol error: expected a command")
        }
        var arguments: [ByteBuffer] = []
        arguments.reserveCapacity(elements.count)
        for element in elements {
            guard case .bulkString(let bytes) = element else { return .simpleError("ERR Protocol error: expected bulk strings") }
            arguments.append(bytes)
        }
        if arguments[0].readableBytes >= 4, arguments[0].readableBytes <= 6 {
            switch String(buffer: arguments[0]).uppercased() {
            case "HELLO": return hello(arguments, session: &session)
            case "AUTH":
                guard arguments.count == 2 || arguments.count == 3 else {
                    return .simpleError("ERR wrong number of arguments for 'auth' command")
                }
                return .ok
            case "CLIENT": return client(arguments, session: session)
            case "QUIT": return .ok
            default: break
            }
        }
        return store.execute(arguments, session: &session)
    }

    private func hello(_ arguments: [ByteBuffer], session: inout RedliteSession) -> RESPValue {
        var version = session.protocolVersion
        var index = 1
        if arguments.count > 1 {
            switch String(buffer: arguments[1]) {
            case "2": version = .resp2
            case "3": version = .resp3
            default:
                return Int(String(buffer: arguments[1])) == nil
                    ? .simpleError("ERR Protocol version is not an integer or out of range")
                    : .simpleError("NOPROTO unsupported protocol version")
            }
            index = 2
        }
        var name: String?
        while index < arguments.count {
            let option = String(buffer: arguments[index]).uppercased()
            if option == "AUTH", index + 2 < arguments.count {
                index += 3
            } else if option == "SETNAME", index + 1 < arguments.count {
                name = String(buffer: arguments[index + 1])
                index += 2
            } else {
                return .simpleError("ERR Syntax error in HELLO option '\(String(buffer: arguments[index]))'")
            }
        }
        if let name { state.withLockedValue { $0.name = name } }
        session.protocolVersion = version
        let fields: [(String, RESPValue)] = [
            ("server", .bulk("redis")), ("version", .bulk("7.0.15")), ("proto", .integer(Int64(version.rawValue))),
            ("id", .integer(clientID)), ("mode", .bulk("standalone")), ("role", .bulk("master")), ("modules", .array([])),
        ]
        if version == .resp3 {
            return .map(fields.map { RESPValue.Pair(.bulk($0.0), $0.1) })
        }
        return .array(fields.flatMap { [RESPValue.bulk($0.0), $0.1] })
    }

    private func client(_ arguments: [ByteBuffer], session: RedliteSession) -> RESPValue {
        guard arguments.count >= 2 else { return .simpleError("ERR wrong number of arguments for 'client' command") }
        switch String(buffer: arguments[1]).uppercased() {
        case "SETNAME":
            guard arguments.count == 3 else { return .simpleError("ERR wrong number of arguments for 'client|setname' command") }
            let name = String(buffer: arguments[2])
            state.withLockedValue { $0.name = name.isEmpty ? nil : name }
            return .ok
        case "GETNAME":
            let name = state.withLockedValue { $0.name }
            return name.map { .bulk($0) } ?? (session.protocolVersion == .resp3 ? .null : .nullBulkString)
        case "ID":
            return .integer(clientID)
        default:
            return .simpleError("ERR unknown subcommand '\(String(buffer: arguments[1]))'. Try CLIENT HELP.")
        }
    }
}
