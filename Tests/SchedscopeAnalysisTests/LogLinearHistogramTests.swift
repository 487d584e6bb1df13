import SchedscopeModel
import SchedscopeAnalysis
import SchedscopeTestSupport
import Testing

@Suite("histogram: nearest-rank percentiles, exact below 512, within 1/256 above")
struct LogLinearHistogramTests {
    /// The nearest-rank percentile of sorted values, computed directly.
    private func nearestRank(_ sorted: [UInt64], _ milli: UInt64) -> UInt64 {
        let n = UInt64(sorted.count)
        let rank = max(1, (n * milli + 99_999) / 100_000)
        return sorted[Int(min(rank, n)) - 1]
    }

    @Test func smallValuesAreExact() {
        var h = LogLinearHistogram()
        for v: UInt64 in [5, 1, 4, 2, 3, 511, 0] { h.record(v) }
        #expect(h.count == 7 && h.min == 0 && h.max == 511 && h.sum == 526)
        #expect(h.percentile(50) == 3)       // rank ceil(3.5) = 4 of 0,1,2,3,4,5,511
        #expect(h.percentile(0) == 0)        // rank 1
        #expect(h.percentile(100) == 511)
        #expect(h.percentile(90) == 511)     // rank ceil(6.3) = 7
        #expect(h.percentile(85) == 5)       // rank ceil(5.95) = 6
    }

    @Test func emptyReportsZero() {
        let h = LogLinearHistogram()
        #expect(h.count == 0 && h.percentile(50) == 0 && h.percentile(99) == 0 && h.mean == 0)
    }

    @Test func bucketEdges() {
        #expect(LogLinearHistogram.highestEquivalent(511) == 511)
        #expect(LogLinearHistogram.highestEquivalent(512) == 513)
        #expect(LogLinearHistogram.highestEquivalent(513) == 513)
        #expect(LogLinearHistogram.highestEquivalent(1023) == 1023)
        #expect(LogLinearHistogram.highestEquivalent(1024) == 1027)
        #expect(LogLinearHistogram.highestEquivalent(1_000_000) == 1_001_471)
        #expect(LogLinearHistogram.highestEquivalent(.max) == .max)
        #expect(LogLinearHistogram.highestEquivalent(UInt64(1) << 63) == (UInt64(1) << 63) + (UInt64(1) << 55) - 1)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func percentilesAreWithinPrecision(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var h = LogLinearHistogram()
        var values: [UInt64] = []
        let n = 1 + Int(rng.next() % 5000)
        for _ in 0..<n {
            // Log-uniform over 0…2^40.
            let bits = rng.next() % 41
            let v = bits == 0 ? 0 : rng.next() % (1 << bits)
            values.append(v)
            h.record(v)
        }
        values.sort()
        #expect(h.max == values.last && h.min == values.first && h.count == UInt64(n))
        for milli: UInt64 in [0, 1_000, 50_000, 90_000, 95_000, 99_000, 99_900, 100_000] {
            let exact = nearestRank(values, milli)
            let reported = h.value(atMilliPercentile: milli)
            #expect(reported == min(LogLinearHistogram.highestEquivalent(exact), h.max), "p\(Double(milli) / 1000) of \(n) values")
            #expect(reported >= exact && reported - exact <= exact / 256, "p\(Double(milli) / 1000)")
        }
    }

    @Test func mergeEqualsRecordingEverything() {
        var a = LogLinearHistogram(), b = LogLinearHistogram(), all = LogLinearHistogram()
        for v: UInt64 in [1, 50_000, 7, 3_000_000_000] { a.record(v); all.record(v) }
        for v: UInt64 in [2, 9_999_999, 0] { b.record(v); all.record(v) }
        a.merge(b)
        #expect(a == all)
    }
}

extension SplitMix64 {
    mutating func below(_ n: UInt64) -> UInt64 { n == 0 ? 0 : next() % n }
}
