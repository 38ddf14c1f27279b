/// Elements of an aggregate picked at random (SRANDMEMBER, SPOP, HRANDFIELD, ZRANDMEMBER) without
/// reading or sorting all of it: positions are drawn first, then one walk over the elements in
/// their stored order reads the rows at those positions.
///
/// `ORDER BY random()` sorted the whole set for every pick (about a second for a million members),
/// and HRANDFIELD and ZRANDMEMBER read every element into memory first. A walk stops at the last
/// position drawn and skips to the first inside SQLite (OFFSET), so one pick reads half the
/// elements on average, without keeping them.
enum RandomPositions {
    /// `count` distinct positions of `0..<size`, each set equally likely, in increasing order; all of
    /// them when `count >= size`.
    static func distinct(_ count: Int64, of size: Int64) -> [Int64] {
        guard count < size else { return Array(0..<max(size, 0)) }
        // Floyd's algorithm: `count` draws, no rejection loop.
        var chosen = Set<Int64>(minimumCapacity: Int(count))
        for upper in (size - count)..<size {
            let drawn = Int64.random(in: 0...upper)
            if !chosen.insert(drawn).inserted { chosen.insert(upper) }
        }
        return chosen.sorted()
    }

    /// `count` positions of `0..<size` drawn independently (repeats allowed), in increasing order.
    static func withRepetition(_ count: Int, of size: Int64) -> [Int64] {
        guard size > 0 else { return [] }
        return (0..<count).map { _ in Int64.random(in: 0..<size) }.sorted()
    }
}

extension SQLiteConnection {
    /// Hands `read` the rows of `sql` at `positions` (increasing, repeats allowed), a row once per
    /// time its position appears. `sql` selects one aggregate's elements in their stored order and
    /// skips to the first position: `… WHERE key_id = ?1 LIMIT -1 OFFSET ?2`.
    func rows(_ sql: StaticString, of id: Int64, at positions: [Int64], _ read: (SQLiteStatement) -> Void) throws {
        guard let first = positions.first else { return }
        let statement = try statement(sql)
        defer { statement.reset() }
        statement.bind(1, id).bind(2, first)
        var position = first, next = 0
        while next < positions.count, try statement.step() {
            while next < positions.count && positions[next] == position {
                read(statement)
                next += 1
            }
            position += 1
        }
    }
}
