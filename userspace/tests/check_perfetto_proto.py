#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check `gotrace convert --format=perfetto-proto` output against `gotrace dump`.

    check_perfetto_proto.py PFTRACE DUMP PROTO_DIR [--release R] [--lost-cpus N]

Decodes PFTRACE with `protoc --decode` and PROTO_DIR/perfetto_trace.proto
(the schema subset written from Perfetto's field numbers) and checks:
- protoc decodes it, and it holds no field the schema does not know;
- system_info: utsname release is R (the trace header's);
- every bundle is one CPU's events in time order, and the bundles of a CPU,
  concatenated, are dump's events of that CPU one for one: same timestamp,
  same event, every field that dump prints too with the same value,
  FtraceEvent.pid the event's current task (page/reclaim events' pid,
  sched_switch's prev_pid, fork's parent);
- per event type, the counts are dump's;
- with --lost-cpus N: N bundles carry lost_events;
- process_tree names every task an event mentions.
Exit 0 when all hold; prints what differs otherwise.
"""
import codecs
import collections
import re
import subprocess
import sys

# dump's name of a field where the proto's differs, per event
RENAMED = {
    'sched_process_fork': {'parent_pid': 'pid', 'parent_comm': 'comm'},
    'mm_compaction_begin': {'sync': 'mode'},
    'mm_compaction_end': {'sync': 'mode'},
}
# proto fields dump prints differently (letters) or not at all
SKIP = {'prev_state', 'success', 'child_comm', 'tgid'}


def unescape(s):
    return codecs.escape_decode(s.encode('latin1'))[0].decode('latin1')


def parse_text(text):
    """protoc's text format -> nested dict of lists."""
    root = collections.defaultdict(list)
    stack = [root]
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == '}':
            stack.pop()
            continue
        if line.endswith('{'):
            d = collections.defaultdict(list)
            stack[-1][line[:-1].strip()].append(d)
            stack.append(d)
            continue
        k, _, v = line.partition(':')
        v = v.strip()
        if v.startswith('"'):
            v = unescape(v[1:-1])
        stack[-1][k.strip()].append(v)
    return root


def num(v):
    try:
        return int(v, 0) % (1 << 64)
    except (TypeError, ValueError):
        return None


def parse_dump(path):
    per_cpu = collections.defaultdict(list)
    for line in open(path, encoding='latin1'):
        m = re.match(r'(\d+) cpu=(\d+) (\w+) (.*)$', line.rstrip('\n'))
        # meta records: a task's name and cgroup, not ftrace events
        if not m or m.group(3) in ('comm', 'task_cgroup'):
            continue
        # dump writes a space, '=', '"', '\\' and non-printable bytes \xNN
        fields = {k: re.sub(r'\\x([0-9a-f]{2})',
                            lambda e: chr(int(e.group(1), 16)), v)
                  for k, v in re.findall(r'(\w+)=(\S*)', m.group(4))}
        per_cpu[int(m.group(2))].append((int(m.group(1)), m.group(3),
                                         fields))
    return per_cpu


def main():
    args = sys.argv[1:]
    if len(args) < 3:
        print(__doc__)
        return 2
    pftrace, dump, proto_dir = args[:3]
    release = lost_cpus = None
    rest = args[3:]
    while rest:
        opt = rest.pop(0)
        if opt == '--release':
            release = rest.pop(0)
        elif opt == '--lost-cpus':
            lost_cpus = int(rest.pop(0))
        else:
            print('unknown option', opt)
            return 2
    with open(pftrace, 'rb') as f:
        p = subprocess.run(['protoc', '--proto_path=' + proto_dir,
                            '--decode=gotrace.test.Trace',
                            'perfetto_trace.proto'],
                           stdin=f, capture_output=True, text=True,
                           encoding='latin1')
    if p.returncode:
        print('protoc --decode failed:', p.stderr.strip())
        return 1
    bad = []
    unknown = re.findall(r'^\s*(\d+)[: ]', p.stdout, re.M)
    if unknown:
        bad.append('fields unknown to the schema: %s' % sorted(set(unknown)))
    trace = parse_text(p.stdout)
    packets = trace['packet']
    infos = [x['system_info'][0] for x in packets if x['system_info']]
    if len(infos) != 1:
        bad.append('%d system_info packets' % len(infos))
    elif release is not None and \
            infos[0]['utsname'][0]['release'] != [release]:
        bad.append('release %s, header %s' %
                   (infos[0]['utsname'][0]['release'], release))
    want = parse_dump(dump)
    got = collections.defaultdict(list)
    lost = 0
    mentioned = set()
    for pk in packets:
        for b in pk['ftrace_events']:
            cpu = int(b['cpu'][0])
            if b['lost_events'] == ['true']:
                lost += 1
            last = 0
            for ev in b['event']:
                ts = int(ev['timestamp'][0])
                if ts < last:
                    bad.append('cpu %d: bundle out of order at %d' % (cpu, ts))
                last = ts
                names = [k for k in ev if k not in ('timestamp', 'pid')]
                name = names[0]
                got[cpu].append((ts, name, int(ev['pid'][0]),
                                 {k: v[0] for k, v in ev[name][0].items()}))
    counts_want = collections.Counter()
    counts_got = collections.Counter()
    for cpu in sorted(set(want) | set(got)):
        w, g = want.get(cpu, []), got.get(cpu, [])
        counts_want.update(x[1] for x in w)
        counts_got.update(x[1] for x in g)
        if len(w) != len(g):
            bad.append('cpu %d: %d events, dump %d' % (cpu, len(g), len(w)))
        for (wts, wname, wf), (gts, gname, gpid, gf) in zip(w, g):
            where = 'cpu %d ts %d %s' % (cpu, wts, wname)
            if (wts, wname) != (gts, gname):
                bad.append('%s: proto has %d %s' % (where, gts, gname))
                break
            ren = RENAMED.get(wname, {})
            for k, v in gf.items():
                dk = ren.get(k, k)
                if k in SKIP or dk not in wf:
                    continue
                dv = wf[dk]
                if dk == 'mode':	# compaction: sync is mode != async
                    dv = '0' if dv == 'async' else '1'
                if dv == '<...>':	# dump's (and ftrace's) unknown comm
                    dv = ''
                same = (num(v) == num(dv)) if num(dv) is not None else \
                    v == dv
                if not same:
                    bad.append('%s: %s=%s, dump %s=%s' % (where, k, v, dk, dv))
            # the current task: pid of page/reclaim events, prev, parent
            cur = wf.get('prev_pid') if wname == 'sched_switch' else \
                wf.get('pid') if wname.startswith(('mm_page', 'mm_vmscan_d',
                                                   'mm_compaction',
                                                   'sched_process')) \
                else None
            if cur is not None and num(cur) != gpid:
                bad.append('%s: FtraceEvent.pid %d, dump %s' %
                           (where, gpid, cur))
            for k in ('pid', 'prev_pid', 'next_pid', 'child_pid',
                      'parent_pid'):
                if k in gf and num(gf[k]):
                    mentioned.add(num(gf[k]))
            if gpid:
                mentioned.add(gpid)
    if counts_want != counts_got:
        bad.append('counts differ: proto %s, dump %s' %
                   (dict(counts_got), dict(counts_want)))
    if lost_cpus is not None and lost != lost_cpus:
        bad.append('%d bundles with lost_events, want %d' % (lost, lost_cpus))
    tree = [t for pk in packets for t in pk['process_tree']]
    threads = {int(t['tid'][0]) for pt in tree for t in pt['threads']}
    if mentioned - threads:
        bad.append('tasks missing from process_tree: %s' %
                   sorted(mentioned - threads)[:10])
    print('events %d, types %s, lost bundles %d, threads %d' %
          (sum(counts_got.values()), dict(counts_got), lost, len(threads)))
    for b in bad[:20]:
        print('BAD', b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
