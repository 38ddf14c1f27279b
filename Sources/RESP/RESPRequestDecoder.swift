public import NIOCore

/// An incremental decoder for requests as a Redis server reads them: multibulk arrays of bulk
/// strings (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and inline commands typed by hand (`GET k\r\n`).
///
/// It follows Redis's `processMultibulkBuffer` / `processInlineBuffer`: the same limits, the same
/// error texts, empty requests (`*0`, `*-1`, blank lines) skipped. Arguments already received are
/// consumed and kept, so a request with many large arguments is read in linear time.
///
/// A decoder is a value: give each connection its own.
public struct RESPRequestDecoder: Sendable {
    public var limits: RESPLimits
    /// When false, the tighter bounds Redis applies before `AUTH` hold: at most 10 arguments of at
    /// most 16 KB each.
    public var isAuthenticated: Bool

    private var expectedArguments = 0
    private var arguments: [ByteBuffer] = []

    public init(limits: RESPLimits = .default, isAuthenticated: Bool = true) {
        self.limits = limits
        self.isAuthenticated = isAuthenticated
    }

    /// True when no partially received request is held.
    public var isIdle: Bool { expectedArguments == 0 }

    /// Decodes the next complete request from the front of `buffer`.
    ///
    /// - Returns: the arguments (command name first, never empty), or nil when more bytes are needed.
    /// - Throws: `RESPProtocolError` with Redis's text. Redis replies `-ERR <text>` and closes the
    ///   connection; the decoder must not be used for that stream again.
    public mutating func decode(from buffer: inout ByteBuffer) throws(RESPProtocolError) -> [ByteBuffer]? {
        while true {
            if expectedArguments == 0 {
                guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
                if first == UInt8(ascii: "*") {
                    guard let count = try readMultibulkHeader(&buffer) else { return nil }
                    if count <= 0 { continue }  // `*0` and `*-1` are empty requests: skipped.
                    expectedArguments = count
                    arguments = []
                    arguments.reserveCapacity(min(count, 64))
                } else {
                    guard let inline = try readInline(&buffer) else { return nil }
                    if inline.isEmpty { continue }  // Blank lines are skipped, as in Redis.
                    return inline
                }
            }
            while arguments.count < expectedArguments {
                guard let argument = try readBulk(&buffer) else { return nil }
                arguments.append(argument)
            }
            expectedArguments = 0
            let request = arguments
            arguments = []
            return request
        }
    }

    // MARK: - Multibulk

    private func readMultibulkHeader(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> Int? {
        guard let cr = ByteScanning.firstIndex(of: ByteScanning.cr, in: buffer, from: 1, limit: limits.maxInlineLength) else {
            if buffer.readableBytes > limits.maxInlineLength { throw .tooBigMultibulkCount }
            return nil
        }
        guard buffer.readableBytes >= cr + 2 else { return nil }
        guard let count = ByteScanning.parseInteger(buffer, offset: 1, length: cr - 1),
              count <= Int64(limits.maxMultibulkLength) else { throw .invalidMultibulkLength }
        if !isAuthenticated && count > 10 { throw .unauthenticatedMultibulkLength }
        buffer.moveReaderIndex(forwardBy: cr + 2)
        return Int(count)
    }

    private func readBulk(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> ByteBuffer? {
        guard let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self) else { return nil }
        guard first == UInt8(ascii: "$") else { throw .expectedDollar(got: first) }
        guard let cr = ByteScanning.firstIndex(of: ByteScanning.cr, in: buffer, from: 1, limit: limits.maxInlineLength) else {
            if buffer.readableBytes > limits.maxInlineLength { throw .tooBigBulkCount }
            return nil
        }
        guard buffer.readableBytes >= cr + 2 else { return nil }
        guard let length = ByteScanning.parseInteger(buffer, offset: 1, length: cr - 1),
              length >= 0, length <= Int64(limits.maxBulkLength) else { throw .invalidBulkLength }
        if !isAuthenticated && length > 16384 { throw .unauthenticatedBulkLength }
        let start = cr + 2
        let total = start + Int(length) + 2
        guard buffer.readableBytes >= total else { return nil }
        // Redis does not check the two bytes after the payload; neither do we, so that every
        // request Redis accepts is accepted here.
        let argument = buffer.getSlice(at: buffer.readerIndex + start, length: Int(length))!
        buffer.moveReaderIndex(forwardBy: total)
        return argument
    }

    // MARK: - Inline

    private func readInline(_ buffer: inout ByteBuffer) throws(RESPProtocolError) -> [ByteBuffer]? {
        guard let lf = ByteScanning.firstIndex(of: ByteScanning.lf, in: buffer, from: 0, limit: limits.maxInlineLength + 1) else {
            if buffer.readableBytes > limits.maxInlineLength { throw .tooBigInlineRequest }
            return nil
        }
        var lineLength = lf
        if lineLength > 0, buffer.getInteger(at: buffer.readerIndex + lineLength - 1, as: UInt8.self) == ByteScanning.cr {
            lineLength -= 1
        }
        let line = buffer.getSlice(at: buffer.readerIndex, length: lineLength)!
        buffer.moveReaderIndex(forwardBy: lf + 1)
        guard let arguments = InlineCommandParser.split(line) else { throw .unbalancedQuotes }
        return arguments
    }
}
