import SchedscopeModel

extension GenerationMerger {
    /// The threads of a generation that have events, in thread-id order (so a lower slot
    /// wins a tie): slot `s` holds the timestamp of the thread's next event (`keys`), its
    /// current block (`heads`) and which cursor it is (`owners`). Flat buffers, so that the
    /// merge loops touch no object and no reference count. Owned by one merge, which
    /// deallocates it.
    struct LiveThreads {
        let keys: UnsafeMutablePointer<UInt64>
        let heads: UnsafeMutablePointer<Head>
        let owners: UnsafeMutablePointer<Int>
        /// Slots in use: the threads with an event left when the merge began.
        let count: Int

        /// Fills every cursor's first block; a thread without events takes no slot.
        init(_ cursors: [ThreadCursor], reader: TraceReader, pipeline: ChunkPipeline) throws {
            keys = .allocate(capacity: cursors.count)
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
