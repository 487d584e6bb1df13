"""Mutants of .sctrace files whose damage gets past the CRCs.

A flipped byte almost always breaks a chunk's CRC, and the reader skips the chunk before
anything decodes it. `reframed` damages one events chunk and then makes its lengths and
CRCs valid again (docs/FORMAT.md §3), so that the damage reaches the decoder, the merge and
the analyses. Used by `fuzz-cores.py` and `fuzz-commands.py`.
"""
import struct
import zlib


def chunks_of(data):
    """(offset, header, payload) of every whole chunk after the file header (FORMAT.md §3)."""
    position, found = struct.unpack_from("<I", data, 12)[0], []
    while position + 60 <= len(data):
        stored = struct.unpack_from("<I", data, position + 44)[0]
        found.append((position, bytearray(data[position:position + 60]), data[position + 60:position + 60 + stored]))
        position += 60 + stored
    return found


def framed(header, payload, decoded_length):
    """The chunk with its lengths and both CRCs made to match `payload`."""
    struct.pack_into("<III", header, 44, len(payload), decoded_length, zlib.crc32(payload))
    struct.pack_into("<I", header, 56, zlib.crc32(bytes(header[:56])))
    return bytes(header) + payload


def varint(value):
    """`value` as an unsigned LEB128 varint."""
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def wild(rng):
    """A value near an edge: 0, 2⁷, 2³², 2⁶³, 2⁶⁴ − 1, or random."""
    return rng.choice([0, 1, 127, 128, 2**32 - 1, 2**32, 2**63, 2**64 - 1, rng.randrange(2**64), rng.randrange(1000)])


def mutate_payload(rng, payload):
    """One to four damages: a bit, a cut, a forged head and argument, an overlong varint, a
    repeated run, noise."""
    payload = bytearray(payload)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(payload) + 1)
        operation = rng.randrange(6)
        if operation == 0 and payload:
            payload[min(at, len(payload) - 1)] ^= 1 << rng.randrange(8)
        elif operation == 1:
            del payload[at:at + rng.randint(1, 8)]
        elif operation == 2:
            payload[at:at] = varint(rng.randrange(1 << 24)) + varint(wild(rng))  # a head, an argument
        elif operation == 3:
            payload[at:at] = bytes([0xFF] * rng.randint(1, 12))  # an overlong varint
        elif operation == 4 and payload:
            source = rng.randrange(len(payload))
            payload[at:at] = payload[source:source + rng.randint(1, 64)]
        else:
            payload[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
    return bytes(payload)


def reframed(rng, data):
    """A mutant of an .sctrace whose damaged chunk has valid lengths and CRCs, and the kind
    of damage: `reframed-payload`, `reframed-header` or `reframed-bomb`."""
    chunks = [chunk for chunk in chunks_of(data) if chunk[1][4] in (1, 4)]
    if not chunks:
        return "reframed-none", data
    offset, header, payload = rng.choice(chunks)
    kind = rng.choice(["payload", "payload", "payload", "header", "bomb"])
    if kind == "payload":
        try:
            decoded = zlib.decompress(payload) if header[5] == 1 else payload
        except zlib.error:
            return "reframed-none", data
        decoded = mutate_payload(rng, decoded)
        if rng.random() < 0.2:  # an item count that lies
            struct.pack_into("<I", header, 40, rng.randrange(len(decoded) + 1))
        stored = zlib.compress(decoded, rng.choice([1, 9])) if header[5] == 1 else decoded
        chunk = framed(header, stored, len(decoded))
    elif kind == "header":
        field, size = rng.choice([(4, "B"), (5, "B"), (8, "I"), (16, "Q"), (24, "Q"), (32, "Q"), (40, "I"), (48, "I")])
        value = rng.choice([0, 1, 2, 3, 4, 5, 255]) if size == "B" else wild(rng) & (2**(8 * struct.calcsize(size)) - 1)
        struct.pack_into("<" + size, header, field, value)
        chunk = framed(header, payload, struct.unpack_from("<I", header, 48)[0])
    else:
        header[5] = 1
        bomb = zlib.compress(bytes(rng.randint(1 << 16, 1 << 23)), 9)
        chunk = framed(header, bomb, rng.choice([1 << 10, 1 << 16, 2**32 - 1]))
    end = offset + 60 + len(payload)
    return "reframed-" + kind, data[:offset] + chunk + data[end:]
