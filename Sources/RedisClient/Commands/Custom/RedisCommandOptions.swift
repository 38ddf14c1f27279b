public import RESP

/// A binary-safe argument of a generated command: a `String`, `Substring`, `ByteBuffer`, `[UInt8]`,
/// `Int` or `Double` (anything `RESPBulkEncodable`).
///
/// ```swift
/// try await client.hset("user:1", fieldValues: [("name", "Ada"), ("avatar", ByteBuffer(bytes: png))])
/// ```
public typealias RedisArgument = any RESPBulkEncodable & Sendable

/// The option types of the generated command API: an enum for each choice of tokens
/// (`RedisCommandOptions.SetCondition.nx`) or of alternatives (`RedisCommandOptions.SetExpiration.seconds(10)`),
/// a struct for each argument block that is more than a few plain values.
///
/// The members are generated from the command table, next to the commands that use them, in
/// `Sources/RedisClient/Commands/Generated`.
public enum RedisCommandOptions {}
