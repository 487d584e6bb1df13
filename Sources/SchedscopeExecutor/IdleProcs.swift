import Synchronization

/// Which Ps are parked and how many are spinning (looking for work before parking), so that
/// new work wakes a P only when no spinning P will find it anyway (Go's `wakep`).
///
/// The handshake that prevents a lost wake-up is Dekker's: a producer publishes its job and
/// then (after a sequentially consistent fence) reads `spinning` and `idleMask`; a parking P
/// sets its idle bit and then (after the same fence) looks at every queue once more. At
/// least one of the two sees the other's write.
package final class IdleProcs: Sendable {
    /// Bit p set: P p is parked, or about to be, and waits to be claimed and woken.
    private let idleMask = Atomic<UInt64>(0)
    /// Ps looking for work (a woken P counts as spinning from the moment it is claimed).
    private let spinningCount = Atomic<Int>(0)
    private let procCount: Int

    package static var maxProcs: Int { 64 }

    package init(procCount: Int) {
        precondition(procCount >= 1 && procCount <= Self.maxProcs, "between 1 and \(Self.maxProcs) Ps")
        self.procCount = procCount
    }

    package var idleCount: Int { idleMask.load(ordering: .sequentiallyConsistent).nonzeroBitCount }

    /// Counts the caller as spinning unless half the busy Ps spin already (Go's limit: more
    /// spinners than that burn CPU without finding more work).
    package func startSpinning() -> Bool {
        let busy = procCount - idleCount
        var current = spinningCount.load(ordering: .relaxed)
        while 2 * current < max(busy, 1) {
            let (exchanged, original) = spinningCount.compareExchange(
                expected: current, desired: current + 1, ordering: .sequentiallyConsistent)
            if exchanged { return true }
            current = original
        }
        return false
    }

    /// The caller stops spinning; returns how many still spin.
    @discardableResult
    package func stopSpinning() -> Int {
        spinningCount.subtract(1, ordering: .sequentiallyConsistent).newValue
    }

    /// P `proc` is about to park.
    package func markIdle(_ proc: Int) {
        idleMask.bitwiseOr(1 << UInt64(proc), ordering: .sequentiallyConsistent)
    }

    /// P `proc` takes itself back out of the idle set; false when a waker claimed it first
    /// (its wake-up is on the way).
    package func reclaim(_ proc: Int) -> Bool {
        let bit: UInt64 = 1 << UInt64(proc)
        let before = idleMask.bitwiseAnd(~bit, ordering: .sequentiallyConsistent).oldValue
        return before & bit != 0
    }

    /// After new work was published: if no P spins and one is idle, claims that P, counts it
    /// as spinning, and returns it for the caller to wake.
    package func claimOneToWake() -> Int? {
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        if spinningCount.load(ordering: .sequentiallyConsistent) != 0 { return nil }
        if idleMask.load(ordering: .sequentiallyConsistent) == 0 { return nil }
        guard spinningCount.compareExchange(expected: 0, desired: 1, ordering: .sequentiallyConsistent).exchanged else {
            return nil  // another P started spinning: it will find the work
        }
        if let proc = claimAny() { return proc }
        spinningCount.subtract(1, ordering: .sequentiallyConsistent)
        return nil
    }

    /// Claims any idle P (shutdown wakes them all this way).
    package func claimAny() -> Int? {
        var mask = idleMask.load(ordering: .sequentiallyConsistent)
        while mask != 0 {
            let proc = mask.trailingZeroBitCount
            let (exchanged, original) = idleMask.compareExchange(
                expected: mask, desired: mask & ~(1 << UInt64(proc)), ordering: .sequentiallyConsistent)
            if exchanged { return proc }
            mask = original
        }
        return nil
    }
}
