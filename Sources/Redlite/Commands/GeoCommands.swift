import Foundation
import NIOCore
import RESP

/// GEOADD, GEOPOS, GEODIST and GEOHASH, as Redis 7.0's geo.c: a member's position is its sorted-set
/// score, the 52-bit interleaved geohash of its longitude (−180 to 180) and latitude (the Web
/// Mercator limits, ±85.05112878), decoded to the centre of its cell; distances on Redis's sphere.
enum GeoCommands {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("geoadd") { context, arguments in try add(&context, arguments) }
        registry.register("geopos") { context, arguments in
            try context.read { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .zset)
                return .array(try (2..<arguments.count).map { index -> RESPValue in
                    guard let record, let score = try connection.zsetScore(record.id, arguments[index]) else { return .nullArray }
                    let (longitude, latitude) = GeoHash.decode(score)
                    return .array([coordinate(longitude, context.resp3), coordinate(latitude, context.resp3)])
                })
            }
        }
        registry.register("geodist") { context, arguments in
            var toMeters = 1.0
            if arguments.count == 5 {
                toMeters = try unit(arguments[4])
            } else if arguments.count > 5 {
                throw RedisError.syntax
            }
            return try context.read { connection in
                guard let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .zset),
                      let first = try connection.zsetScore(record.id, arguments[2]),
                      let second = try connection.zsetScore(record.id, arguments[3]) else { return .nullBulkString }
                let (longitude1, latitude1) = GeoHash.decode(first), (longitude2, latitude2) = GeoHash.decode(second)
                return .bulk(distanceText(GeoHash.distance(longitude1, latitude1, longitude2, latitude2) / toMeters))
            }
        }
        registry.register("geohash") { context, arguments in
            try context.read { connection in
                let record = try connection.lookupKey(db: context.db, key: arguments[1], now: context.now, type: .zset)
                return .array(try (2..<arguments.count).map { index -> RESPValue in
                    guard let record, let score = try connection.zsetScore(record.id, arguments[index]) else { return .nullBulkString }
                    return .bulk(GeoHash.standardText(score))
                })
            }
        }
    }

    /// GEOADD is ZADD with each longitude and latitude turned into a score, as Redis runs it.
    private static func add(_ context: inout CommandContext, _ arguments: CommandArguments) throws -> RESPValue {
        var nx = false, xx = false
        var first = 2
        while first < arguments.count {
            if arguments.matches(first, "nx") { nx = true }
            else if arguments.matches(first, "xx") { xx = true }
            else if !arguments.matches(first, "ch") { break }
            first += 1
        }
        guard (arguments.count - first) % 3 == 0, !(xx && nx) else { throw RedisError.syntax }
        var zadd = [ByteBuffer(string: "zadd")] + (1..<first).map { arguments[$0] }
        for index in stride(from: first, to: arguments.count, by: 3) {
            let (longitude, latitude) = try coordinates(arguments, index)
            zadd.append(ByteBuffer(string: String(GeoHash.encode(longitude: longitude, latitude: latitude))))
            zadd.append(arguments[index + 2])
        }
        return try SortedSetCommands.add(&context, CommandArguments(values: zadd), increment: false)
    }

    /// A longitude and latitude at `index`, as Redis checks them.
    static func coordinates(_ arguments: CommandArguments, _ index: Int) throws -> (Double, Double) {
        let longitude = try arguments.double(index), latitude = try arguments.double(index + 1)
        guard longitude >= GeoHash.longitudeRange.min, longitude <= GeoHash.longitudeRange.max,
              latitude >= GeoHash.latitudeRange.min, latitude <= GeoHash.latitudeRange.max else {
            throw RedisError("ERR invalid longitude,latitude pair \(String(format: "%f,%f", longitude, latitude))")
        }
        return (longitude, latitude)
    }

    /// Meters per unit (M, KM, FT, MI, any case).
    static func unit(_ text: ByteBuffer) throws -> Double {
        switch text.lowercasedASCII {
        case "m": return 1
        case "km": return 1000
        case "ft": return 0.3048
        case "mi": return 1609.34
        default: throw RedisError("ERR unsupported unit provided. please use M, KM, FT, MI")
        }
    }

    /// A distance with four decimals, as Redis replies it.
    static func distanceText(_ distance: Double) -> String { String(format: "%.4f", distance) }

    /// A coordinate as Redis's addReplyHumanLongDouble: a bulk string in RESP2, a double in RESP3.
    static func coordinate(_ value: Double, _ resp3: Bool) -> RESPValue {
        let text = RedisNumbers.formatHuman(Float80(value))
        return resp3 ? .double(Double(text) ?? value) : .bulk(text)
    }
}

/// Redis's geohash (geohash.c, geohash_helper.c): 26 steps per coordinate, interleaved into 52 bits
/// (latitude in the even bits, longitude in the odd ones).
enum GeoHash {
    static let steps = 26
    static let longitudeRange = (min: -180.0, max: 180.0)
    static let latitudeRange = (min: -85.05112878, max: 85.05112878)
    static let earthRadius = 6372797.560856

    /// The score of a position (geohashEncodeWGS84, aligned to 52 bits).
    /// At fewer steps (a search's cells), the hash of the cell holding the position.
    static func encode(longitude: Double, latitude: Double, step: Int = steps, latitudeRange: (min: Double, max: Double) = latitudeRange) -> UInt64 {
        var latitudeOffset = (latitude - latitudeRange.min) / (latitudeRange.max - latitudeRange.min)
        var longitudeOffset = (longitude - longitudeRange.min) / (longitudeRange.max - longitudeRange.min)
        latitudeOffset *= Double(UInt64(1) << UInt64(step))
        longitudeOffset *= Double(UInt64(1) << UInt64(step))
        // C converts the offsets to uint32_t by truncation.
        return interleave(UInt32(truncatingIfNeeded: Int64(latitudeOffset)), UInt32(truncatingIfNeeded: Int64(longitudeOffset)))
    }

    /// The cell of a 52-bit hash, as longitude and latitude ranges.
    static func area(_ bits: UInt64, step: Int = steps) -> (longitude: (min: Double, max: Double), latitude: (min: Double, max: Double)) {
        let separated = deinterleave(bits)
        let latitudeCell = UInt32(truncatingIfNeeded: separated), longitudeCell = UInt32(truncatingIfNeeded: separated >> 32)
        let cells = Double(UInt64(1) << UInt64(step))
        let latitudeScale = latitudeRange.max - latitudeRange.min, longitudeScale = longitudeRange.max - longitudeRange.min
        return (
            (longitudeRange.min + (Double(longitudeCell) * 1.0 / cells) * longitudeScale,
             longitudeRange.min + ((Double(longitudeCell) + 1) * 1.0 / cells) * longitudeScale),
            (latitudeRange.min + (Double(latitudeCell) * 1.0 / cells) * latitudeScale,
             latitudeRange.min + ((Double(latitudeCell) + 1) * 1.0 / cells) * latitudeScale)
        )
    }

    /// The position a score stands for: the centre of its cell, clamped to the limits.
    static func decode(_ score: Double) -> (longitude: Double, latitude: Double) {
        let cell = area(bits(of: score))
        let longitude = min(max((cell.longitude.min + cell.longitude.max) / 2, longitudeRange.min), longitudeRange.max)
        let latitude = min(max((cell.latitude.min + cell.latitude.max) / 2, latitudeRange.min), latitudeRange.max)
        return (longitude, latitude)
    }

    /// A score as C's `(uint64_t)` cast turns it into hash bits on x86-64, which Redis relies on for
    /// any score (a sorted set not made by GEOADD can hold negative or huge ones): truncation below
    /// 2^63 through a signed conversion (so -1 is all ones), 2^63 and up through the offset one,
    /// and the "integer indefinite" value where the conversion fails. Never a trap.
    static func bits(of score: Double) -> UInt64 {
        let indefinite: UInt64 = 1 << 63
        let twoTo63 = 9_223_372_036_854_775_808.0
        if score.isNaN { return indefinite }
        if score < twoTo63 {
            return score >= -twoTo63 ? UInt64(bitPattern: Int64(score)) : indefinite
        }
        let shifted = score - twoTo63
        return (shifted < twoTo63 ? UInt64(bitPattern: Int64(shifted)) : indefinite) ^ indefinite
    }

    /// GEOHASH's 11 characters: the position re-encoded over the standard latitude range (±90).
    static func standardText(_ score: Double) -> String {
        let (longitude, latitude) = decode(score)
        let bits = encode(longitude: longitude, latitude: latitude, latitudeRange: (-90, 90))
        let alphabet: [Character] = Array("0123456789bcdefghjkmnpqrstuvwxyz")
        var text = ""
        for index in 0..<10 {
            let shift = UInt64(52 - (index + 1) * 5)
            text.append(alphabet[Int((bits >> shift) & 0x1f)])
        }
        // 52 bits give ten characters; the eleventh is 0, as Redis writes it.
        text.append(alphabet[0])
        return text
    }

    /// The distance in meters on Redis's sphere (geohashGetDistance).
    static func distance(_ longitude1: Double, _ latitude1: Double, _ longitude2: Double, _ latitude2: Double) -> Double {
        let radians = Double.pi / 180
        let longitude1r = longitude1 * radians, longitude2r = longitude2 * radians
        let v = sin((longitude2r - longitude1r) / 2)
        if v == 0 { return latitudeDistance(latitude1, latitude2) }
        let latitude1r = latitude1 * radians, latitude2r = latitude2 * radians
        let u = sin((latitude2r - latitude1r) / 2)
        let a = u * u + cos(latitude1r) * cos(latitude2r) * v * v
        return 2.0 * earthRadius * asin(a.squareRoot())
    }

    /// The distance along a meridian (geohashGetLatDistance).
    static func latitudeDistance(_ latitude1: Double, _ latitude2: Double) -> Double {
        let radians = Double.pi / 180
        return earthRadius * abs(latitude2 * radians - latitude1 * radians)
    }

    static func interleave(_ latitude: UInt32, _ longitude: UInt32) -> UInt64 {
        func spread(_ value: UInt32) -> UInt64 {
            var x = UInt64(value)
            x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
            x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
            x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
            x = (x | (x << 2)) & 0x3333_3333_3333_3333
            x = (x | (x << 1)) & 0x5555_5555_5555_5555
            return x
        }
        return spread(latitude) | (spread(longitude) << 1)
    }

    /// The inverse: latitude in the low 32 bits, longitude in the high ones.
    static func deinterleave(_ bits: UInt64) -> UInt64 {
        func squeeze(_ value: UInt64) -> UInt64 {
            var x = value & 0x5555_5555_5555_5555
            x = (x | (x >> 1)) & 0x3333_3333_3333_3333
            x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F
            x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF
            x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF
            x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF
            return x
        }
        return squeeze(bits) | (squeeze(bits >> 1) << 32)
    }
}
