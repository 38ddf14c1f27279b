import NIOCore
import RESP

/// Splits the byte stream of one connection into requests (multibulk or inline) with Redis's limits.
struct RequestDecoder: ByteToMessageDecoder {
    typealias InboundOut = [ByteBuffer]

    var decoder: RESPRequestDecoder
    let queryBuffer: QueryBufferUsage

    init(limits: RESPLimits, queryBuffer: QueryBufferUsage) {
        decoder = RESPRequestDecoder(limits: limits)
        self.queryBuffer = queryBuffer
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        if let request = try decoder.decode(from: &buffer) {
            queryBuffer.unparsedBytes = buffer.readableBytes
            context.fireChannelRead(wrapInboundOut(request))
            return .continue
        }
        // Redis's client-query-buffer-limit: unparsed input, with the requests already parsed and
        // waiting their turn, may not grow without bound.
        queryBuffer.unparsedBytes = buffer.readableBytes
        if queryBuffer.isOverLimit { throw QueryBufferLimitExceeded() }
        return .needMoreData
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        return .needMoreData
    }
}

struct QueryBufferLimitExceeded: Error {}

/// What one connection holds of requests not yet answered: the unparsed input in its decoder and the
/// parsed requests waiting their turn in `ClientConnection`. Both check the one limit against the sum,
/// as Redis's client-query-buffer-limit covers its whole query buffer (checked separately, a client
/// could hold nearly twice the limit). Used on the connection's event loop only, like its handlers.
final class QueryBufferUsage {
    let limit: Int
    var unparsedBytes = 0
    var pendingBytes = 0

    init(limit: Int) {
        self.limit = limit
    }

    var total: Int { unparsedBytes + pendingBytes }
    var isOverLimit: Bool { total > limit }
}
