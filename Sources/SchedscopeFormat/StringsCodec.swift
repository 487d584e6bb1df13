import SchedscopeModel

/// Strings-chunk payloads: a sequence of `id (uvarint) · length (uvarint) · UTF-8 bytes`.
package enum StringsCodec {
    package static func encode(_ entries: [(StringID, String)]) -> [UInt8] {
        var out = ByteWriter(capacity: 256)
        for (id, value) in entries {
            let utf8 = utf8Prefix(value, maxBytes: FormatLimits.maxStringBytes)
            out.appendVarint(UInt64(id.rawValue))
            out.appendVarint(UInt64(utf8.count))
            out.append(contentsOf: utf8)
        }
        return out.bytes
    }

    /// The longest prefix of `value`'s UTF-8 that fits in `maxBytes` without splitting a character's encoding.
    static func utf8Prefix(_ value: String, maxBytes: Int) -> [UInt8] {
        var utf8 = Array(value.utf8.prefix(maxBytes + 1))
        guard utf8.count > maxBytes else { return utf8 }
        // Drop the byte past the cap, then any continuation bytes (10xxxxxx) of a cut
        // scalar and the lead byte that started it.
        var end = maxBytes
        while end > 0 && utf8[end] & 0xC0 == 0x80 { end -= 1 }
        utf8.removeSubrange(end...)
        return utf8
    }

    package enum Failure: Error, Equatable, CustomStringConvertible {
        case truncated(offset: Int)
        /// A varint longer than 10 bytes, or whose value does not fit in 64 bits.
        case varintOverflow(offset: Int)
        case idOutOfRange(UInt64, offset: Int)
        case stringTooLong(UInt64, offset: Int)
        case countMismatch(declared: Int, found: Int)

        /// In damage messages: what is wrong, and where in the decoded payload.
        package var description: String {
            switch self {
            case .truncated(let offset): "an entry is cut off at payload byte \(offset)"
            case .varintOverflow(let offset): "a varint past 64 bits at payload byte \(offset)"
            case .idOutOfRange(let id, let offset):
                "string id \(id), past the cap of \(FormatLimits.maxStringID), at payload byte \(offset)"
            case .stringTooLong(let length, let offset):
                "a \(length)-byte string, past the cap of \(FormatLimits.maxStringBytes), at payload byte \(offset)"
            case .countMismatch(let declared, let found): "\(found) entries where the chunk header declares \(declared)"
            }
        }
    }

    /// Decodes every entry, calling `define` for each; stops at the first malformed entry
    /// (entries before it have been delivered).
    package static func decode(
        _ payload: UnsafeRawBufferPointer, declaredCount: Int, define: (StringID, String) -> Void
    ) throws(Failure) {
        var p = 0
        var found = 0
        func varint() throws(Failure) -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard p < payload.count else { throw .truncated(offset: p) }
                let byte = payload[p]
                // The tenth byte holds bit 63 only.
                if shift == 63 && byte > 1 { throw .varintOverflow(offset: p) }
                p += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        while p < payload.count {
            let entryOffset = p
            let id = try varint()
            guard id <= UInt64(FormatLimits.maxStringID) else { throw .idOutOfRange(id, offset: entryOffset) }
            let length = try varint()
            guard length <= UInt64(FormatLimits.maxStringBytes) else { throw .stringTooLong(length, offset: entryOffset) }
            guard payload.count - p >= Int(length) else { throw .truncated(offset: p) }
            let value = String(decoding: payload[p..<(p + Int(length))], as: UTF8.self)
            p += Int(length)
            define(StringID(rawValue: UInt32(id)), value)
            found += 1
        }
        if found != declaredCount { throw .countMismatch(declared: declaredCount, found: found) }
    }
}
