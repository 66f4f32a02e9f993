#!/usr/bin/env python3
"""Turns the JSON written by bench/load/run.mjs into the Markdown report of bench/run.

usage: report.py RESULTS.json

One table: every figure is the median of the runs (peak RSS: the largest), each authgate case
beside the baseline measured in the same run on the same core, as a ratio. Targets come from the
performance issue; they are reported, never asserted: a missed target reads "missed".
"""
import json
import statistics
import sys
from datetime import date

MIB = 1024  # /proc reports KiB


def med(samples, key):
    return statistics.median(s[key] for s in samples)


def fmt_rate(x):
    return f"{x:,.0f}"


def fmt_ms(x):
    return f"{x:.3f} ms" if x < 10 else f"{x:.1f} ms"


def fmt_mib(kib):
    return f"{kib / MIB:.2f} MiB"


def count(n):
    return f"{n / 1e6:g}M" if n >= 1e6 else f"{n / 1e3:g}k"


def verdict(ok):
    return "met" if ok else "**missed**"


def main():
    r = json.loads(open(sys.argv[1]).read())
    s = r["samples"]
    m = r["machine"]
    v = r["versions"]
    rate = {k: med(x, "rps") for k, x in s.items() if x}
    base_a, base_b = rate["nginx"], rate["nginx_h2"]
    base_c = rate["openssl_rsa2048"]

    rows = []  # (case, req/s, req per CPU-s, p50, p99, p99.9, peak RSS, ratio, target, met?)

    def row(case_id, label, ratio="", target="", met=""):
        x = s.get(case_id) or []
        if not x:
            rows.append((label, "", "", "", "", "", "", ratio, target, met))
            return
        bad = sum(e.get("bad", 0) for e in x)
        if bad:
            met = f"**invalid: {bad} failed answers**"
        rows.append((
            label,
            fmt_rate(rate[case_id]),
            fmt_rate(med(x, "perCpuSecond")),
            fmt_ms(med(x, "p50")),
            fmt_ms(med(x, "p99")),
            fmt_ms(med(x, "p999")),
            fmt_mib(max(e["peakRss"] for e in x)),
            ratio,
            target,
            met,
        ))

    cpu = {k: med(x, "perCpuSecond") for k, x in s.items() if x}
    base_cpu = {"A": cpu["nginx"], "B": cpu["nginx_h2"], "C": cpu["openssl_rsa2048"]}

    # The ratio of requests per second (what the targets are about), and in parentheses the
    # ratio of requests per server CPU-second, which other processes on the core do not move.
    def vs(case_id, base, name):
        x = rate[case_id] / base
        return x, f"{x:.2f} of {name} (per CPU-s: {cpu[case_id] / base_cpu[name]:.2f})"

    row("nginx", "**A** nginx `return 200`, HTTP/1.1 (wrk): baseline", "1.00 of A")
    row("nginx_h2", "**B** nginx `return 200`, h2c POST of the same gRPC body (h2load): gRPC baseline",
        f"1.00 of B; B is {base_b / base_a:.2f} of A")
    def not_run(label, error, target=""):
        rows.append((label, "not run", "", "", "", "", "", "", target, f"**not measured**: {error}"))

    x, text = vs("check", base_a, "A")
    row("check", "ext_authz HTTP check `GET /check/app`, valid session → 200", text, "≥ 0.75 of A", verdict(x >= 0.75))
    # The Redis-session checks against the cookie-session check of the same run (and nginx). The
    # per-CPU-s figure counts authgate only; Redis's CPU, on the same core, is added in the second.
    for case_id, label in (
        ("check_redis_cached", "ext_authz HTTP check, Redis session, in-process cache (5 s) → 200"),
        ("check_redis_uncached", "ext_authz HTTP check, Redis session, no in-process cache (every request reads Redis) → 200"),
    ):
        if not s.get(case_id):
            not_run(label, (r.get("redisSessions") or {}).get(case_id, {}).get("error", ""))
            continue
        with_store = med(s[case_id], "perCpuSecondWithStore")
        row(case_id, label,
            f"{rate[case_id] / rate['check']:.2f} of the cookie-session check (per CPU-s: "
            f"{cpu[case_id] / cpu['check']:.2f}; counting Redis's CPU too: {with_store / cpu['check']:.2f}); "
            f"{vs(case_id, base_a, 'A')[1]}")
    row("auth", "`GET /oauth2/auth`, valid session → 202", vs("auth", base_a, "A")[1])
    row("nosession", "HTTP check, no session → 302 to the IdP (new CSRF cookie each)", vs("nosession", base_a, "A")[1])
    x, text = vs("grpc", base_b, "B")
    row("grpc", "ext_authz gRPC `Check`, valid session → OK (h2load, h2c)",
        f"{text}; {rate['grpc'] / base_a:.2f} of A", "≥ 0.40 of B", verdict(x >= 0.40))
    row("proxy", "reverse proxy to the hello nginx, valid session → 200", vs("proxy", base_a, "A")[1])
    row("bearer_cached", "bearer RS256 JWT, verified-token cache on (default) → 200", vs("bearer_cached", base_a, "A")[1])
    if s.get("bearer_uncached"):
        x, text = vs("bearer_uncached", base_c, "C")
        row("bearer_uncached", "bearer RS256 JWT, cache off (`--jwt-cache-size=0`) → 200",
            f"{text}; {rate['bearer_uncached'] / base_a:.2f} of A", "≥ 0.70 of C", verdict(x >= 0.70))
    else:
        not_run("bearer RS256 JWT, cache off (`--jwt-cache-size=0`)", (r.get("jwtCacheOff") or {}).get("error", ""),
                "≥ 0.70 of C")
    rows.append(("**C** `openssl speed -elapsed -seconds 3 rsa2048`, verify/s on the server core", fmt_rate(base_c),
                 fmt_rate(base_cpu["C"]), "", "", "", "", "1.00 of C", "", ""))
    fixed = r["fixedRate"]
    p99 = med(s["check_fixed"], "p99")
    row("check_fixed", f"HTTP check, valid session, paced at {fmt_rate(fixed)} req/s offered (half its max)",
        "", "p99 ≤ 1 ms", verdict(p99 <= 1.0))
    row("nginx_fixed", f"nginx `return 200` paced at {fmt_rate(fixed)} req/s offered (what the machine allows)")
    idle = r["idleRss"]
    rows.append(("authgate idle RSS (after start and one login)", "", "", "", "", "", fmt_mib(idle), "",
                 "≤ 25 MiB", verdict(idle <= 25 * MIB)))
    first, last = r["rssAfter"]
    growth = last["rss"] / first["rss"]
    rows.append((f"authgate RSS after {count(first['target'])} HTTP checks ({first['served']:,} served)",
                 "", "", "", "", "", fmt_mib(first["rss"]), "", "", ""))
    rows.append((f"authgate RSS after {count(last['target'])} HTTP checks ({last['served']:,} served)",
                 "", "", "", "", "", fmt_mib(last["rss"]), f"{growth:.3f} of the {count(first['target'])} figure",
                 f"within 5% of the {count(first['target'])} figure", verdict(abs(growth - 1) <= 0.05)))

    load = lambda xs: " ".join(f"{x:.2f}" for x in xs)  # noqa: E731
    print(f"# Load benchmark, {date.today().isoformat()}{' (quick smoke run)' if r['quick'] else ''}\n")
    print(f"- machine: {m['nproc']} CPUs, {m['cpu']}; load average before {load(m['loadBefore'])}, "
          f"after {load(m['loadAfter'])} (1, 5, 15 min; other engineers' builds share both cores)")
    print(f"- versions: {v['authgate']} (`{r['binary']}`); {v['nginx']}; {v['wrk']}; {v['h2load']}; "
          f"{v['openssl']}; {v.get('redis', 'redis ?')}; node {v['node']}")
    print(f"- every server (authgate with `--threads=1`, the nginx baseline with `worker_processes 1`, "
          f"the hello nginx upstream, `openssl speed`) pinned to core 1 with taskset; the load "
          f"generators (wrk, h2load, one thread each) and the driver to core 0")
    print(f"- {r['runs']} run(s) per case of {r['seconds']:g} s, {r['connections']} connections "
          f"(h2load: one stream each); cases measured in rounds (each round runs every case once), "
          f"median of the rounds; peak RSS is the largest VmHWM of the server process in a run, "
          f"reset before each run (`/proc/PID/clear_refs`)")
    tickets = sorted(set((r.get("redisCookieBytes") or {}).values()))
    ticket_text = f", Redis-session ticket cookies of {' and '.join(map(str, tickets))} bytes" if tickets else ""
    print(f"- credentials from the real test IdP: a session cookie of {r['cookieBytes']} bytes "
          f"(ID token inside){ticket_text}, an RS256 client-credentials JWT of {r['tokenBytes']} bytes, "
          f"a framed gRPC CheckRequest of {r['grpcBodyBytes']} bytes; every case's answer checked once "
          f"before measuring")
    print("- Redis-session cases: `redis-server --save '' --appendonly no` on 127.0.0.1, also pinned to "
          "core 1, and two more authgate instances (`--session-store-type=redis`, "
          "`--redis-local-cache-ttl=5s` and `=0`, each with its own login); their ratios are to the "
          "cookie-session check of the same run; \"req per server CPU-s\" counts authgate only")
    print("- access logging on everywhere it is measured: authgate (its default, stderr to a file) and "
          "the nginx baseline (`access_log` to a file); the hello upstream does not log\n")
    print("| case | req/s | req per server CPU-s | p50 | p99 | p99.9 | peak RSS | ratio to baseline | target | met? |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---|---|")
    for cells in rows:
        print("| " + " | ".join(cells) + " |")
    print()
    print("Latency is measured by the load generator from writing the request to reading the whole "
          "answer. The paced rows use wrk with a random (geometric) wait before each request on each "
          "connection (bench/load/report.lua), so requests arrive spread out; the nginx row at the same "
          "rate shows how much of the tail is the shared machine's scheduling rather than the server.")


if __name__ == "__main__":
    main()
