/// The tokenizer's second layer: gathers the frames of one generation and decodes its
/// table and sync batches (`$GOROOT/src/internal/trace/generation.go`).
struct GoGenerationReader {
    private(set) var tokenizer: GoBatchTokenizer
    let version: Int
    /// Go < 1.26 has no end marker: the first batch of the next generation ends this one
    /// and is kept for the next call.
    private var spilled: GoBatchFrame?
    private var finished = false

    init(version: Int, dataStart: Int) {
        self.version = version
        tokenizer = GoBatchTokenizer(position: dataStart, version: version)
    }

    enum Outcome {
        case generation(GoGeneration)
        /// Nothing more to read.
        case end
    }

    /// Reads the next complete generation, recording problems in `report`. A generation
    /// the file ends inside, or one without a clock, is dropped with a diagnostic.
    mutating func next(_ buffer: GoFileBuffer, _ report: inout GoImportReport) throws(GoImportError) -> Outcome {
        while !finished {
            var generation = GoGeneration()
            var started = false
            var complete = false
            if let frame = spilled {
                spilled = nil
                started = true
                generation.number = frame.generation
                generation.startOffset = frame.offset
                add(frame, to: &generation, buffer, &report)
            } else {
                generation.startOffset = buffer.fileOffset(tokenizer.position)
            }
            reading: while true {
                switch try tokenizer.next(buffer) {
                case .batch(let frame):
                    if !started {
                        started = true
                        generation.number = frame.generation
                    } else if frame.generation != generation.number {
                        if version >= 26 || frame.generation < generation.number {
                            report.record(GoImportDiagnostic(
                                .outOfOrderGeneration, severity: .warning, byteOffset: frame.offset,
                                "a batch of generation \(frame.generation) inside generation \(generation.number)" +
                                    (version >= 26 ? " (no end-of-generation marker between them)" : "")))
                        }
                        if version < 26 || frame.generation > generation.number {
                            spilled = frame
                            complete = true
                            break reading
                        }
                        report.batchesDropped += 1
                        continue
                    }
                    add(frame, to: &generation, buffer, &report)
                case .endOfGeneration:
                    complete = started
                    if !started { continue }
                    break reading
                case .endOfFile:
                    finished = true
                    // Before Go 1.26 a generation simply stops at the end of the file.
                    complete = started && version < 26
                    if started && version >= 26 {
                        drop(generation, buffer, &report, name: .truncated,
                             "the file ends inside generation \(generation.number) (no end-of-generation marker)")
                    }
                    break reading
                case .truncated(let offset, let message):
                    finished = true
                    if started {
                        drop(generation, buffer, &report, name: .truncated,
                             "\(message) at byte \(offset); generation \(generation.number) is incomplete")
                    } else {
                        report.record(GoImportDiagnostic(.truncated, severity: .warning, byteOffset: offset,
                                                         bytesLost: buffer.size - offset, message))
                    }
                    break reading
                case .malformed(let offset, let message):
                    finished = true
                    report.record(GoImportDiagnostic(.malformedBatch, severity: .warning, byteOffset: offset,
                                                     bytesLost: buffer.size - offset, message + "; the rest of the file cannot be framed"))
                    if started {
                        drop(generation, buffer, &report, name: .malformedBatch,
                             "generation \(generation.number) is cut short by the malformed batch at byte \(offset)", bytesLostTo: offset)
                    }
                    break reading
                }
            }
            generation.endOffset = spilled?.offset ?? buffer.fileOffset(tokenizer.position)
            guard complete else { continue }
            if generation.frequency == 0 {
                drop(generation, buffer, &report, name: .missingClock,
                     "generation \(generation.number) has no Frequency event; its timestamps cannot be converted")
                continue
            }
            report.batchesRead += generation.batchCount
            return .generation(generation)
        }
        return .end
    }

    /// The buffer index where the next generation's bytes start: everything before it may
    /// be discarded once the current generation is parsed.
    func nextGenerationStart(_ buffer: GoFileBuffer) -> Int {
        spilled.map { Int($0.offset - buffer.start) } ?? tokenizer.position
    }

    /// Rebases buffer indices after the buffer discarded `count` bytes.
    mutating func shift(by count: Int) {
        tokenizer.position -= count
        if var frame = spilled {
            frame.payloadStart -= count
            frame.payloadEnd -= count
            spilled = frame
        }
    }

    private func drop(_ generation: GoGeneration, _ buffer: GoFileBuffer, _ report: inout GoImportReport,
                      name: GoImportDiagnostic.Name, _ message: String, bytesLostTo: UInt64? = nil) {
        let end = bytesLostTo ?? buffer.size
        report.generationsDropped += 1
        report.batchesDropped += generation.batchCount
        report.record(GoImportDiagnostic(
            name, severity: .warning, byteOffset: generation.startOffset,
            bytesLost: end > generation.startOffset ? end - generation.startOffset : 0, message))
    }

    private func add(_ frame: GoBatchFrame, to generation: inout GoGeneration, _ buffer: GoFileBuffer, _ report: inout GoImportReport) {
        generation.batchCount += 1
        if frame.isExperimental {
            report.droppedBatches["ExperimentalBatch", default: 0] += 1
            return
        }
        generation.minTicks = min(generation.minTicks, frame.baseTime)
        switch frame.kind(buffer) {
        case GoWire.strings: addStrings(frame, &generation, buffer, &report)
        case GoWire.stacks: addStacks(frame, &generation, buffer, &report)
        case GoWire.cpuSamples: report.droppedBatches["CPUSamples", default: 0] += 1
        case GoWire.sync where version >= 25: setSync(frame, &generation, buffer, &report)
        case GoWire.frequency where version < 25: setSync(frame, &generation, buffer, &report)
        default: generation.addEventBatch(frame)
        }
    }

    private func malformed(_ frame: GoBatchFrame, _ position: Int, _ buffer: GoFileBuffer, _ report: inout GoImportReport, _ message: String) {
        report.record(GoImportDiagnostic(
            .malformedBatch, severity: .warning, byteOffset: buffer.fileOffset(position),
            bytesLost: UInt64(frame.payloadEnd - position), message))
    }

    private func addStrings(_ frame: GoBatchFrame, _ generation: inout GoGeneration, _ buffer: GoFileBuffer, _ report: inout GoImportReport) {
        let base = UnsafePointer(buffer.bytes)
        var position = frame.payloadStart + 1
        while position < frame.payloadEnd {
            let eventStart = position
            guard base[position] == GoWire.string else {
                return malformed(frame, eventStart, buffer, &report, "expected a String event in the strings batch, found byte \(base[position])")
            }
            position += 1
            guard let id = GoVarint.read(base, &position, frame.payloadEnd),
                  let length = GoVarint.read(base, &position, frame.payloadEnd),
                  length <= GoWire.maxStringSize, position + Int(length) <= frame.payloadEnd else {
                return malformed(frame, eventStart, buffer, &report, "a String event does not decode (bad varint or length)")
            }
            generation.strings[id] = position..<(position + Int(length))
            position += Int(length)
        }
    }

    private func addStacks(_ frame: GoBatchFrame, _ generation: inout GoGeneration, _ buffer: GoFileBuffer, _ report: inout GoImportReport) {
        let base = UnsafePointer(buffer.bytes)
        var position = frame.payloadStart + 1
        while position < frame.payloadEnd {
            let eventStart = position
            guard base[position] == GoWire.stack else {
                return malformed(frame, eventStart, buffer, &report, "expected a Stack event in the stacks batch, found byte \(base[position])")
            }
            position += 1
            guard let id = GoVarint.read(base, &position, frame.payloadEnd),
                  let frames = GoVarint.read(base, &position, frame.payloadEnd), frames <= GoWire.maxFramesPerStack else {
                return malformed(frame, eventStart, buffer, &report, "a Stack event does not decode (bad varint or more than \(GoWire.maxFramesPerStack) frames)")
            }
            let first = generation.stackFunctions.count
            for _ in 0..<frames {
                // pc, function name, file name, line (runtime/tracestack.go dump).
                guard GoVarint.read(base, &position, frame.payloadEnd) != nil,
                      let function = GoVarint.read(base, &position, frame.payloadEnd),
                      GoVarint.read(base, &position, frame.payloadEnd) != nil,
                      GoVarint.read(base, &position, frame.payloadEnd) != nil else {
                    generation.stackFunctions.removeSubrange(first...)
                    return malformed(frame, eventStart, buffer, &report, "a Stack event's frames do not decode")
                }
                generation.stackFunctions.append(function)
            }
            generation.stacks[id] = first..<generation.stackFunctions.count
        }
    }

    private func setSync(_ frame: GoBatchFrame, _ generation: inout GoGeneration, _ buffer: GoFileBuffer, _ report: inout GoImportReport) {
        let base = UnsafePointer(buffer.bytes)
        var position = frame.payloadStart + (version >= 25 ? 1 : 0)
        var ticks = frame.baseTime
        while position < frame.payloadEnd {
            let eventStart = position
            let type = base[position]
            position += 1
            switch type {
            case GoWire.frequency:
                guard let frequency = GoVarint.read(base, &position, frame.payloadEnd), frequency > 0 else {
                    return malformed(frame, eventStart, buffer, &report, "the Frequency event does not decode")
                }
                generation.frequency = frequency
            case GoWire.clockSnapshot where version >= 25:
                guard let delta = GoVarint.read(base, &position, frame.payloadEnd),
                      let monotonic = GoVarint.read(base, &position, frame.payloadEnd),
                      let seconds = GoVarint.read(base, &position, frame.payloadEnd),
                      let nanoseconds = GoVarint.read(base, &position, frame.payloadEnd) else {
                    return malformed(frame, eventStart, buffer, &report, "the ClockSnapshot event does not decode")
                }
                ticks &+= delta
                generation.clock = (ticks, monotonic, seconds &* 1_000_000_000 &+ nanoseconds)
            default:
                return malformed(frame, eventStart, buffer, &report, "expected Frequency or ClockSnapshot in the sync batch, found byte \(type)")
            }
        }
    }
}
