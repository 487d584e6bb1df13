/// What a chunk header says, for tools that look at a trace's framing (validation
/// reports, benchmarks) rather than its events.
public struct ChunkInfo: Sendable, Equatable {
    public enum Kind: String, Sendable { case events, strings, end }

    public var kind: Kind
    /// File offset of the chunk header.
    public var byteOffset: UInt64
    public var generation: UInt32
    public var sequence: UInt32
    public var thread: UInt64
    public var firstTimestamp: UInt64
    public var lastTimestamp: UInt64
    /// Events or strings in the chunk.
    public var itemCount: Int
    public var storedBytes: Int
    public var decodedBytes: Int
    public var compressed: Bool
}

/// Walks a trace chunk by chunk without decoding events.
public struct ChunkInspector {
    /// Whether readers inflate with libdeflate (found at run time) rather than zlib.
    public static var usesLibdeflate: Bool { Libdeflate.isAvailable }

    private let source: ByteSource
    private let dataStart: UInt64

    /// - Throws: `TraceFormatError` if the file is not a readable trace.
    public init(path: String) throws(TraceFormatError) {
        let reader = try TraceReader(path: path)
        source = reader.source
        dataStart = reader.dataStartOffset
    }

    /// Every chunk whose header checks out, in file order, with the damage met on the way.
    public func chunks() throws(TraceFormatError) -> (chunks: [ChunkInfo], report: ReadReport) {
        var scanner = ChunkScanner(source: source, start: dataStart)
        var report = ReadReport()
        var out: [ChunkInfo] = []
        while let location = try scanner.next(report: &report) {
            out.append(ChunkInfo(location))
        }
        return (out, report)
    }

    /// Reads and inflates every chunk payload (checking CRCs), decoding nothing: the cost
    /// of inflating alone on this file, the ceiling a reader is measured against.
    /// - Parameter zlibOnly: inflate with zlib even where libdeflate is available (the
    ///   baseline the format's speed targets are stated against).
    /// - Returns: the decoded bytes and events (item counts of event chunks) processed.
    public func inflateAll(zlibOnly: Bool = true) throws(TraceFormatError) -> (decodedBytes: UInt64, events: UInt64) {
        var scanner = ChunkScanner(source: source, start: dataStart)
        var report = ReadReport()
        let inflater = Inflater(backend: zlibOnly ? .zlib : .automatic)
        var stored: [UInt8] = []
        var decoded: [UInt8] = []
        var bytes: UInt64 = 0
        var events: UInt64 = 0
        while let location = try scanner.next(report: &report) {
            let header = location.header
            let count = Int(header.storedLength)
            _ = try source.read(at: location.payloadOffset, count: count, into: &stored)
            let crc = stored.withUnsafeBytes { crc32(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            guard crc == header.payloadCRC else { continue }
            if header.encoding == .zlib {
                if decoded.count < Int(header.decodedLength) { decoded = [UInt8](repeating: 0, count: Int(header.decodedLength)) }
                let length = Int(header.decodedLength)
                let ok = decoded.withUnsafeMutableBytes { out in
                    stored.withUnsafeBytes { input in
                        (try? inflater.inflate(
                            UnsafeRawBufferPointer(rebasing: input[0..<count]),
                            into: UnsafeMutableRawBufferPointer(rebasing: out[0..<length]))) != nil
                    }
                }
                guard ok else { continue }
            }
            bytes += UInt64(header.decodedLength)
            if header.type.isEvents { events += UInt64(header.itemCount) }
        }
        return (bytes, events)
    }
}

extension ChunkInfo {
    init(_ location: ChunkLocation) {
        let header = location.header
        self.init(
            kind: Self.kind(of: header.type), byteOffset: location.offset,
            generation: header.generation, sequence: header.sequence, thread: header.thread,
            firstTimestamp: header.firstTimestamp, lastTimestamp: header.lastTimestamp,
            itemCount: Int(header.itemCount), storedBytes: Int(header.storedLength),
            decodedBytes: Int(header.decodedLength), compressed: header.encoding == .zlib)
    }

    private static func kind(of type: ChunkHeader.ChunkType) -> Kind {
        switch type {
        case .events, .legacyEvents: .events
        case .strings: .strings
        case .end: .end
        }
    }
}
