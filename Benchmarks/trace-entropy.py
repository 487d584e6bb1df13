#!/usr/bin/env python3
"""How many bits a trace's events carry, whatever the encoding: empirical order-0 entropies
of each record's parts, conditioned on the record's kind (and the kind on the previous one),
from decoding every events chunk (docs/FORMAT.md §6). A lower bound for any coder that
keeps nanosecond timestamps and codes records one at a time with these contexts; it backs
the "Trace size" discussion in docs/BENCHMARKS.md.

Usage: Benchmarks/trace-entropy.py TRACE [MAX_EVENTS]"""
import sys, struct, zlib, collections, math

data = open(sys.argv[1], 'rb').read()
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 62
pos = struct.unpack_from('<I', data, 12)[0]
# Arguments per record code (FORMAT.md §6 "Records"); 24 context, 25 time.
nargs = {0:1,1:0,2:2,3:2,4:1,5:0,6:0,7:1,8:1,9:0,10:1,11:1,12:1,13:1,14:1,15:1,16:2,17:1,18:1,24:2,25:1}
# Short codes of type-4 chunks (FORMAT.md §6 "Record heads"), by short code.
SHORT = [4, 7, 8, 18, 9, 5, 2]

def split(head, ctype):
    """(code, delta) of a record head: type 1 heads are delta<<5|code, type 4 have short codes."""
    if ctype == 1: return head & 31, head >> 5
    if head & 7 != 7: return SHORT[head & 7], head >> 3
    return (head >> 3) & 31, head >> 8

def varint(b, p):
    v = 0; s = 0
    while True:
        x = b[p]; p += 1; v |= (x & 0x7f) << s; s += 7
        if x < 0x80: return v, p

delta_by_kind = collections.Counter(); kind_by_prev = collections.Counter()
args_by_kind = collections.Counter(); events = 0; raw_bytes = 0
while pos + 60 <= len(data) and events < limit:
    ctype, enc = data[pos + 4], data[pos + 5]
    stored = struct.unpack_from('<I', data, pos + 44)[0]
    payload = data[pos + 60:pos + 60 + stored]; pos += 60 + stored
    if ctype not in (1, 4): continue
    raw = zlib.decompress(payload) if enc == 1 else payload
    raw_bytes += len(raw); p = 0; prev = None
    while p < len(raw):
        head, p = varint(raw, p); code, delta = split(head, ctype)
        values = []
        for _ in range(nargs[code]):
            v, p = varint(raw, p); values.append(v)
        if code >= 24: continue
        events += 1
        # task_create_next is a task_create whose id argument is implied.
        if code == 18: code, values = 3, ['next'] + values
        delta_by_kind[(code, delta)] += 1
        kind_by_prev[(prev, code)] += 1
        args_by_kind[(code, tuple(values))] += 1
        prev = code

def entropy(counter):
    total = sum(counter.values())
    return -sum(n / total * math.log2(n / total) for n in counter.values())

def conditional(joint):
    marginal = collections.Counter()
    for key, n in joint.items(): marginal[key[0]] += n
    return entropy(joint) - entropy(marginal)

kind = conditional(kind_by_prev); delta = conditional(delta_by_kind); args = conditional(args_by_kind)
print(f"events {events:,}, {raw_bytes / events:.2f} encoded bytes/event")
print(f"H(kind | previous kind)      {kind:5.2f} bits")
print(f"H(time delta | kind)         {delta:5.2f} bits")
print(f"H(arguments | kind)          {args:5.2f} bits")
print(f"sum                          {kind + delta + args:5.2f} bits = {(kind + delta + args) / 8:.2f} bytes/event")
