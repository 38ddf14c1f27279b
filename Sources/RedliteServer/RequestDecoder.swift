import NIOCore
import RESP

/// Splits the byte stream of one connection into requests (multibulk or inline) with Redis's limits.
struct RequestDecoder: ByteToMessageDecoder {
    typealias InboundOut = [ByteBuffer]

    var decoder: RESPRequestDecoder
    let queryBufferLimit: Int

    init(limits: RESPLimits, queryBufferLimit: Int) {
        decoder = RESPRequestDecoder(limits: limits)
        self.queryBufferLimit = queryBufferLimit
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let request = try decoder.decode(from: &buffer) {
            context.fireChannelRead(wrapInboundOut(request))
            return .continue
        }
        // Redis's client-query-buffer-limit: unparsed input may not grow without bound.
        if buffer.readableBytes > queryBufferLimit { throw QueryBufferLimitExceeded() }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

struct QueryBufferLimitExceeded: Error {}
