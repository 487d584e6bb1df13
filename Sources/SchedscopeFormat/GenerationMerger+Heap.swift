import SchedscopeModel

extension GenerationMerger {
    /// Merges with a binary heap of the threads ordered by their next event: for wide
    /// generations, where a scan of every thread per run would cost more than a sift.
    mutating func mergeByHeap(_ cursors: [ThreadCursor], reader: TraceReader, deliver: Deliver) throws {
        guard !cursors.isEmpty else { return }
        let threads = try LiveThreads(cursors, reader: reader, pipeline: pipeline)
        let heap = UnsafeMutablePointer<Int>.allocate(capacity: threads.count)
        defer {
            threads.deallocate()
            heap.deallocate()
        }
        let keyTime = threads.keys, heads = threads.heads
        var heapCount = threads.count
        for slot in 0..<heapCount { heap[slot] = slot }
        // Slots are in thread-id order, so ties break by slot.
        @inline(__always)
        func less(_ a: Int, _ b: Int) -> Bool {
            let ta = keyTime[a], tb = keyTime[b]
            return ta < tb || (ta == tb && a < b)
        }
        /// Sinks `item` from slot `start` (a hole) of the first `count` heap slots.
        @inline(__always)
        func siftDown(from start: Int, _ item: Int, _ count: Int) {
            var i = start
            while true {
                let left = 2 &* i &+ 1
                if left >= count { break }
                var child = left
                if left &+ 1 < count && less(heap[left &+ 1], heap[left]) { child = left &+ 1 }
                if !less(heap[child], item) { break }
                heap[i] = heap[child]
                i = child
            }
            heap[i] = item
        }
        if heapCount > 1 {
            // Heapify by insertion order: sort the few initial keys.
            let sorted = (0..<heapCount).map { heap[$0] }.sorted { less($0, $1) }
            for (i, index) in sorted.enumerated() { heap[i] = index }
        }

        var output = self.output
        var out = output + filled
        defer {
            self.output = output
            filled = output.distance(to: out)
        }
        while heapCount > 0 {
            let top = heap[0]
            // `top` emits every event up to the second-best thread's next one: that event
            // too when the tie goes to `top` (the lower index), else only those before it.
            // One `<=` against `lastAllowed` per event says both. `top` is the heap's
            // minimum, so when it loses ties its time is below the limit, which is then
            // at least 1: the subtraction cannot wrap.
            var lastAllowed = UInt64.max
            var secondSlot = 0
            if heapCount > 1 {
                secondSlot = heapCount == 2 || less(heap[1], heap[2]) ? 1 : 2
                let second = heap[secondSlot]
                lastAllowed = top < second ? keyTime[second] : keyTime[second] &- 1
            }
            var head = heads[top]
            let next = try emitRun(
                &head, upTo: lastAllowed, cursor: threads.owners[top], of: cursors,
                output: &output, out: &out, reader: reader, deliver: deliver)
            heads[top] = head
            if let next {
                keyTime[top] = next
                if heapCount > 1 {
                    // The run ended at an event that sorts after the second thread's next
                    // one (`lastAllowed` says so), so that thread takes the top: the sift
                    // starts one level down, without comparing the top's children again.
                    heap[0] = heap[secondSlot]
                    siftDown(from: secondSlot, top, heapCount)
                }
            } else {
                heapCount -= 1
                if heapCount > 0 { siftDown(from: 0, heap[heapCount], heapCount) }
            }
        }
    }
}
