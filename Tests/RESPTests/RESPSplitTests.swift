import NIOCore
import RESP
import Testing

@Suite("Frames split at any byte, many frames in one read")
struct RESPSplitTests {
    static let frames: [RESPValue] = RESPRoundTripTests.everyType.map(RESPRoundTripTests.resp3Canonical)

    static func stream(_ values: [RESPValue]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for value in values { buffer.writeRESPValue(value, version: .resp3) }
        return buffer
    }

    /// Feeds `bytes` in the given chunks and collects every decoded value.
    static func decode(_ bytes: ByteBuffer, chunks: [Int]) throws -> [RESPValue] {
        var decoder = RESPValueDecoder()
        var pending = ByteBuffer()
        var values: [RESPValue] = []
        var offset = 0
        for size in chunks + [bytes.readableBytes] {
            let take = min(size, bytes.readableBytes - offset)
            if take > 0 {
                pending.writeImmutableBuffer(bytes.getSlice(at: bytes.readerIndex + offset, length: take)!)
                offset += take
            }
            while let value = try decoder.decode(from: &pending) { values.append(value) }
            if offset == bytes.readableBytes { break }
        }
        return values
    }

    @Test("every split point of a multi-frame buffer")
    func everySplitPoint() throws {
        let bytes = Self.stream(Self.frames)
        for split in 0...bytes.readableBytes {
            let values = try Self.decode(bytes, chunks: [split])
            #expect(values == Self.frames, "split at byte \(split)")
        }
    }

    @Test("every pair of split points over a small stream")
    func everyPairOfSplitPoints() throws {
        let frames: [RESPValue] = [.array([.bulk("a\r\nb"), .map([.init(.integer(1), .null)])]), .double(2.5), .bulk("x")]
        let bytes = Self.stream(frames)
        let total = bytes.readableBytes
        for first in 0...total {
            for second in first...total {
                let values = try Self.decode(bytes, chunks: [first, second - first])
                #expect(values == frames, "splits at \(first), \(second)")
            }
        }
    }

    @Test("one byte at a time")
    func byteByByte() throws {
        let bytes = Self.stream(Self.frames)
        let values = try Self.decode(bytes, chunks: Array(repeating: 1, count: bytes.readableBytes))
        #expect(values == Self.frames)
    }

    @Test("requests split at every byte decode as the same arguments")
    func requestSplits() throws {
        var bytes = ByteBuffer()
        bytes.writeRESPCommand(["SET", "key:1", "value"])
        bytes.writeString("PING\r\n")
        bytes.writeRESPCommand(["MSET", "a\r\n", "", "b", "\u{0}"])
        bytes.writeString("*0\r\n\r\nECHO \"a b\"\n")
        let expected: [[String]] = [["SET", "key:1", "value"], ["PING"], ["MSET", "a\r\n", "", "b", "\u{0}"], ["ECHO", "a b"]]
        for split in 0...bytes.readableBytes {
            var decoder = RESPRequestDecoder()
            var pending = ByteBuffer()
            var requests: [[String]] = []
            pending.writeImmutableBuffer(bytes.getSlice(at: 0, length: split)!)
            while let request = try decoder.decode(from: &pending) { requests.append(request.map { String(buffer: $0) }) }
            pending.writeImmutableBuffer(bytes.getSlice(at: split, length: bytes.readableBytes - split)!)
            while let request = try decoder.decode(from: &pending) { requests.append(request.map { String(buffer: $0) }) }
            #expect(requests == expected, "split at byte \(split)")
        }
    }
}
