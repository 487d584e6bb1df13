#!/usr/bin/env python3
"""Where a trace's encoded bytes go: bytes per record kind, head (code + time delta) vs
arguments, from decoding every event chunk (docs/FORMAT.md). Produces the table in
docs/BENCHMARKS.md ("Trace size"). Usage: Benchmarks/encoding-breakdown.py TRACE"""
import sys, struct, zlib, collections
data = open(sys.argv[1],'rb').read()
hl = struct.unpack_from('<I', data, 12)[0]
pos = hl
stats = collections.defaultdict(lambda: [0,0,0,0])  # count, headbytes, argbytes
# Short codes of type-4 chunks (docs/FORMAT.md §6, "Record heads"), by short code.
SHORT = [4, 7, 8, 18, 9, 5, 2]
def split(head, ctype):
    """(code, delta) of a record head: type 1 heads are delta<<5|code, type 4 heads have short codes."""
    if ctype == 1: return head & 31, head >> 5
    if head & 7 != 7: return SHORT[head & 7], head >> 3
    return (head >> 3) & 31, head >> 8
names = {0:'proc_start',1:'proc_stop',2:'proc_steal',3:'task_create',4:'task_start',5:'task_yield',6:'task_preempt',7:'task_park',8:'task_unpark',9:'task_end',10:'gc_begin',11:'gc_end',12:'gc_pause_begin',13:'gc_pause_end',14:'region_begin',15:'region_end',16:'log',17:'lost',18:'task_create_next',24:'context',25:'time'}
nargs = {0:1,1:0,2:2,3:2,4:1,5:0,6:0,7:1,8:1,9:0,10:1,11:1,12:1,13:1,14:1,15:1,16:2,17:1,18:1,24:2,25:1}
sel = collections.Counter()
def varint(b, p):
    v=0; s=0
    while True:
        x=b[p]; p+=1; v|=(x&0x7f)<<s; s+=7
        if x<0x80: return v,p
total=0
while pos + 60 <= len(data):
    h = data[pos:pos+60]
    typ, enc = h[4], h[5]
    stored = struct.unpack_from('<I', h, 44)[0]
    payload = data[pos+60:pos+60+stored]
    pos += 60+stored
    if typ not in (1, 4): continue
    raw = zlib.decompress(payload) if enc==1 else payload
    total += len(raw)
    p=0
    while p < len(raw):
        s0=p
        head,p = varint(raw,p)
        code, _ = split(head, typ)
        hb = p-s0
        a0=p
        for i in range(nargs[code]):
            v,p2 = varint(raw,p)
            if code in (3,4,8) and i==0: sel[(names[code], v&3, p2-p)] += 1
            p=p2
        st=stats[names[code]]; st[0]+=1; st[1]+=hb; st[2]+=p-a0
events = sum(v[0] for k,v in stats.items() if k not in ('context','time'))
print(f"events {events} raw {total} bytes/event {total/events:.2f}")
for k,v in sorted(stats.items(), key=lambda kv:-(kv[1][1]+kv[1][2])):
    print(f"{k:15} n={v[0]:8} head={v[1]/v[0]:.2f} args={v[2]/v[0]:.2f} share={(v[1]+v[2])/total*100:.1f}%  per-event={(v[1]+v[2])/events:.3f}")
for k,v in sorted(sel.items(), key=lambda kv:-kv[1])[:15]: print(k,v)
