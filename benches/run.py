"""Runs every paynet benchmark in one go and writes benches/results/latest.{md,json}.

Called by `make bench` (after benches/setup.sh) with the bench venv's Python.
`BENCH_SMOKE=1` (or --smoke) runs each case once, very briefly, to check the
harness; its results go to benches/.build/smoke.{md,json}, never to results/.

Every case runs in its own process against one release sandbox on loopback.
Repetitions are interleaved (rep 1 of every client, then rep 2, ...) so a
neighbour's build slowing the machine hits all clients alike.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parent.parent
BENCHES = ROOT / "benches"
BUILD = BENCHES / ".build"
NODE_DIR = BUILD / "node"
KEY = "sck_sandbox_0000000000000000"
REF = "bench-ref-1"
REPORT_DATE = "2030-01-15"

PY = sys.executable
PYBENCH = str(BENCHES / "py" / "pybench.py")
NODEBENCH = str(BENCHES / "node" / "bench.js")


PY_IMPORT = (
    "import time; t = time.perf_counter(); import MOD; "
    "print('{\"import_ms\": %f}' % ((time.perf_counter() - t) * 1e3))"
)
NODE_IMPORT = (
    "const t = performance.now(); require('MOD'); "
    "console.log(JSON.stringify({ import_ms: performance.now() - t }))"
)


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# Sandbox
# ---------------------------------------------------------------------------


class Sandbox:
    def __init__(self) -> None:
        binary = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target") / "release" / "paynet-sandbox"
        self.proc = subprocess.Popen(
            [str(binary), "--port", "0", "--secret-key", KEY],
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self.proc.stdout.readline().strip()
        m = re.match(r"LISTENING url=(\S+)", line)
        if not m:
            self.proc.kill()
            raise SystemExit(f"sandbox did not start: {line!r}")
        self.url = m.group(1)

    def post(self, path: str, body: dict[str, Any], auth: bool = True) -> dict[str, Any]:
        req = urllib.request.Request(self.url + path, data=json.dumps(body).encode(), method="POST")
        req.add_header("Content-Type", "application/json")
        if auth:
            req.add_header("Authorization", f"Basic {KEY}")
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


# ---------------------------------------------------------------------------
# Running cases
# ---------------------------------------------------------------------------


def run_json(cmd: list[str], env: dict[str, str] | None = None, timeout: float = 300) -> dict[str, Any]:
    # Node runs from benches/.build/node: from the repo root, require('paynet')
    # would resolve to the repo's own package (self-reference) and its test build.
    cwd = NODE_DIR if cmd[0] == "node" else None
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout, cwd=cwd)
    if p.returncode != 0:
        raise SystemExit(f"case failed: {' '.join(cmd)}\n{p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def node_env() -> dict[str, str]:
    env = dict(os.environ)
    env["NODE_PATH"] = str(NODE_DIR / "node_modules")
    return env


def wrk_case(url: str, conns: int, seconds: float) -> dict[str, Any]:
    threads = 1 if conns == 1 else 2
    env = dict(os.environ, BENCH_KEY=KEY, BENCH_REF=REF)
    cmd = [
        "wrk", f"-t{threads}", f"-c{conns}", f"-d{max(1, round(seconds))}s", "--latency",
        "-s", str(BENCHES / "wrk" / "check.lua"), url + "/v1/transaction/check",
    ]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    out = p.stdout
    if p.returncode != 0 or "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"wrk failed or saw errors:\n{out}\n{p.stderr}")

    def lat(label: str) -> float:
        m = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 1, "ms": 1e3, "s": 1e6}[m.group(2)]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return {"calls_per_s": rps, "p50_us": lat("50"), "p99_us": lat("99")}


def summarize(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {"median": statistics.median(s), "min": s[0], "max": s[-1], "n": len(s)}


# ---------------------------------------------------------------------------
# The rows
# ---------------------------------------------------------------------------


ALL_ROWS = "1,2,3,4,5,6,7,8"
RANGE_DAYS = 31


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--smoke", action="store_true", default=os.environ.get("BENCH_SMOKE") == "1")
    ap.add_argument("--reps", type=int, default=int(os.environ.get("BENCH_REPS", "5")))
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "2")))
    ap.add_argument("--rows", default=os.environ.get("BENCH_ROWS", ALL_ROWS),
                    help="comma list of rows to run (1 wrk, 2 py sync, 3 py async, 4 node, 5 report, 6 cold start, "
                         "7 report tables, 8 31-day range)")
    a = ap.parse_args()
    smoke = a.smoke
    reps = 1 if smoke else a.reps
    secs = 0.3 if smoke else a.seconds
    warmup = 20 if smoke else 300
    report_rows = 2000 if smoke else 100_000
    cold_reps = 2 if smoke else 9
    want = {int(x) for x in a.rows.split(",") if x}

    t_start = time.time()
    sb = Sandbox()
    log(f"sandbox at {sb.url}")
    results: dict[str, Any] = {"cases": {}, "rows": sorted(want)}
    cases = results["cases"]

    def add(name: str, rec: dict[str, Any]) -> None:
        cases.setdefault(name, []).append(rec)

    try:
        pay = sb.post("/v2/transaction/payment", {
            "amount": "12.50", "reference_no": REF, "domain": "bench.example",
            "pan": "4355084355084358", "month": 12, "year": 2045, "cvc": "000", "card_holder": "BENCH",
        })
        assert pay.get("is_succeed") is True, pay
        seeded = sb.post("/__sandbox/seed", {"count": report_rows, "date": REPORT_DATE}, auth=False)
        assert seeded.get("inserted") == report_rows, seeded
        log(f"seeded {report_rows} transactions due {REPORT_DATE}")

        range_start = None
        if 8 in want:
            # Sales over 31 days (2030-03-01..31), a day's report each; due settlement_days later.
            per_day = 100 if smoke else 3000
            ranged = sb.post("/__sandbox/seed", {"count": per_day * RANGE_DAYS, "from": "2030-03-01", "to": "2030-03-31"}, auth=False)
            last_due = dt.date.fromisoformat(ranged["date"])
            range_start = (last_due - dt.timedelta(days=RANGE_DAYS - 1)).isoformat()
            log(f"seeded {per_day * RANGE_DAYS} transactions due {range_start}..{last_due}")

        py_common = ["--url", sb.url, "--key", KEY, "--ref", REF]
        node_common = ["--url", sb.url, "--key", KEY, "--ref", REF]

        for rep in range(reps):
            log(f"repetition {rep + 1}/{reps}")
            if 1 in want:
                for c in (1, 64):
                    add(f"wrk/c{c}", wrk_case(sb.url, c, secs if not smoke else 1))
            if 2 in want:
                for client in ("paynet", "requests", "httpx"):
                    add(f"py_sync/{client}", run_json([PY, PYBENCH, "sync", "--client", client,
                        "--seconds", str(secs), "--warmup", str(warmup), *py_common]))
            if 3 in want:
                for client in ("paynet", "httpx", "aiohttp"):
                    add(f"py_async/{client}", run_json([PY, PYBENCH, "async", "--client", client,
                        "--conc", "64", "--seconds", str(secs), "--warmup", str(warmup), *py_common]))
            if 4 in want:
                for client in ("paynet", "fetch", "axios"):
                    add(f"node/{client}", run_json(["node", NODEBENCH, "conc", "--client", client,
                        "--conc", "64", "--seconds", str(secs), "--warmup", str(warmup), *node_common],
                        env=node_env()))
            if 5 in want:
                for client in ("paynet", "peer"):
                    for pandas in (False, True):
                        extra = ["--pandas"] if pandas else []
                        name = f"report_py/{client}{'+pandas' if pandas else ''}"
                        add(name, run_json([PY, PYBENCH, "report", "--client", client,
                            "--date", REPORT_DATE, *extra, *py_common]))
                for client in ("paynet", "fetch"):
                    add(f"report_node/{client}", run_json(["node", NODEBENCH, "report", "--client", client,
                        "--date", REPORT_DATE, *node_common], env=node_env()))
            if 7 in want:
                for target in ("arrow", "polars", "pandas"):
                    for client in ("paynet", "peer"):
                        add(f"table_py/{client}+{target}", run_json([PY, PYBENCH, "table", "--client", client,
                            "--target", target, "--date", REPORT_DATE, *py_common]))
                for client, way in (("paynet", "result"), ("paynet-upfront", "upfront"), ("fetch", "result")):
                    add(f"arrow_node/{client}", run_json(["node", NODEBENCH, "arrow", "--client", client.split("-")[0],
                        "--way", way, "--date", REPORT_DATE, *node_common], env=node_env()))
            if 8 in want:
                for client in ("paynet", "peer"):
                    add(f"range_py/{client}", run_json([PY, PYBENCH, "table", "--client", client, "--target", "arrow",
                        "--date", str(range_start), "--days", str(RANGE_DAYS), *py_common]))
        if 6 in want:
            log("cold start")
            for _ in range(cold_reps):
                # A bare interpreter with nothing imported first: shared stdlib
                # modules (decimal, datetime, enum, typing...) count against each library.
                for client in ("paynet", "requests", "httpx", "aiohttp"):
                    add(f"import_py/{client}", run_json([PY, "-c", PY_IMPORT.replace("MOD", client)]))
                for client in ("paynet", "axios"):
                    add(f"import_node/{client}", run_json(["node", "-e", NODE_IMPORT.replace("MOD", client)],
                                                          env=node_env()))
            for _ in range(min(3, cold_reps)):
                for client in ("paynet", "requests", "httpx", "aiohttp"):
                    add(f"idle_py/{client}", run_json([PY, PYBENCH, "idle", "--client", client, *py_common]))
                for client in ("paynet", "fetch", "axios"):
                    add(f"idle_node/{client}", run_json(["node", "--expose-gc", NODEBENCH, "idle",
                        "--client", client, *node_common], env=node_env()))
            for _ in range(cold_reps):
                t = time.perf_counter()
                subprocess.run([PY, "-c", "import paynet"], check=True)
                add("process_py/paynet", {"wall_ms": (time.perf_counter() - t) * 1e3})
                t = time.perf_counter()
                subprocess.run([PY, "-c", "pass"], check=True)
                add("process_py/bare", {"wall_ms": (time.perf_counter() - t) * 1e3})
                t = time.perf_counter()
                subprocess.run(["node", "-e", "require('paynet')"], check=True, env=node_env(), cwd=NODE_DIR)
                add("process_node/paynet", {"wall_ms": (time.perf_counter() - t) * 1e3})
                t = time.perf_counter()
                subprocess.run(["node", "-e", "0"], check=True, cwd=NODE_DIR)
                add("process_node/bare", {"wall_ms": (time.perf_counter() - t) * 1e3})
    finally:
        sb.stop()

    results["env"] = environment()
    results["settings"] = {"smoke": smoke, "reps": reps, "seconds_per_case": secs, "warmup_calls": warmup,
                           "report_rows": report_rows, "cold_reps": cold_reps,
                           "wall_seconds": round(time.time() - t_start, 1)}
    results["summary"] = summary(cases)
    out_dir = BUILD if smoke else BENCHES / "results"
    # A subset (BENCH_ROWS) never overwrites the full run's latest.*.
    full = want == {int(x) for x in ALL_ROWS.split(",")}
    stem = "smoke" if smoke else ("latest" if full else "rows-" + "-".join(map(str, sorted(want))))
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{stem}.json").write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    md = render(results)
    (out_dir / f"{stem}.md").write_text(md)
    print(md)
    log(f"wrote {out_dir / stem}.md and .json in {results['settings']['wall_seconds']} s")


# ---------------------------------------------------------------------------
# Summary and rendering
# ---------------------------------------------------------------------------


def summary(cases: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, recs in cases.items():
        out[name] = {k: summarize([r[k] for r in recs]) for k in recs[0] if isinstance(recs[0][k], (int, float))}
    return out


def environment() -> dict[str, Any]:
    def cmd(*c: str) -> str:
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
        except Exception:
            return "?"

    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pkgs = {}
    for mod in ("paynet", "requests", "httpx", "aiohttp", "pandas"):
        try:
            from importlib.metadata import version

            pkgs[mod] = version(mod)
        except Exception:
            pkgs[mod] = "?"
    try:
        axios = json.loads((NODE_DIR / "node_modules" / "axios" / "package.json").read_text())["version"]
    except Exception:
        axios = "?"
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": cmd("git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"),
        "dirty": bool(subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "core", "bindings-python",
                                      "bindings-node", "lib", "sandbox"], capture_output=True, text=True).stdout.strip()),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "node": cmd("node", "--version"),
        "rustc": cmd("rustc", "--version"),
        "wrk": cmd("wrk", "--version") if shutil.which("wrk") else "?",
        "py_packages": pkgs,
        "axios": axios,
    }


def fmt_rate(s: dict[str, float]) -> str:
    return f"{s['median']:,.0f} ({s['min']:,.0f}–{s['max']:,.0f})"


def fmt_us(s: dict[str, float]) -> str:
    v = s["median"]
    return f"{v / 1000:.2f} ms" if v >= 1000 else f"{v:.0f} µs"


def fmt_num(s: dict[str, float], unit: str, digits: int = 1) -> str:
    return f"{s['median']:,.{digits}f} {unit} ({s['min']:,.{digits}f}–{s['max']:,.{digits}f})"


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "–"


def render(r: dict[str, Any]) -> str:
    S = r["summary"]
    env = r["env"]
    st = r["settings"]
    L: list[str] = []
    w = L.append
    w(f"# paynet benchmarks{' (SMOKE RUN: harness check only, numbers meaningless)' if st['smoke'] else ''}")
    w("")
    w(f"{env['date']}, commit `{env['commit']}`{' + uncommitted binding changes' if env['dirty'] else ''}; "
      f"{env['cpu']}, {env['cores']} cores; {env['os']}")
    w(f"Python {env['python']} (requests {env['py_packages']['requests']}, httpx {env['py_packages']['httpx']}, "
      f"aiohttp {env['py_packages']['aiohttp']}, pandas {env['py_packages']['pandas']}), "
      f"Node {env['node']} (axios {env['axios']}), {env['rustc']}, {env['wrk']}.")
    w(f"{st['reps']} repetitions × {st['seconds_per_case']} s per throughput case, interleaved; "
      f"median (min–max). Whole run: {st['wall_seconds']} s.")
    w("")
    w("**Ratio column: > 1 means paynet is better** (throughput: paynet / peer; "
      "time and memory: peer / paynet).")
    w("")

    ceiling64 = S.get("wrk/c64", {}).get("calls_per_s", {}).get("median")

    def tput_table(title: str, prefix: str, clients: list[str], note: str = "") -> None:
        if f"{prefix}/paynet" not in S:
            return
        w(f"## {title}")
        w("")
        if note:
            w(note)
            w("")
        w("| client | calls/s | p50 | p99 | paynet ÷ this | % of wrk c64 |")
        w("|---|---|---|---|---|---|")
        p = S[f"{prefix}/paynet"]["calls_per_s"]["median"]
        for c in clients:
            s = S[f"{prefix}/{c}"]
            cps = s["calls_per_s"]
            pct = f"{100 * cps['median'] / ceiling64:.0f} %" if ceiling64 else "–"
            rr = "—" if c == "paynet" else ratio(p, cps["median"])
            w(f"| {c} | {fmt_rate(cps)} | {fmt_us(s['p50_us'])} | {fmt_us(s['p99_us'])} | {rr} | {pct} |")
        w("")

    if "wrk/c1" in S:
        w("## 1. Ceiling: wrk on POST /v1/transaction/check (keep-alive)")
        w("")
        w("| connections | requests/s | p50 | p99 |")
        w("|---|---|---|---|")
        for c in (1, 64):
            s = S[f"wrk/c{c}"]
            w(f"| {c} | {fmt_rate(s['calls_per_s'])} | {fmt_us(s['p50_us'])} | {fmt_us(s['p99_us'])} |")
        w("")
    tput_table("2. Python sync, one thread, `transactions.check`", "py_sync", ["paynet", "requests", "httpx"],
               "Compare with wrk at 1 connection: the same serial request/response loop with no client work.")
    tput_table("3. Python async, 64 in flight", "py_async", ["paynet", "httpx", "aiohttp"])
    tput_table("4. Node, 64 in flight", "node", ["paynet", "fetch", "axios"])

    if "report_py/paynet" in S:
        n = int(S["report_py/paynet"]["rows"]["median"])
        w(f"## 5. Report: `payment_list` of {n:,} rows into typed rows")
        w("")
        w("Time from the call to the last typed row (and DataFrame); peak RSS above the process's resident "
          "size just before the call. Each case in its own process.")
        w("")
        w("| case | time | peak RSS Δ | time: peer ÷ paynet | memory: peer ÷ paynet |")
        w("|---|---|---|---|---|")
        pairs = [("report_py/paynet", "report_py/peer", "Python, typed rows", "paynet", "requests + json.loads(Decimal) + dataclass"),
                 ("report_py/paynet+pandas", "report_py/peer+pandas", "Python, DataFrame", "paynet `.to_pandas()`", "peer rows → `pd.DataFrame`"),
                 ("report_node/paynet", "report_node/fetch", "Node, typed rows", "paynet", "fetch + JSON.parse + row objects")]
        for pk, qk, label, pl, ql in pairs:
            if pk not in S:
                continue
            P, Q = S[pk], S[qk]
            w(f"| {label}: {pl} | {fmt_num(P['seconds'], 's', 2)} | {fmt_num({k: v / 1024 for k, v in P['peak_rss_delta_kb'].items()}, 'MiB', 0)} | "
              f"{ratio(Q['seconds']['median'], P['seconds']['median'])} | "
              f"{ratio(Q['peak_rss_delta_kb']['median'], P['peak_rss_delta_kb']['median'])} |")
            w(f"| {label}: {ql} | {fmt_num(Q['seconds'], 's', 2)} | {fmt_num({k: v / 1024 for k, v in Q['peak_rss_delta_kb'].items()}, 'MiB', 0)} | | |")
        w("")

    table_pairs = [(f"table_py/paynet+{t}", f"table_py/peer+{t}", f"Python → {t}", pl, ql) for t, pl, ql in (
        ("arrow", "`pyarrow.table(report)`", "json.loads(Decimal) rows → `pa.Table.from_pylist`"),
        ("polars", "`report.to_polars()`", "json.loads(Decimal) rows → `pl.DataFrame`"),
        ("pandas", "`report.to_pandas()` (ArrowDtype)", "json.loads(Decimal) rows → `pd.DataFrame`"))]
    table_pairs += [("arrow_node/paynet", "arrow_node/fetch", "Node → Arrow", "`(await paymentList()).toArrow()`", "fetch + JSON.parse + row objects"),
                    ("arrow_node/paynet-upfront", "arrow_node/fetch", "Node → Arrow, asked for up front", "`paymentListArrow()`", "fetch + JSON.parse + row objects"),
                    ("range_py/paynet", "range_py/peer", f"Python, {RANGE_DAYS}-day range → Arrow", "`payment_list_range` (4 at a time)", f"{RANGE_DAYS} sequential calls → `pa.Table.from_pylist`")]
    if any(pk in S for pk, *_ in table_pairs):
        w("## 7–8. Report tables (issue 14)")
        w("")
        w("Time from the call to the finished table or frame (money exact: decimal128(18, 2) for paynet and pyarrow/polars "
          "peers, `Decimal` objects for the pandas peer); peak RSS above the resident size just before the call.")
        w("")
        w("| case | time | peak RSS Δ | time: peer ÷ paynet | memory: peer ÷ paynet |")
        w("|---|---|---|---|---|")
        for pk, qk, label, pl, ql in table_pairs:
            if pk not in S or qk not in S:
                continue
            P, Q = S[pk], S[qk]
            w(f"| {label}: {pl} | {fmt_num(P['seconds'], 's', 2)} | {fmt_num({k: v / 1024 for k, v in P['peak_rss_delta_kb'].items()}, 'MiB', 0)} | "
              f"{ratio(Q['seconds']['median'], P['seconds']['median'])} | "
              f"{ratio(Q['peak_rss_delta_kb']['median'], P['peak_rss_delta_kb']['median'])} |")
            w(f"| {label}: {ql} | {fmt_num(Q['seconds'], 's', 2)} | {fmt_num({k: v / 1024 for k, v in Q['peak_rss_delta_kb'].items()}, 'MiB', 0)} | | |")
        w("")

    if "import_py/paynet" in S:
        w("## 6. Cold start and idle client")
        w("")
        w("Import time: measured inside a bare `python -c` / `node -e` around the import statement "
          "(interpreter start excluded; stdlib modules the library pulls in count against it), "
          "median (min–max) of fresh processes. RSS: resident growth from the import, then from "
          "constructing one client.")
        w("")
        w("| what | import time | RSS of the import | RSS of one idle client |")
        w("|---|---|---|---|")

        def mib(k: str, f: str) -> str:
            return f"{S[k][f]['median'] / 1024:.1f} MiB"

        for c in ("paynet", "requests", "httpx", "aiohttp"):
            w(f"| Python `import {c}` | {fmt_num(S[f'import_py/{c}']['import_ms'], 'ms')} | "
              f"{mib(f'idle_py/{c}', 'import_rss_kb')} | {mib(f'idle_py/{c}', 'idle_rss_kb')} |")
        for c in ("paynet", "axios"):
            w(f"| Node `require('{c}')` | {fmt_num(S[f'import_node/{c}']['import_ms'], 'ms')} | "
              f"{mib(f'idle_node/{c}', 'import_rss_kb')} | {mib(f'idle_node/{c}', 'idle_rss_kb')} |")
        w(f"| Node `fetch` (built in) | – | – | {mib('idle_node/fetch', 'idle_rss_kb')} |")
        w("")
        w(f"Whole process: `python -c 'import paynet'` {S['process_py/paynet']['wall_ms']['median']:.0f} ms "
          f"vs `python -c pass` {S['process_py/bare']['wall_ms']['median']:.0f} ms; "
          f"`node -e \"require('paynet')\"` {S['process_node/paynet']['wall_ms']['median']:.0f} ms "
          f"vs `node -e 0` {S['process_node/bare']['wall_ms']['median']:.0f} ms.")
        w("")

    w("## Targets (issue 5)")
    w("")
    w("| target | measured | met |")
    w("|---|---|---|")
    for label, val, goal in targets(S):
        if val is None:
            continue
        w(f"| {label} | {val:.2f} | {'yes' if val >= goal else 'no'} |")
    w("")
    return "\n".join(L) + "\n"


def targets(S: dict[str, Any]) -> list[tuple[str, float | None, float]]:
    def med(k: str, f: str) -> float | None:
        return S[k][f]["median"] if k in S else None

    def div(a: float | None, b: float | None) -> float | None:
        return a / b if a is not None and b else None

    c64 = med("wrk/c64", "calls_per_s")
    out = [
        ("Python sync ≥ 3× requests (paynet ÷ requests, calls/s)", div(med("py_sync/paynet", "calls_per_s"), med("py_sync/requests", "calls_per_s")), 3),
        ("Python async ≥ 3× httpx", div(med("py_async/paynet", "calls_per_s"), med("py_async/httpx", "calls_per_s")), 3),
        ("Python async ≥ 1.5× aiohttp", div(med("py_async/paynet", "calls_per_s"), med("py_async/aiohttp", "calls_per_s")), 1.5),
        ("Node ≥ 1.5× fetch", div(med("node/paynet", "calls_per_s"), med("node/fetch", "calls_per_s")), 1.5),
        ("Python async ≥ 0.80 of wrk c64 (fraction)", div(med("py_async/paynet", "calls_per_s"), c64), 0.8),
        ("Node ≥ 0.80 of wrk c64 (fraction)", div(med("node/paynet", "calls_per_s"), c64), 0.8),
        ("Report, Python typed rows ≥ 10× faster (peer ÷ paynet time)", div(med("report_py/peer", "seconds"), med("report_py/paynet", "seconds")), 10),
        ("Report, Python peak memory ≤ ½ (peer ÷ paynet RSS Δ)", div(med("report_py/peer", "peak_rss_delta_kb"), med("report_py/paynet", "peak_rss_delta_kb")), 2),
        ("Report, Python DataFrame ≥ 10× faster", div(med("report_py/peer+pandas", "seconds"), med("report_py/paynet+pandas", "seconds")), 10),
        ("Report, Python DataFrame peak memory ≤ ½", div(med("report_py/peer+pandas", "peak_rss_delta_kb"), med("report_py/paynet+pandas", "peak_rss_delta_kb")), 2),
        ("Report, Node typed rows ≥ 10× faster", div(med("report_node/fetch", "seconds"), med("report_node/paynet", "seconds")), 10),
        ("Report, Node peak memory ≤ ½", div(med("report_node/fetch", "peak_rss_delta_kb"), med("report_node/paynet", "peak_rss_delta_kb")), 2),
        *[(f"Report → {t}, Python ≥ 10× faster", div(med(f"table_py/peer+{t}", "seconds"), med(f"table_py/paynet+{t}", "seconds")), 10) for t in ("arrow", "polars", "pandas")],
        *[(f"Report → {t}, Python peak memory ≤ ½", div(med(f"table_py/peer+{t}", "peak_rss_delta_kb"), med(f"table_py/paynet+{t}", "peak_rss_delta_kb")), 2) for t in ("arrow", "polars", "pandas")],
        ("Report, Node typed rows ≥ 2× fetch (issue 14)", div(med("report_node/fetch", "seconds"), med("report_node/paynet", "seconds")), 2),
        ("Report → Arrow, Node ≥ 5× fetch: `toArrow()` on the result", div(med("arrow_node/fetch", "seconds"), med("arrow_node/paynet", "seconds")), 5),
        ("Report → Arrow, Node ≥ 5× fetch: `paymentListArrow()`", div(med("arrow_node/fetch", "seconds"), med("arrow_node/paynet-upfront", "seconds")), 5),
        (f"{RANGE_DAYS}-day range, Python: peer ÷ paynet wall time", div(med("range_py/peer", "seconds"), med("range_py/paynet", "seconds")), 1),
    ]
    imp = med("import_py/paynet", "import_ms")
    if imp is not None:
        out.append(("`import paynet` ≤ 30 ms (30 ÷ measured ms)", 30 / imp, 1))
    req = med("import_node/paynet", "import_ms")
    if req is not None:
        out.append(("`require('paynet')` ≤ 30 ms (30 ÷ measured ms)", 30 / req, 1))
    return out


if __name__ == "__main__":
    main()
