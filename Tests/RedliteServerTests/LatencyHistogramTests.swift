import Testing
@testable import RedliteServer

@Suite("LatencyHistogram: the buckets behind INFO latencystats and LATENCY HISTOGRAM")
struct LatencyHistogramTests {
    @Test("every value falls in a bucket that holds it, about 3 % wide, buckets in increasing order")
    func buckets() {
        var values: [UInt64] = Array(0..<200)
        var value: UInt64 = 200
        while value < 1 << 41 {
            values += [value - 1, value, value + 1, value * 3 / 2]
            value *= 2
        }
        for value in values where value < 1 << 41 {
            let bucket = LatencyHistogram.bucket(of: value)
            #expect(bucket >= 0 && bucket < LatencyHistogram.bucketCount)
            let upper = LatencyHistogram.upperBound(ofBucket: bucket)
            let lower = bucket == 0 ? 0 : LatencyHistogram.upperBound(ofBucket: bucket - 1) + 1
            #expect(lower <= value && value <= upper, "\(value) in [\(lower), \(upper)]")
            #expect(value < 32 || Double(upper - lower + 1) <= Double(value) / 16)
        }
        // Beyond the last power of two: the last bucket.
        for value in values where value >= 1 << 41 { #expect(LatencyHistogram.bucket(of: value) == LatencyHistogram.bucketCount - 1) }
        #expect(LatencyHistogram.bucket(of: .max) == LatencyHistogram.bucketCount - 1)
        #expect(LatencyHistogram.upperBound(ofBucket: LatencyHistogram.bucketCount - 1) == 1 << 41 - 1)
    }

    @Test("percentiles and the cumulative counts by powers of two of microseconds")
    func percentiles() {
        var histogram = LatencyHistogram()
        #expect(histogram.percentile(50) == 0)
        for microseconds in 1...1000 { histogram.record(nanoseconds: UInt64(microseconds) * 1000) }
        let median = Double(histogram.percentile(50))
        #expect(abs(median - 500_000) / 500_000 < 0.04)
        #expect(histogram.percentile(99.9) >= 999_000 && histogram.percentile(100) >= 1_000_000)
        var other = LatencyHistogram()
        other.record(nanoseconds: 3_000_000)
        histogram.add(other)
        #expect(histogram.total == 1001)
        let cumulative = histogram.cumulativeByPowersOfTwoMicroseconds
        #expect(cumulative.last?.count == 1001)
        #expect(cumulative.map(\.microseconds) == cumulative.map(\.microseconds).sorted())
        #expect(cumulative.allSatisfy { $0.microseconds.nonzeroBitCount == 1 })
        // Up to 2 µs: the first two (1 µs and 2 µs), give or take a bucket's width.
        #expect(cumulative.first.map { $0.microseconds <= 2 && $0.count <= 2 } == true)
    }
}
