import SchedscopeModel

/// The file header: magic, version, and what the trace says about itself (docs/FORMAT.md §2).
///
/// ```
/// 0   8  magic "SCTRACE\0"
/// 8   2  major version      10  2  minor version
/// 12  4  header length (bytes, including this field's header and the CRC)
/// 16  8  start wall time (ns since the Unix epoch)
/// 24  4  proc count         28  1  clock        29  1  flags (0)
/// 30  2  producer length P  32  P  producer (UTF-8)
/// 32+P 4 CRC-32 of bytes 0 ..< 32+P
/// ```
package enum FileHeader {
    package static let magic: [UInt8] = Array("SCTRACE".utf8) + [0]
    package static let majorVersion: UInt16 = 1
    package static let minorVersion: UInt16 = 2
    /// The first minor version whose writers finish a trace with an end chunk.
    package static let firstMinorWithEndChunk: UInt16 = 1
    package static let fixedSize = 32
    package static let crcSize = 4
    /// Where the proc count is, a `u32`.
    package static let procCountOffset = 24
    package static let maxSize = fixedSize + FormatLimits.maxProducerBytes + crcSize

    package static func encode(_ info: TraceInfo) -> [UInt8] {
        let producer = StringsCodec.utf8Prefix(info.producer, maxBytes: FormatLimits.maxProducerBytes)
        var out = ByteWriter(capacity: fixedSize + producer.count + crcSize)
        out.append(contentsOf: magic)
        out.appendLittleEndian(majorVersion)
        out.appendLittleEndian(minorVersion)
        out.appendLittleEndian(UInt32(fixedSize + producer.count + crcSize))
        out.appendLittleEndian(info.startWallTimeNanoseconds)
        // Clamped to the cap, as the producer name is cut to its cap: a reader takes a larger
        // count for damage.
        out.appendLittleEndian(min(info.procCount, FormatLimits.maxDeclaredProcs))
        out.append(info.clock.rawValue)
        out.append(0)
        out.appendLittleEndian(UInt16(producer.count))
        out.append(contentsOf: producer)
        out.appendLittleEndian(crc32(out.bytes))
        return out.bytes
    }

    /// The outcome of reading a header: the info, its length, and a warning when the
    /// header's CRC failed but its structure held (the values may be wrong).
    package struct Decoded: Equatable {
        package var info: TraceInfo
        package var length: Int
        package var minorVersion: UInt16
        package var checksumMismatch: Bool
    }

    package enum Failure: Error, Equatable {
        case empty
        case notATrace
        case tooShort(needed: Int, available: Int)
        case unsupportedVersion(major: UInt16, minor: UInt16)
        case malformed(String)
        /// The header and producer lengths disagree, so the header's end is unknown; the
        /// fixed fields (version, wall time, proc count, clock) are still there to use.
        case lengthsDisagree(String, fixedFields: Decoded)
    }

    /// Decodes a header from the first bytes of a file (`bytes` may hold more than the header).
    package static func decode(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Decoded {
        if bytes.isEmpty { throw .empty }
        let magicLength = min(bytes.count, magic.count)
        guard bytes.prefix(magicLength).elementsEqual(magic.prefix(magicLength)) else { throw .notATrace }
        // The magic and the major version are all that every major version keeps: check the
        // version before anything whose layout a future major may change.
        if bytes.count >= 10 {
            let major = bytes.loadLittleEndian(UInt16.self, at: 8)
            let minor = bytes.count >= 12 ? bytes.loadLittleEndian(UInt16.self, at: 10) : 0
            guard major == majorVersion else { throw .unsupportedVersion(major: major, minor: minor) }
        }
        guard bytes.count >= fixedSize else { throw .tooShort(needed: fixedSize, available: bytes.count) }
        let minor = bytes.loadLittleEndian(UInt16.self, at: 10)
        let length = Int(bytes.loadLittleEndian(UInt32.self, at: 12))
        let producerLength = Int(bytes.loadLittleEndian(UInt16.self, at: 30))
        guard producerLength <= FormatLimits.maxProducerBytes,
              length == fixedSize + producerLength + crcSize
        else {
            let fixedFields = TraceInfo(
                producer: "", procCount: bytes.loadLittleEndian(UInt32.self, at: procCountOffset),
                startWallTimeNanoseconds: bytes.loadLittleEndian(UInt64.self, at: 16),
                clock: TraceClock(rawValue: bytes[28]) ?? .monotonic)
            throw .lengthsDisagree(
                "header length \(length) and producer length \(producerLength) disagree",
                fixedFields: Decoded(info: fixedFields, length: fixedSize, minorVersion: minor, checksumMismatch: true))
        }
        guard bytes.count >= length else { throw .tooShort(needed: length, available: bytes.count) }
        let storedCRC = bytes.loadLittleEndian(UInt32.self, at: length - crcSize)
        let actualCRC = crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<(length - crcSize)]))
        let clock = TraceClock(rawValue: bytes[28]) ?? .monotonic
        let producer = String(decoding: bytes[fixedSize..<(fixedSize + producerLength)], as: UTF8.self)
        let info = TraceInfo(
            producer: producer,
            procCount: bytes.loadLittleEndian(UInt32.self, at: procCountOffset),
            startWallTimeNanoseconds: bytes.loadLittleEndian(UInt64.self, at: 16),
            clock: clock
        )
        return Decoded(info: info, length: length, minorVersion: minor, checksumMismatch: storedCRC != actualCRC)
    }
}
