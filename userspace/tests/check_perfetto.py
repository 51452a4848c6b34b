#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
#
# Check the invariants of `gotrace convert --format=perfetto` output:
#   check_perfetto.py OUT.json [--pingpong PIDA,PIDB --dump DUMP.txt]
# - valid JSON (object form with traceEvents);
# - every B has its E on the same track, no E without a B; async b/e too;
# - timestamps never go back on a track (thread, counter, async id);
# - the CPU tracks' slices never overlap (depth <= 1);
# - with --pingpong: the run slices of the two pids on the CPU tracks are
#   the sched_switch-ins of `gotrace dump`, in the same order, and the two
#   tasks alternate at least 10 times.
# Prints "# ..." diagnostics and one summary line; exit 0 if all hold.
import json
import sys

CPUS_PID = 1000000000


def main():
    args = sys.argv[1:]
    if not args:
        print("usage: check_perfetto.py OUT.json [--pingpong A,B --dump FILE]")
        return 2
    path = args[0]
    pp = None
    dump = None
    i = 1
    while i < len(args):
        if args[i] == "--pingpong":
            pp = [int(x) for x in args[i + 1].split(",")]
            i += 2
        elif args[i] == "--dump":
            dump = args[i + 1]
            i += 2
        else:
            print("unknown argument", args[i])
            return 2
    errors = []

    def err(msg):
        if len(errors) < 20:
            print("# " + msg)
        errors.append(msg)

    try:
        with open(path) as f:
            doc = json.load(f)
    except Exception as e:  # noqa: BLE001
        print("# invalid JSON: %s" % e)
        print("not ok: %s is not valid JSON" % path)
        return 1
    evs = doc.get("traceEvents") if isinstance(doc, dict) else None
    if not isinstance(evs, list):
        print("not ok: no traceEvents list")
        return 1

    stacks = {}
    last = {}
    asyncs = {}
    cpu_depth_max = 0
    nb = ne = nc = ni = nflow = 0
    runs = []
    for n, e in enumerate(evs):
        ph = e.get("ph")
        if ph == "M":
            continue
        ts = e.get("ts")
        if not isinstance(ts, (int, float)):
            err("event %d has no numeric ts: %r" % (n, e))
            continue
        pid, tid = e.get("pid"), e.get("tid")
        if ph in ("B", "E", "X", "i", "I", "s", "t", "f"):
            key = ("thread", pid, tid)
        elif ph == "C":
            key = ("counter", pid, e.get("name"))
        elif ph in ("b", "e", "n"):
            key = ("async", pid, e.get("cat"), e.get("id"))
        else:
            err("event %d: unexpected phase %r" % (n, ph))
            continue
        if key in last and ts < last[key]:
            err("event %d: ts %s before %s on track %r" % (n, ts, last[key], key))
        last[key] = ts
        if ph == "B":
            nb += 1
            st = stacks.setdefault((pid, tid), [])
            st.append(ts)
            if pid == CPUS_PID:
                cpu_depth_max = max(cpu_depth_max, len(st))
                if len(st) > 1:
                    err("event %d: overlapping slices on CPU track %d" % (n, tid - CPUS_PID))
                a = e.get("args") or {}
                runs.append((ts, tid - CPUS_PID, a.get("pid")))
        elif ph == "E":
            ne += 1
            st = stacks.get((pid, tid))
            if not st:
                err("event %d: E without B on %d/%d" % (n, pid, tid))
            else:
                st.pop()
        elif ph == "b":
            k = (pid, e.get("cat"), e.get("id"))
            if asyncs.get(k):
                err("event %d: nested async begin %r" % (n, k))
            asyncs[k] = True
        elif ph == "e":
            k = (pid, e.get("cat"), e.get("id"))
            if not asyncs.get(k):
                err("event %d: async end without begin %r" % (n, k))
            asyncs[k] = False
        elif ph == "C":
            nc += 1
            if not isinstance(e.get("args"), dict) or not e["args"]:
                err("event %d: counter without values" % n)
        elif ph in ("s", "f"):
            nflow += 1
        elif ph in ("i", "I"):
            ni += 1
        elif ph == "X":
            if pid == CPUS_PID:
                err("event %d: X on a CPU track (not expected)" % n)
    for (pid, tid), st in stacks.items():
        if st:
            err("%d B without E on %d/%d" % (len(st), pid, tid))
    for k, v in asyncs.items():
        if v:
            err("async slice %r not ended" % (k,))
    if nb != ne:
        err("%d B but %d E" % (nb, ne))
    print("# %d events: %d B, %d E, %d counters, %d instants, %d flow; "
          "CPU track depth max %d" % (len(evs), nb, ne, nc, ni, nflow, cpu_depth_max))

    if pp:
        want = []
        with open(dump) as f:
            for line in f:
                w = line.split()
                if len(w) < 4 or w[2] != "sched_switch":
                    continue
                cpu = int(w[1].split("=")[1])
                for x in w:
                    if x.startswith("next_pid="):
                        p = int(x.split("=")[1])
                        if p in pp:
                            want.append((cpu, p))
        got = [(c, p) for (_, c, p) in runs if p in pp]
        alt = sum(1 for a, b in zip(got, got[1:]) if a[1] != b[1])
        print("# ping-pong %s: %d runs in the JSON, %d switch-ins in dump, "
              "%d alternations" % (pp, len(got), len(want), alt))
        if got != want:
            for k, (a, b) in enumerate(zip(got, want)):
                if a != b:
                    err("ping-pong run %d: JSON %r, dump %r" % (k, a, b))
                    break
            else:
                err("ping-pong: %d runs in the JSON, %d in dump" % (len(got), len(want)))
        if alt < 10:
            err("ping-pong: only %d alternations" % alt)

    if errors:
        print("not ok: %s: %d problems" % (path, len(errors)))
        return 1
    print("ok: %s" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
