/// The bases a task-id argument is coded against (docs/FORMAT.md, "Task ids").
///
/// A task id is written as the 66-bit LEB128 of `zigzag(id − base) << 2 | selector`, where
/// the selector picks the base that makes the difference smallest: 0 the last task created
/// on this thread in this chunk, 1 the last task started, 2 the last task unparked, 3 the
/// context task. The patterns this catches are the common ones of a work-stealing
/// scheduler: children are created with consecutive ids, a task that yields is started
/// again, the task just woken into `runnext` is the next one started, and a finishing
/// child wakes its parent. The value takes 66 bits because a zigzag difference can take
/// all 64: an id 2⁶¹ or more away from every base must not lose its top bits.
package struct TaskIDRegisters {
    package var created: UInt64 = 0
    package var started: UInt64 = 0
    package var unparked: UInt64 = 0

    package init() {}

    @inline(__always)
    package func base(_ selector: UInt64, context: UInt64) -> UInt64 {
        switch selector {
        case 0: created
        case 1: started
        case 2: unparked
        default: context
        }
    }

    /// The coded value for `task`: the smallest difference among the four bases (ties go
    /// to the lower selector), written with `PayloadBuffer.putTaskID`.
    @inline(__always)
    package func encode(_ task: UInt64, context: UInt64) -> (zigzag: UInt64, selector: UInt64) {
        var best = (zigzag: UInt64.max, selector: UInt64(0))
        for selector: UInt64 in 0...3 {
            let delta = Int64(bitPattern: task &- base(selector, context: context))
            let zigzag = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
            if zigzag < best.zigzag { best = (zigzag, selector) }
        }
        return best
    }

    /// The task id a coded value stands for.
    ///
    /// The base is loaded from a four-slot copy of the bases, not chosen by a switch:
    /// selectors come in no predictable order, and the switch's jump table mispredicted on a
    /// third of the task-id arguments (callgrind's branch simulation: 0.32 per event).
    @inline(__always)
    package func decode(zigzag: UInt64, selector: UInt64, context: UInt64) -> UInt64 {
        let delta = (zigzag >> 1) ^ (0 &- (zigzag & 1))
        var bases = (created, started, unparked, context)
        let base = withUnsafeBytes(of: &bases) { $0.load(fromByteOffset: Int(selector & 3) &* 8, as: UInt64.self) }
        return base &+ delta
    }
}
