#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the BENCH lines of the guest console logs of `make bench`, one log
per lane, into a table of ratios and a JSON file.

Every figure is divided by the bare atomic pair (atomic_inc +
atomic_dec_and_test) measured in the same lane, round and shape; each ratio
is given as its median over rounds with the minimum and maximum, so that a
difference inside the spread is not read as a cost.  Fails when a figure is
missing, so that `make check` can rely on it.

usage: bench-report.py OUT.json [--lane KEY LABEL LOG ...]
                       [--macro KEY] [--hotfix KEY] [--track LABEL LOG]
  --macro KEY: the lane whose log must also have iocountfs read throughput
  --hotfix KEY: the lane whose log must also have 9p reads without and
                with netfs_iocount_hotfix
  --track LABEL LOG: the log of tests/guest/bench-track.sh: 9p reads and
                variable waits and wakes with netfs_iocount not loaded,
                loaded, and with track_netfs=1; their ratios to not loaded,
                same repetition
"""

import argparse
import json
import re
import statistics
import sys

# Every primitive, what the table calls it, and the shapes it runs in
# (tests/netfs_iocount_bench.c, bench_ops[]).
BOTH = ("unheld", "held")
PRIMITIVES = [
    ("atomic_pair", "bare atomics (the floor)", BOTH),
    ("netfs_iocount", "netfs_iocount", BOTH),
    ("netfs_io_count", "mainline netfs io_count", BOTH),
    ("fetch_add_unless_end", "netfs_iocount, no debug hooks", BOTH),
    ("dec_return_end", "old end (atomic_dec_return)", BOTH),
    ("inode_dio", "inode_dio_begin/end", BOTH),
    ("spinlock_waitqueue", "count under wait queue lock", BOTH),
    ("refcount", "refcount_t", ("held",)),
    ("percpu_ref", "percpu_ref", ("held",)),
    ("percpu_ref_atomic", "percpu_ref, atomic mode", ("held",)),
    ("netfs_iocount_stats", "netfs_iocount, stats on", BOTH),
    ("netfs_iocount_tracking", "netfs_iocount, tracking on", BOTH),
]
THREADS = ["single", "shared", "private"]
THREAD_LABELS = {"single": "one thread", "shared": "2 CPUs, one counter",
                 "private": "2 CPUs, own counters"}
MECHS = ["netfs_iocount_wait", "wait_var_event", "wait_queue_head", "completion"]
FLOOR = "atomic_pair"
# What netfs_iocount is compared with directly, shape by shape.
VERSUS = ["netfs_io_count", "inode_dio", "dec_return_end",
          "fetch_add_unless_end"]


def shape_name(hold, threads):
    return threads if hold == "unheld" else f"{threads}_held"


def shapes_of(hold_kinds):
    return [shape_name(h, t) for h in hold_kinds for t in THREADS]


def parse(log):
    """The figures of one console log: config, per-round pairs, latency,
    iocountfs read throughput."""
    config, rounds, latency, macro = {}, {}, {}, {}
    for line in open(log, errors="replace"):
        line = line.strip()
        m = re.search(r"BENCH_CONFIG (.*)", line)
        if m:
            config = {k: int(v) for k, v in
                      (kv.split("=") for kv in m.group(1).split())}
        m = re.search(r"BENCH (\d+) (\S+) (\S+) median_ps=(\d+) min_ps=(\d+) max_ps=(\d+)", line)
        if m:
            rnd = rounds.setdefault(int(m.group(1)), {})
            rnd.setdefault(m.group(2), {})[m.group(3)] = int(m.group(4)) / 1000
        m = re.search(r"BENCH_LATENCY (\S+) median_ns=(\d+) min_ns=(\d+) max_ns=(\d+)", line)
        if m:
            latency[m.group(1)] = {"median_ns": int(m.group(2)),
                                   "min_ns": int(m.group(3)),
                                   "max_ns": int(m.group(4))}
        m = re.search(r"BENCH_MACRO (\d+) iocount=(\w+) reader \d+: .* (\d+) bytes verified.* in (\d+) us", line)
        if m:
            nbytes, us = int(m.group(3)), int(m.group(4))
            macro.setdefault(int(m.group(1)), {})[m.group(2)] = {
                "bytes": nbytes, "us": us, "mb_per_s": nbytes / max(us, 1)}
    return config, rounds, latency, macro


def parse_hotfix(log):
    """9p reads without and with the hotfix: {rep: {mode: {kind: figures}}}."""
    reps = {}
    for line in open(log, errors="replace"):
        m = re.search(r"BENCH_HOTFIX (\d+) hotfix=(on|off) (stream|small) bytes=(\d+) us=(\d+)", line)
        if m:
            reps.setdefault(int(m.group(1)), {}).setdefault(m.group(2), {})[m.group(3)] = {
                "bytes": int(m.group(4)), "us": int(m.group(5))}
        m = re.search(r"BENCH_HOTFIX (\d+) hotfix=on requests=(\d+)", line)
        if m:
            reps.setdefault(int(m.group(1)), {}).setdefault("on", {})["requests"] = int(m.group(2))
    return reps


def missing_hotfix(reps):
    if not reps:
        return ["BENCH_HOTFIX"]
    want = [("off", "stream"), ("off", "small"), ("on", "stream"),
            ("on", "small"), ("on", "requests")]
    return [f"hotfix {r} {mode} {kind}" for r in reps for mode, kind in want
            if kind not in reps[r].get(mode, {})]


def summarise_hotfix(reps):
    """Time with over time without, same repetition; and the time added per
    request the hotfix counted."""
    out = {"repetitions": {str(r): v for r, v in reps.items()}}
    for kind in ("stream", "small"):
        out[f"{kind}_time_on_off"] = spread(
            [v["on"][kind]["us"] / max(v["off"][kind]["us"], 1) for v in reps.values()])
    out["added_us_per_request"] = spread(
        [(sum(v["on"][k]["us"] for k in ("stream", "small")) -
          sum(v["off"][k]["us"] for k in ("stream", "small"))) /
         max(v["on"]["requests"], 1) for v in reps.values()])
    return out


TRACK_MODES = ("unloaded", "off", "on")
TRACK_FIGURES = {"stream": "9p read, streamed (us)",
                 "small": "9p read, 4 KiB opens (us)",
                 "wake_ns": "wake_up_var(), nobody waiting (ns/call)",
                 "pingpong_ns": "wait_var_event() ping-pong (ns/turn)"}


def parse_track(log):
    """{rep: {mode: {figure: value}}} of bench-track.sh's lines."""
    reps = {}
    for line in open(log, errors="replace"):
        m = re.search(r"BENCH_TRACK (\d+) mode=(\w+) (stream|small) bytes=(\d+) us=(\d+)", line)
        if m:
            reps.setdefault(int(m.group(1)), {}).setdefault(m.group(2), {})[m.group(3)] = int(m.group(5))
        m = re.search(r"BENCH_TRACK (\d+) mode=(\w+) VARWAIT wake_ns=(\d+) .*pingpong_ns=(\d+) ", line + " ")
        if m:
            fig = reps.setdefault(int(m.group(1)), {}).setdefault(m.group(2), {})
            fig["wake_ns"] = int(m.group(3))
            fig["pingpong_ns"] = int(m.group(4))
    return reps


def missing_track(reps):
    if not reps:
        return ["BENCH_TRACK"]
    return [f"track {r} {mode} {fig}" for r in reps for mode in TRACK_MODES
            for fig in TRACK_FIGURES if fig not in reps[r].get(mode, {})]


def summarise_track(label, reps):
    """Each figure with the library loaded (off) and tracking on, over the
    same figure with it not loaded, in the same repetition."""
    out = {"label": label, "repetitions": {str(r): v for r, v in reps.items()}}
    for fig in TRACK_FIGURES:
        out[fig] = {
            "unloaded": spread([v["unloaded"][fig] for v in reps.values()]),
            **{f"{mode}_over_unloaded": spread(
                [v[mode][fig] / max(v["unloaded"][fig], 1e-9) for v in reps.values()])
               for mode in ("off", "on")}}
    return out


def print_track(t):
    n = len(t["repetitions"])
    print(f"\ntrack_netfs ({t['label']}): each figure over the same figure with "
          f"netfs_iocount not loaded, same repetition, median (min-max) over {n}; "
          "higher is costlier:")
    print(f"{'':44}{'not loaded':>16}{'loaded, off':>24}{'track_netfs=1':>24}")
    for fig, what in TRACK_FIGURES.items():
        u = t[fig]["unloaded"]
        print(f"{what:44}{u['median']:>16.0f}{cell(t[fig]['off_over_unloaded']):>24}"
              f"{cell(t[fig]['on_over_unloaded']):>24}")


def missing_figures(config, rounds, latency, macro, want_macro):
    missing = [] if config else ["BENCH_CONFIG"]
    for r in range(config.get("rounds", 1)):
        for p, _, holds in PRIMITIVES:
            missing += [f"round {r} {p}/{s}" for s in shapes_of(holds)
                        if s not in rounds.get(r, {}).get(p, {})]
    missing += [m for m in MECHS if m not in latency]
    if want_macro:
        missing += ["macro"] if not macro else []
        missing += [f"macro {r} iocount={m}" for r in macro
                    for m in ("on", "off") if m not in macro[r]]
    return missing


def spread(values):
    return {"median": statistics.median(values), "min": min(values),
            "max": max(values)}


def ratio_over_rounds(rounds, num, den, shape):
    """num/den in each round, same shape: median, min and max."""
    return spread([rnd[num][shape] / max(rnd[den][shape], 1e-9)
                   for rnd in rounds.values()])


def summarise(label, config, rounds, latency, macro):
    pairs = {}
    for p, _, holds in PRIMITIVES:
        for s in shapes_of(holds):
            ns = [rnd[p][s] for rnd in rounds.values()]
            pairs.setdefault(p, {})[s] = {
                "median_ns": statistics.median(ns),
                "rounds_ns": ns,
                "ratio_to_atomic_pair": ratio_over_rounds(rounds, p, FLOOR, s),
            }
    versus = {}
    for other in VERSUS:
        versus[f"netfs_iocount/{other}"] = {
            s: ratio_over_rounds(rounds, "netfs_iocount", other, s)
            for s in shapes_of(BOTH)}
    lane = {"label": label, "config": config, "pairs": pairs,
            "netfs_iocount_versus": versus, "wake_latency": latency}
    if macro:
        lane["iocountfs_read"] = {str(r): v for r, v in macro.items()}
        lane["iocountfs_read_on_off"] = spread(
            [v["on"]["mb_per_s"] / max(v["off"]["mb_per_s"], 1e-9)
             for v in macro.values()])
    return lane


def cell(r):
    return f"{r['median']:.2f}x ({r['min']:.2f}-{r['max']:.2f})"


def print_tables(lanes):
    keys = list(lanes)
    if not keys:
        return
    print("x = ratio to the bare atomic pair of the same lane, round and shape:")
    print(f"median over rounds (min-max); ns: median over rounds, {keys[0]} lane.")
    for k in keys:
        c = lanes[k]["config"]
        print(f"  {k}: {lanes[k]['label']}: {c['cpus']} CPUs, {c['rounds']} rounds,"
              f" each the median of {c['runs']} runs of {c['loops']} pairs")
    for hold in BOTH:
        for t in THREADS:
            s = shape_name(hold, t)
            print(f"\n{hold}, {THREAD_LABELS[t]}")
            print(f"{'begin/end pair':32}{'ns':>8}" +
                  "".join(f"{k:>24}" for k in keys))
            for p, plabel, holds in PRIMITIVES:
                if hold not in holds:
                    continue
                ns = lanes[keys[0]]["pairs"][p][s]["median_ns"]
                print(f"{plabel:32}{ns:>8.1f}" + "".join(
                    f"{cell(lanes[k]['pairs'][p][s]['ratio_to_atomic_pair']):>24}"
                    for k in keys))
    print("\nnetfs_iocount next to the others, same lane, round and shape")
    print(f"{'':48}" + "".join(f"{k:>24}" for k in keys))
    for v in lanes[keys[0]]["netfs_iocount_versus"]:
        for s in shapes_of(BOTH):
            print(f"{v + ' ' + s:48}" + "".join(
                f"{cell(lanes[k]['netfs_iocount_versus'][v][s]):>24}"
                for k in keys))
    print(f"\n{'wake-up latency, median (min-max) ns':48}" +
          "".join(f"{k:>24}" for k in keys))
    for m in MECHS:
        print(f"{m:48}" + "".join(
            f"{'{median_ns} ({min_ns}-{max_ns})'.format(**lanes[k]['wake_latency'][m]):>24}"
            for k in keys))
    for k in keys:
        h = lanes[k].get("hotfix_9p")
        if not h:
            continue
        r0 = next(iter(h["repetitions"].values()))
        a = h["added_us_per_request"]
        print(f"\n{k}: 9p (cache=loose) read time with netfs_iocount_hotfix / without, "
              f"same repetition, median (min-max) over {len(h['repetitions'])}:")
        print(f"  {r0['off']['stream']['bytes']} bytes streamed:    {cell(h['stream_time_on_off'])}")
        print(f"  {r0['off']['small']['bytes']} bytes, 4 KiB opens: {cell(h['small_time_on_off'])}")
        print(f"  time added per counted request ({r0['on']['requests']} counted): "
              f"{a['median']:.1f} us ({a['min']:.1f}-{a['max']:.1f})")
    for k in keys:
        macro = lanes[k].get("iocountfs_read")
        if not macro:
            continue
        print()
        for mode in ("on", "off"):
            mbs = spread([v[mode]["mb_per_s"] for v in macro.values()])
            print(f"{k}: iocountfs read, iocount={mode:3}: {mbs['median']:.1f} MB/s "
                  f"({mbs['min']:.1f}-{mbs['max']:.1f}) over {len(macro)} reads "
                  f"of {next(iter(macro.values()))[mode]['bytes']} bytes")
        print(f"{k}: iocountfs read throughput, count on/off, same repetition: "
              f"{cell(lanes[k]['iocountfs_read_on_off'])}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--lane", nargs=3, action="append", default=[],
                    metavar=("KEY", "LABEL", "LOG"))
    ap.add_argument("--macro", action="append", default=[])
    ap.add_argument("--hotfix", action="append", default=[])
    ap.add_argument("--track", nargs=2, metavar=("LABEL", "LOG"))
    args = ap.parse_args()
    if not args.lane and not args.track:
        ap.error("nothing to report: give --lane or --track")

    lanes = {}
    for key, label, log in args.lane:
        config, rounds, latency, macro = parse(log)
        missing = missing_figures(config, rounds, latency, macro,
                                  key in args.macro)
        hotfix = parse_hotfix(log) if key in args.hotfix else None
        if hotfix is not None:
            missing += missing_hotfix(hotfix)
        if missing:
            sys.exit(f"bench-report: missing from {log}: {', '.join(missing)}")
        lanes[key] = summarise(label, config, rounds, latency, macro)
        if hotfix:
            lanes[key]["hotfix_9p"] = summarise_hotfix(hotfix)
    track = None
    if args.track:
        reps = parse_track(args.track[1])
        missing = missing_track(reps)
        if missing:
            sys.exit(f"bench-report: missing from {args.track[1]}: {', '.join(missing)}")
        track = summarise_track(args.track[0], reps)
    with open(args.out, "w") as f:
        json.dump({"note": "ratios within one lane and round only; "
                   "QEMU TCG emulates atomics", "lanes": lanes,
                   "track_netfs": track}, f, indent=2)
    print_tables(lanes)
    if track:
        print_track(track)
    print(f"\nJSON: {args.out}")


if __name__ == "__main__":
    main()
