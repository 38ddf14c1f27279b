/// The on-disk schema, versioned by migrations (`migrate`). Read this file to know how data is laid out.
///
/// - `keys`: one row per Redis key in one of the 16 databases. A string's value is stored in the key
///   row itself (`value`): a string *is* one value, and a separate table would double the writes of
///   every SET. The exception is a long string changed in place (APPEND, SETRANGE, SETBIT): its bytes
///   are in `string_chunks` and `size` is its length (see `StringChunks`). Every other type keeps its elements in a table of its own, keyed by `keys.id`, whose
///   rows go with the key row (`ON DELETE CASCADE`) and with a change of type (the trigger).
/// - `expire_at` is absolute Unix time in milliseconds, NULL for persistent keys; the partial index
///   serves active expiry. `size` is the element count of an aggregate key, kept by every write, so
///   LLEN, SCARD, ZCARD and HLEN cost one row read. `version` increases on every write (WATCH), `created_at` / `updated_at` are
///   Unix milliseconds (KEYINFO).
enum Schema {
    /// Key type codes stored in `keys.type`.
    enum KeyType: Int64, Sendable {
        case string = 1
        case list = 2
        case set = 3
        case zset = 4
        case hash = 5

        /// The name TYPE reports.
        var name: String {
            switch self {
            case .string: return "string"
            case .list: return "list"
            case .set: return "set"
            case .zset: return "zset"
            case .hash: return "hash"
            }
        }

        init?(name: String) {
            switch name.lowercased() {
            case "string": self = .string
            case "list": self = .list
            case "set": self = .set
            case "zset": self = .zset
            case "hash": self = .hash
            default: return nil
            }
        }
    }

    /// The migrations in the order they apply: an identifier, recorded once applied, and the SQL.
    /// Never change one that has shipped; add another.
    static let migrations: [(identifier: String, sql: String)] = [
        ("v1: keys, strings, hashes", """
            CREATE TABLE keys (
                id          INTEGER PRIMARY KEY,
                db          INTEGER NOT NULL,
                key         BLOB    NOT NULL,
                type        INTEGER NOT NULL,
                value       BLOB,
                expire_at   INTEGER,
                version     INTEGER NOT NULL DEFAULT 1,
                created_at  INTEGER NOT NULL,
                updated_at  INTEGER NOT NULL,
                UNIQUE (db, key)
            );
            CREATE INDEX keys_expiry ON keys (expire_at) WHERE expire_at IS NOT NULL;

            CREATE TABLE hashes (
                key_id  INTEGER NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
                field   BLOB    NOT NULL,
                value   BLOB    NOT NULL,
                PRIMARY KEY (key_id, field)
            ) WITHOUT ROWID;

            -- A key that changes type (SET over a hash) loses the elements of its old type.
            CREATE TRIGGER keys_type_changed AFTER UPDATE OF type ON keys WHEN old.type <> new.type
            BEGIN
                DELETE FROM hashes WHERE key_id = old.id;
            END;
            """),
        ("v2: lists, sets, sorted sets", """
            -- A list element's place is an integer position with wide gaps (ListPositions.gap):
            -- pushes take the next gap outwards, LINSERT takes the midpoint of its neighbours, and a
            -- list whose gaps are used up is renumbered once (rebalanced).
            CREATE TABLE lists (
                key_id    INTEGER NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
                position  INTEGER NOT NULL,
                value     BLOB    NOT NULL,
                PRIMARY KEY (key_id, position)
            ) WITHOUT ROWID;

            CREATE TABLE sets (
                key_id  INTEGER NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
                member  BLOB    NOT NULL,
                PRIMARY KEY (key_id, member)
            ) WITHOUT ROWID;

            -- Sorted sets: members by name (ZSCORE, ZADD) and by (score, member) for ranges; ties
            -- order by member bytes, as in Redis.
            CREATE TABLE zsets (
                key_id  INTEGER NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
                member  BLOB    NOT NULL,
                score   REAL    NOT NULL,
                PRIMARY KEY (key_id, member)
            ) WITHOUT ROWID;
            CREATE INDEX zsets_by_score ON zsets (key_id, score, member);

            -- Element count of an aggregate key (0 for strings): LLEN, SCARD, ZCARD, HLEN in O(1).
            ALTER TABLE keys ADD COLUMN size INTEGER NOT NULL DEFAULT 0;
            UPDATE keys SET size = (SELECT count(*) FROM hashes WHERE key_id = keys.id) WHERE type = 5;

            DROP TRIGGER keys_type_changed;
            CREATE TRIGGER keys_type_changed AFTER UPDATE OF type ON keys WHEN old.type <> new.type
            BEGIN
                DELETE FROM hashes WHERE key_id = old.id;
                DELETE FROM lists WHERE key_id = old.id;
                DELETE FROM sets WHERE key_id = old.id;
                DELETE FROM zsets WHERE key_id = old.id;
            END;
            """),
        // Volatile keys by (db, expire_at): counting a database's expired or volatile keys
        // (DBSIZE, INFO keyspace) reads this index alone instead of visiting every key's row;
        // active expiry seeks each database's expired range.
        ("v3: expiry index by database", """
            DROP INDEX keys_expiry;
            CREATE INDEX keys_expiry ON keys (db, expire_at) WHERE expire_at IS NOT NULL;
            """),
        // Long strings changed in place (APPEND, SETRANGE, SETBIT), see `StringChunks`: chunk `n`
        // holds the bytes from n * StringChunks.size; missing bytes are zeros. The key row's
        // `size` is then the string's length (0 for a string in `value`, as every string was).
        ("v4: strings in chunks", """
            CREATE TABLE string_chunks (
                key_id  INTEGER NOT NULL REFERENCES keys (id) ON DELETE CASCADE,
                chunk   INTEGER NOT NULL,
                bytes   BLOB    NOT NULL,
                PRIMARY KEY (key_id, chunk)
            ) WITHOUT ROWID;
            """),
    ]

    /// Applies the migrations the database has not had yet, each in a write transaction of its own
    /// that also records it (so two processes opening one new file apply each once).
    ///
    /// They are recorded in `grdb_migrations`, the table GRDB's migrator kept when it applied these
    /// same migrations (before the engine moved to sqlite-nio's SQLite), so files made then open as
    /// they are.
    ///
    /// Foreign keys are off while they run and checked before each commits, as GRDB's migrator did:
    /// with them on, a migration that rebuilds `keys` (create, copy, drop, rename) would have its DROP
    /// cascade to every element row, and the pragma cannot be changed inside the transaction.
    static func migrate(_ connection: SQLiteConnection) throws {
        try connection.execute("CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        try connection.execute("PRAGMA foreign_keys = OFF")
        defer { try? connection.execute("PRAGMA foreign_keys = ON") }
        for migration in migrations {
            try connection.transaction {
                let applied = try connection.statement("SELECT 1 FROM grdb_migrations WHERE identifier = ?1")
                applied.bind(1, text: migration.identifier)
                let done = try applied.step()
                applied.reset()
                guard !done else { return }
                try connection.execute(migration.sql)
                let violations = try connection.statement("PRAGMA foreign_key_check")
                let violated = try violations.step()
                violations.reset()
                if violated { throw RedliteError.storage("migration \(migration.identifier) leaves rows without their key") }
                let record = try connection.statement("INSERT INTO grdb_migrations (identifier) VALUES (?1)")
                record.bind(1, text: migration.identifier)
                try record.run()
            }
        }
    }
}
