#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Decode the traces of the last repetition of `make bench` on the host.

    decode.py OUTDIR GOTRACE [--smoke]

OUTDIR/traces holds WORKLOAD.TRACER.* from the guest.  Each trace is read
by its tracer's own decoder with the output piped to `grep -c` of the event
lines (counting them in Python would be slower than the fastest decoder);
the median wall time of several runs gives events/s.
Writes OUTDIR/decode.csv:
  workload,tracer,decoder,events,secs,cpu_secs,runs,lost
(lost: perf's LOST counters from `perf report --stats`, else empty).
"""
import os
import re
import resource
import statistics
import subprocess
import sys
import time

out, gotrace = sys.argv[1], sys.argv[2]
smoke = '--smoke' in sys.argv
runs = 1 if smoke else 3
tdir = os.path.join(out, 'traces')
EV_RE = 'sched_|mm_page_'


def has_stats():
    r = subprocess.run([gotrace, 'help'], capture_output=True)
    return re.search(rb'^\s+stats\s', r.stdout + r.stderr, re.M) is not None


def decoders(wl, tracer, path):
    if tracer == 'gotrace':
        yield 'gotrace dump', [gotrace, 'dump', path], True
        if has_stats():
            yield 'gotrace stats', [gotrace, 'stats', path], False
    elif tracer == 'ftrace':
        yield 'trace-cmd report', ['trace-cmd', 'report', '-i', path], True
    elif tracer == 'perf':
        yield 'perf script', ['perf', 'script', '-i', path], True
    elif tracer == 'lttng':
        yield 'babeltrace2', ['babeltrace2', path], True


def run(cmd, count):
    """Exit status, event lines, wall and CPU seconds (grep's included)."""
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    g = subprocess.Popen(['grep', '-c', '-E', EV_RE] if count else ['cat'],
                         stdin=p.stdout, stdout=subprocess.PIPE)
    p.stdout.close()
    res = g.communicate()[0]
    rc = p.wait()
    t1 = time.monotonic()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    n = int(res.split()[0]) if count and res.split() else 0
    return rc, n, t1 - t0, cpu


def perf_lost(path):
    r = subprocess.run(['perf', 'report', '--stats', '-i', path],
                       capture_output=True, text=True)
    lost = 0
    for m in re.finditer(r'LOST(?:_SAMPLES)? events:\s+(\d+)', r.stdout):
        lost += int(m.group(1))
    return lost


rows = []
names = sorted(os.listdir(tdir)) if os.path.isdir(tdir) else []
for name in names:
    m = re.match(r'^(\w+)\.(?:(gotrace|ftrace|perf)\.(?:trace|dat|data)|(lttng))$', name)
    if not m:
        continue
    wl, tracer = m.group(1), m.group(2) or m.group(3)
    path = os.path.join(tdir, name)
    for dec, cmd, count in decoders(wl, tracer, path):
        times, cpus, n, ok = [], [], 0, True
        for i in range(runs):
            rc, n_i, secs, cpu = run(cmd, count)
            if rc != 0:
                print(f'decode: {" ".join(cmd)}: exit {rc}', file=sys.stderr)
                ok = False
            times.append(secs)
            cpus.append(cpu)
            n = max(n, n_i)
        lost = perf_lost(path) if tracer == 'perf' else ''
        rows.append((wl, tracer, dec, n if count else '', statistics.median(times),
                     statistics.median(cpus), runs, lost))
        print(f'{wl} {tracer} {dec}: {n} events, {statistics.median(times):.3f} s'
              f'{"" if ok else " (errors)"}')

with open(os.path.join(out, 'decode.csv'), 'w') as f:
    f.write('workload,tracer,decoder,events,secs,cpu_secs,runs,lost\n')
    for r in rows:
        f.write('%s,%s,%s,%s,%.4f,%.4f,%d,%s\n' % r)
if not rows:
    print('decode: no traces', file=sys.stderr)
    sys.exit(1)
