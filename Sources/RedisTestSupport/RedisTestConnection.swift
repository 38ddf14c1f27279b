public import NIOCore
public import RESP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking, single-owner RESP connection over TCP for tests and tools.
///
/// It is deliberately minimal and independent of the product's client, so that tests of the client
/// and of the server have a reference that shares none of their code paths but the RESP codec.
/// Every read is bounded by `timeout`: a test never hangs on it.
public final class RedisTestConnection {
    private var descriptor: Int32
    private var decoder = RESPValueDecoder()
    private var inbound = ByteBuffer()

    /// How long a send or read waits unless told otherwise: long enough for a 2-core machine
    /// running the whole suite at once (its first run after a cold build made 3 ms unit tests take
    /// 30 s, and one read of a network test waited more than 10 s), short enough that a hung server
    /// still fails the test. Tests that expect no answer pass a short timeout of their own.
    public static let defaultTimeout: Duration = .seconds(30)

    /// Connects to `host:port` (IPv4 loopback addresses).
    public init(host: String = "127.0.0.1", port: Int, timeout: Duration = RedisTestConnection.defaultTimeout) throws {
        // Close-on-exec from birth: not inherited by the redis-server processes the fixture spawns.
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw RedisTestConnectionError.connectFailed(errno: errno) }
        var seconds = timeval(
            tv_sec: Int(timeout.components.seconds),
            tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000)
        )
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &seconds, socklen_t(MemoryLayout<timeval>.size))
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(descriptor)
            descriptor = -1
            throw RedisTestConnectionError.connectFailed(errno: code)
        }
    }

    deinit { close() }

    /// Closes the socket. Safe to call more than once.
    public func close() {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }

    /// Sends one command and returns its reply (error replies are values, not thrown).
    @discardableResult
    public func send(_ arguments: [String]) throws -> RESPValue {
        var buffer = ByteBuffer()
        buffer.writeRESPCommand(arguments)
        try write(buffer)
        return try readValue()
    }

    /// Sends one command with binary arguments and returns its reply.
    @discardableResult
    public func send(_ arguments: [ByteBuffer]) throws -> RESPValue {
        var buffer = ByteBuffer()
        buffer.writeRESPCommand(arguments)
        try write(buffer)
        return try readValue()
    }

    /// Sends one command given as separate words.
    @discardableResult
    public func send(_ arguments: String...) throws -> RESPValue {
        try send(arguments)
    }

    /// Sends all commands in one write and returns their replies in order.
    public func pipeline(_ commands: [[String]]) throws -> [RESPValue] {
        var buffer = ByteBuffer()
        for command in commands { buffer.writeRESPCommand(command) }
        try write(buffer)
        return try commands.map { _ in try readValue() }
    }

    /// Writes raw bytes, for protocol tests.
    public func write(_ buffer: ByteBuffer) throws {
        try buffer.withUnsafeReadableBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(descriptor, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { throw RedisTestConnectionError.writeFailed(errno: errno) }
                offset += sent
            }
        }
    }

    /// Reads the next value (a reply or a push message), waiting at most the connection's timeout.
    public func readValue() throws -> RESPValue {
        while true {
            if let value = try decoder.decode(from: &inbound) { return value }
            try fill()
        }
    }

    /// Reads until the peer closes the connection; returns what was read. For tests of servers
    /// that must close the connection after a protocol error.
    public func readUntilClosed() throws -> ByteBuffer {
        while true {
            do {
                try fill()
            } catch RedisTestConnectionError.closedByPeer {
                let rest = inbound
                inbound.clear()
                return rest
            }
        }
    }

    private func fill() throws {
        inbound.reserveCapacity(minimumWritableBytes: 64 * 1024)
        var received = 0
        inbound.writeWithUnsafeMutableBytes(minimumWritableBytes: 64 * 1024) { raw in
            received = recv(descriptor, raw.baseAddress, raw.count, 0)
            return max(received, 0)
        }
        if received == 0 { throw RedisTestConnectionError.closedByPeer }
        if received < 0 {
            let code = errno
            if code == EAGAIN || code == EWOULDBLOCK { throw RedisTestConnectionError.timedOut }
            throw RedisTestConnectionError.readFailed(errno: code)
        }
        inbound.discardReadBytes()
    }
}

/// Failures of `RedisTestConnection`.
public enum RedisTestConnectionError: Error, Sendable, Equatable {
    case connectFailed(errno: Int32)
    case writeFailed(errno: Int32)
    case readFailed(errno: Int32)
    case timedOut
    case closedByPeer
}
