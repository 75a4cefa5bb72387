#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the BENCH lines of a guest console log into a table of ratios and a
JSON file.  Every figure is divided by the bare atomic pair (atomic_inc +
atomic_dec_and_test) measured in the same run and the same shape; under TCG
atomics are emulated, so only such ratios mean anything.  Fails when a
figure is missing, so `make check` can rely on it."""

import json
import re
import sys

PRIMITIVES = ["atomic_pair", "netfs_iocount", "netfs_iocount_held",
              "dec_return_end", "dec_return_end_held", "netfs_iocount_stats", "netfs_iocount_tracking",
              "atomic_dec_and_wake_up", "inode_dio", "inode_dio_held",
              "refcount", "percpu_ref", "percpu_ref_atomic",
              "spinlock_waitqueue"]
SHAPES = ["single", "shared", "private"]
MECHS = ["netfs_iocount_wait", "wait_queue_head", "completion"]
FLOOR = "atomic_pair"


def parse(log):
    config, pairs, latency, macro = {}, {}, {}, {}
    for line in open(log, errors="replace"):
        line = line.strip()
        m = re.search(r"BENCH_CONFIG (.*)", line)
        if m:
            config = {k: int(v) for k, v in
                      (kv.split("=") for kv in m.group(1).split())}
        m = re.search(r"BENCH (\S+) (\S+) median_ps=(\d+) min_ps=(\d+) max_ps=(\d+)", line)
        if m:
            pairs.setdefault(m.group(1), {})[m.group(2)] = {
                "median_ns": int(m.group(3)) / 1000,
                "min_ns": int(m.group(4)) / 1000,
                "max_ns": int(m.group(5)) / 1000}
        m = re.search(r"BENCH_LATENCY (\S+) median_ns=(\d+) min_ns=(\d+) max_ns=(\d+)", line)
        if m:
            latency[m.group(1)] = {"median_ns": int(m.group(2)),
                                   "min_ns": int(m.group(3)),
                                   "max_ns": int(m.group(4))}
        m = re.search(r"BENCH_MACRO iocount=(\w+) reader \d+: .* (\d+) bytes verified.* in (\d+) us", line)
        if m:
            nbytes, us = int(m.group(2)), int(m.group(3))
            macro[m.group(1)] = {"bytes": nbytes, "us": us,
                                 "mb_per_s": nbytes / max(us, 1)}
    return config, pairs, latency, macro


def main():
    log, out = sys.argv[1], sys.argv[2]
    config, pairs, latency, macro = parse(log)
    missing = [f"{p}/{s}" for p in PRIMITIVES for s in SHAPES
               if s not in pairs.get(p, {})]
    missing += [m for m in MECHS if m not in latency]
    missing += [f"macro iocount={m}" for m in ("on", "off") if m not in macro]
    if not config or missing:
        sys.exit(f"bench-report: missing from {log}: "
                 f"{', '.join(missing) or 'BENCH_CONFIG'}")

    for p in PRIMITIVES:
        for s in SHAPES:
            fig = pairs[p][s]
            fig["ratio_to_atomic_pair"] = fig["median_ns"] / max(pairs[FLOOR][s]["median_ns"], 1e-9)
    ratios = {
        "netfs_iocount/atomic_pair": {s: pairs["netfs_iocount"][s]["ratio_to_atomic_pair"] for s in SHAPES},
        "netfs_iocount_held/atomic_pair": {s: pairs["netfs_iocount_held"][s]["ratio_to_atomic_pair"] for s in SHAPES},
        "netfs_iocount/dec_return_end": {s: pairs["netfs_iocount"][s]["median_ns"] / max(pairs["dec_return_end"][s]["median_ns"], 1e-9) for s in SHAPES},
        "netfs_iocount_held/dec_return_end_held": {s: pairs["netfs_iocount_held"][s]["median_ns"] / max(pairs["dec_return_end_held"][s]["median_ns"], 1e-9) for s in SHAPES},
        "netfs_iocount/inode_dio": {s: pairs["netfs_iocount"][s]["median_ns"] / max(pairs["inode_dio"][s]["median_ns"], 1e-9) for s in SHAPES},
        "netfs_iocount_held/inode_dio_held": {s: pairs["netfs_iocount_held"][s]["median_ns"] / max(pairs["inode_dio_held"][s]["median_ns"], 1e-9) for s in SHAPES},
        "wake_latency netfs_iocount_wait/wait_queue_head": latency["netfs_iocount_wait"]["median_ns"] / max(latency["wait_queue_head"]["median_ns"], 1),
        "wake_latency netfs_iocount_wait/completion": latency["netfs_iocount_wait"]["median_ns"] / max(latency["completion"]["median_ns"], 1),
        "iocountfs read throughput on/off": macro["on"]["mb_per_s"] / max(macro["off"]["mb_per_s"], 1e-9),
    }
    result = {"note": "QEMU TCG emulates atomics: only ratios within one run mean anything",
              "config": config, "pairs": pairs, "wake_latency": latency,
              "iocountfs_read": macro, "ratios": ratios}
    with open(out, "w") as f:
        json.dump(result, f, indent=2)

    print("TCG emulates atomics: only ratios within this run mean anything.")
    print(f"{config['cpus']} CPUs, {config['loops']} pairs per run, "
          f"median of {config['runs']} runs; x = ratio to atomic_pair, same shape")
    print(f"{'begin/end pair':26}" + "".join(f"{s:>20}" for s in SHAPES))
    for p in PRIMITIVES:
        cells = "".join(f"{pairs[p][s]['median_ns']:>10.1f} ns {pairs[p][s]['ratio_to_atomic_pair']:>5.2f}x"
                        for s in SHAPES)
        print(f"{p:26}{cells}")
    print()
    print(f"{'wake-up latency':26}{'median':>12}{'min':>12}{'max':>12}")
    for m in MECHS:
        lat = latency[m]
        print(f"{m:26}{lat['median_ns']:>9} ns{lat['min_ns']:>9} ns{lat['max_ns']:>9} ns")
    print()
    for k in ("on", "off"):
        print(f"iocountfs read, iocount={k:3}: {macro[k]['bytes']} bytes in "
              f"{macro[k]['us']} us, {macro[k]['mb_per_s']:.1f} MB/s")
    print()
    for k, v in ratios.items():
        if isinstance(v, dict):
            print(f"{k:50}" + "  ".join(f"{s} {v[s]:.2f}" for s in SHAPES))
        else:
            print(f"{k:50}{v:.2f}")
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
