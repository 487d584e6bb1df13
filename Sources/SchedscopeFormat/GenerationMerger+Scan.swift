import SchedscopeModel

extension GenerationMerger {
    /// Most threads a generation may have for `mergeByScan`; wider ones use the heap.
    static let maxScannedThreads = 16

    /// Merges by scanning every live thread's next timestamp before each run.
    ///
    /// For a few threads this beats a heap: the scan is a fixed tree of conditional moves
    /// over one contiguous array, the same work whatever the timestamps, where the heap's
    /// sift takes branches that depend on them — and, since threads interleave finely
    /// (runs of ≈ 2.5 events), mispredicts about every run.
    ///
    /// Each run needs one scan, for the thread that comes next: the thread whose event
    /// ends a run is always the next to run, so only the one after it is looked for. The
    /// scan compares the keys in groups of four, as a tree (pairs, then pairs of pairs):
    /// the comparisons of a level do not wait on each other, where a loop over the slots
    /// made a chain of them (and the compiler turned part of the loop's selects back into
    /// branches). One scan instead of a scan for two, and the tree, took a one-core
    /// `analyze` from 462 to 449 M instructions per 1M events (docs/BENCHMARKS.md).
    mutating func mergeByScan(_ cursors: [ThreadCursor], reader: TraceReader, deliver: Deliver) throws {
        guard !cursors.isEmpty else { return }
        // Slots stay in thread-id order (an exhausted thread's slot is closed up, not
        // filled from the end), so the scan's first minimum wins ties. The slots past the
        // live ones hold the largest key, so a scan may read whole groups of four.
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
        var top = Self.firstMinimum(keys, live)
        while live > 0 {
            // The thread that follows `top` is the first minimum of the others (its slot
            // closed to the scan by the largest key, which loses every tie to a live slot
            // before it), and `top` may run up to that thread's next event, less one when
            // that thread has the smaller id (it wins the tie). It cannot wrap: a thread
            // before `top` with the smallest key would have been the minimum. When every
            // other thread's key is the largest and comes after `top`, the scan finds
            // `top`'s own slot, and `top` runs to its end.
            keys[top] = .max
            let following = Self.firstMinimum(keys, live)
            let lastAllowed = keys[following] &- (following < top ? 1 : 0)
            var head = heads[top]
            if let next = try emitRun(
                &head, upTo: lastAllowed, cursor: owners[top], of: cursors,
                output: &output, out: &out, reader: reader, deliver: deliver)
            {
                keys[top] = next
                heads[top] = head
                // `top`'s next event is after `lastAllowed`, so the thread that bounded
                // its run comes first now: no scan is needed to find it.
                top = following
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
                keys[live] = .max
                if live > 0 { top = Self.firstMinimum(keys, live) }
            }
        }
    }

    /// The slot of the smallest of the first `count` keys (at most 16, four groups); the
    /// first of equal ones. Reads `count` rounded up to a multiple of four.
    @inline(__always)
    static func firstMinimum(_ keys: UnsafeMutablePointer<UInt64>, _ count: Int) -> Int {
        assert(count <= 16 && maxScannedThreads <= 16, "the scan reads four groups of four")
        if count <= 4 { return firstMinimum(of4: keys, from: 0).1 }
        let low = pick(firstMinimum(of4: keys, from: 0), firstMinimum(of4: keys, from: 4))
        if count <= 8 { return low.1 }
        var high = firstMinimum(of4: keys, from: 8)
        if count > 12 { high = pick(high, firstMinimum(of4: keys, from: 12)) }
        return pick(low, high).1
    }

    /// The earlier of two (key, slot) pairs, `a` on a tie: `a` must hold the lower slot.
    @inline(__always)
    static func pick(_ a: (UInt64, Int), _ b: (UInt64, Int)) -> (UInt64, Int) { b.0 < a.0 ? b : a }

    /// The first minimum of the four keys from slot `first`, and its slot.
    @inline(__always)
    static func firstMinimum(of4 k: UnsafeMutablePointer<UInt64>, from first: Int) -> (UInt64, Int) {
        pick(pick((k[first], first), (k[first &+ 1], first &+ 1)), pick((k[first &+ 2], first &+ 2), (k[first &+ 3], first &+ 3)))
    }
}
