import Testing

@testable import SchedscopeAnalysis

/// The statistical core of `diff`, against values published or derivable by hand.
@Suite("diff statistics: Mann–Whitney U and Hodges–Lehmann against textbook values")
struct MannWhitneyTests {
    /// Mann & Whitney (1947), "On a test of whether one of two random variables is
    /// stochastically larger than the other", Ann. Math. Statist. 18(1), Table I: P(U ≤ u)
    /// for n₁ = n₂ = 3 and n₁ = n₂ = 4 (three decimals, as printed there).
    @Test(arguments: [
        (3, [0.050, 0.100, 0.200, 0.350, 0.500]),
        (4, [0.014, 0.029, 0.057, 0.100, 0.171, 0.243, 0.343, 0.443, 0.557]),
    ])
    func exactDistributionMatchesMannAndWhitneysTable(n: Int, cumulative: [Double]) {
        let distribution = UDistribution(n, n)
        #expect(distribution.total == MannWhitneyTest.binomial(2 * n, n))
        for (u, expected) in cumulative.enumerated() {
            let p = distribution.probability(atMost: u)
            #expect(abs(p - expected) < 0.0005, "P(U ≤ \(u)) for n = \(n): \(p), table \(expected)")
        }
    }

    /// The orderings of 3 x's among 3 y's by U: the number of partitions of u into at most
    /// 3 parts of at most 3 (the Gaussian binomial [6 choose 3]): 1 1 2 3 3 3 3 2 1 1.
    @Test func exactCountsAreTheGaussianBinomialCoefficients() {
        #expect(UDistribution(3, 3).counts == [1, 1, 2, 3, 3, 3, 3, 2, 1, 1])
        #expect(UDistribution(1, 4).counts == [1, 1, 1, 1, 1])
        #expect(UDistribution(2, 2).counts == [1, 1, 2, 1, 1])
    }

    /// R's `?wilcox.test` example (Hollander & Wolfe 1973, p. 69: permeability constants of
    /// the placental membrane at term, x, and at 12–26 weeks, y):
    /// `wilcox.test(x, y, alternative = "g")` prints W = 35, p-value = 0.1272; the two-sided
    /// p-value is twice that, 0.2544.
    @Test func hollanderAndWolfeExample() {
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
        let y = [1.15, 0.88, 0.90, 0.74, 1.21]
        let test = MannWhitneyTest(x, y)
        #expect(test.u == 35)
        #expect(test.method == .exact)
        #expect(abs(test.pValue - 0.2544) < 0.00005, "\(test.pValue)")
        // The other way round: U' = n₁n₂ − U = 15, the same two-sided p-value.
        let swapped = MannWhitneyTest(y, x)
        #expect(swapped.u == 15)
        #expect(abs(swapped.pValue - test.pValue) < 1e-12)
    }

    /// The same data with `conf.int = TRUE`: the 50 differences y − x sorted, their median
    /// is the mean of the 25th and 26th, −0.305; qwilcox(0.025, 10, 5) = 9, so the 95 %
    /// interval runs from the 9th smallest difference (0.74 − 1.50 … = −0.76) to the 9th
    /// largest (0.15), achieving 1 − 2·P(U ≤ 8) = 0.96004 (counted by hand from the exact
    /// distribution; R prints the same ends for x − y, negated).
    @Test func hodgesLehmannEstimateAndInterval() throws {
        let x = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
        let y = [1.15, 0.88, 0.90, 0.74, 1.21]
        let shift = HodgesLehmann(base: x, head: y, confidence: 0.95)
        #expect(abs(shift.estimate - -0.305) < 1e-9)
        let interval = try #require(shift.interval)
        #expect(abs(interval.lowerBound - -0.76) < 1e-9)
        #expect(abs(interval.upperBound - 0.15) < 1e-9)
        #expect(abs((shift.achievedConfidence ?? 0) - 0.96004) < 0.00001)
    }

    /// A shift of every value by a constant is estimated exactly.
    @Test func hodgesLehmannRecoversAConstantShift() {
        let base: [Double] = [10, 12, 15, 11, 13, 14, 9, 16]
        let shift = HodgesLehmann(base: base, head: base.map { $0 + 5 }, confidence: 0.95)
        #expect(shift.estimate == 5)
        #expect(shift.interval?.contains(5) == true)
    }

    /// Ties force the normal approximation. Worked by hand: x = 1 2 2 3 4, y = 2 3 4 4 5 6.
    /// Midranks: 1 → 1; the three 2s share 3; the two 3s 5.5; the three 4s 8; 5 → 10; 6 → 11.
    /// R_x = 1 + 3 + 3 + 5.5 + 8 = 20.5, U = 20.5 − 15 = 5.5. Tie groups 3, 2, 3:
    /// Σ(t³ − t) = 54; σ² = 30/12 · (12 − 54/110) = 28.7727; z = (5.5 − 15 + 0.5)/σ = −1.6778;
    /// p = 2Φ(−1.6778) = 0.09338.
    @Test func tiesUseTheNormalApproximationWithTieCorrection() {
        let test = MannWhitneyTest([1, 2, 2, 3, 4], [2, 3, 4, 4, 5, 6])
        #expect(test.method == .normalApproximation)
        #expect(test.u == 5.5)
        #expect(abs(test.pValue - 0.09338) < 0.00001, "\(test.pValue)")
    }

    /// Fifty values a side, not overlapping: the normal approximation, U = 0,
    /// z = (0 − 1250 + 0.5)/√(2500 · 101/12) = −8.6138, p = 2Φ(−8.6138) = 7.066e−18.
    @Test func largeSamplesUseTheNormalApproximation() {
        let test = MannWhitneyTest((0..<50).map(Double.init), (50..<100).map(Double.init))
        #expect(test.method == .normalApproximation)
        #expect(test.u == 0)
        #expect(abs(test.pValue / 7.066e-18 - 1) < 0.001, "\(test.pValue)")
    }

    /// benchstat's rule: with 3 runs a side the smallest two-sided p is 2/C(6,3) = 0.1, so
    /// nothing is significant at 0.05; 4 a side give 2/70 = 0.0286.
    @Test func tooFewSamplesCannotReachAlpha() {
        #expect(abs(MannWhitneyTest.smallestPValue(3, 3) - 0.1) < 1e-12)
        #expect(abs(MannWhitneyTest.smallestPValue(4, 4) - 2.0 / 70) < 1e-12)
        #expect(MannWhitneyTest.smallestPValue(1, 1) == 1)
        #expect(TraceComparison.runsNeeded(alpha: 0.05) == 4)
        #expect(TraceComparison.runsNeeded(alpha: 0.01) == 5)  // 2/C(10,5) = 0.0079
        // Three completely separated runs a side: U = 0, yet p = 0.1.
        #expect(abs(MannWhitneyTest([1, 2, 3], [4, 5, 6]).pValue - 0.1) < 1e-12)
    }

    /// Every value equal: nothing tells the samples apart.
    @Test func allTiedGivesPOne() {
        #expect(MannWhitneyTest([7, 7, 7], [7, 7, 7, 7]).pValue == 1)
    }
}
