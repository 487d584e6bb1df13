/// The Hodges–Lehmann estimate of the shift between two samples — the median of all
/// differences y − x — and its confidence interval from the Mann–Whitney distribution,
/// as R's `wilcox.test(y, x, conf.int = TRUE)` computes them.
///
/// The interval's ends are order statistics of the differences: with k the α/2 quantile
/// of U (exact distribution below 50 values a side, normal approximation above), it runs
/// from the k-th smallest difference to the k-th largest. Samples too small for any k ≥ 1
/// have no interval at that level.
public struct HodgesLehmann: Sendable, Equatable {
    /// The median of the pairwise differences y − x.
    public var estimate: Double
    /// The interval's ends; nil when the samples are too small for the level asked.
    public var interval: ClosedRange<Double>?
    /// The level the interval actually achieves (at least the one asked for; the exact
    /// distribution is discrete).
    public var achievedConfidence: Double?

    /// - Parameters: `confidence` in (0, 1), e.g. 0.95.
    /// - Complexity: O(n₁n₂ log(n₁n₂)) for the sorted differences.
    public init(base x: [Double], head y: [Double], confidence: Double) {
        self.init(base: x, head: y, confidence: confidence, distribution: nil)
    }

    /// - Parameter distribution: U's distribution for these sizes, if the caller has it.
    init(base x: [Double], head y: [Double], confidence: Double, distribution known: UDistribution?) {
        precondition(!x.isEmpty && !y.isEmpty, "the Hodges–Lehmann estimate needs a value on each side")
        var differences: [Double] = []
        differences.reserveCapacity(x.count * y.count)
        for b in y { for a in x { differences.append(b - a) } }
        differences.sort()
        let n = differences.count
        estimate = n % 2 == 1 ? differences[n / 2] : (differences[n / 2 - 1] + differences[n / 2]) / 2

        let alpha = 1 - confidence
        let k: Int
        if x.count < 50 && y.count < 50 {
            let distribution = known ?? UDistribution(x.count, y.count)
            // R: qu <- qwilcox(alpha/2, n.x, n.y); if (qu == 0) qu <- 1
            k = max(1, distribution.quantile(alpha / 2))
            let achievedAlpha = 2 * distribution.probability(atMost: k - 1)
            achievedConfidence = 1 - achievedAlpha
            // With k forced up to 1 the interval is the full range, and may not reach the level.
            guard achievedAlpha <= alpha + 1e-12 || k > 1 else {
                interval = nil
                achievedConfidence = nil
                return
            }
        } else {
            let product = Double(x.count) * Double(y.count)
            let spread = (product * Double(x.count + y.count + 1) / 12).squareRoot()
            let z = MannWhitneyTest.standardNormalQuantile(1 - alpha / 2)
            k = Int((product / 2 - z * spread).rounded(.down))
            achievedConfidence = confidence
        }
        guard k >= 1 && k <= n - k + 1 else {
            interval = nil
            achievedConfidence = nil
            return
        }
        interval = differences[k - 1]...differences[n - k]
    }
}
