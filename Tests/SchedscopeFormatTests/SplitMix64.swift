import SchedscopeModel

extension SplitMix64 {
    /// True with probability `1 / n`.
    mutating func oneIn(_ n: Int) -> Bool { Int.random(in: 0..<n, using: &self) == 0 }
}
