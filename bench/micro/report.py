#!/usr/bin/env python3
"""Turns micro_bench JSON and `openssl speed` outputs into a Markdown table with ratios.

usage: report.py WORKDIR OPENSSL_VERSION
Each benchmark is matched to the openssl primitive doing the same cryptographic work by a keyword
in its name (first match wins). A ratio of 1.0 means authgate is as fast as the bare primitive;
below 1.0 is the cost of parsing, key selection and claim checks on top of it.
"""
import json
import re
import sys
from datetime import date
from pathlib import Path

# (keyword in the benchmark name, baseline key, what the baseline measures)
BASELINES = [
    ("gcm", "aes3k", "openssl speed -evp aes-256-gcm -bytes 3072, ops/s"),
    ("rs256", "rsa2048", "openssl speed rsa2048, verify/s"),
    ("ps256", "rsa2048", "openssl speed rsa2048, verify/s (PKCS#1 v1.5; PSS adds one MGF1)"),
    ("es256", "ecdsap256", "openssl speed ecdsap256, verify/s"),
    ("eddsa", "ed25519", "openssl speed ed25519, verify/s"),
    ("ed25519", "ed25519", "openssl speed ed25519, verify/s"),
    ("seal", "aes3k", "openssl speed -evp aes-256-gcm -bytes 3072, ops/s"),
    ("open", "aes3k", "openssl speed -evp aes-256-gcm -bytes 3072, ops/s"),
]


def verify_rate(text, pattern):
    for line in text.splitlines():
        if re.search(pattern, line):
            return float(line.split()[-1])
    return None


def read_baselines(work):
    rates = {}
    for name, pattern in [("rsa2048", r"^rsa 2048 bits"), ("ecdsap256", r"ecdsa \(nistp256\)"),
                          ("ed25519", r"EdDSA \(Ed25519\)")]:
        path = work / f"speed-{name}.txt"
        if path.exists():
            rates[name] = verify_rate(path.read_text(), pattern)
    aes = work / "speed-aes.txt"
    if aes.exists():
        match = re.search(r"AES-256-GCM\s+([\d.]+)k", aes.read_text())
        if match:
            rates["aes3k"] = float(match.group(1)) * 1000 / 3072
    return rates


def main():
    work, openssl_version = Path(sys.argv[1]), sys.argv[2]
    rates = read_baselines(work)
    results = json.loads((work / "micro.json").read_text())
    context = results["context"]
    print(f"# Micro-benchmarks, {date.today().isoformat()}\n")
    print(f"{context.get('num_cpus')} CPUs at {context.get('mhz_per_cpu')} MHz, "
          f"{openssl_version}, both pinned to the same core, median of 3 runs, operations per "
          "CPU-second on both sides.\n")
    print("| benchmark | authgate ops/s | baseline | baseline ops/s | ratio |")
    print("|---|---:|---|---:|---:|")
    for bench in results["benchmarks"]:
        if bench.get("aggregate_name") != "median":
            continue
        name = bench["run_name"]
        unit = {"ns": 1e9, "us": 1e6, "ms": 1e3, "s": 1.0}[bench["time_unit"]]
        # CPU time, as `openssl speed` counts it (process user time): on a loaded machine wall
        # time would charge authgate for other processes' work.
        ops = unit / bench["cpu_time"]
        baseline = next(((key, label) for word, key, label in BASELINES
                         if word in name.lower() and rates.get(key)), None)
        if baseline:
            key, label = baseline
            print(f"| {name} | {ops:,.0f} | {label} | {rates[key]:,.0f} | {ops / rates[key]:.2f} |")
        else:
            print(f"| {name} | {ops:,.0f} | (no openssl equivalent) | | |")


if __name__ == "__main__":
    main()
