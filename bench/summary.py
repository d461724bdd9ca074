#!/usr/bin/env python3
"""Summary table of the benchmark results directory written by e2e.sh and tufget_bench.

usage: summary.py RESULTS_DIR   (prints Markdown)
"""
import json
import pathlib
import statistics
import sys

res = pathlib.Path(sys.argv[1])
MIB = 1024 * 1024


def hyperfine(name):
    p = res / f"{name}.json"
    if not p.exists():
        return None
    return json.loads(p.read_text())["results"][0]


def rss(name):
    p = res / f"{name}-rss.txt"
    if not p.exists():
        return []
    return [int(x) for x in p.read_text().split() if x.strip().isdigit()]


def openssl(alg, size):
    p = res / f"openssl-{alg}-{size}.txt"
    if not p.exists() or not p.read_text().split():
        return None
    value = p.read_text().split()[-1]  # "1623453.01k": 1000s of bytes per second
    return float(value.rstrip("k")) * 1000 if value.endswith("k") else float(value)


def core():
    p = res / "core.json"
    if not p.exists():
        return {}
    out = {}
    for b in json.loads(p.read_text())["benchmarks"]:
        name = b.get("run_name", b["name"])
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") != "median":
                continue
        elif name in out:
            continue
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        out[name] = {"real": b["real_time"] * scale, "cpu": b["cpu_time"] * scale,
                     "bps": b.get("bytes_per_second")}
    return out


def ms(seconds):
    return f"{seconds * 1e3:.2f} ms"


def status(ok):
    return "" if ok is None else ("met" if ok else "**missed**")


rows = []  # (measure, result, target, status)
WALL = [
    ("cold: init (untimed) + `download project-00042`, wall", "cold", 0.010),
    ("warm: `refresh`, nothing changed, wall", "warm", 0.005),
    ("warm: `download project-00042` again, wall", "warm-download", None),
    ("`init 1.root.json`, wall", "init", None),
    ("`tufget --version` (process start-up floor), wall", "version", None),
    ("what-if cold, no CA bundle loaded (SSL_CERT_FILE=/dev/null)", "cold-noca", 0.010),
    ("what-if warm, no CA bundle loaded", "warm-noca", 0.005),
    ("what-if cold, fsync disabled (libeatmydata)", "cold-nofsync", 0.010),
    ("what-if cold, no CA bundle + fsync disabled", "cold-noca-nofsync", 0.010),
]
for label, name, target in WALL:
    r = hyperfine(name)
    if r is None:
        continue
    result = (f"mean {ms(r['mean'])} ± {ms(r['stddev'])}, median {ms(r['median'])}, "
              f"min {ms(r['min'])}")
    if r.get("user") is not None and r.get("system") is not None:
        result += f"; CPU {ms(r['user'] + r['system'])}"
    result += f" ({len(r.get('times', []))} runs)"
    rows.append((label, result, f"<= {target * 1e3:.0f} ms (mean)" if target else "",
                 status(r["mean"] <= target) if target else ""))
for label, name, target_mib in [("cold: peak RSS", "cold", 12), ("warm: peak RSS", "warm", None),
                                ("`--version`: peak RSS", "version", None),
                                ("what-if cold, no CA bundle: peak RSS", "cold-noca", 12),
                                ("what-if warm, no CA bundle: peak RSS", "warm-noca", None)]:
    v = rss(name)
    if v:
        result = (f"max {max(v) / 1024:.1f} MiB, median {statistics.median(v) / 1024:.1f} MiB"
                  f" ({len(v)} runs)")
        rows.append((label, result, f"<= {target_mib} MiB" if target_mib else "",
                     status(max(v) <= target_mib * 1024) if target_mib else ""))

c = core()
for label, name in [
    ("in-process: cold refresh + lookup (Updater fed from memory)",
     "refresh/cold refresh + lookup"),
    ("in-process: cold refresh + lookup + download", "refresh/cold refresh + lookup + download"),
    ("in-process: warm refresh", "refresh/warm refresh (nothing changed)"),
    ("in-process: warm refresh + lookup", "refresh/warm refresh + lookup"),
    ("snapshot (16,384 bins, 508 KB): parse_snapshot", "snapshot/parse (canonicalise + model)"),
    ("snapshot: canonicalize_json only", "snapshot/canonicalize_json only"),
    ("snapshot: verify_threshold (ed25519 over 508 KB)", "snapshot/verify_threshold (ed25519)"),
    ("snapshot: TrustedSet::update_snapshot (parse + verify + checks)",
     "snapshot/TrustedSet::update_snapshot"),
]:
    if name in c:
        rows.append((label, f"{ms(c[name]['real'])} wall, {ms(c[name]['cpu'])} CPU", "", ""))

# Hashing, like for like: the same buffer size as openssl speed -bytes N (64 MiB streams from
# memory, 1 MiB and 16 KiB stay in cache).
for alg, ossl_name in [("sha256", "sha256"), ("blake2b-256", "blake2b512")]:
    for size, size_name in [(67108864, "64 MiB"), (1048576, "1 MiB"), (16384, "16 KiB")]:
        name = f"hash/{alg}/{size}"
        if name not in c or not c[name]["bps"]:
            continue
        ours, ref = c[name]["bps"], openssl(ossl_name, size)
        result = f"{ours / MIB:.0f} MiB/s"
        if ref:
            result += (f" = {ours / ref * 100:.0f}% of openssl speed -evp {ossl_name}"
                       f" ({ref / MIB:.0f} MiB/s)")
        is_target = alg == "sha256" and size >= 1048576
        rows.append((f"{alg}, {size_name} buffer (tuf::digest_hex)", result,
                     ">= 90% of openssl" if is_target else "",
                     status(ours >= 0.9 * ref) if (ref and is_target) else ""))

print("| measure | result | target | |")
print("|---|---|---|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
machine = res / "machine.txt"
if machine.exists():
    print()
    print("machine: " + "; ".join(machine.read_text().split("\n")).strip("; "))
