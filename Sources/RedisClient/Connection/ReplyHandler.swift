import NIOCore
import NIOSSL
import NIOTLS
import RESP

/// Receives what a link's channel handler decodes. ``RedisConnection`` is the real one; tests use
/// a recorder on an `EmbeddedChannel`.
protocol RedisReplySink: AnyObject, Sendable {
    /// Replies decoded in one read burst, in order. The sink empties `values`.
    func receive(_ values: inout [RESPValue], generation: UInt64)
    /// The link's channel closed. `reason` says who closed it as far as the handler can tell.
    func linkClosed(generation: UInt64, reason: RedisDisconnectReason, detail: String)
    /// The bytes received are not valid RESP; the handler closes the channel after this.
    func protocolViolation(generation: UInt64, message: String)
}

/// Decodes replies from the socket (incrementally, any split, many replies per read) and hands
/// each read burst to the sink at `channelReadComplete`, so a burst of pipelined replies costs one
/// lock round on the connection rather than one per reply. Outbound bytes pass through untouched:
/// the connection writes encoded commands itself.
final class RedisReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let generation: UInt64
    private weak var sink: (any RedisReplySink)?
    private var decoder: RESPValueDecoder
    private var cumulation: ByteBuffer?
    private var decoded: [RESPValue] = []
    private var failure: (any Error)?
    private var reportedClose = false

    init(generation: UInt64, sink: any RedisReplySink, limits: RESPLimits) {
        self.generation = generation
        self.sink = sink
        self.decoder = RESPValueDecoder(limits: limits)
        decoded.reserveCapacity(64)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if var buffer = cumulation, buffer.readableBytes > 0 {
            cumulation = nil  // keep `buffer` uniquely referenced while appending
            buffer.writeBuffer(&incoming)
            decode(&buffer, context: context)
        } else {
            decode(&incoming, context: context)
        }
    }

    private func decode(_ buffer: inout ByteBuffer, context: ChannelHandlerContext) {
        do {
            while let value = try decoder.decode(from: &buffer) {
                decoded.append(value)
            }
        } catch {
            deliver()
            reportedClose = true
            sink?.protocolViolation(generation: generation, message: error.message)
            context.close(promise: nil)
            return
        }
        if buffer.readableBytes > 0 {
            buffer.discardReadBytes()
            cumulation = buffer
        } else {
            cumulation = nil
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliver()
        context.fireChannelReadComplete()
    }

    private func deliver() {
        guard !decoded.isEmpty else { return }
        // The sink may close the channel, which re-enters this handler (channelInactive): hand it
        // a batch of its own rather than `decoded` itself, then take the storage back.
        var batch: [RESPValue] = []
        swap(&batch, &decoded)
        sink?.receive(&batch, generation: generation)
        batch.removeAll(keepingCapacity: true)
        if decoded.isEmpty { swap(&batch, &decoded) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if failure == nil { failure = error }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deliver()
        if !reportedClose {
            reportedClose = true
            if let failure {
                sink?.linkClosed(generation: generation, reason: .connectionLost, detail: String(describing: failure))
            } else {
                sink?.linkClosed(generation: generation, reason: .serverClosed, detail: "the server closed the connection")
            }
        }
        context.fireChannelInactive()
    }
}

/// Completes `promise` when the TLS handshake has finished, or fails it with the handshake's
/// error (so that "certificate verify failed" reaches the caller rather than a bare "closed").
final class TLSHandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Void>
    private var completed = false

    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tlsEvent = event as? TLSUserEvent, case .handshakeCompleted = tlsEvent, !completed {
            completed = true
            promise.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !completed {
            completed = true
            promise.fail(error)
        }
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !completed {
            completed = true
            promise.fail(ChannelError.eof)
        }
        context.fireChannelInactive()
    }
}
