/// An HDR-style histogram of nanosecond values: exact below 512, and above that every
/// power of two is cut into 256 equal buckets, so a reported percentile is never below
/// the true one and exceeds it by less than 1/256 of it (0.4 %). Count, sum, min and max
/// are exact.
///
/// Percentiles use the nearest-rank rule: the p-th percentile of n values is the
/// ⌈p·n/100⌉-th smallest (the first when that is 0), reported as the largest value its
/// bucket holds, capped at the maximum (docs/ANALYSES.md, "Percentiles").
///
/// - Complexity: O(1) per value; memory grows with the largest value's magnitude
///   (at most 14,592 counters), never with the number of values.
public struct LogLinearHistogram: Sendable, Equatable {
    /// Sub-buckets per power of two, as a power of two (256). Eight bits keep a histogram of
    /// microsecond-to-millisecond latencies within 16 KB, so recording stays in cache.
    public static let subBucketBits = 8
    /// Values below this are recorded exactly (512).
    public static let exactLimit: UInt64 = 1 << (UInt64(subBucketBits) + 1)

    private var counts: [UInt64] = []
    public private(set) var count: UInt64 = 0
    public private(set) var sum: UInt64 = 0
    public private(set) var min: UInt64 = .max
    public private(set) var max: UInt64 = 0

    public init() {}

    /// A histogram with these bucket counts (trailing empty buckets trimmed) and totals.
    init(counts: [UInt64], count: UInt64, sum: UInt64, min: UInt64, max: UInt64) {
        self.counts = counts
        self.count = count
        self.sum = sum
        self.min = min
        self.max = max
    }

    /// The bucket a value falls in.
    @inline(__always)
    static func bucket(_ value: UInt64) -> Int {
        if value < exactLimit { return Int(value) }
        let exponent = 63 - value.leadingZeroBitCount        // ≥ subBucketBits + 1
        let shift = exponent - subBucketBits
        return shift << subBucketBits + Int(truncatingIfNeeded: value >> UInt64(shift))
    }

    /// The largest value in `bucket`.
    static func highestValue(inBucket bucket: Int) -> UInt64 {
        if bucket < Int(exactLimit) { return UInt64(bucket) }
        let shift = (bucket >> subBucketBits) - 1
        let top = UInt64(bucket - (shift << subBucketBits))   // 256…511
        // For the top power of two, the bucket's upper edge is 2^64 - 1.
        return (top << UInt64(shift)) &+ ((1 << UInt64(shift)) &- 1)
    }

    /// The largest value that falls in the same bucket as `value` (what a percentile
    /// equal to `value` reports, before the cap at the maximum).
    public static func highestEquivalent(_ value: UInt64) -> UInt64 {
        highestValue(inBucket: bucket(value))
    }

    @inline(__always)
    public mutating func record(_ value: UInt64) {
        let b = Self.bucket(value)
        if b >= counts.count { counts.append(contentsOf: repeatElement(0, count: b + 1 - counts.count)) }
        counts[b] &+= 1
        count &+= 1
        sum = sum.addingSaturated(value)
        if value < min { min = value }
        if value > max { max = value }
    }

    public mutating func merge(_ other: LogLinearHistogram) {
        if other.counts.count > counts.count {
            counts.append(contentsOf: repeatElement(0, count: other.counts.count - counts.count))
        }
        for (i, c) in other.counts.enumerated() { counts[i] &+= c }
        count &+= other.count
        sum = sum.addingSaturated(other.sum)
        if other.min < min { min = other.min }
        if other.max > max { max = other.max }
    }

    /// The nearest-rank percentile given in thousandths of a percent (50_000 is p50,
    /// 99_900 is p99.9, at most 100_000); 0 when empty.
    public func value(atMilliPercentile milli: UInt64) -> UInt64 {
        guard count > 0 else { return 0 }
        let product = UInt128(count) * UInt128(Swift.min(milli, 100_000))
        let wanted = UInt64((product + 99_999) / 100_000)
        let rank = Swift.min(Swift.max(wanted, 1), count)
        var seen: UInt64 = 0
        for (b, c) in counts.enumerated() where c > 0 {
            seen += c
            if seen >= rank { return Swift.min(Self.highestValue(inBucket: b), max) }
        }
        return max
    }

    /// The nearest-rank percentile `p` (0…100; three decimals are honoured).
    public func percentile(_ p: Double) -> UInt64 {
        value(atMilliPercentile: UInt64((Swift.min(Swift.max(p, 0), 100) * 1000).rounded()))
    }

    /// The non-empty buckets in value order: the range of values each holds and how many
    /// were recorded there (for drawing the distribution).
    public var buckets: [(lowest: UInt64, highest: UInt64, count: UInt64)] {
        counts.indices.compactMap { bucket in
            guard counts[bucket] > 0 else { return nil }
            let lowest = bucket == 0 ? 0 : Self.highestValue(inBucket: bucket - 1) &+ 1
            return (lowest, Self.highestValue(inBucket: bucket), counts[bucket])
        }
    }

    /// The mean, rounded down; 0 when empty.
    public var mean: UInt64 { count == 0 ? 0 : sum / count }
}
