#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw results of `make bench` into BENCHMARKS.md (stdout).

    report.py OUTDIR [--smoke] [--results DIR] --kernel K --commit C
              --load L --elapsed S --vm-secs S --host-cpus N

OUTDIR: runs.csv, gtbench.txt and rbb.txt (ring_buffer_benchmark) from the
guest, decode.csv from the host.  --results DIR also writes DIR/runs.csv,
DIR/decode.csv, DIR/gtbench.txt, DIR/rbb.txt and DIR/summary.json (the
numbers of the tables).  bench/notes.md, when present,
is appended (the analysis written by hand for the committed run).
With --smoke: checks that every run has its numbers, ring_buffer_benchmark's
included; exit 1 if not.
"""
import argparse
import csv
import datetime
import json
import os
import re
import shutil
import statistics
import sys

ap = argparse.ArgumentParser()
ap.add_argument('out')
ap.add_argument('--smoke', action='store_true')
ap.add_argument('--results')
ap.add_argument('--icount-out', help="the -icount VM's output (icount.txt, runs.csv)")
for k in ('kernel', 'commit', 'load', 'elapsed', 'vm-secs', 'host-cpus', 'lock-wait'):
    ap.add_argument('--' + k, default='?')
# a report generated again from a run's output keeps the run's date
ap.add_argument('--date', help="the run's date (default: now), as 'YYYY-MM-DD HH:MM UTC'")
a = ap.parse_args()
here = os.path.dirname(os.path.abspath(__file__))


def num(x):
    try:
        return float(x)
    except (TypeError, ValueError):
        return None


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec='.2f', none='–'):
    return none if x is None else format(x, spec)


# No runs.csv: an -icount-only run (scripts/bench.sh with BENCH_WALL=0).
rp = os.path.join(a.out, 'runs.csv')
runs = list(csv.DictReader(open(rp))) if os.path.exists(rp) else []
sp = os.path.join(a.out, 'snaps.csv')
snaps = list(csv.DictReader(open(sp))) if os.path.exists(sp) else []
dec_path = os.path.join(a.out, 'decode.csv')
decode = list(csv.DictReader(open(dec_path))) if os.path.exists(dec_path) else []
cfg = {}
for line in open(os.path.join(a.out, 'config')):
    k, _, v = line.strip().partition('=')
    cfg[k] = v.strip('"')
# Older results have no FLIGHT_SIZE: their runs used 4M.
flight_size = cfg.get('FLIGHT_SIZE') or '4M'
sz = os.path.join(a.out, 'sizes.txt')
if os.path.exists(sz):
    for kv in open(sz).read().split():
        k, _, v = kv.partition('=')
        cfg[k] = v
reps = int(cfg.get('REPS', 1))
lttng_na = None
p = os.path.join(a.out, 'lttng-unavailable')
if os.path.exists(p):
    lttng_na = open(p).read().strip()

# Events of the decoded (last-repetition) traces, for tracers without a
# counter of their own (LTTng).
decoded = {}
for d in decode:
    if d['events']:
        decoded[(d['workload'], d['tracer'])] = int(d['events'])
perf_lost = {d['workload']: d['lost'] for d in decode if d['tracer'] == 'perf' and d['lost']}

# bench/icount-plugin.c's phases: label -> {insns, user, kernel, ranges},
# from the VM under -icount (its own runs.csv gives each run's events).
# A label seen twice (a run repeated) keeps its last phase.
icount = {}
ic_out = a.icount_out or a.out
icp = os.path.join(ic_out, 'icount.txt')
ic_runs = []
ic_reps = 0
if os.path.exists(icp):
    seqlab = {}
    for line in open(icp):
        f = line.split()
        if len(f) >= 3 and f[0] == 'phase':
            kv = dict(x.split('=', 1) for x in f[3:])
            ph = {k: int(v) for k, v in kv.items()}
            ph['ranges'] = {}
            icount[f[2]] = ph
            seqlab[f[1]] = f[2]
        elif len(f) >= 3 and f[0] == 'range' and f[1] in seqlab:
            kv = dict(x.split('=', 1) for x in f[3:])
            icount[seqlab[f[1]]]['ranges'][f[2]] = (int(kv['insns']), int(kv['calls']))
    p = os.path.join(ic_out, 'runs.csv')
    if os.path.exists(p):
        ic_runs = list(csv.DictReader(open(p)))
    ic_reps = max([int(r['rep']) for r in ic_runs] or [0])
# the -icount VM's amounts over the first VM's (scripts/bench.sh)
ic_scale = 1
p = os.path.join(ic_out, 'config')
if os.path.exists(p):
    for line in open(p):
        if line.startswith('ICOUNT_SCALE='):
            ic_scale = int(line.split('=', 1)[1].strip() or 1)

by = {}
for r in runs:
    by.setdefault((r['table'], r['workload'], r['rep']), {})[r['tracer']] = r


def new_res(res, wl, tr):
    return res.setdefault((wl, tr), {k: [] for k in
                          ('ops', 'ratio', 'events', 'lost', 'bpe', 'rawbpe', 'cpu', 'cpu_per_mev', 'ns_per_ev', 'secs',
                           'insns', 'add_insns', 'ins_per_ev', 'kins_per_ev', 'uins_per_ev', 'ic_events',
                           'setup_insns', 'stop_insns', 'snap_insns',
                           'win_ns_per_mev', 'life_ns_per_mev', 'ic_win_ns_per_mev', 'ic_life_ns_per_mev',
                           'ic_slowdown', 'own_per_ev')})


def window_calls(ic):
    """gotrace's probe calls in a phase: its events there (None: no map)."""
    return sum(c for n, (_, c) in (ic or {}).get('ranges', {}).items()
               if n.startswith('gotrace:gt_probe_')) or None


def summarize(table):
    res = {}
    for (t, wl, rep), trs in by.items():
        if t != table:
            continue
        base = trs.get('none')
        for tr, r in trs.items():
            # A run whose tracer has its own event counter and reported
            # nothing did not trace (e.g. perf not ready in time): left out.
            if not tr.startswith(('none', 'lttng')) and not num(r['events']):
                continue
            s = new_res(res, wl, tr)
            ops, secs = num(r['ops_per_s']), num(r['secs'])
            s['ops'].append(ops)
            s['secs'].append(secs)
            if base and ops and num(base['ops_per_s']):
                s['ratio'].append(ops / num(base['ops_per_s']))
            ev = num(r['events'])
            if tr == 'ftrace-stacks' and ev:
                ev /= 2  # the ring buffer holds a kernel_stack entry after each event
            tname = tr.replace('-stacks', '')
            if (not ev) and int(rep) == reps and table == 'main':
                ev = decoded.get((wl, tname))
            if tr == 'none':
                continue
            s['events'].append(ev)
            lost = r['lost']
            if tr == 'perf' and int(rep) == reps and wl in perf_lost:
                lost = perf_lost[wl] + ' (perf report --stats)'
            s['lost'].append(lost)
            b = num(r['bytes'])
            if b and ev:
                s['bpe'].append(b / ev)
                rb = num(r.get('uncompressed_bytes'))
                if rb and rb != b:
                    s['rawbpe'].append(rb / ev)
            c = num(r['persist_cpu_s'])
            s['cpu'].append(c)
            if c is not None and ev:
                s['cpu_per_mev'].append(c / ev * 1e6)
            if base and ev and secs and num(base['secs']):
                s['ns_per_ev'].append((secs - num(base['secs'])) / ev * 1e9)
            # guest.sh's per-task CPU (ns) over the window's events (LTTng
            # counts none in the guest: gotrace record's, as for instructions)
            wev = num(r.get('window_events')) or med(
                [num(x['window_events']) for (t2, w2, _), t in by.items()
                 if t2 == table and w2 == wl
                 for n, x in t.items() if n == 'gotrace' and num(x.get('window_events'))])
            for col, key in (('persist_window_ns', 'win_ns_per_mev'), ('tracer_cpu_ns', 'life_ns_per_mev')):
                x = num(r.get(col))
                if x is not None and wev:
                    s[key].append(x / wev * 1e6)
    # The instruction counts, from the -icount VM's runs: the events of the
    # same run (LTTng counts none in the guest: gotrace's median for that
    # workload there, the same tracepoints and amounts).
    ic_by = {}
    for r in ic_runs:
        if r['table'] == table:
            ic_by.setdefault((r['workload'], r['rep']), {})[r['tracer']] = r
    for (wl, rep), trs in ic_by.items():
        icb = icount.get(f'{table}/{rep}/{wl}/none')
        for tr, r in trs.items():
            ic = icount.get(f'{table}/{rep}/{wl}/{tr}')
            # as above: a tracer that counted no events did not trace
            if not ic or (not tr.startswith(('none', 'lttng')) and not num(r['events'])):
                continue
            s = new_res(res, wl, tr)
            s['insns'].append(ic['insns'])
            # the tracer's start, its stop, its snapshot (guest.sh's phases)
            for ph in ('setup', 'stop', 'snap'):
                x = icount.get(f'{ph}/{table}/{rep}/{wl}/{tr}')
                if x:
                    s[ph + '_insns'].append(x['insns'])
            if tr == 'none' or not icb:
                continue
            # The workload's time on the -icount guest's clock (one ns per
            # instruction, idle skipped), with the tracer over without.
            b = num(trs.get('none', {}).get('secs'))
            if b and num(r['secs']):
                s['ic_slowdown'].append(num(r['secs']) / b - 1)
            # The events written inside the window when the tracer's
            # counters gave them (guest.sh reads them before and after the
            # workload), else all the trace's events.
            # The events of the window: for gotrace, exactly, the calls of
            # its probes between the markers (one event each; the wakeup
            # probes are counted at their entry, not again in gt_wakeup).
            # The other tracers trace the same tracepoints in the same
            # window: they take gotrace record's median for the workload.
            # (Their own counters, read before and after `wl`, also count
            # wl's exec and exit, outside the markers: ~7% more on mix.)
            ev = window_calls(ic) if tr.startswith('gotrace') else None
            if not ev:
                ev = med([window_calls(icount.get(f'{table}/{x["rep"]}/{wl}/gotrace'))
                          for (w, _), t in ic_by.items() if w == wl
                          for n, x in t.items() if n == 'gotrace']) or num(r['events'])
            s['ic_events'].append(ev)
            # gotrace.ko's own instructions per probe call: what the module
            # does per event, apart from how the workload's kernel paths vary
            calls = window_calls(ic)
            if tr.startswith('gotrace') and calls:
                s['own_per_ev'].append(sum(i for n, (i, _) in ic['ranges'].items()
                                           if n.startswith('gotrace:')) / calls)
            for col, key in (('persist_window_ns', 'ic_win_ns_per_mev'), ('tracer_cpu_ns', 'ic_life_ns_per_mev')):
                x = num(r.get(col))
                if x is not None and ev:
                    s[key].append(x / ev * 1e6)
            s['add_insns'].append(ic['insns'] - icb['insns'])
            if ev:
                s['ins_per_ev'].append((ic['insns'] - icb['insns']) / ev)
                s['kins_per_ev'].append((ic['kernel'] - icb['kernel']) / ev)
                s['uins_per_ev'].append((ic['user'] - icb['user']) / ev)
    return res


def spread_of(xs):
    """(max - min) / |median| of the values, None with fewer than two."""
    xs = [x for x in xs if x is not None]
    if len(xs) < 2 or not statistics.median(xs):
        return None
    return (max(xs) - min(xs)) / abs(statistics.median(xs))


def icount_table(summ, out):
    """The instruction counts of the runs of summ (a table() result)."""
    out.append('| workload | tracer | guest instructions (M, median) | spread | '
               'added instructions/event | spread | of which kernel | of which user | '
               'vs trace-cmd |')
    out.append('|---|---|---:|---:|---:|---:|---:|---:|---:|')
    for key, row in summ.items():
        wl, tr = key.split('/')
        if row['insns'] is None:
            continue
        ftr = summ.get(f'{wl}/ftrace' if not tr.endswith('-stacks') else f'{wl}/ftrace-stacks')
        rel = None
        if ftr and ftr['added_insns_per_event'] and row['added_insns_per_event'] is not None:
            rel = row['added_insns_per_event'] / ftr['added_insns_per_event']
        pct = lambda x: fmt(None if x is None else 100 * x, '.1f') + ('%' if x is not None else '')
        if tr == 'none':
            out.append('| %s | none | %s | %s | | | | | |' % (
                wl, fmt(row['insns'] / 1e6, '.1f'), pct(row['insns_spread'])))
            continue
        out.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
            wl, TR_NAME.get(tr, tr), fmt(row['insns'] / 1e6, '.1f'), pct(row['insns_spread']),
            fmt(row['added_insns_per_event'], '.0f'), pct(row['added_insns_per_event_spread']),
            fmt(row['added_kernel_insns_per_event'], '.0f'),
            fmt(row['added_user_insns_per_event'], '.0f'),
            fmt(rel, '.2f') + ('×' if rel is not None else '')))


def phase_table(summ, out):
    """Instructions of each tracer's start and stop (guest.sh's phases)."""
    rows = [(k, r) for k, r in summ.items() if r.get('setup_insns') is not None and
            not k.endswith('/none')]
    if not rows:
        return
    out.append('')
    out.append('Outside the workload\'s window, the same runs\' other phases (`bench/guest.sh` '
               'marks them with `icmark --start`/`--stop`; medians, M instructions, the whole '
               'guest: the script\'s own commands and polling included): *start* from launching '
               'the tracer until it records (for `gotrace record`, `trace-cmd record`, `perf '
               'record`: until their tracing state shows, polled), *stop* from the end of the '
               'workload (after a snapshot, if any) until the tracer has finished (for `gotrace '
               'record` its final reads and the packing after the trace; for LTTng `lttng stop` '
               'and `lttng destroy`, the consumer daemon\'s flush included), *snapshot* the '
               'snapshot command of a flight recorder. The window\'s column repeats the added '
               'instructions of the table above, in M.')
    out.append('')
    out.append('| workload | tracer | start (M) | added in the window (M) | stop (M) | snapshot (M) |')
    out.append('|---|---|---:|---:|---:|---:|')
    for k, r in rows:
        wl, tr = k.split('/')
        win = r['added_insns']
        m = lambda x: fmt(None if x is None else x / 1e6, '.2f')
        out.append('| %s | %s | %s | %s | %s | %s |' % (wl, TR_NAME.get(tr, tr), m(r['setup_insns']),
                   m(win), m(r['stop_insns']), m(r['snap_insns'])))


PERSIST_NAME = {'gotrace': '`gotrace record`', 'gotrace-raw': '`gotrace record --no-pack`',
                'gotrace-read': '`gotrace record --no-pack --no-splice`',
                'ftrace': '`trace-cmd record` and its recorders', 'perf': '`perf record`',
                'lttng': 'lttng-consumerd', 'lttng-snap': 'lttng-consumerd (snapshot session)'}
LIFE_NAME = {'lttng': 'lttng-sessiond, lttng-consumerd and the `lttng` commands',
             'lttng-snap': 'lttng-sessiond, lttng-consumerd and the `lttng` commands'}


def persist_table(summ, out):
    """The tracers' own CPU time, per task, from the -icount VM."""
    rows = [(k, r) for k, r in summ.items()
            if r.get('icount_persist_window_M_per_1M_events') is not None or
            r.get('icount_tracer_cpu_M_per_1M_events') is not None]
    if not rows:
        return
    out.append('')
    out.append('The tracers\' own CPU time in the same runs, per task (`bench/guest.sh` reads '
               '`/proc/PID/task/*/schedstat`, the scheduler\'s exact run time, where utime and '
               'stime are sampled by 4 ms ticks; under `-icount shift=0` a guest ns is one '
               'instruction, so these are the instructions the tracer\'s own tasks ran, kernel '
               'work on their behalf included): *persisting, window* is the CPU of the tasks that '
               'move events to the file while the workload runs; *tracer, whole* is all the CPU '
               'of the tracer\'s processes from its start to the end of its stop (for `gotrace '
               'record`, the process with START, its reads, STOP and packing; for LTTng, '
               'sessiond, consumerd and the `lttng` commands: sessiond does the START and STOP '
               'work there); both in M per 1M events of the window (medians).')
    out.append('')
    out.append('| workload | persisting task(s) | persisting, window (M/1M events) | spread | '
               'tracer, whole (M/1M events) | whole: which processes |')
    out.append('|---|---|---:|---:|---:|---|')
    for k, r in rows:
        wl, tr = k.split('/')
        pct = r['icount_persist_window_spread']
        out.append('| %s | %s | %s | %s | %s | %s |' % (
            wl, PERSIST_NAME.get(tr, tr), fmt(r['icount_persist_window_M_per_1M_events'], '.1f'),
            '–' if pct is None else '%.1f%%' % (100 * pct),
            fmt(r['icount_tracer_cpu_M_per_1M_events'], '.1f'),
            LIFE_NAME.get(tr, 'the same')))


def lost_str(ls):
    vals = [l for l in ls if l not in (None, '')]
    if not vals:
        return '–'
    nums = [num(str(v).split()[0]) for v in vals]
    if all(n == 0 for n in nums if n is not None) and all(n is not None for n in nums):
        return '0'
    return ' / '.join(str(v) for v in vals)


TR_ORDER = ['none', 'gotrace', 'gotrace-raw', 'gotrace-read', 'gotrace-flight', 'ftrace',
            'ftrace-snap', 'perf', 'lttng', 'lttng-snap', 'gotrace-stacks', 'ftrace-stacks']
TR_NAME = {'none': 'none', 'gotrace': 'gotrace record', 'ftrace': 'trace-cmd record',
           'gotrace-raw': 'gotrace record --no-pack (splice)',
           'gotrace-read': 'gotrace record --no-pack --no-splice (read)',
           'gotrace-flight': 'gotrace start --flight %s (no reader)' % flight_size,
           'ftrace-snap': 'ftrace overwrite + snapshot buffer (trace-cmd start, no reader)',
           'lttng-snap': 'LTTng snapshot session (lttng create --snapshot)',
           'perf': 'perf record', 'lttng': 'LTTng (kernel session)',
           'gotrace-stacks': 'gotrace record --stacks', 'ftrace-stacks': 'trace-cmd record -T'}


def table(res, out):
    wls = [w for w in cfg.get('WORKLOADS', '').split() if any(k[0] == w for k in res)]
    wls += sorted({k[0] for k in res} - set(wls))
    if not runs:
        out.append('No wall-time VM in this run (`BENCH_WALL=0`): instruction counts only.')
    else:
        out.append('| workload | tracer | ops/s (median) | throughput vs none | events recorded | '
                   'events lost | bytes/event | persisting CPU s | CPU s per 1M events | '
                   'added wall ns/event |')
        out.append('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|')
    summ = {}
    for wl in wls:
        for tr in TR_ORDER:
            s = res.get((wl, tr))
            if not s:
                continue
            row = {
                'ops_per_s': med(s['ops']), 'ratio': med(s['ratio']),
                'events': med(s['events']), 'lost': lost_str(s['lost']),
                'bytes_per_event': med(s['bpe']), 'uncompressed_bytes_per_event': med(s['rawbpe']),
                'persist_cpu_s': med(s['cpu']),
                'cpu_s_per_1M_events': med(s['cpu_per_mev']),
                'ns_per_event': med(s['ns_per_ev']), 'runs': len(s['ops']),
                'insns': med(s['insns']), 'insns_spread': spread_of(s['insns']),
                'added_insns_per_event': med(s['ins_per_ev']),
                'added_insns_per_event_spread': spread_of(s['ins_per_ev']),
                'added_insns_per_event_all': s['ins_per_ev'],
                'added_kernel_insns_per_event': med(s['kins_per_ev']),
                'added_user_insns_per_event': med(s['uins_per_ev']),
                'icount_events': med(s['ic_events']), 'added_insns': med(s['add_insns']),
                'setup_insns': med(s['setup_insns']), 'stop_insns': med(s['stop_insns']),
                'snap_insns': med(s['snap_insns']),
                'persist_window_ms_per_1M_events': med(s['win_ns_per_mev']) and med(s['win_ns_per_mev']) / 1e6,
                'tracer_cpu_ms_per_1M_events': med(s['life_ns_per_mev']) and med(s['life_ns_per_mev']) / 1e6,
                'icount_persist_window_M_per_1M_events': med(s['ic_win_ns_per_mev']) and med(s['ic_win_ns_per_mev']) / 1e6,
                'icount_persist_window_spread': spread_of(s['ic_win_ns_per_mev']),
                'icount_tracer_cpu_M_per_1M_events': med(s['ic_life_ns_per_mev']) and med(s['ic_life_ns_per_mev']) / 1e6,
                'icount_slowdown': med(s['ic_slowdown']),
                'module_insns_per_event': med(s['own_per_ev']),
                'module_insns_per_event_spread': spread_of(s['own_per_ev']),
            }
            summ[f'{wl}/{tr}'] = row
            if not s['ops']:	# no wall-time run of it (only -icount)
                continue
            if tr == 'none':
                out.append(f'| {wl} | none | {fmt(row["ops_per_s"], ".0f")} | 1.000 | | | | | | |')
                continue
            out.append('| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |'.format(
                wl, TR_NAME.get(tr, tr), fmt(row['ops_per_s'], '.0f'), fmt(row['ratio'], '.3f'),
                fmt(row['events'], '.0f'), row['lost'], fmt(row['bytes_per_event'], '.2f') +
                ('' if row['uncompressed_bytes_per_event'] is None else
                 ' (%.1f uncompressed)' % row['uncompressed_bytes_per_event']),
                fmt(row['persist_cpu_s'], '.2f'), fmt(row['cpu_s_per_1M_events'], '.2f'),
                fmt(row['ns_per_event'], '.0f')))
    return summ


now = a.date or datetime.datetime.utcnow().strftime('%Y-%m-%d %H:%M UTC')
o = []
o.append('# gotrace benchmarks' + (' (smoke run)' if a.smoke else ''))
o.append('')
o.append('Generated by `make bench` (`scripts/bench.sh`) on %s from %s.' % (now, a.commit))
o.append('')
gi = os.path.join(a.out, 'guest-info.txt')
o.append('- VM: QEMU TCG (no KVM), `-smp 2 -m 4G`, Debian kernel %s, `mitigations=off '
         'transparent_hugepage=never`; the host\'s root filesystem shared read-only over '
         'virtio-9p under a tmpfs overlay; every trace is written to tmpfs in the guest; '
         'no address-space randomization in the guest (`kernel.randomize_va_space=0`)%s, so that '
         'every repetition takes the same paths.'
         % (a.kernel, '' if cfg.get('SETTLE') == '0' else ' and free memory compacted before each run'))
if os.path.exists(gi):
    o.append('- Guest: ' + '; '.join(l.strip() for l in open(gi) if l.strip()))
o.append('- Host: %s CPUs, load average before the VM: %s; the machine is shared with '
         'other engineers\' builds and VMs (VMs themselves are serialised by a lock).'
         % (a.host_cpus, a.load))
o.append('- %d repetitions, tracers interleaved (the order rotates each repetition); '
         'medians; throughput ratios are taken within a repetition. '
         'Workloads (`bench/wl.c`): pipe = %s round trips, page = %s × (mmap 1 MiB, '
         'MADV_NOHUGEPAGE, touch, munmap), mix = %s round trips with 16 pages mapped, '
         'touched and unmapped at each%s.' % (reps, cfg.get('N_PIPE'), cfg.get('N_PAGE'),
                                             cfg.get('N_MIX'),
                                             ' (amounts sized in the guest to take about %s s '
                                             'untraced, then fixed for all runs)' % cfg['TARGET_SECS']
                                             if cfg.get('TARGET_SECS') else ''))
o.append('- `make bench` took %s s, of which the VM ran %s s (not counting %s s spent '
         'waiting for other engineers\' VMs to release the machine-wide VM lock).'
         % (a.elapsed, a.vm_secs, a.lock_wait))
o.append('')
o.append('All tracers record the same 12 tracepoints: sched_switch, sched_wakeup, '
         'sched_wakeup_new, sched_process_fork/exit/exec, sched_migrate_task, mm_page_alloc, '
         'mm_page_free, mm_page_free_batched, mm_page_pcpu_drain, mm_page_alloc_extfrag '
         '(`gotrace record -e sched,page`; `trace-cmd record -e sched:… -e kmem:…`; '
         '`perf record -a -e sched:…,kmem:…`; an LTTng kernel session with the same events, '
         'kmem_* names in LTTng), with default buffer sizes.')
o.append('')
o.append('## Overhead, events, size')
o.append('')
main = summarize('main')
summary = {'main': table(main, o)}
if lttng_na:
    o.append('')
    o.append('LTTng was not measured: %s.' % lttng_na)
o.append('')
o.append('Columns: *throughput vs none* is the workload\'s own ops/s with the tracer over '
         'ops/s without (1.000 = no overhead); *events recorded* and *lost* come from each '
         'tracer\'s own counters (gotrace record\'s summary, the `read events`/`overrun` '
         'per-CPU stats trace-cmd prints, perf\'s sample count and LOST records, '
         'LTTng\'s discarded events; LTTng\'s events are counted by babeltrace2 in the last '
         'repetition); *bytes/event* is the trace on disk over the events; *persisting CPU* '
         'is the user+system time of the process(es) that move the data to the file '
         '(`gotrace record`, `trace-cmd record` and its per-CPU children, `perf record`, '
         'lttng-consumerd); *added wall ns/event* is (workload time with the tracer − '
         'without) / events — the write path cost as the workload sees it, under TCG.')
if icount and ic_runs:
    o.append('')
    o.append('## Instructions')
    o.append('')
    o.append('Guest instructions, counted by `bench/icount-plugin.c` (a QEMU TCG plugin: an '
             'inline counter on every translated block) between two marker instructions the '
             'workload executes around its measured part (`bench/icount.h`): every instruction '
             'the guest ran in that window, user and kernel, the tracer\'s own persisting '
             'process included. These runs are the same runs again (%s, %d '
             'repetitions) in a second VM started with `-icount shift=0,sleep=off -rtc clock=vm '
             '-smp 1`: the guest\'s clock advances by 1 ns per instruction, not with the host\'s '
             'clock, so that timer ticks and everything timed (RCU, the tracers\' flush timers) '
             'happen at the same points of the guest\'s work whatever the host\'s load; idle '
             'time is skipped. One vCPU because 6.1\'s SMP bring-up hangs under QEMU 7.2\'s '
             '`-icount` (the second CPU is never scheduled again after it checks in); the tracer\'s '
             'persisting process shares that CPU with the workload, as it shares the one host '
             'thread of the wall-time VM. *added instructions/event* is (instructions with the '
             'tracer − without, same repetition) / the events of the window: gotrace\'s probe calls '
             'between the markers (exact; the other tracers, which trace the same 13 tracepoints '
             'in the same window, take gotrace record\'s median for the workload); *spread* is (max − min) / median across repetitions; '
             '*kernel*/*user* split the added instructions by the address they ran at.' % (
                 'same amounts' if ic_scale == 1 else
                 '%d times the amounts, so that a tracer\'s periodic work, which falls once more '
                 'or less into a window whatever its length, is a smaller part of it' % ic_scale,
                 ic_reps))
    o.append('')
    icount_table(summary['main'], o)
    phase_table(summary['main'], o)
    persist_table(summary['main'], o)
    probes = {}
    for r in ic_runs:
        if r['table'] != 'main' or r['tracer'] != 'gotrace':
            continue
        ic = icount.get(f'main/{r["rep"]}/{r["workload"]}/gotrace')
        for name, (ins, calls) in (ic or {}).get('ranges', {}).items():
            if calls and name.startswith(('gotrace:', 'kernel:')):
                probes.setdefault((r['workload'], name), []).append((ins / calls, calls))
    if probes:
        o.append('')
        o.append('Instructions per call of the functions of gotrace.ko that ran in the '
                 '`gotrace record` runs above (the plugin attributes each translated block to the '
                 'function its first address is in: a function\'s own instructions, not those of '
                 'what it calls; the wakeup probes jump to `gt_wakeup`; medians over repetitions).')
        o.append('')
        o.append('| workload | function | calls (median) | instructions/call |')
        o.append('|---|---|---:|---:|')
        summary['probe_insns'] = {}
        for (wl, name), v in sorted(probes.items()):
            ipc, calls = med([x[0] for x in v]), med([x[1] for x in v])
            summary['probe_insns'][f'{wl}/{name}'] = {'calls': calls, 'insns_per_call': ipc}
            o.append('| %s | `%s` | %.0f | %.1f |' % (wl, name.split(':', 1)[1], calls, ipc))
FLIGHT = [('gotrace', 'gotrace-flight'), ('ftrace', 'ftrace-snap'), ('lttng', 'lttng-snap')]
if any(k.split('/')[1] in ('gotrace-flight', 'ftrace-snap', 'lttng-snap') for k in summary['main']):
    ic_snaps = []
    p = os.path.join(ic_out, 'snaps.csv')
    if a.icount_out and os.path.exists(p):
        ic_snaps = list(csv.DictReader(open(p)))
    o.append('')
    o.append('## Flight recorder')
    o.append('')
    o.append('Each tracer keeping the most recent events in memory, nothing reading while the '
             'workload runs, against the same tracer recording to a file (rows of the tables '
             'above): `gotrace start --flight %s -e sched,page` (per CPU; 4M is the size of '
             'record\'s default buffer; the module overwrites the oldest generation); ftrace\'s '
             % flight_size +
             'snapshot mode, `trace-cmd start` with the same events into the ring buffer in its '
             'default overwrite mode and default size, the snapshot buffer allocated before the '
             'workload (`echo 1 > snapshot`; a snapshot swaps the spare buffer in, so the write '
             'path is the overwrite buffer\'s); an LTTng snapshot session (`lttng create '
             '--snapshot`, the same events, default channel: overwrite mode, the consumer '
             'writes only on `lttng snapshot record`). After the workload\'s window, one '
             'snapshot is taken while tracing goes on, measured apart: `gotrace snapshot -o '
             'FILE`; `trace-cmd snapshot -s` then the snapshot buffer\'s binary pages copied out of '
             '`per_cpu/cpu*/snapshot_raw` (`dd iflag=nonblock`: what trace-cmd stores, without its '
             'file header; `trace-cmd extract -s` of trace-cmd 3.1.6 never ended here); `lttng '
             'snapshot record`. *events (window)*: those of the `-icount` window, the denominator '
             'of *added instructions/event* (as in *Instructions*); *snapshot bytes* is the file '
             '(LTTng: its output directory). The wall-time columns are empty for workloads the '
             'wall-time VM did not run.')
    o.append('')
    o.append('| workload | tracer | throughput vs none | added wall ns/event | events (window) | '
             'added instructions/event | spread | of which kernel | of which user | '
             'snapshot s (wall) | snapshot instructions (M) | snapshot bytes |')
    o.append('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    summary['flight'] = {}
    wls = [w for w in cfg.get('WORKLOADS', '').split()]
    wls += sorted({k.split('/')[0] for k in summary['main']} - set(wls))
    for wl in wls:
        for pair in FLIGHT:
            for tr in pair:
                r = summary['main'].get(f'{wl}/{tr}')
                if not r:
                    continue
                sn = [x for x in snaps if x['workload'] == wl and x['tracer'] == tr and x['table'] == 'main']
                isn = [x for x in ic_snaps if x['workload'] == wl and x['tracer'] == tr and x['table'] == 'main']
                ssecs = med([num(x['secs']) for x in sn])
                sbytes = med([num(x['bytes']) for x in (sn or isn)])
                ev = r['icount_events']
                pct = lambda x: '–' if x is None else '%.1f%%' % (100 * x)
                summary['flight'][f'{wl}/{tr}'] = {'snapshot_secs': ssecs, 'snapshot_bytes': sbytes}
                o.append('| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |' % (
                    wl, TR_NAME.get(tr, tr), fmt(r['ratio'], '.3f'), fmt(r['ns_per_event'], '.0f'),
                    fmt(ev, '.0f'), fmt(r['added_insns_per_event'], '.0f'),
                    pct(r['added_insns_per_event_spread']),
                    fmt(r['added_kernel_insns_per_event'], '.0f'),
                    fmt(r['added_user_insns_per_event'], '.0f'), fmt(ssecs, '.3f'),
                    fmt(None if r['snap_insns'] is None else r['snap_insns'] / 1e6, '.2f'),
                    fmt(sbytes, '.0f')))
st = summarize('stacks')
if st:
    o.append('')
    o.append('## With kernel stacks')
    o.append('')
    o.append('A kernel stack on every one of the 12 events: `gotrace record --stacks=<all 12>` '
             '(stacks are interned: an event carries a stack id, each distinct stack is written '
             'once) against `trace-cmd record -T` (ftrace\'s `stacktrace` option: a '
             'kernel_stack entry after each event; trace-cmd\'s entry count is halved here to '
             'count events).')
    o.append('')
    summary['stacks'] = table(st, o)
    if icount:
        o.append('')
        icount_table(summary['stacks'], o)
if decode:
    o.append('')
    o.append('## Decoding speed')
    o.append('')
    o.append('The traces of the last repetition, decoded on the host (native, not TCG) by each '
             'tracer\'s own tool, output piped to a line counter; median of %s runs.'
             % decode[0]['runs'])
    o.append('')
    o.append('| workload | decoder | events | seconds | events/s | vs trace-cmd report |')
    o.append('|---|---|---:|---:|---:|---:|')
    summary['decode'] = {}
    tc = {d['workload']: d for d in decode if d['decoder'] == 'trace-cmd report'}
    for d in decode:
        ev = num(d['events'])
        if ev is None:
            ev = decoded.get((d['workload'], d['tracer']))
        secs = num(d['secs'])
        rate = ev / secs if ev and secs else None
        rel = None
        t = tc.get(d['workload'])
        if rate and t and num(t['events']) and num(t['secs']):
            rel = rate / (num(t['events']) / num(t['secs']))
        summary['decode'][f'{d["workload"]}/{d["decoder"]}'] = {'events': ev, 'secs': secs,
                                                                  'events_per_s': rate, 'vs_trace_cmd': rel}
        o.append('| %s | `%s` | %s | %s | %s | %s |' % (
            d['workload'], d['decoder'], fmt(ev, '.0f'), fmt(secs, '.3f'), fmt(rate, '.3g'),
            fmt(rel, '.1f') + ('×' if rel else '')))
gtb = os.path.join(a.out, 'gtbench.txt')
gt_rows = {}
if os.path.exists(gtb):
    for line in open(gtb):
        if line.startswith('{'):  # gotrace bench --json
            kv = json.loads(line)
            kv['stacks'] = '1' if kv['stacks'] else '0'
            gt_rows.setdefault(kv['stacks'], []).append(kv)
# ring_buffer_benchmark (bench/guest.sh: rbb.txt): one block per run, its
# trace_printk lines as tracefs `trace` shows them.
RBB_KEYS = {'Time': 'time_us', 'Overruns': 'overruns', 'Entries': 'entries', 'Total': 'total',
            'Missed': 'missed', 'Hit': 'hit'}


def read_rbb(path):
    """ring_buffer_benchmark's runs in PATH and its source lines."""
    runs, src, cur = [], [], None
    if not os.path.exists(path):
        return runs, src
    for line in open(path):
        if line.startswith('# '):
            src.append(line[2:].strip())
        elif line.startswith('== '):
            cur = {'mode': None, 'params': line.partition('params:')[2].strip()}
            for kv in line[3:].partition(' params:')[0].split():
                k, _, v = kv.partition('=')
                cur[k] = v
            runs.append(cur)
        elif cur is not None:
            # "  rb_producer-57  [001] .....  31.5: <function>: <message>"
            m = re.match(r'\s*\S.*?\s\d+\.\d+: \S+: (.*)$', line)
            if not m:
                continue
            msg = m.group(1).strip()
            k, _, v = msg.partition(':')
            if k in RBB_KEYS and v.split():
                cur[RBB_KEYS[k]] = num(v.split()[0])
            elif k == 'Read':
                cur['read'] = ' '.join(v.split())
            elif msg.endswith('ns per entry') and 'ns_per_entry_printed' not in cur:
                cur['ns_per_entry_printed'] = num(msg.split()[0])
            elif msg.startswith('ERROR'):
                cur['error'] = 1
    for r in runs:
        if r.get('hit') and r.get('time_us') and not r.get('error'):
            r['ns_per_entry'] = r['time_us'] * 1e3 / r['hit']
    return runs, src


rbb_runs, rbb_src = read_rbb(os.path.join(a.out, 'rbb.txt'))
# The same two writers in the -icount VM, each timing its own loop on the
# guest's clock, which there advances one ns per instruction: their ns per
# event are instructions per event, which host load cannot change.
ic_gtb, ic_rbb = [], []
if a.icount_out:
    p = os.path.join(a.icount_out, 'gtbench.txt')
    if os.path.exists(p):
        ic_gtb = [json.loads(line) for line in open(p) if line.startswith('{')]
    ic_rbb = [r for r in read_rbb(os.path.join(a.icount_out, 'rbb.txt'))[0]
              if r['mode'] == 'noreader' and r.get('ns_per_entry')]
rbb_na = None
p = os.path.join(a.out, 'rbb-unavailable')
if os.path.exists(p):
    rbb_na = open(p).read().strip()
RBB_MODES = [('noreader', 'ftrace ring buffer (ring_buffer_benchmark)'),
             ('reader', 'ftrace ring buffer (ring_buffer_benchmark), its reader running')]
rbb_summary = {}
for mode, _ in RBB_MODES:
    rs = sorted((r for r in rbb_runs if r['mode'] == mode and r.get('ns_per_entry')),
                key=lambda r: r['ns_per_entry'])
    if rs:
        # ns/entry: the median; the counts: those of the median run.
        m = rs[len(rs) // 2]
        rbb_summary[mode] = {'runs': len(rs), 'params': m['params'],
                             'ns_per_entry': med([r['ns_per_entry'] for r in rs]),
                             'ns_per_entry_each': [round(r['ns_per_entry'], 1) for r in rs],
                             **{k: m.get(k) for k in ('hit', 'missed', 'overruns', 'entries',
                                                      'time_us', 'read', 'ns_per_entry_printed')}}

o.append('')
o.append('## Write path alone')
o.append('')
if gt_rows or rbb_summary or ic_gtb or ic_rbb:
    o.append('`gotrace bench` (`GOTRACE_IOC_BENCH`): the module writes N sched_switch events '
             'through its probe code into a private trace of the sched group alone (as `-e sched`) '
             'from one task, in the guest (TCG); '
             'full batches are handed back to their CPU as a reader would, nothing reads them.')
    o.append('')
    o.append('| writer | events | ns/event (median) | lost | bytes/event | instructions/event | '
             'of which the probe | timed loop, -icount |')
    o.append('|---|---:|---:|---:|---:|---:|---:|---:|')
    summary['gtbench'] = {}
    # (an -icount-only run has only the -icount VM's rows)
    for k in sorted(set(gt_rows) | {'1' if r['stacks'] else '0' for r in ic_gtb}):
        loop = [num(r['ns_per_event']) for r in ic_gtb if r['stacks'] == (k == '1')]
        rows = gt_rows.get(k) or [dict(r, stacks=k) for r in ic_gtb if r['stacks'] == (k == '1')]
        ns = med([num(r['ns_per_event']) for r in gt_rows.get(k, [])])
        mode = 'stacks' if k == '1' else 'plain'
        summary['gtbench'][mode] = ns
        # `icmark gotrace bench`: the whole command over its events, and the
        # sched_switch probe function's own instructions per call.
        ipe, ppc = [], []
        for lab, ph in icount.items():
            f = lab.split('/')
            if len(f) == 4 and f[0] == 'gtbench' and f[2] == mode:
                ipe.append(ph['insns'] / int(f[3]))
                ins, calls = ph['ranges'].get('gotrace:gt_probe_sched_switch', (0, 0))
                if calls:
                    ppc.append(ins / calls)
        summary['gtbench'][mode + '_insns_per_event'] = med(ipe)
        summary['gtbench'][mode + '_probe_insns_per_call'] = med(ppc)
        summary['gtbench'][mode + '_loop_insns_per_event'] = med(loop)
        summary['gtbench'][mode + '_loop_insns_each'] = loop
        o.append('| %s | %s | %s | %s | %s | %s | %s | %s |' % (
                 'gotrace bench, with stacks' if k == '1' else 'gotrace bench',
                 rows[0]['events'], fmt(ns, '.1f'), rows[0]['lost'], rows[0]['bytes_per_event'],
                 fmt(med(ipe), '.1f'), fmt(med(ppc), '.1f'), fmt(med(loop), '.1f')))
    for mode, name in RBB_MODES:
        r = rbb_summary.get(mode, {})
        loop = [r2['ns_per_entry'] for r2 in ic_rbb] if mode == 'noreader' else []
        if loop:
            summary['rbb_icount'] = {'loop_insns_per_entry': med(loop),
                                     'loop_insns_each': [round(x, 1) for x in loop],
                                     'hit_each': [r2['hit'] for r2 in ic_rbb]}
        if r or loop:
            o.append('| %s | %s | %s | %s | 16 | – | – | %s |' % (
                name, fmt(r.get('hit'), '.0f'), fmt(r.get('ns_per_entry'), '.1f'),
                fmt(r.get('missed'), '.0f'), fmt(med(loop), '.1f')))
    if any(l.startswith('gtbench/') for l in icount):
        o.append('')
        o.append('*instructions/event*: the guest instructions of the whole `gotrace bench` '
                 'command (`bench/icmark.c` marks its start and end) over its events, setup '
                 'included; *of which the probe*: the instructions per call of '
                 '`gt_probe_sched_switch` itself (helpers it calls out of line, such as '
                 '`ktime_get_mono_fast_ns`, not included).')
    if ic_gtb or ic_rbb:
        o.append('')
        o.append('*timed loop, -icount*: each writer\'s own figure (its loop\'s time over its '
                 'events) in the `-icount shift=0` VM, where the guest clock advances one ns per '
                 'instruction: instructions per event in the loop, interrupts that hit it included, '
                 'for both writers alike; host load cannot move it. `gotrace bench` there writes '
                 '100000 events, ring_buffer_benchmark runs its 10 s (%s run(s) without its reader).'
                 % len(ic_rbb))
    if rbb_summary:
        summary['rbb'] = rbb_summary
        n = rbb_summary.get('noreader', rbb_summary.get('reader'))
        o.append('')
        o.append('*ftrace ring buffer*: the kernel\'s own `ring_buffer_benchmark` (%s, out of tree, '
                 'by `scripts/build-rbb.sh`: Debian does not build it). Its producer kthread (nice 0) '
                 'calls `ring_buffer_lock_reserve()` for a 10-byte entry, stores its CPU number in '
                 'it and calls `ring_buffer_unlock_commit()`, in a loop for 10 s (`%s`: a '
                 '`ktime_get()` every 50 entries), into a private ring buffer of 1 MB per CPU in '
                 'overwrite mode; an entry takes 16 bytes there (4-byte header, payload padded to '
                 '12). *events* is its `Hit` count, *ns/event* its run time over `Hit`, *lost* its '
                 '`Missed` count (failed reserves); the entries it overwrote (`Overruns`, %s in a '
                 'run without the reader) are not losses here, as nothing reads them. It measures the '
                 'ring buffer alone: no tracepoint, no event fields (an ftrace sched_switch event '
                 'also fills a 64-byte record from the task structs), so it is a lower bound for '
                 'one ftrace event, where `gotrace bench` includes the sched_switch probe\'s field '
                 'encoding. The row without its reader is the comparison with `gotrace bench` '
                 '(one writer, nothing reading; its runs alternate with `gotrace bench`\'s). '
                 'Raw figures: `rbb.txt` next to `gtbench.txt`.'
                 % ('; '.join(rbb_src) or 'from Debian\'s linux-source', n['params'],
                    fmt(rbb_summary.get('noreader', {}).get('overruns'), '.0f')))
        if 'reader' in rbb_summary:
            o.append('')
            o.append('With its reader (`disable_reader=0`: a consumer kthread at nice 0, woken every '
                     '5000 entries, which in the first round after loading consumes entries one at a '
                     'time with `ring_buffer_consume()`; read %s) the producer is slower, but under '
                     'single-threaded TCG both vCPUs share one host thread, so the reader\'s own work '
                     'is added to the producer\'s wall time: that row does not measure what a reader '
                     'costs a writer on real hardware.' % rbb_summary['reader'].get('read', '–'))
    elif rbb_na:
        o.append('')
        o.append('The ftrace ring buffer\'s figure (the kernel\'s ring_buffer_benchmark, built from '
                 'linux-source by `scripts/build-rbb.sh`) is missing: %s.' % rbb_na)
    else:
        o.append('')
        o.append('The ftrace ring buffer\'s figure (the kernel\'s ring_buffer_benchmark) is missing: '
                 'it produced no result in the guest (see guest.log).')
    if not gt_rows:
        err = open(gtb).read().strip() if os.path.exists(gtb) else 'not run'
        o.append('')
        o.append('`gotrace bench` gave no figure: `GOTRACE_IOC_BENCH` failed (%s).'
                 % (err.splitlines()[-1] if err else 'no output'))
else:
    err = open(gtb).read().strip() if os.path.exists(gtb) else 'not run'
    o.append('Not available: `GOTRACE_IOC_BENCH` failed (%s)%s. The *added wall ns/event* column '
             'above is the userspace-visible estimate.' % (err.splitlines()[-1] if err else 'no output',
                                                           '; ring_buffer_benchmark: %s' % rbb_na if rbb_na else ''))

# ---- goals ----------------------------------------------------------------------
o.append('')
o.append('## Goals')
o.append('')
goals = []
m = summary['main']
wls = sorted({k.split('/')[0] for k in m})
peers = ['ftrace', 'perf', 'lttng']
# The untraced runs of one workload should agree across repetitions; when
# the host's own load moved them by more than NOISE_MAX, every ratio of
# that workload is as noisy, and the overhead verdict says so.
NOISE_MAX = 0.20
spread = {}
for wl in wls:
    base = [num(trs['none']['ops_per_s']) for (t, w, rep), trs in by.items()
            if t == 'main' and w == wl and 'none' in trs and num(trs['none']['ops_per_s'])]
    if len(base) >= 2:
        spread[wl] = (max(base) - min(base)) / statistics.median(base)
summary['baseline_spread'] = spread
for wl in wls:
    g = m.get(f'{wl}/gotrace')
    f, lt = m.get(f'{wl}/ftrace'), m.get(f'{wl}/lttng')
    # Issue 15: overhead (1 - throughput ratio) at most half of trace-cmd's
    # and at most LTTng's, by wall time and by added instructions.
    if g and g['ratio'] and f and f['ratio']:
        oh = lambda r: 1 - r['ratio']
        ok = oh(g) <= 0.5 * oh(f) and (not lt or not lt['ratio'] or oh(g) <= oh(lt))
        txt = 'overhead gotrace %.3f, trace-cmd %.3f (%.2f×), LTTng %s' % (
            oh(g), oh(f), oh(g) / oh(f) if oh(f) else float('nan'),
            '%.3f' % oh(lt) if lt and lt['ratio'] else 'not measured')
        if spread.get(wl, 0) > NOISE_MAX:
            ok = None
            txt += ('; inconclusive: the untraced runs varied by %.0f%% across repetitions '
                    '(host noise; limit %.0f%%)' % (100 * spread[wl], 100 * NOISE_MAX))
        goals.append(('overhead ≤ 0.5× trace-cmd\'s and ≤ LTTng\'s, wall time (%s)' % wl, ok, txt))
    # The same on the -icount guest's own clock: the workload's wall time
    # there, which host load cannot move (one vCPU: the persisting tasks
    # take their CPU from the workload, as on a loaded machine).
    sd = {tr: m[f'{wl}/{tr}']['icount_slowdown'] for tr in ['gotrace'] + peers
          if f'{wl}/{tr}' in m and m[f'{wl}/{tr}'].get('icount_slowdown') is not None}
    if 'gotrace' in sd and 'ftrace' in sd:
        ok = sd['gotrace'] <= 0.5 * sd['ftrace'] and sd['gotrace'] <= sd.get('lttng', float('inf'))
        goals.append(('overhead ≤ 0.5× trace-cmd\'s and ≤ LTTng\'s, wall time on the -icount guest\'s clock (%s)' % wl,
                      ok, 'workload slower by: gotrace %.1f%%, trace-cmd %.1f%% (%.2f×), LTTng %s' % (
                          100 * sd['gotrace'], 100 * sd['ftrace'], sd['gotrace'] / sd['ftrace'],
                          '%.1f%%' % (100 * sd['lttng']) if 'lttng' in sd else 'not measured')))
    ipe = {tr: m[f'{wl}/{tr}']['added_insns_per_event'] for tr in ['gotrace'] + peers
           if f'{wl}/{tr}' in m and m[f'{wl}/{tr}'].get('added_insns_per_event') is not None}
    if 'gotrace' in ipe and 'ftrace' in ipe:
        ok = ipe['gotrace'] <= 0.5 * ipe['ftrace'] and ipe['gotrace'] <= ipe.get('lttng', float('inf'))
        goals.append(('overhead ≤ 0.5× trace-cmd\'s and ≤ LTTng\'s, added instructions/event (%s)' % wl, ok,
                      'gotrace %.0f vs trace-cmd %.0f (%.2f×)%s' % (
                          ipe['gotrace'], ipe['ftrace'], ipe['gotrace'] / ipe['ftrace'],
                          ', LTTng %.0f' % ipe['lttng'] if 'lttng' in ipe else ', LTTng not measured')))
    sps = {tr: m[f'{wl}/{tr}']['added_insns_per_event_spread'] for tr in ['gotrace'] + peers
           if f'{wl}/{tr}' in m and m[f'{wl}/{tr}'].get('added_insns_per_event_spread') is not None}
    if sps:
        goals.append(('repetitions agree within 2%% by instructions (%s)' % wl, max(sps.values()) <= 0.02,
                      'spread of added instructions/event: ' + ', '.join(
                          '%s %.1f%%' % (TR_NAME.get(tr, tr), 100 * v) for tr, v in sps.items()) +
                      '; of the guest\'s whole count, untraced: %s' % (
                          '%.1f%%' % (100 * m[f'{wl}/none']['insns_spread'])
                          if m.get(f'{wl}/none', {}).get('insns_spread') is not None else '–')))
    # The persisting CPU by task (guest.sh's schedstat): in the window (the
    # CPU taken from the workload while it runs) and for the whole trace;
    # by instructions from the -icount VM, in CPU ms from the wall-time VM.
    ltc = m.get(f'{wl}/lttng') or {}
    for tr, lim, what in (('gotrace-raw', 1.0, '`gotrace record --no-pack`'),
                          ('gotrace', 1.5, '`gotrace record` (packing)')):
        gr = m.get(f'{wl}/{tr}') or {}
        for key, where, unit in (
                ('icount_persist_window_M_per_1M_events', 'in the window, by instructions', 'M'),
                ('icount_tracer_cpu_M_per_1M_events', 'whole trace, by instructions', 'M'),
                ('persist_window_ms_per_1M_events', 'in the window, wall-time VM', 'CPU ms'),
                ('tracer_cpu_ms_per_1M_events', 'whole trace, wall-time VM', 'CPU ms')):
            if gr.get(key) is None or not ltc.get(key):
                continue
            r = gr[key] / ltc[key]
            goals.append(('%s CPU per 1M events ≤ %sLTTng\'s, %s (%s)' % (
                what, '' if lim == 1.0 else '%.1f× ' % lim, where, wl), r <= lim,
                '%.1f vs %.1f %s (%.2f×)%s' % (gr[key], ltc[key], unit, r,
                                               '; LTTng: consumerd' if 'window' in key else
                                               '; LTTng: sessiond + consumerd + `lttng`')))
    if g and g.get('module_insns_per_event_spread') is not None:
        sp = g['module_insns_per_event_spread']
        goals.append(('repetitions agree within 2%% by gotrace.ko\'s own instructions per event (%s)' % wl,
                      sp <= 0.02, '%.1f instructions per event, spread %.2f%%' % (
                          g['module_insns_per_event'], 100 * sp)))
    if g and g.get('ops_per_s') is not None:
        ok = g['lost'] == '0'
        goals.append(('no lost events (%s)' % wl, ok, 'gotrace lost: %s' % g['lost']))
        f = m.get(f'{wl}/ftrace')
        if f and f['bytes_per_event'] and g['bytes_per_event']:
            ok = g['bytes_per_event'] <= f['bytes_per_event'] / 3
            raw = f.get('uncompressed_bytes_per_event')
            graw = g.get('uncompressed_bytes_per_event')
            goals.append(('≤ 1/3 of trace-cmd bytes/event (%s)' % wl, ok, '%.2f vs %.2f B/event on disk (%.2f×)%s' % (
                g['bytes_per_event'], f['bytes_per_event'], g['bytes_per_event'] / f['bytes_per_event'],
                '; uncompressed, %.2f vs %.1f B/event (%.2f×)' % (graw, raw, graw / raw)
                if raw and graw else '')))
    d = summary.get('decode', {})
    gd, td = d.get(f'{wl}/gotrace dump'), d.get(f'{wl}/trace-cmd report')
    if gd and td and gd['vs_trace_cmd']:
        goals.append(('decoding ≥ 10× trace-cmd report (%s)' % wl, gd['vs_trace_cmd'] >= 10,
                      '`gotrace dump` %.1f× `trace-cmd report`' % gd['vs_trace_cmd']))
gb, rn = summary.get('gtbench', {}).get('plain'), (summary.get('rbb') or {}).get('noreader')
gi = summary.get('gtbench', {}).get('plain_loop_insns_per_event')
ri = summary.get('rbb_icount', {}).get('loop_insns_per_entry')
if gi and ri:
    goals.append(('write path (`gotrace bench`) ≤ the ftrace ring buffer\'s bare reserve/commit, '
                  'by instructions', gi <= ri, '%.1f vs %.1f instructions/event in their timed loops '
                  'under -icount (%.2f×)' % (gi, ri, gi / ri)))
if gb and rn and rn.get('ns_per_entry'):
    goals.append(('write path (`gotrace bench`) ≤ the ftrace ring buffer\'s bare reserve/commit, '
                  'wall time', gb <= rn['ns_per_entry'], '%.1f vs %.1f ns/event (%.2f×)' % (
                      gb, rn['ns_per_entry'], gb / rn['ns_per_entry'])))
o.append('| goal | met | measured |')
o.append('|---|---|---|')
for name, ok, txt in goals:
    o.append('| %s | %s | %s |' % (name, 'yes' if ok else '?' if ok is None else '**no**', txt))
summary['goals'] = [{'goal': n, 'met': ok, 'measured': t} for n, ok, t in goals]
notes = os.path.join(here, 'notes.md')
if not a.smoke and os.path.exists(notes):
    o.append('')
    o.append(open(notes).read().rstrip())
print('\n'.join(o))

if a.results:
    os.makedirs(a.results, exist_ok=True)
    for f in ('runs.csv', 'snaps.csv', 'decode.csv', 'gtbench.txt', 'icount.txt', 'icount-map', 'rbb.txt', 'config', 'sizes.txt', 'guest-info.txt', 'source.txt',
              'window-tasks.txt'):
        src = os.path.join(a.out, f)
        if os.path.exists(src):
            shutil.copy(src, os.path.join(a.results, f))
    # the -icount VM's counts and runs
    for f, dst in (('icount.txt', 'icount.txt'), ('runs.csv', 'icount-runs.csv'),
                   ('gtbench.txt', 'icount-gtbench.txt'), ('rbb.txt', 'icount-rbb.txt'),
                   ('snaps.csv', 'icount-snaps.csv'), ('window-tasks.txt', 'icount-window-tasks.txt'),
                   ('config', 'icount-config')):
        src = os.path.join(ic_out, f)
        if a.icount_out and os.path.exists(src):
            shutil.copy(src, os.path.join(a.results, dst))
    summary['meta'] = {'kernel': a.kernel, 'source': a.commit, 'date': now, 'load_before': a.load,
                       'elapsed_s': a.elapsed, 'vm_s': a.vm_secs, 'lock_wait_s': a.lock_wait}
    json.dump(summary, open(os.path.join(a.results, 'summary.json'), 'w'), indent=1, default=str)

if a.smoke:
    bad = [r for r in runs if not num(r['secs']) or
           (r['tracer'] != 'none' and not (num(r['events']) or decoded.get((r['workload'], r['tracer']))))]
    if bad or not runs or not decode:
        print('smoke: missing numbers: %s' % (bad or 'no runs/decode'), file=sys.stderr)
        sys.exit(1)
    if 'noreader' not in rbb_summary:
        print('smoke: no ring_buffer_benchmark figure: %s' % (rbb_na or 'no result in rbb.txt'),
              file=sys.stderr)
        sys.exit(1)
