import Foundation
import NIOCore
import RESP

/// GEORADIUS, GEORADIUSBYMEMBER (and their _RO forms), GEOSEARCH and GEOSEARCHSTORE, as Redis 7.0's
/// georadiusGeneric: the centre cell and its eight neighbours at the step the radius calls for
/// (geohash_helper.c), each searched as a score range in the order Redis searches them, each member
/// kept when within the circle or box, then sorted, cut to COUNT, answered or stored. The same
/// cells in the same order, so an unsorted answer lists what Redis's lists, in its order.
enum GeoSearch {
    static func register(_ registry: inout CommandRegistry.Builder) {
        registry.register("georadius") { context, arguments in try search(&context, arguments, .coordinates, canStore: true) }
        registry.register("georadius_ro") { context, arguments in try search(&context, arguments, .coordinates, canStore: false) }
        registry.register("georadiusbymember") { context, arguments in try search(&context, arguments, .member, canStore: true) }
        registry.register("georadiusbymember_ro") { context, arguments in try search(&context, arguments, .member, canStore: false) }
        registry.register("geosearch") { context, arguments in try search(&context, arguments, .search, canStore: false) }
        registry.register("geosearchstore") { context, arguments in try search(&context, arguments, .searchStore, canStore: false) }
    }

    enum Form { case coordinates, member, search, searchStore }

    struct Shape {
        var longitude = 0.0, latitude = 0.0
        /// Meters per unit of the radius, width and height.
        var conversion = 1.0
        var radius: Double?
        var width = 0.0, height = 0.0
    }

    struct Point {
        var member: ByteBuffer
        var score: Double
        var distance: Double
        var longitude: Double
        var latitude: Double
    }

    private static func search(_ context: inout CommandContext, _ arguments: CommandArguments, _ form: Form, canStore: Bool) throws -> RESPValue {
        let sourceIndex = form == .searchStore ? 2 : 1
        var events: [KeyspaceNotifications.Event] = []
        let database = context.database
        let body = { (connection: SQLiteConnection) throws -> RESPValue in
            let record = try connection.lookupKey(db: context.db, key: arguments[sourceIndex], now: context.now, type: .zset)
            var shape = Shape()
            var base: Int
            var store: ByteBuffer?
            switch form {
            case .coordinates:
                base = 6
                (shape.longitude, shape.latitude) = try GeoCommands.coordinates(arguments, 2)
                try distance(arguments, 4, into: &shape)
            case .member:
                base = 5
                if let record {
                    (shape.longitude, shape.latitude) = try position(of: arguments[2], in: record, connection)
                    try distance(arguments, 3, into: &shape)
                }
            case .search: base = 2
            case .searchStore:
                base = 3
                store = arguments[1]
            }
            var withDistance = false, withHash = false, withCoordinates = false
            var fromMember = false, fromLocation = false, byRadius = false, byBox = false
            var ascending: Bool?
            var any = false
            var count: Int64 = 0
            var storeDistance = false
            let geosearch = form == .search || form == .searchStore
            var index = base
            while index < arguments.count {
                let remaining = arguments.count - index - 1
                if arguments.matches(index, "withdist") { withDistance = true }
                else if arguments.matches(index, "withhash") { withHash = true }
                else if arguments.matches(index, "withcoord") { withCoordinates = true }
                else if arguments.matches(index, "any") { any = true }
                else if arguments.matches(index, "asc") { ascending = true }
                else if arguments.matches(index, "desc") { ascending = false }
                else if arguments.matches(index, "count") && remaining >= 1 {
                    count = try arguments.integer(index + 1)
                    guard count > 0 else { throw RedisError("ERR COUNT must be > 0") }
                    index += 1
                } else if (arguments.matches(index, "store") || arguments.matches(index, "storedist")) && remaining >= 1 && canStore {
                    store = arguments[index + 1]
                    storeDistance = arguments.matches(index, "storedist")
                    index += 1
                } else if arguments.matches(index, "storedist") && form == .searchStore {
                    storeDistance = true
                } else if arguments.matches(index, "frommember") && remaining >= 1 && geosearch && !fromLocation {
                    if let record { (shape.longitude, shape.latitude) = try position(of: arguments[index + 1], in: record, connection) }
                    fromMember = true
                    index += 1
                } else if arguments.matches(index, "fromlonlat") && remaining >= 2 && geosearch && !fromMember {
                    (shape.longitude, shape.latitude) = try GeoCommands.coordinates(arguments, index + 1)
                    fromLocation = true
                    index += 2
                } else if arguments.matches(index, "byradius") && remaining >= 2 && geosearch && !byBox {
                    try distance(arguments, index + 1, into: &shape)
                    byRadius = true
                    index += 2
                } else if arguments.matches(index, "bybox") && remaining >= 3 && geosearch && !byRadius {
                    let width = try arguments.double(index + 1, error: RedisError("ERR need numeric width"))
                    let height = try arguments.double(index + 2, error: RedisError("ERR need numeric height"))
                    guard width >= 0, height >= 0 else { throw RedisError("ERR height or width cannot be negative") }
                    shape.width = width
                    shape.height = height
                    shape.radius = nil
                    shape.conversion = try GeoCommands.unit(arguments[index + 3])
                    byBox = true
                    index += 3
                } else {
                    throw RedisError.syntax
                }
                index += 1
            }
            if store != nil && (withDistance || withHash || withCoordinates) {
                let name = form == .searchStore ? "GEOSEARCHSTORE" : "STORE option in GEORADIUS"
                throw RedisError("ERR \(name) is not compatible with WITHDIST, WITHHASH and WITHCOORD options")
            }
            let command = String(buffer: arguments[0])
            if geosearch && !(fromMember || fromLocation) {
                throw RedisError("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for \(command)")
            }
            if geosearch && !(byRadius || byBox) {
                throw RedisError("ERR exactly one of BYRADIUS and BYBOX can be specified for \(command)")
            }
            if any && count == 0 { throw RedisError("ERR the ANY argument requires COUNT argument") }

            guard let record else {
                guard let store else { return .array([]) }
                if let existing = try connection.lookupKeyForWrite(db: context.db, key: store, now: context.now, loadingChunks: false) {
                    try connection.deleteKey(id: existing.id)
                    events = [.init(database: database, key: store, name: "del", kind: "g")]
                }
                return .integer(0)
            }
            // COUNT without an order means the nearest ones (not with ANY).
            if count != 0 && ascending == nil && !any { ascending = true }

            var points = try Self.points(in: record, shape, connection, limit: any ? Int(count) : 0)
            if points.isEmpty && store == nil { return .array([]) }
            let returned = count == 0 || points.count < count ? points.count : Int(count)
            if let ascending {
                // Redis's qsort leaves equal distances in no promised order.
                points.sort { ascending ? $0.distance < $1.distance : $0.distance > $1.distance }
            }
            let selected = points.prefix(returned).map { point -> Point in
                var point = point
                point.distance /= shape.conversion
                return point
            }
            if let store {
                let members = selected.map { ScoredMember(member: $0.member, score: storeDistance ? $0.distance : $0.score) }
                let existed = try connection.lookupKeyForWrite(db: context.db, key: store, now: context.now, loadingChunks: false) != nil
                _ = try SortedSetCommands.storeZSet(connection, context, store, members)
                if !members.isEmpty {
                    events = [.init(database: database, key: store, name: geosearch ? "geosearchstore" : "georadiusstore", kind: "z")]
                } else if existed {
                    events = [.init(database: database, key: store, name: "del", kind: "g")]
                }
                return .integer(Int64(returned))
            }
            let options = (withDistance ? 1 : 0) + (withHash ? 1 : 0) + (withCoordinates ? 1 : 0)
            return .array(selected.map { point -> RESPValue in
                guard options > 0 else { return .bulkString(point.member) }
                var item: [RESPValue] = [.bulkString(point.member)]
                if withDistance { item.append(.bulk(GeoCommands.distanceText(point.distance))) }
                // C's (long long) of the score.
                if withHash { item.append(.integer(abs(point.score) < 9.2e18 ? Int64(point.score) : .min)) }
                if withCoordinates {
                    item.append(.array([GeoCommands.coordinate(point.longitude, context.resp3), GeoCommands.coordinate(point.latitude, context.resp3)]))
                }
                return .array(item)
            })
        }
        let storing = form == .searchStore || (canStore && (2..<arguments.count).contains { arguments.matches($0, "store") || arguments.matches($0, "storedist") })
        guard storing else { return try context.read(body) }
        let reply = try context.write(body)
        context.deletedKeyEvents = events
        return reply
    }

    /// A radius and its unit (extractDistanceOrReply).
    private static func distance(_ arguments: CommandArguments, _ index: Int, into shape: inout Shape) throws {
        let radius = try arguments.double(index, error: RedisError("ERR need numeric radius"))
        guard radius >= 0 else { throw RedisError("ERR radius cannot be negative") }
        shape.radius = radius
        shape.conversion = try GeoCommands.unit(arguments[index + 1])
    }

    private static func position(of member: ByteBuffer, in record: KeyRecord, _ connection: SQLiteConnection) throws -> (Double, Double) {
        guard let score = try connection.zsetScore(record.id, member) else { throw RedisError("ERR could not decode requested zset member") }
        return GeoHash.decode(score)
    }

    // MARK: The cells searched (geohash_helper.c)

    struct Cell: Equatable {
        var bits: UInt64
        var step: Int
        var isZero: Bool { bits == 0 && step == 0 }
        static let zero = Cell(bits: 0, step: 0)
    }

    /// The members within the shape, cell by cell in Redis's order: the centre, north, south,
    /// east, west, north-east, north-west, south-east, south-west; a cell equal to the one searched
    /// just before it is skipped (not one equal to the centre, as in Redis), and with `limit` (ANY)
    /// the search stops once that many are found.
    static func points(in record: KeyRecord, _ shape: Shape, _ connection: SQLiteConnection, limit: Int) throws -> [Point] {
        let cells = areas(shape)
        var points: [Point] = []
        var lastSearched = 0
        for (index, cell) in cells.enumerated() where !cell.isZero {
            if lastSearched != 0 && cell == cells[lastSearched] { continue }
            if !points.isEmpty && limit > 0 && points.count >= limit { break }
            let shift = UInt64(52 - cell.step * 2)
            let range = ScoreRange(from: Double(cell.bits << shift), below: Double((cell.bits + 1) << shift))
            for element in try connection.zsetRange(record.id, scores: range, reverse: false) {
                if !points.isEmpty && limit > 0 && points.count >= limit { break }
                let (longitude, latitude) = GeoHash.decode(element.score)
                guard let distance = within(shape, longitude, latitude) else { continue }
                points.append(Point(member: element.member, score: element.score, distance: distance, longitude: longitude, latitude: latitude))
            }
            lastSearched = index
        }
        return points
    }

    /// The distance from the centre when the position is inside the shape.
    private static func within(_ shape: Shape, _ longitude: Double, _ latitude: Double) -> Double? {
        if let radius = shape.radius {
            let distance = GeoHash.distance(shape.longitude, shape.latitude, longitude, latitude)
            return distance > radius * shape.conversion ? nil : distance
        }
        let width = shape.width * shape.conversion, height = shape.height * shape.conversion
        if GeoHash.latitudeDistance(latitude, shape.latitude) > height / 2 { return nil }
        if GeoHash.distance(longitude, latitude, shape.longitude, latitude) > width / 2 { return nil }
        return GeoHash.distance(shape.longitude, shape.latitude, longitude, latitude)
    }

    /// geohashCalculateAreasByShapeWGS84: the centre cell and its neighbours, those outside the
    /// bounding box zeroed.
    static func areas(_ shape: Shape) -> [Cell] {
        let radians = Double.pi / 180
        let height = shape.conversion * (shape.radius ?? shape.height / 2)
        let width = shape.conversion * (shape.radius ?? shape.width / 2)
        let latitudeDelta = height / GeoHash.earthRadius / radians
        let longitudeDeltaTop = width / GeoHash.earthRadius / cos((shape.latitude + latitudeDelta) * radians) / radians
        let longitudeDeltaBottom = width / GeoHash.earthRadius / cos((shape.latitude - latitudeDelta) * radians) / radians
        let southern = shape.latitude < 0
        let minLongitude = southern ? shape.longitude - longitudeDeltaBottom : shape.longitude - longitudeDeltaTop
        let maxLongitude = southern ? shape.longitude + longitudeDeltaBottom : shape.longitude + longitudeDeltaTop
        let minLatitude = shape.latitude - latitudeDelta, maxLatitude = shape.latitude + latitudeDelta

        var radiusMeters = shape.radius ?? ((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2)).squareRoot()
        radiusMeters *= shape.conversion
        var steps = estimateSteps(radiusMeters, latitude: shape.latitude)
        var center = encode(shape, steps)
        var neighbors = Self.neighbors(center)
        var area = GeoHash.area(center.bits, step: steps)

        let north = GeoHash.area(neighbors[0].bits, step: steps), south = GeoHash.area(neighbors[1].bits, step: steps)
        let east = GeoHash.area(neighbors[2].bits, step: steps), west = GeoHash.area(neighbors[3].bits, step: steps)
        let decrease = north.latitude.max < maxLatitude || south.latitude.min > minLatitude
            || east.longitude.max < maxLongitude || west.longitude.min > minLongitude
        if steps > 1 && decrease {
            steps -= 1
            center = encode(shape, steps)
            neighbors = Self.neighbors(center)
            area = GeoHash.area(center.bits, step: steps)
        }
        // neighbors: north, south, east, west, north-east, north-west, south-east, south-west.
        if steps >= 2 {
            if area.latitude.min < minLatitude { for index in [1, 7, 6] { neighbors[index] = .zero } }
            if area.latitude.max > maxLatitude { for index in [0, 4, 5] { neighbors[index] = .zero } }
            if area.longitude.min < minLongitude { for index in [3, 7, 5] { neighbors[index] = .zero } }
            if area.longitude.max > maxLongitude { for index in [2, 6, 4] { neighbors[index] = .zero } }
        }
        return [center] + neighbors
    }

    private static func encode(_ shape: Shape, _ steps: Int) -> Cell {
        Cell(bits: GeoHash.encode(longitude: shape.longitude, latitude: shape.latitude, step: steps), step: steps)
    }

    /// geohashEstimateStepsByRadius.
    static func estimateSteps(_ meters: Double, latitude: Double) -> Int {
        if meters == 0 { return 26 }
        var range = meters, step = 1
        while range < 20037726.37 {
            range *= 2
            step += 1
        }
        step -= 2
        if latitude > 66 || latitude < -66 {
            step -= 1
            if latitude > 80 || latitude < -80 { step -= 1 }
        }
        return min(max(step, 1), 26)
    }

    /// geohashNeighbors, in the order north, south, east, west, north-east, north-west,
    /// south-east, south-west.
    private static func neighbors(_ cell: Cell) -> [Cell] {
        let shift = UInt64(64 - cell.step * 2)
        let longitudeBits: UInt64 = 0xaaaa_aaaa_aaaa_aaaa, latitudeBits: UInt64 = 0x5555_5555_5555_5555
        /// geohash_move_x and _y: one cell along the coordinate in `bits` (odd ones: longitude; even
        /// ones: latitude), the other coordinate kept, wrapping around at the edge.
        func move(_ hash: UInt64, along bits: UInt64, by direction: Int) -> UInt64 {
            guard direction != 0 else { return hash }
            var moving = hash & bits
            let carry = ~bits >> shift
            if direction > 0 { moving = moving &+ (carry &+ 1) } else { moving = (moving | carry) &- (carry &+ 1) }
            return (moving & (bits >> shift)) | (hash & ~bits)
        }
        func moved(_ dx: Int, _ dy: Int) -> Cell {
            Cell(bits: move(move(cell.bits, along: longitudeBits, by: dx), along: latitudeBits, by: dy), step: cell.step)
        }
        return [moved(0, 1), moved(0, -1), moved(1, 0), moved(-1, 0), moved(1, 1), moved(-1, 1), moved(1, -1), moved(-1, -1)]
    }
}
