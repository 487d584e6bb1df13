extension UInt64 {
    /// `self + other`, or `UInt64.max` when that overflows.
    ///
    /// For sums of durations that overlap in time — busy time over tasks running on
    /// different Ps, latencies of tasks waiting together, intervals of one kind: they pass
    /// 2⁶⁴ ns only in a forged trace (timestamps near 2⁶⁴), which must be analysed, not
    /// crash the process with an overflow trap. The report then shows the largest value.
    @inlinable @inline(__always)
    package func addingSaturated(_ other: UInt64) -> UInt64 {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
