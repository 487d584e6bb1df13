/// Minimum mutator utilization (MMU) for fixed window sizes, streaming over
/// stop-the-world pauses: for a window size w, the lowest share of any w-long stretch of
/// `[origin, end]` during which no pause was in progress (docs/ANALYSES.md, "GC").
///
/// The paused time in `[s, s + w]`, as a function of s, is piecewise linear and peaks
/// where the stretch starts at a pause's begin or ends at a pause's end (or at the edges),
/// so only those starts are evaluated; each with two lookups in the prefix sums of the
/// pauses still needed.
///
/// - Complexity: O(windows · log k) per pause, k the pauses within the largest window;
///   memory O(k + windows).
struct MutatorUtilization {
    let windows: [UInt64]
    let origin: UInt64

    private struct Pause {
        var begin: UInt64
        var end: UInt64
        /// Paused time from `origin` to `begin`.
        var before: UInt64
    }

    private var pauses: [Pause] = []
    private var head = 0
    private var cumulative: UInt64 = 0
    /// Per window: candidate starts not yet evaluable (FIFO), and the most paused time seen.
    private var pending: [[UInt64]]
    private var pendingHead: [Int]
    private var maxPaused: [UInt64]
    private let largest: UInt64

    init(windows: [UInt64], origin: UInt64) {
        self.windows = windows
        self.origin = origin
        pending = windows.map { _ in [origin] }
        pendingHead = windows.map { _ in 0 }
        maxPaused = windows.map { _ in 0 }
        largest = windows.max() ?? 0
    }

    /// Paused time in `[origin, t]`, for t no earlier than the pauses dropped so far.
    private func paused(until t: UInt64) -> UInt64 {
        // The last kept pause that begins at or before t.
        var low = head, high = pauses.count
        while low < high {
            let mid = (low + high) / 2
            if pauses[mid].begin <= t { low = mid + 1 } else { high = mid }
        }
        if low == head { return head < pauses.count ? pauses[head].before : cumulative }
        let pause = pauses[low - 1]
        return pause.before.addingSaturated(min(t, pause.end) - pause.begin)
    }

    private mutating func evaluate(_ k: Int, start: UInt64) {
        // Saturating and clamped: only a forged trace's times come near 2⁶⁴.
        let through = paused(until: start.addingSaturated(windows[k])), before = paused(until: start)
        let paused = through - min(through, before)
        if paused > maxPaused[k] { maxPaused[k] = paused }
    }

    /// Adds a pause `[begin, end)`; pauses come in time order, do not overlap, and begin
    /// at or after `origin`.
    mutating func add(begin: UInt64, end: UInt64) {
        // A pause that begins before the last one ended breaks the order the prefix sums
        // rely on; only a forged trace (time going backwards between generations) has one.
        guard end > begin, begin >= (pauses.last?.end ?? origin) else { return }
        pauses.append(Pause(begin: begin, end: end, before: cumulative))
        // Saturating: pauses overlap (and add past 2⁶⁴) only in a forged trace.
        cumulative = cumulative.addingSaturated(end - begin)
        for k in windows.indices {
            let w = windows[k]
            pending[k].append(begin)
            if end >= w, end - w > origin { evaluate(k, start: end - w) }
            while pendingHead[k] < pending[k].count, pending[k][pendingHead[k]] &+ w <= end {
                evaluate(k, start: pending[k][pendingHead[k]])
                pendingHead[k] += 1
            }
            if pendingHead[k] > 64 && pendingHead[k] * 2 > pending[k].count {
                pending[k].removeFirst(pendingHead[k])
                pendingHead[k] = 0
            }
        }
        // Keep the pauses that a later lookup may still need.
        var needed = end >= largest ? end - largest : 0
        for k in windows.indices where pendingHead[k] < pending[k].count {
            needed = min(needed, pending[k][pendingHead[k]])
        }
        while head < pauses.count && pauses[head].end <= needed { head += 1 }
        if head > 64 && head * 2 > pauses.count {
            pauses.removeFirst(head)
            head = 0
        }
    }

    /// The MMU of each window size that fits in `[origin, end]`; nil for those that do not.
    mutating func finish(end: UInt64) -> [Double?] {
        windows.indices.map { k in
            let w = windows[k]
            guard end >= origin, end - origin >= w, w > 0 else { return nil }
            let last = end - w
            for i in pendingHead[k]..<pending[k].count { evaluate(k, start: min(pending[k][i], last)) }
            pendingHead[k] = pending[k].count
            evaluate(k, start: last)
            return 1 - Double(maxPaused[k]) / Double(w)
        }
    }
}
