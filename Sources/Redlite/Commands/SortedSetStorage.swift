import NIOCore

/// One member of a sorted set.
struct ScoredMember {
    var member: ByteBuffer
    var score: Double
}

extension SQLiteConnection {
    func zsetScore(_ id: Int64, _ member: ByteBuffer) throws -> Double? {
        let statement = try statement("SELECT score FROM zsets WHERE key_id = ?1 AND member = ?2")
        defer { statement.reset() }
        statement.bind(1, id).bind(2, member)
        return try statement.step() ? statement.double(0) : nil
    }

    /// Inserts or updates a member's score, in one statement.
    func zsetSetScore(_ id: Int64, _ member: ByteBuffer, _ score: Double) throws {
        let statement = try statement("""
            INSERT INTO zsets (key_id, member, score) VALUES (?1, ?2, ?3)
            ON CONFLICT (key_id, member) DO UPDATE SET score = excluded.score
            """)
        statement.bind(1, id).bind(2, member).bind(3, score)
        try statement.run()
    }

    /// Adds a member the caller knows is absent (ZADD has just looked up its score).
    func zsetInsert(_ id: Int64, _ member: ByteBuffer, _ score: Double) throws {
        let statement = try statement("INSERT INTO zsets (key_id, member, score) VALUES (?1, ?2, ?3)")
        statement.bind(1, id).bind(2, member).bind(3, score)
        try statement.run()
    }

    /// Changes the score of a member the caller knows is present.
    func zsetUpdateScore(_ id: Int64, _ member: ByteBuffer, _ score: Double) throws {
        let statement = try statement("UPDATE zsets SET score = ?3 WHERE key_id = ?1 AND member = ?2")
        statement.bind(1, id).bind(2, member).bind(3, score)
        try statement.run()
    }

    func zsetRemove(_ id: Int64, _ member: ByteBuffer) throws -> Bool {
        let statement = try statement("DELETE FROM zsets WHERE key_id = ?1 AND member = ?2")
        statement.bind(1, id).bind(2, member)
        try statement.run()
        return statement.changes == 1
    }

    /// `count` members from rank `offset`, in ascending order or (reverse) descending.
    func zsetRange(_ id: Int64, offset: Int64, count: Int64, reverse: Bool) throws -> [ScoredMember] {
        let statement = reverse
            ? try statement("SELECT member, score FROM zsets WHERE key_id = ?1 ORDER BY score DESC, member DESC LIMIT ?2 OFFSET ?3")
            : try statement("SELECT member, score FROM zsets WHERE key_id = ?1 ORDER BY score, member LIMIT ?2 OFFSET ?3")
        defer { statement.reset() }
        statement.bind(1, id).bind(2, count).bind(3, offset)
        return try collect(statement)
    }

    /// Members within a score range (through the score index), after `offset` of them, at most `count`
    /// (negative: all).
    func zsetRange(_ id: Int64, scores range: ScoreRange, reverse: Bool, offset: Int64 = 0, count: Int64 = -1) throws -> [ScoredMember] {
        let statement = reverse
            ? try statement("""
                SELECT member, score FROM zsets WHERE key_id = ?1 AND score >= ?2 AND score <= ?3
                AND (?4 = 0 OR score > ?2) AND (?5 = 0 OR score < ?3)
                ORDER BY score DESC, member DESC LIMIT ?6 OFFSET ?7
                """)
            : try statement("""
                SELECT member, score FROM zsets WHERE key_id = ?1 AND score >= ?2 AND score <= ?3
                AND (?4 = 0 OR score > ?2) AND (?5 = 0 OR score < ?3)
                ORDER BY score, member LIMIT ?6 OFFSET ?7
                """)
        defer { statement.reset() }
        statement.bind(1, id).bind(2, range.min).bind(3, range.max)
            .bind(4, Int64(range.minExclusive ? 1 : 0)).bind(5, Int64(range.maxExclusive ? 1 : 0))
            .bind(6, count).bind(7, offset)
        return try collect(statement)
    }

    /// Members within a lexicographic range, walking (score, member) order as Redis does: from the
    /// first member in range to the first one after it that is not.
    func zsetRange(_ id: Int64, lex range: LexRange, reverse: Bool, offset: Int64 = 0, count: Int64 = -1) throws -> [ScoredMember] {
        let all = try zsetRange(id, offset: 0, count: -1, reverse: reverse)
        var result: [ScoredMember] = []
        var started = false
        var skipped: Int64 = 0
        for element in all {
            let inRange = range.contains(element.member)
            if !started {
                guard inRange else { continue }
                started = true
            } else if !inRange {
                break
            }
            if skipped < offset {
                skipped += 1
                continue
            }
            if count >= 0 && Int64(result.count) >= count { break }
            result.append(element)
        }
        return result
    }

    /// The number of members ordered before (score, member).
    func zsetRank(_ id: Int64, score: Double, member: ByteBuffer) throws -> Int64 {
        let statement = try statement("""
            SELECT count(*) FROM zsets WHERE key_id = ?1 AND (score < ?2 OR (score = ?2 AND member < ?3))
            """)
        defer { statement.reset() }
        statement.bind(1, id).bind(2, score).bind(3, member)
        _ = try statement.step()
        return statement.int64(0)
    }

    func zsetCount(_ id: Int64, scores range: ScoreRange) throws -> Int64 {
        let statement = try statement("""
            SELECT count(*) FROM zsets WHERE key_id = ?1 AND score >= ?2 AND score <= ?3
            AND (?4 = 0 OR score > ?2) AND (?5 = 0 OR score < ?3)
            """)
        defer { statement.reset() }
        statement.bind(1, id).bind(2, range.min).bind(3, range.max)
            .bind(4, Int64(range.minExclusive ? 1 : 0)).bind(5, Int64(range.maxExclusive ? 1 : 0))
        _ = try statement.step()
        return statement.int64(0)
    }

    /// The members at `positions` of the sorted set's stored order (by member; increasing
    /// positions, repeats allowed).
    func zsetMembers(_ id: Int64, at positions: [Int64]) throws -> [ScoredMember] {
        var collector = ByteCollector(expectedValues: min(positions.count, 1024))
        var scores: [Double] = []
        try rows("SELECT member, score FROM zsets WHERE key_id = ?1 LIMIT -1 OFFSET ?2", of: id, at: positions) { row in
            collector.append(row, column: 0)
            scores.append(row.double(1))
        }
        return scores.indices.map { ScoredMember(member: collector.value($0), score: scores[$0]) }
    }

    func zsetAll(_ id: Int64) throws -> [ScoredMember] {
        try zsetRange(id, offset: 0, count: -1, reverse: false)
    }

    private func collect(_ statement: SQLiteStatement) throws -> [ScoredMember] {
        var collector = ByteCollector(expectedValues: 16)
        var scores: [Double] = []
        while try statement.step() {
            collector.append(statement, column: 0)
            scores.append(statement.double(1))
        }
        return scores.indices.map { ScoredMember(member: collector.value($0), score: scores[$0]) }
    }
}
