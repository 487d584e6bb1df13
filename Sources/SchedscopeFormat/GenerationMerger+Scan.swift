import SchedscopeModel

extension GenerationMerger {
    /// Most threads a generation may have for `mergeByScan`; wider ones use the heap.
    static let maxScannedThreads = 16

    /// Merges by scanning every live thread's next timestamp before each run.
    ///
    /// For a few threads this beats a heap: the scan is a short loop of conditional moves
    /// over one contiguous array, the same work whatever the timestamps, where the heap's
    /// sift takes branches that depend on them — and, since threads interleave finely
    /// (runs of ≈ 2.5 events), mispredicts about every run.
    mutating func mergeByScan(_ cursors: [ThreadCursor], reader: TraceReader, deliver: Deliver) throws {
        guard !cursors.isEmpty else { return }
        // Slots stay in thread-id order (an exhausted thread's slot is closed up, not
        // filled from the end), so the scan's first minimum wins ties.
        let threads = try LiveThreads(cursors, reader: reader, pipeline: pipeline)
        defer { threads.deallocate() }
        let keys = threads.keys, heads = threads.heads, owners = threads.owners
        var live = threads.count

        var output = self.output
        var out = output + filled
        defer {
            self.output = output
            filled = output.distance(to: out)
        }
        while live > 0 {
            // One pass finds the earliest thread `top` and the last timestamp it may emit
            // before another thread's turn: the earliest other next event, less one when
            // that thread has the smaller id (it wins the tie). The threads before `top`
            // all have the smaller id, and the earliest of them was the minimum before
            // `top` took over, so that minimum less one is their bound; the ones after
            // `top` bound it by their own timestamps. It cannot wrap: a later minimum is
            // strictly smaller, so the one before it is at least 1.
            var top = 0
            var earliest = keys[0]
            var lastAllowed = UInt64.max
            var slot = 1
            while slot < live {
                let time = keys[slot]
                let earlier = time < earliest
                // (Written as one min of a choice, not a choice of a min: the compiler made
                // the latter a branch.) When `earlier`, `earliest - 1` is below every
                // bound so far, so the min keeps it.
                lastAllowed = min(lastAllowed, earlier ? earliest &- 1 : time)
                top = earlier ? slot : top
                earliest = earlier ? time : earliest
                slot &+= 1
            }
            var head = heads[top]
            if let next = try emitRun(
                &head, upTo: lastAllowed, cursor: owners[top], of: cursors,
                output: &output, out: &out, reader: reader, deliver: deliver)
            {
                keys[top] = next
                heads[top] = head
            } else {
                // Close up the exhausted thread's slot, keeping the id order.
                live -= 1
                var slot = top
                while slot < live {
                    keys[slot] = keys[slot + 1]
                    heads[slot] = heads[slot + 1]
                    owners[slot] = owners[slot + 1]
                    slot += 1
                }
            }
        }
    }
}
