"""Python side of the paynet benchmarks: one case per process, JSON on stdout.

    pybench.py sync   --client paynet|requests|httpx   --seconds S
    pybench.py async  --client paynet|httpx|aiohttp    --seconds S --conc 64
    pybench.py report --client paynet|peer [--pandas]  --date yyyy-MM-dd
    pybench.py table  --client paynet|peer --target arrow|polars|pandas --date yyyy-MM-dd [--days N]
    pybench.py import --client paynet|requests|httpx|aiohttp
    pybench.py idle   --client paynet|requests|httpx|aiohttp

Common: --url URL --key KEY --ref REFERENCE_NO. Driven by benches/run.py.

The peers are written the way a careful user would write them without an SDK:
plain library calls, a status check, `json.loads(..., parse_float=Decimal)` so no
amount passes through a float, and a small frozen dataclass as the typed result
(the same fields, with the same Python types, that paynet's `Transaction` /
`PaymentReportRow` carry: Decimal money, aware datetime, date).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import os
import resource
import sys
import time
from decimal import Decimal
from typing import Any

CHECK = "/v1/transaction/check"
REPORT = "/v1/transaction/payment_list"
IST = dt.timezone(dt.timedelta(hours=3))


def rss_now_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def peak_rss_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


# --------------------------------------------------------------------------
# The peers' typed results (what a user writes instead of the SDK's models)
# --------------------------------------------------------------------------


class PaynetHTTPError(Exception):
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class Txn:
    xact_id: str
    id: int
    xact_date: dt.datetime
    transaction_type: int
    pos_type: int
    is_tds: bool
    agent_id: str
    note: str | None
    ratio: Decimal
    reference_no: str | None
    bank_id: str
    bank_name: str
    card_no_masked: str
    card_holder: str
    amount: Decimal
    net_amount: Decimal
    commission: Decimal
    commission_tax: Decimal
    currency: str
    authorization_code: str | None
    bank_reference_code: str | None
    order_id: str | None
    installment: int
    card_type: str
    is_succeed: bool
    xact_transaction_id: str | None
    email: str | None
    phone: str | None


def txn_from_check(doc: dict[str, Any]) -> Txn:
    if doc.get("code") != 0 or not doc.get("Data"):
        raise PaynetHTTPError(f"paynet: code {doc.get('code')}: {doc.get('message')}")
    r = doc["Data"][0]
    return Txn(
        xact_id=r["xact_id"],
        id=r["id"],
        xact_date=dt.datetime.fromisoformat(r["xact_date"]),
        transaction_type=r["transaction_type"],
        pos_type=r["pos_type"],
        is_tds=r["is_tds"],
        agent_id=r["agent_id"],
        note=r["note"],
        ratio=r["ratio"],  # already Decimal: parse_float=Decimal
        reference_no=r["agent_reference"],
        bank_id=r["bank_id"],
        bank_name=r["bank_name"],
        card_no_masked=r["card_no"],
        card_holder=r["card_holder"],
        amount=r["amount"],
        net_amount=r["net_amount"],
        commission=r["comission"],
        commission_tax=r["comission_tax"],
        currency=r["currency"],
        authorization_code=r["authorization_code"],
        bank_reference_code=r["reference_code"],
        order_id=r["order_id"],
        installment=r["instalment"],
        card_type=r["card_type"],
        is_succeed=r["is_succeed"],
        xact_transaction_id=r["xact_transaction_id"],
        email=r["email"],
        phone=r["phone"],
    )


@dataclasses.dataclass(frozen=True, slots=True)
class ReportRow:
    xact_id: str
    xact_date: dt.datetime
    due_date: dt.date
    xact_type: str
    is_succeed: bool
    amount: Decimal
    company_pay_amount: Decimal
    company_service_amount: Decimal
    agent_pay_amount: Decimal
    agent_service_amount: Decimal
    ratio: Decimal
    company_cost_ratio: Decimal
    installment: int
    plus_installment: int
    pos_type: int
    company_code: str
    company_name: str
    agent_id: str
    agent_name: str
    bank_id: str
    bank_name: str
    card_no_masked: str
    card_holder: str
    card_type: str
    authorization_code: str
    bank_reference_code: str
    order_id: str
    user_id: str


def row_from_report(r: dict[str, Any]) -> ReportRow:
    return ReportRow(
        xact_id=r["xact_id"],
        # Paynet prints report times as Istanbul wall-clock "dd.MM.yyyy HH:mm:ss".
        xact_date=dt.datetime.strptime(r["xact_date"], "%d.%m.%Y %H:%M:%S").replace(tzinfo=IST),
        due_date=dt.date.fromisoformat(r["due_date"][:10]),
        xact_type=r["xact_type"],
        is_succeed=r["is_succeed"],
        amount=r["amount"],
        company_pay_amount=r["company_pay_amount"],
        company_service_amount=r["company_service_amount"],
        agent_pay_amount=r["agent_pay_amount"],
        agent_service_amount=r["agent_service_amount"],
        ratio=r["ratio"],
        company_cost_ratio=r["company_cost_ratio"],
        installment=r["instalment"],
        plus_installment=r["plus_installment"],
        pos_type=r["pos_type"],
        company_code=r["company_code"],
        company_name=r["company_name"],
        agent_id=r["agent_id"],
        agent_name=r["agent_name"],
        bank_id=r["bank_id"],
        bank_name=r["bank_name"],
        card_no_masked=r["card_no"],
        card_holder=r["card_holder"],
        card_type=r["card_type"],
        authorization_code=r["authorization_code"],
        bank_reference_code=r["reference_code"],
        order_id=r["order_id"],
        user_id=r["user_id"],
    )


def parse(text: str | bytes) -> dict[str, Any]:
    return json.loads(text, parse_float=Decimal)


# --------------------------------------------------------------------------
# Clients
# --------------------------------------------------------------------------


def make_sync(name: str, url: str, key: str):
    """-> (check(ref) -> typed result, close())"""
    headers = {"Authorization": f"Basic {key}", "Content-Type": "application/json"}
    if name == "paynet":
        import paynet

        c = paynet.Client(secret_key=key, base_url=url)
        return (lambda ref: c.transactions.check(reference_no=ref)), c.close
    if name == "requests":
        import requests

        s = requests.Session()
        s.headers.update(headers)

        def check(ref: str) -> Txn:
            r = s.post(url + CHECK, data=json.dumps({"reference_no": ref}), timeout=60)
            r.raise_for_status()
            return txn_from_check(parse(r.content))

        return check, s.close
    if name == "httpx":
        import httpx

        h = httpx.Client(base_url=url, headers=headers, timeout=60)

        def check(ref: str) -> Txn:
            r = h.post(CHECK, content=json.dumps({"reference_no": ref}))
            r.raise_for_status()
            return txn_from_check(parse(r.content))

        return check, h.close
    raise SystemExit(f"unknown client {name}")


async def make_async(name: str, url: str, key: str, conc: int):
    """-> (async check(ref), async close())"""
    headers = {"Authorization": f"Basic {key}", "Content-Type": "application/json"}
    if name == "paynet":
        import paynet

        c = paynet.AsyncClient(secret_key=key, base_url=url)

        async def close() -> None:
            await c.aclose()

        return (lambda ref: c.transactions.check(reference_no=ref)), close
    if name == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=conc, max_keepalive_connections=conc)
        h = httpx.AsyncClient(base_url=url, headers=headers, timeout=60, limits=limits)

        async def check(ref: str) -> Txn:
            r = await h.post(CHECK, content=json.dumps({"reference_no": ref}))
            r.raise_for_status()
            return txn_from_check(parse(r.content))

        return check, h.aclose
    if name == "aiohttp":
        import aiohttp

        s = aiohttp.ClientSession(
            base_url=url,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=60),
            connector=aiohttp.TCPConnector(limit=conc),
        )

        async def check(ref: str) -> Txn:
            async with s.post(CHECK, data=json.dumps({"reference_no": ref})) as r:
                r.raise_for_status()
                return txn_from_check(parse(await r.read()))

        return check, s.close
    raise SystemExit(f"unknown client {name}")


def lat_stats(lat: list[float]) -> dict[str, float]:
    lat.sort()
    n = len(lat)
    return {
        "p50_us": lat[n // 2] * 1e6,
        "p99_us": lat[min(n - 1, int(n * 0.99))] * 1e6,
    }


def expect(result: Any) -> None:
    # Every client must have produced the same exact, typed amount.
    if result.amount != Decimal("12.50") or not isinstance(result.xact_date, dt.datetime):
        raise SystemExit(f"wrong result: {result!r}")


def run_sync(a: argparse.Namespace) -> dict[str, Any]:
    check, close = make_sync(a.client, a.url, a.key)
    for _ in range(a.warmup):  # warm-up: connection, caches
        expect(check(a.ref))
    lat = []
    clock = time.perf_counter
    t0 = clock()
    deadline = t0 + a.seconds
    while True:
        s = clock()
        check(a.ref)
        e = clock()
        lat.append(e - s)
        if e >= deadline:
            break
    elapsed = clock() - t0
    close()
    n = len(lat)
    return {"calls": n, "seconds": elapsed, "calls_per_s": n / elapsed, **lat_stats(lat)}


async def run_async_main(a: argparse.Namespace) -> dict[str, Any]:
    check, close = await make_async(a.client, a.url, a.key, a.conc)
    clock = time.perf_counter
    lat: list[float] = []

    async def worker(count: int, record: bool, deadline: float = 0.0) -> None:
        done = 0
        while True:
            s = clock()
            r = await check(a.ref)
            done += 1
            if record:
                e = clock()
                lat.append(e - s)
                if e >= deadline:
                    return
            else:
                expect(r)
                if done >= count:
                    return

    warm = max(a.conc * 2, a.warmup)
    await asyncio.gather(*(worker(warm // a.conc, False) for _ in range(a.conc)))
    t0 = clock()
    await asyncio.gather(*(worker(0, True, t0 + a.seconds) for _ in range(a.conc)))
    elapsed = clock() - t0
    await close()
    n = len(lat)
    return {"calls": n, "seconds": elapsed, "calls_per_s": n / elapsed, **lat_stats(lat)}


def run_report(a: argparse.Namespace) -> dict[str, Any]:
    import gc

    if a.pandas:
        import pandas as pd
    if a.client == "paynet":
        import paynet

        c = paynet.Client(secret_key=a.key, base_url=a.url, timeout=120)
    else:
        import requests

        s = requests.Session()
        s.headers.update({"Authorization": f"Basic {a.key}", "Content-Type": "application/json"})
    gc.collect()
    base_peak = peak_rss_kb()
    base_now = rss_now_kb()
    t0 = time.perf_counter()
    if a.client == "paynet":
        report = c.reports.payment_list(date=a.date)
        rows = report.rows
        n = len(rows)
        first = rows[0]
        if a.pandas:
            df = report.to_pandas()
    else:
        r = s.post(a.url + REPORT, data=json.dumps({"date": a.date}), timeout=120)
        r.raise_for_status()
        doc = parse(r.content)
        if doc.get("code") != 0:
            raise SystemExit(f"report failed: {doc.get('message')}")
        rows = [row_from_report(x) for x in doc["Data"]]
        del doc, r
        n = len(rows)
        first = rows[0]
        if a.pandas:
            df = pd.DataFrame([dataclasses.asdict(x) for x in rows])
    elapsed = time.perf_counter() - t0
    if not isinstance(first.amount, Decimal) or not isinstance(first.xact_date, dt.datetime):
        raise SystemExit(f"untyped row: {first!r}")
    if a.pandas and len(df) != n:
        raise SystemExit("frame size")
    peak = peak_rss_kb()
    return {
        "rows": n,
        "seconds": elapsed,
        "peak_rss_delta_kb": peak - base_now,
        "base_peak_kb": base_peak,
        "peak_rss_kb": peak,
        "base_rss_kb": base_now,
    }


def peer_rows(s: Any, url: str, date: str) -> list[dict[str, Any]]:
    """What a user writes without paynet: one request, `json.loads(parse_float=Decimal)`,
    each row typed (Decimal money, aware datetime, date), as dicts for a frame."""
    r = s.post(url + REPORT, data=json.dumps({"date": date}), timeout=120)
    r.raise_for_status()
    doc = parse(r.content)
    if doc.get("code") != 0:
        raise SystemExit(f"report failed: {doc.get('message')}")
    return [dataclasses.asdict(row_from_report(x)) for x in doc["Data"]]


def peer_frame(rows: list[dict[str, Any]], target: str) -> Any:
    """The same frame from the peer's rows: pyarrow infers decimal128 from Decimal,
    polars a Decimal column, pandas object columns of Decimal."""
    if target == "arrow":
        import pyarrow as pa

        return pa.Table.from_pylist(rows)
    if target == "polars":
        import polars as pl

        return pl.DataFrame(rows, infer_schema_length=None)
    import pandas as pd

    return pd.DataFrame(rows)


def run_table(a: argparse.Namespace) -> dict[str, Any]:
    """Report → an Arrow table, a polars or a pandas frame; `--days N`: a range of N
    due dates from `--date` (paynet: `payment_list_range`; peer: N sequential calls)."""
    import gc

    # Imported before the clock starts, by both sides: `pyarrow.table(obj)` imports
    # pandas on first use (to ask whether obj is a DataFrame), which is no report's cost.
    import pandas  # noqa: F401
    import pyarrow  # noqa: F401
    if a.target == "polars":
        import polars  # noqa: F401
    days = [(dt.date.fromisoformat(a.date) + dt.timedelta(days=i)).isoformat() for i in range(a.days)]
    if a.client == "paynet":
        import paynet

        c = paynet.Client(secret_key=a.key, base_url=a.url, timeout=120)
    else:
        import requests

        s = requests.Session()
        s.headers.update({"Authorization": f"Basic {a.key}", "Content-Type": "application/json"})
    gc.collect()
    base_now = rss_now_kb()
    t0 = time.perf_counter()
    if a.client == "paynet":
        if a.days == 1:
            report: Any = c.reports.payment_list(date=a.date)
        else:
            report = c.reports.payment_list_range(start=days[0], end=days[-1])
        frame = {"arrow": lambda: pyarrow.table(report), "polars": report.to_polars, "pandas": report.to_pandas}[a.target]()
    else:
        rows = [row for day in days for row in peer_rows(s, a.url, day)]
        frame = peer_frame(rows, a.target)
        del rows
    elapsed = time.perf_counter() - t0
    n = len(frame)
    column = frame["amount"] if a.target != "arrow" else frame.column("amount")
    kind = str(getattr(column, "dtype", getattr(column, "type", "")))
    if "decimal" not in kind.lower() and kind != "object":
        raise SystemExit(f"money column is {kind}")
    peak = peak_rss_kb()
    return {"rows": n, "seconds": elapsed, "peak_rss_delta_kb": peak - base_now, "peak_rss_kb": peak, "base_rss_kb": base_now, "amount_type": kind}


IMPORTS = {"paynet": "paynet", "requests": "requests", "httpx": "httpx", "aiohttp": "aiohttp"}


def run_import(a: argparse.Namespace) -> dict[str, Any]:
    import importlib

    t0 = time.perf_counter()
    importlib.import_module(IMPORTS[a.client])
    return {"import_ms": (time.perf_counter() - t0) * 1e3}


def run_idle(a: argparse.Namespace) -> dict[str, Any]:
    """RSS growth from importing the library, then from one idle client."""
    import gc
    import importlib

    gc.collect()
    rss0 = rss_now_kb()
    mod = importlib.import_module(IMPORTS[a.client])
    gc.collect()
    rss1 = rss_now_kb()
    if a.client == "paynet":
        c = mod.Client(secret_key=a.key, base_url=a.url)
    elif a.client == "requests":
        c = mod.Session()
    elif a.client == "httpx":
        c = mod.Client(base_url=a.url)
    else:

        async def mk():
            return mod.ClientSession(base_url=a.url)

        loop = asyncio.new_event_loop()
        c = loop.run_until_complete(mk())
    gc.collect()
    rss2 = rss_now_kb()
    assert c is not None
    return {"import_rss_kb": rss1 - rss0, "idle_rss_kb": rss2 - rss1, "process_rss_kb": rss2}


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["sync", "async", "report", "table", "import", "idle"])
    p.add_argument("--client", required=True)
    p.add_argument("--url", default=os.environ.get("PAYNET_URL", ""))
    p.add_argument("--key", default="sck_sandbox_0000000000000000")
    p.add_argument("--ref", default="bench-ref-1")
    p.add_argument("--seconds", type=float, default=2.0, help="measured time per case")
    p.add_argument("--warmup", type=int, default=200, help="calls before measuring")
    p.add_argument("--conc", type=int, default=64)
    p.add_argument("--date", default="2030-01-15")
    p.add_argument("--pandas", action="store_true")
    p.add_argument("--target", choices=["arrow", "polars", "pandas"], default="arrow")
    p.add_argument("--days", type=int, default=1)
    a = p.parse_args()
    if a.mode == "sync":
        out = run_sync(a)
    elif a.mode == "async":
        out = asyncio.run(run_async_main(a))
    elif a.mode == "report":
        out = run_report(a)
    elif a.mode == "table":
        out = run_table(a)
    elif a.mode == "import":
        out = run_import(a)
    else:
        out = run_idle(a)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
