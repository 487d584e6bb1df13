import SchedscopeModel

extension GenerationMerger {
    /// The threads of a generation that have events, in thread-id order (so a lower slot
    /// wins a tie): slot `s` holds the timestamp of the thread's next event (`keys`), its
    /// current block (`heads`) and which cursor it is (`owners`). `keys` has at least
    /// `minimumKeys` slots, the ones past `count` holding the largest key (the scan reads
    /// them in groups of four). Flat buffers, so that the merge loops touch no object and no
    /// reference count. Owned by one merge, which deallocates it.
    struct LiveThreads {
        let keys: UnsafeMutablePointer<UInt64>
        let heads: UnsafeMutablePointer<Head>
        let owners: UnsafeMutablePointer<Int>
        /// Slots in use: the threads with an event left when the merge began.
        let count: Int
        /// The keys a scan may read: up to `GenerationMerger.maxScannedThreads`.
        static let minimumKeys = GenerationMerger.maxScannedThreads

        /// Fills every cursor's first block; a thread without events takes no slot.
        init(_ cursors: [ThreadCursor], reader: TraceReader, pipeline: ChunkPipeline) throws {
            let keyCount = Swift.max(cursors.count, Self.minimumKeys)
            keys = .allocate(capacity: keyCount)
            keys.initialize(repeating: .max, count: keyCount)
            heads = .allocate(capacity: cursors.count)
            owners = .allocate(capacity: cursors.count)
            var count = 0
            do {
                for (i, cursor) in cursors.enumerated() {
                    guard try cursor.fill(reader, pipeline) else { continue }
                    keys[count] = cursor.headTimestamp
                    heads[count] = Head(cursor)
                    owners[count] = i
                    count += 1
                }
            } catch {
                keys.deallocate()
                heads.deallocate()
                owners.deallocate()
                throw error
            }
            self.count = count
        }

        func deallocate() {
            keys.deallocate()
            heads.deallocate()
            owners.deallocate()
        }
    }
}
