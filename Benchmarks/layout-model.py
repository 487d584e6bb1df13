#!/usr/bin/env python3
"""How small a record layout could make a trace: a model over the decoded records of a
trace's type-4 event chunks (docs/FORMAT.md §6), each candidate layout's size computed
record by record. Produces the table in docs/BENCHMARKS.md ("How far below 3
bytes/event a varint encoding can go"). Usage: Benchmarks/layout-model.py TRACE

The candidates put a prefix code in the head's low bits (code lengths chosen by a local
search over this trace's own symbol counts, so the figures are a best case for it), fold
common arguments into the symbol (task_start's id as one of a few register presets, park
reasons and create labels by recency, proc_steal's victim and count), and end with the
bound where every argument rides in the head at exactly its bit length."""
import collections, math, struct, sys, zlib

SHORT = [4, 7, 8, 18, 9, 5, 2]
ARGS = {0: 1, 1: 0, 2: 2, 3: 2, 4: 1, 5: 0, 6: 0, 7: 1, 8: 1, 9: 0, 10: 1, 11: 1, 12: 1, 13: 1,
        14: 1, 15: 1, 16: 2, 17: 1, 18: 1, 24: 2, 25: 1}
NAMES = {4: 'start', 7: 'park', 8: 'unpark', 18: 'cnext', 9: 'end', 5: 'yield', 2: 'steal', 3: 'create'}


def varint(b, p):
    v = s = 0
    while True:
        x = b[p]; p += 1; v |= (x & 0x7F) << s; s += 7
        if x < 0x80: return v, p


def vlen(v):
    n = 1
    while v >= 128: v >>= 7; n += 1
    return n


def records(path):
    """Per chunk, the (code, delta, arguments) of every record."""
    data = open(path, 'rb').read()
    pos = struct.unpack_from('<I', data, 12)[0]
    while pos + 60 <= len(data):
        typ, enc = data[pos + 4], data[pos + 5]
        stored = struct.unpack_from('<I', data, pos + 44)[0]
        payload = data[pos + 60:pos + 60 + stored]
        pos += 60 + stored
        if typ != 4: continue
        raw = zlib.decompress(payload) if enc == 1 else payload
        p, chunk = 0, []
        while p < len(raw):
            head, p = varint(raw, p)
            code, delta = (SHORT[head & 7], head >> 3) if head & 7 != 7 else ((head >> 3) & 31, head >> 8)
            args = []
            for _ in range(ARGS[code]):
                v, p = varint(raw, p); args.append(v)
            chunk.append((code, delta, tuple(args)))
        yield chunk


def symbolize(chunks, presets=(), recency=0, steal=False, create_label=False):
    """(symbol or None for a long-form record, delta, bytes of arguments left outside)."""
    out = []
    for chunk in chunks:
        reasons, labels = [], []
        for code, d, a in chunk:
            if code == 4:
                key = (a[0] & 3, a[0] >> 2)
                out.append((('start', presets.index(key)), d, 0) if key in presets else (('start', 'x'), d, vlen(a[0])))
            elif code in (7, 18, 3) and recency:
                value = a[0] if code != 3 else a[1]
                seen = reasons if code == 7 else labels
                hit = value in seen[:recency]
                if code == 3:
                    args = vlen(a[0]) + (0 if hit and create_label else vlen(a[1]))
                    out.append((('create', seen.index(value) if hit and create_label else 'x'), d, args))
                else:
                    name = 'park' if code == 7 else 'cnext'
                    out.append(((name, seen.index(value)), d, 0) if hit else ((name, 'x'), d, vlen(value)))
                if value in seen: seen.remove(value)
                seen.insert(0, value)
            elif code == 2 and steal and a[0] < 8 and a[1] < 8:
                out.append((('steal', 'inline'), d << 6, 0))
            elif code in NAMES:
                out.append(((NAMES[code],), d, sum(vlen(x) for x in a)))
            else:
                out.append((None, (code, d), sum(vlen(x) for x in a)))
    return out


def best_prefix_code(recs, events, max_length=8):
    """Bytes per event with code lengths found by a local search (Kraft sum ≤ 1)."""
    agg = collections.Counter()
    for s, d, x in recs:
        agg[(s, d if s is None else d.bit_length(), x)] += 1
    counts = collections.Counter()
    for (s, _, _), n in agg.items():
        if s is not None: counts[s] += n

    def cost(lengths, escape):
        total = 0
        for (s, b, x), n in agg.items():
            if s is None:
                code, d = b; total += n * (vlen((((d << 5) | code) << escape)) + x)
            else:
                total += n * ((vlen(((1 << b) >> 1) << lengths[s]) if b > 0 else 1) + x)
        return total / events

    names = sorted(counts, key=lambda s: -counts[s])
    total = sum(counts.values())
    lengths = {s: max(2, min(max_length - 1, math.ceil(-math.log2(counts[s] / total)))) for s in names}
    escape = max_length
    kraft = lambda L, e: sum(2.0 ** -l for l in L.values()) + 2.0 ** -e
    while kraft(lengths, escape) > 1:
        lengths[min(names, key=lambda s: counts[s] / 2 ** lengths[s])] += 1
    best = cost(lengths, escape)
    keys = names + ['ESC']
    improved = True
    while improved:
        improved = False
        for a in keys:
            for b in keys + [None]:
                for da, db in ((-1, 1), (1, 0), (-1, 0), (1, -1)):
                    if b is None and db: continue
                    L, e = dict(lengths), escape
                    for k, dl in ((a, da), (b, db)):
                        if k is None or not dl: continue
                        if k == 'ESC': e += dl
                        else: L[k] += dl
                    if min(list(L.values()) + [e]) < 1 or max(list(L.values()) + [e]) > max_length or kraft(L, e) > 1 + 1e-12:
                        continue
                    c = cost(L, e)
                    if c < best - 1e-7: best, lengths, escape, improved = c, L, e, True
    return best


def main():
    chunks = list(records(sys.argv[1]))
    events = sum(1 for c in chunks for code, _, _ in c if code <= 18)
    raw = sum(vlen(((d << 3) | SHORT.index(code)) if code in SHORT else ((((d << 5) | code) << 3) | 7))
              + sum(vlen(x) for x in a) for c in chunks for code, d, a in c)
    print(f"events {events:,}")
    print(f"format 1.2 as written                          {raw / events:.3f} bytes/event")
    presets = [(2, 0), (1, 2), (0, 0), (0, 1), (1, 0)]
    for name, kw in [
        ("prefix code per record kind", {}),
        ("+ task_start presets (3)", dict(presets=presets[:3])),
        ("+ 5 presets, park reasons and labels by recency", dict(presets=presets, recency=5)),
        ("+ proc_steal victim and count inline", dict(presets=presets, recency=5, steal=True)),
        ("+ task_create label by recency", dict(presets=presets, recency=5, steal=True, create_label=True)),
    ]:
        print(f"{name:46s} {best_prefix_code(symbolize(chunks, **kw), events):.3f}")
    bound = sum(max(1, math.ceil((3 + d.bit_length() + sum(x.bit_length() for x in a)) / 7))
                for c in chunks for code, d, a in c)
    print(f"{'bound: every argument in the head, exact bits':46s} {bound / events:.3f}")


main()
