/// Execution times in nanoseconds, counted in log-linear buckets: values below 32 ns exactly, above
/// that 32 buckets per power of two (each about 3 % wide), up to 2^41 ns (about 37 minutes; longer
/// times count in the last bucket). The histogram behind INFO latencystats and LATENCY HISTOGRAM,
/// where Redis keeps an HdrHistogram per command with 2 significant digits.
struct LatencyHistogram: Sendable {
    private static let subBucketBits = 5
    private static let subBuckets = 1 << subBucketBits
    private static let largestExponent = 40
    static let bucketCount = subBuckets + (largestExponent - subBucketBits + 1) * subBuckets

    private(set) var counts = [UInt64](repeating: 0, count: bucketCount)
    private(set) var total: UInt64 = 0

    mutating func record(nanoseconds value: UInt64) {
        counts[Self.bucket(of: value)] += 1
        total += 1
    }

    mutating func add(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] += other.counts[index] }
        total += other.total
    }

    /// The bucket that counts `value`.
    static func bucket(of value: UInt64) -> Int {
        guard value >= UInt64(subBuckets) else { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount
        guard exponent <= largestExponent else { return bucketCount - 1 }
        let subBucket = Int(value >> UInt64(exponent - subBucketBits)) & (subBuckets - 1)
        return subBuckets + (exponent - subBucketBits) * subBuckets + subBucket
    }

    /// The highest value bucket `index` counts.
    static func upperBound(ofBucket index: Int) -> UInt64 {
        guard index >= subBuckets else { return UInt64(index) }
        let exponent = (index - subBuckets) / subBuckets + subBucketBits
        let subBucket = UInt64((index - subBuckets) % subBuckets)
        let width = UInt64(1) << UInt64(exponent - subBucketBits)
        return (UInt64(subBuckets) + subBucket) * width + width - 1
    }

    /// The value at or below which `percent` % of the counted times lie (the upper bound of the
    /// bucket where the count reaches it); 0 when nothing was counted.
    func percentile(_ percent: Double) -> UInt64 {
        guard total > 0 else { return 0 }
        let wanted = max(1, UInt64((percent / 100 * Double(total)).rounded(.up)))
        var seen: UInt64 = 0
        for (index, count) in counts.enumerated() where count > 0 {
            seen += count
            if seen >= wanted { return Self.upperBound(ofBucket: index) }
        }
        return Self.upperBound(ofBucket: counts.count - 1)
    }

    /// LATENCY HISTOGRAM's `histogram_usec`: for each power of two of microseconds (1, 2, 4, …) in
    /// whose range some times fell, the count of times up to it, as Redis reports them.
    var cumulativeByPowersOfTwoMicroseconds: [(microseconds: UInt64, count: UInt64)] {
        var result: [(UInt64, UInt64)] = []
        var boundary: UInt64 = 1, seen: UInt64 = 0, reported: UInt64 = 0
        for (index, count) in counts.enumerated() where count > 0 {
            let value = Self.upperBound(ofBucket: index)
            while value > boundary * 1000 {
                if seen > reported {
                    result.append((boundary, seen))
                    reported = seen
                }
                boundary *= 2
            }
            seen += count
        }
        if seen > reported { result.append((boundary, seen)) }
        return result
    }
}
