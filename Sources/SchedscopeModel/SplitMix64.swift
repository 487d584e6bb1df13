/// SplitMix64 (Steele, Lea & Flood): a small, fast, seedable random number generator whose
/// sequence for a seed is the same on every platform and Swift version, which
/// `SystemRandomNumberGenerator` does not promise. The synthetic workload, the executor's
/// steal-victim choice and the randomized tests all draw from it.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    @usableFromInline var state: UInt64

    @inlinable public init(seed: UInt64) { state = seed }

    @inlinable
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
