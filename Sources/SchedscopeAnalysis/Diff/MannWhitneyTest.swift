#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The two-sided Mann–Whitney U (Wilcoxon rank-sum) test: do two samples come from the
/// same distribution, or does one tend to be larger? It needs no assumption about the
/// shape of the distribution, which suits timings (skewed, heavy-tailed).
///
/// The statistic and p-value are R's `wilcox.test(x, y)` with its defaults: the exact
/// distribution of U when both samples have fewer than 50 values and no value is tied;
/// otherwise the normal approximation with the tie correction of the variance and a
/// continuity correction of 0.5.
public struct MannWhitneyTest: Sendable, Equatable {
    public enum Method: String, Sendable {
        case exact
        case normalApproximation = "normal approximation"
    }

    /// U of the first sample: the pairs (x, y) with x > y, plus half the pairs with x = y
    /// (R's `W`). U of the second sample is n₁n₂ − U.
    public var u: Double
    /// The probability, if both samples came from the same distribution, of a U at least
    /// as far from n₁n₂/2 as this one (two-sided).
    public var pValue: Double
    public var method: Method
    public var sizes: (Int, Int)

    /// - Parameters: `x` and `y` must each hold at least one value.
    /// - Complexity: O(N log N) to rank; the exact distribution costs O(n₁²·n₂²) once.
    public init(_ x: [Double], _ y: [Double]) {
        self.init(x, y, distribution: nil)
    }

    /// - Parameter distribution: U's distribution for these sizes, if the caller already
    ///   has it (it depends only on the sizes, and costs the most).
    init(_ x: [Double], _ y: [Double], distribution known: UDistribution?) {
        precondition(!x.isEmpty && !y.isEmpty, "the Mann–Whitney test needs a value on each side")
        let n1 = x.count, n2 = y.count
        let (ranks, tieGroups) = MannWhitneyTest.midranks(x + y)
        let rankSum = ranks.prefix(n1).reduce(0, +)
        u = rankSum - Double(n1 * (n1 + 1)) / 2
        sizes = (n1, n2)
        let hasTies = tieGroups.contains { $0 > 1 }
        if n1 < 50 && n2 < 50 && !hasTies {
            method = .exact
            let distribution = known ?? UDistribution(n1, n2)
            let half = Double(n1 * n2) / 2
            // As R: the tail on the side of U, doubled.
            let tail = u > half ? distribution.probability(atLeast: Int(u)) : distribution.probability(atMost: Int(u))
            pValue = min(1, 2 * tail)
        } else {
            method = .normalApproximation
            pValue = MannWhitneyTest.normalPValue(u: u, n1: n1, n2: n2, tieGroups: tieGroups)
        }
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.u == b.u && a.pValue == b.pValue && a.method == b.method && a.sizes == b.sizes
    }

    /// The smallest p-value samples of these sizes can give: that of two samples that do
    /// not overlap at all. When it exceeds α, no difference can be called significant,
    /// whatever the data (benchstat's "too few samples").
    public static func smallestPValue(_ n1: Int, _ n2: Int) -> Double {
        guard n1 > 0 && n2 > 0 else { return 1 }
        if n1 < 50 && n2 < 50 {
            return min(1, 2 / binomial(n1 + n2, n1))
        }
        return normalPValue(u: 0, n1: n1, n2: n2, tieGroups: [])
    }

    static func normalPValue(u: Double, n1: Int, n2: Int, tieGroups: [Int]) -> Double {
        let n = Double(n1 + n2)
        let product = Double(n1) * Double(n2)
        let ties = tieGroups.reduce(0.0) { sum, t in sum + Double(t) * Double(t) * Double(t) - Double(t) }
        let variance = product / 12 * ((n + 1) - ties / (n * (n - 1)))
        guard variance > 0 else { return 1 }  // every value tied: nothing tells the samples apart
        var z = u - product / 2
        z -= z > 0 ? 0.5 : z < 0 ? -0.5 : 0
        z /= variance.squareRoot()
        return min(1, 2 * standardNormalCDF(-abs(z)))
    }

    /// Φ(z), the standard normal distribution function.
    static func standardNormalCDF(_ z: Double) -> Double {
        0.5 * erfc(-z / 2.0.squareRoot())
    }

    /// The quantile z with Φ(z) = p (0 < p < 1), by bisection on Φ: only used for
    /// confidence levels, where 60 halvings give full double precision.
    static func standardNormalQuantile(_ p: Double) -> Double {
        var low = -40.0, high = 40.0
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if standardNormalCDF(middle) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    static func binomial(_ n: Int, _ k: Int) -> Double {
        var result = 1.0
        for i in 0..<min(k, n - k) { result = result * Double(n - i) / Double(i + 1) }
        return result
    }

    /// Ranks 1…N with tied values sharing the mean of their ranks; also the sizes of the
    /// groups of equal values.
    static func midranks(_ values: [Double]) -> (ranks: [Double], tieGroups: [Int]) {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var groups: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let rank = Double(start + 1 + end) / 2  // mean of ranks start+1 … end
            for i in start..<end { ranks[order[i]] = rank }
            groups.append(end - start)
            start = end
        }
        return (ranks, groups)
    }
}

/// The exact null distribution of U for samples of sizes n₁ and n₂ without ties: every
/// one of the C(n₁+n₂, n₁) orderings is equally likely.
struct UDistribution {
    let n1: Int
    let n2: Int
    /// counts[u]: the orderings with U = u.
    let counts: [Double]
    let total: Double

    init(_ n1: Int, _ n2: Int) {
        self.n1 = n1
        self.n2 = n2
        // f(u; m, n) = f(u − n; m − 1, n) + f(u; m, n − 1): the largest value is either an x
        // (greater than all n y's) or a y. Only additions, so no cancellation.
        let size = n1 * n2 + 1
        var previous = [[Double]](repeating: [Double](repeating: 0, count: size), count: n1 + 1)  // n = 0
        for m in 0...n1 { previous[m][0] = 1 }
        if n2 > 0 {
            for n in 1...n2 {
                var current = [[Double]](repeating: [Double](repeating: 0, count: size), count: n1 + 1)
                current[0][0] = 1
                if n1 > 0 {
                    for m in 1...n1 {
                        for u in 0...(m * n) {
                            current[m][u] = previous[m][u] + (u >= n ? current[m - 1][u - n] : 0)
                        }
                    }
                }
                previous = current
            }
        }
        counts = previous[n1]
        total = counts.reduce(0, +)
    }

    func probability(atMost u: Int) -> Double {
        guard u >= 0 else { return 0 }
        return counts[0...min(u, counts.count - 1)].reduce(0, +) / total
    }

    func probability(atLeast u: Int) -> Double {
        guard u < counts.count else { return 0 }
        return counts[max(0, u)...].reduce(0, +) / total
    }

    /// The smallest u with P(U ≤ u) ≥ p (R's `qwilcox`).
    func quantile(_ p: Double) -> Int {
        var sum = 0.0
        for (u, count) in counts.enumerated() {
            sum += count
            // A relative tolerance, as R's qwilcox, so that P(U ≤ u) = p exactly counts.
            if sum / total >= p * (1 - 64 * Double.ulpOfOne) { return u }
        }
        return counts.count - 1
    }
}
