import NIOCore
import RESP

/// The unparsed input of one connection and the decoder that splits it into requests (multibulk or
/// inline) with Redis's limits.
///
/// The connection decodes its own input instead of running a `ByteToMessageHandler` ahead of it: a
/// request then costs no trip through the channel pipeline and no boxing of its arguments, and the
/// connection decides how far ahead to parse (Redis parses one request at a time before AUTH, under
/// tighter bounds). Arguments are slices of the received bytes, never copies.
struct RequestInput {
    private var decoder: RESPRequestDecoder
    /// Received bytes not yet decoded; nil once everything received is decoded, so that NIO can
    /// reuse its receive buffer as soon as the requests sliced from it are done.
    private var buffer: ByteBuffer?

    init(limits: RESPLimits) {
        decoder = RESPRequestDecoder(limits: limits)
    }

    /// Bytes received and not yet part of a decoded request (Redis's unparsed query buffer).
    var unparsedBytes: Int { buffer?.readableBytes ?? 0 }

    /// Bytes the input holds on to, decoded or not (for tests: it must not grow with what a client
    /// has sent in all).
    var heldBytes: Int { buffer?.writerIndex ?? 0 }

    /// Room left behind the received bytes in the buffer that holds them (CLIENT LIST's qbuf-free).
    var freeBytes: Int { buffer.map { $0.capacity - $0.writerIndex } ?? 0 }

    /// Adds received bytes behind the unparsed rest.
    mutating func append(_ incoming: inout ByteBuffer) {
        guard buffer != nil else {
            buffer = incoming
            return
        }
        // Bytes already decoded are dropped once they are at least as many as the rest, so a client
        // whose reads always end inside a request does not keep everything it ever sent; the rest is
        // moved at most once per doubling, so a large argument arriving in pieces costs linear time.
        if buffer!.readerIndex > 0 && buffer!.readerIndex >= buffer!.readableBytes {
            buffer!.discardReadBytes()
        }
        buffer!.writeBuffer(&incoming)
    }

    /// Drops everything received and not yet decoded (the connection is closing).
    mutating func discard() {
        buffer = nil
    }

    /// The next complete request, or nil until more bytes arrive.
    ///
    /// - Parameter authenticated: false applies Redis's bounds before AUTH (at most 10 arguments of
    ///   at most 16 KB each).
    /// - Throws: `RESPProtocolError` with Redis's text: the connection must answer it and close.
    mutating func next(authenticated: Bool) throws(RESPProtocolError) -> [ByteBuffer]? {
        guard buffer != nil else { return nil }
        decoder.isAuthenticated = authenticated
        let request = try decoder.decode(from: &buffer!)
        if buffer!.readableBytes == 0 { buffer = nil }
        return request
    }
}
