#if canImport(Glibc)
import Glibc
#endif
import SchedscopeModel

/// The synthetic workload's random source: SplitMix64 (the same sequence for a seed on every
/// platform and Swift version, so a seed names a trace) with the draws the simulation needs.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var generator: SplitMix64

    public init(seed: UInt64) { generator = SplitMix64(seed: seed) }

    public mutating func next() -> UInt64 { generator.next() }

    /// True with probability `p`.
    public mutating func chance(_ p: Double) -> Bool {
        Double(next() >> 11) * 0x1p-53 < p
    }

    /// A value spread log-uniformly over `range` (many small, a few large): how task
    /// run slices and waits are distributed in real schedulers.
    public mutating func logUniform(_ range: ClosedRange<UInt64>) -> UInt64 {
        let lowLog = log2(Double(max(range.lowerBound, 1)))
        let highLog = log2(Double(range.upperBound))
        let u = Double(next() >> 11) * 0x1p-53
        let value = exp2(lowLog + (highLog - lowLog) * u)
        return min(max(UInt64(value), range.lowerBound), range.upperBound)
    }
}
