/// Unsigned LEB128 varints as Go's `encoding/binary.Uvarint` reads them: at most 10 bytes,
/// non-minimal encodings accepted (the runtime pads batch lengths to 10 bytes).
enum GoVarint {
    /// Reads the varint at `position`, advancing it; nil if the bytes end first or the
    /// varint overflows 64 bits.
    @inline(__always)
    static func read(_ base: UnsafePointer<UInt8>, _ position: inout Int, _ end: Int) -> UInt64? {
        var byte = position < end ? base[position] : 0
        if byte < 0x80, position < end {
            position += 1
            return UInt64(byte)
        }
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var index = position
        while index < end {
            byte = base[index]
            index += 1
            if shift == 63 && byte > 1 { return nil }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                position = index
                return value
            }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }
}
