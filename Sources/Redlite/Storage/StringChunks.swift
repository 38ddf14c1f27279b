import NIOCore

/// Long strings that commands change in place (APPEND, SETRANGE, SETBIT) are kept in fixed-size
/// chunks (`string_chunks`) instead of the key row's `value`.
///
/// Redis changes a string in place in O(1) (amortized, for APPEND); a value in the key row has to be
/// read and rewritten whole, so a loop of APPENDs was quadratic (5,000 appends of 100 bytes took
/// 2.3 s, against Redis's 19 ms) and one SETBIT on a 512 MB bitmap held the writer, and with it every
/// client's writes, for seconds. In chunks such a change reads and rewrites only the chunks it
/// touches.
///
/// - A string is chunked when its key row has `size > 0` (the byte length; 0 for a string in `value`,
///   whose `value` is then NULL). `size` was 0 for every string before, so the marker needs no
///   migration of existing rows.
/// - Chunk `n` holds the bytes from `n * StringChunks.size`. A chunk may be shorter than that, or
///   missing: the bytes it does not hold, up to the string's length, are zeros. A SETBIT or SETRANGE
///   far past the end therefore writes one chunk, not the gap.
/// - A string goes to chunks when an in-place change leaves it longer than `StringChunks.threshold`,
///   and back to `value` when a whole-value write (SET and the like) replaces it. GET and every
///   other reader get the whole value from `lookupKey`, assembled; GETRANGE, GETBIT, STRLEN, BITCOUNT
///   and BITPOS read only what they need (`stringBytes`).
enum StringChunks {
    /// Bytes per chunk. An APPEND rewrites the last chunk, so its cost follows this size: 50,000
    /// APPENDs of 100 bytes, pipelined, took 3.1 s with 16 KiB chunks and 1.55 s with 4 KiB (Redis
    /// 0.12 s; in the key row the first 5,000 took 2.3 s). Smaller chunks cost rows: a 512 MB string
    /// is 131,072 of them.
    static let size: Int64 = 4 * 1024
    /// An in-place change that leaves a string longer than this moves it to chunks. Shorter strings
    /// stay in the key row, where GET reads them with the key.
    static let threshold: Int64 = 16 * 1024
}

extension KeyRecord {
    /// Whether this string's bytes are in `string_chunks` (see `StringChunks`).
    var isChunkedString: Bool { type == .string && size > 0 }

    /// A string's length in bytes, whether chunked or not (for an unchunked one, its loaded value's).
    var stringLength: Int64 { isChunkedString ? size : Int64(value?.readableBytes ?? 0) }
}

extension SQLiteConnection {
    /// The whole value of the chunked string `id` of `length` bytes.
    func chunkedStringValue(id: Int64, length: Int64) throws -> ByteBuffer {
        try chunkedStringRange(id: id, start: 0, count: Int(length))
    }

    /// The `count` bytes from `start` of the chunked string `id`; zeros where no chunk holds them.
    /// The caller keeps the range inside the string's length.
    func chunkedStringRange(id: Int64, start: Int64, count: Int) throws -> ByteBuffer {
        var buffer = ByteBuffer(repeating: 0, count: count)
        try forEachStoredPart(ofChunkedString: id, start: start, count: Int64(count)) { offset, bytes in
            buffer.setBytes(bytes, at: Int(offset))
            return true
        }
        return buffer
    }

    /// The position in bits, counted from `start`, of the first set bit of the `count` bytes from
    /// `start` of the chunked string `id`; nil when they hold none. Only stored chunks can hold one,
    /// so BITPOS … 1 reads those up to the first that does and skips the gaps of a sparse bitmap,
    /// where reading the range would take time in proportion to its length (512 MB for one bit).
    func chunkedStringFirstSetBit(id: Int64, start: Int64, count: Int64) throws -> Int64? {
        var found: Int64?
        try forEachStoredPart(ofChunkedString: id, start: start, count: count) { offset, bytes in
            guard let bit = BitCommands.firstSetBit(in: bytes) else { return true }
            found = (offset << 3) + bit
            return false
        }
        return found
    }

    /// The set bits of the `count` bytes from `start` of the chunked string `id`, counted in the chunks
    /// that hold them (the others are zeros): BITCOUNT without building the range.
    func chunkedStringPopcount(id: Int64, start: Int64, count: Int64) throws -> Int64 {
        var total: Int64 = 0
        try forEachStoredPart(ofChunkedString: id, start: start, count: count) { _, bytes in
            total += BitCommands.popcount(bytes)
            return true
        }
        return total
    }

    /// Calls `body` with each stored piece of the range `count` bytes from `start` of the chunked
    /// string `id`, in order, with its offset in the range (valid only inside `body`), for as long as
    /// `body` returns true. The bytes of the range it is not called for are zeros.
    private func forEachStoredPart(ofChunkedString id: Int64, start: Int64, count: Int64,
                                   _ body: (Int64, UnsafeRawBufferPointer) throws -> Bool) throws {
        guard count > 0 else { return }
        let end = start + count
        let statement = try statement("SELECT chunk, bytes FROM string_chunks WHERE key_id = ?1 AND chunk BETWEEN ?2 AND ?3 ORDER BY chunk")
        defer { statement.reset() }
        statement.bind(1, id).bind(2, start / StringChunks.size).bind(3, (end - 1) / StringChunks.size)
        var going = true
        while going, try statement.step() {
            let chunkStart = statement.int64(0) * StringChunks.size
            going = try statement.withBlob(1) { bytes in
                let from = max(chunkStart, start), to = min(chunkStart + Int64(bytes.count), end)
                guard from < to else { return true }
                return try body(from - start, UnsafeRawBufferPointer(rebasing: bytes[Int(from - chunkStart)..<Int(to - chunkStart)]))
            }
        }
    }

    /// The `count` bytes from `start` of the live string `record`, found by a lookup with
    /// `loadingChunks: false`: a slice of its value, or read from its chunks. The caller keeps the
    /// range inside the string's length.
    func stringBytes(_ record: KeyRecord, start: Int64, count: Int) throws -> ByteBuffer {
        if let value = record.value { return value.getSlice(at: value.readerIndex + Int(start), length: count)! }
        return try chunkedStringRange(id: record.id, start: start, count: count)
    }

    /// Writes `patch` at `offset` into the live string `record` (found by a lookup for write in this
    /// transaction, with `loadingChunks: false`), which is in chunks afterwards: an unchunked one
    /// moves its value there first. Extends the string with zeros when `offset` is past its end, as
    /// SETRANGE does; keeps its expiry; returns the new length. The caller checks the length limit.
    @discardableResult
    func patchString(_ record: KeyRecord, at offset: Int64, with patch: ByteBuffer, now: Int64) throws -> Int64 {
        if !record.isChunkedString, let value = record.value, value.readableBytes > 0 {
            try writeChunks(id: record.id, at: 0, value)
        }
        try writeChunks(id: record.id, at: offset, patch)
        let length = max(record.stringLength, offset + Int64(patch.readableBytes))
        let statement = try statement("UPDATE keys SET value = NULL, size = ?2, version = version + 1, updated_at = ?3 WHERE id = ?1")
        statement.bind(1, record.id).bind(2, length).bind(3, now)
        try statement.run()
        return length
    }

    /// Creates the empty string `key` for an in-place change of a missing key that goes straight to
    /// chunks (SETRANGE or SETBIT far past the end), and returns its record.
    func createChunkedString(db: Int64, key: ByteBuffer, now: Int64) throws -> KeyRecord {
        let id = try createKey(db: db, key: key, type: .string, now: now)
        return KeyRecord(id: id, type: .string, expireAt: nil, value: nil, size: 0)
    }

    /// Overwrites the chunks under `bytes` placed at `offset`: each chunk touched is read, extended with
    /// zeros where needed and written back (one that `bytes` covers whole is not read).
    private func writeChunks(id: Int64, at offset: Int64, _ bytes: ByteBuffer) throws {
        guard bytes.readableBytes > 0 else { return }
        let end = offset + Int64(bytes.readableBytes)
        let read = try statement("SELECT bytes FROM string_chunks WHERE key_id = ?1 AND chunk = ?2")
        let write = try statement("""
            INSERT INTO string_chunks (key_id, chunk, bytes) VALUES (?1, ?2, ?3)
            ON CONFLICT (key_id, chunk) DO UPDATE SET bytes = excluded.bytes
            """)
        var chunk = offset / StringChunks.size
        while chunk * StringChunks.size < end {
            let chunkStart = chunk * StringChunks.size
            let from = Int(max(offset, chunkStart) - chunkStart), to = Int(min(end, chunkStart + StringChunks.size) - chunkStart)
            var content: ByteBuffer
            if from == 0 && to == Int(StringChunks.size) {
                content = ByteBuffer()
            } else {
                read.bind(1, id).bind(2, chunk)
                content = try read.step() ? read.bytes(0) : ByteBuffer()
                read.reset()
            }
            if content.readableBytes < to { content.writeRepeatingByte(0, count: to - content.readableBytes) }
            let source = bytes.getSlice(at: bytes.readerIndex + Int(chunkStart + Int64(from) - offset), length: to - from)!
            content.setBuffer(source, at: content.readerIndex + from)
            write.bind(1, id).bind(2, chunk).bind(3, content)
            try write.run()
            chunk += 1
        }
    }
}
