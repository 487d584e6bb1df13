#if canImport(Glibc)
import Glibc
#endif

/// A small, fast, deterministic random number generator (SplitMix64): the same seed gives
/// the same sequence on every platform and Swift version, which `SystemRandomNumberGenerator`
/// does not promise.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

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
