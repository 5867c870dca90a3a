"""Reports as tables: Arrow arrays built in core, read by pyarrow, polars, pandas and
duckdb over the Arrow PyCapsule interface; date ranges; demo data. All over HTTP
against a sandbox seeded with a month of demo traffic."""

from __future__ import annotations

import datetime as dt
import pickle
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import SECRET_KEY

pa = pytest.importorskip("pyarrow")

NOVEMBER = [dt.date(2026, 11, 1) + dt.timedelta(days=i) for i in range(30)]
MONEY = ("amount", "company_pay_amount", "company_service_amount", "agent_pay_amount", "agent_service_amount")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(secret_key=SECRET_KEY) as sb:
        sb.seed_demo(start=NOVEMBER[0], end=NOVEMBER[-1], per_day=30, seed=11)
        yield sb


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[paynet.Client]:
    with paynet.Client(secret_key=sandbox.secret_key, base_url=sandbox.url, max_retries=2) as c:
        yield c


@pytest.fixture
def report(client: paynet.Client) -> paynet.PaymentReport:
    return client.reports.payment_list(date=NOVEMBER[9])


def test_arrow_types_are_exact(report: paynet.PaymentReport) -> None:
    table = pa.table(report)
    assert table.num_rows == len(report) > 10
    schema = table.schema
    for name in MONEY:
        assert schema.field(name).type == pa.decimal128(18, 2), name
    assert schema.field("ratio").type == pa.decimal128(18, 8)
    assert schema.field("xact_date").type == pa.timestamp("us", tz="Europe/Istanbul")
    assert schema.field("due_date").type == pa.date32()
    for name in ("bank_id", "bank_name", "card_type", "xact_type"):
        assert pa.types.is_dictionary(schema.field(name).type), name
    assert not [f.name for f in schema if pa.types.is_floating(f.type)]
    # The same values as the typed rows, exactly.
    rows = report.rows
    assert table.column("amount").to_pylist() == [r.amount for r in rows]
    assert table.column("xact_date").to_pylist() == [r.xact_date for r in rows]
    assert table.column("due_date").to_pylist() == [r.due_date for r in rows]
    assert table.column("bank_id").to_pylist() == [r.bank_id for r in rows]
    assert sum(table.column("amount").to_pylist()) == sum(r.amount for r in rows if r.amount is not None)


def test_rows_stay_native_until_read(client: paynet.Client, report: paynet.PaymentReport) -> None:
    # Nothing but its own fields is built until the rows are read.
    assert repr(report).startswith("PaymentReport(date=datetime.date(2026, 11, 10), rows=")
    with pytest.raises(AttributeError):
        object.__getattribute__(report, "rows")
    eager = client._require_native().call("reports.payment_list", {"date": NOVEMBER[9]}, typed=True)
    assert report == eager and report.rows == eager.rows
    assert list(report) == list(eager.rows)
    again = pickle.loads(pickle.dumps(report))
    assert again == report
    with pytest.raises(TypeError, match="no Arrow table"):
        again.to_arrow()


def test_polars(report: paynet.PaymentReport) -> None:
    pl = pytest.importorskip("polars")
    frame = report.to_polars()
    assert frame.height == len(report)
    assert frame.schema["amount"] == pl.Decimal(18, 2)
    assert frame.schema["xact_date"] == pl.Datetime("us", "Europe/Istanbul")
    assert frame.schema["due_date"] == pl.Date
    assert frame.schema["bank_id"] == pl.Categorical or isinstance(frame.schema["bank_id"], pl.Categorical)
    assert not [n for n, t in frame.schema.items() if t.is_float()]
    assert pl.from_arrow(pa.table(report)).equals(frame)
    by_bank = frame.group_by("bank_id").agg(pl.col("amount").sum())
    assert sum(by_bank["amount"].to_list()) == sum(r.amount for r in report.rows if r.amount is not None)


def test_pandas_arrow_dtypes_and_exact_decimals(report: paynet.PaymentReport) -> None:
    pd = pytest.importorskip("pandas")
    frame = report.to_pandas()
    assert len(frame) == len(report)
    assert frame["amount"].dtype == pd.ArrowDtype(pa.decimal128(18, 2))
    assert frame["xact_date"].dtype == pd.ArrowDtype(pa.timestamp("us", tz="Europe/Istanbul"))
    assert isinstance(frame["bank_id"].dtype, pd.CategoricalDtype)
    assert not [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c].dtype)]
    total = frame["amount"].sum()
    assert Decimal(str(total)) == sum(r.amount for r in report.rows if r.amount is not None)
    exact = report.to_pandas(decimals="decimal")
    assert exact["amount"].dtype == object and all(isinstance(v, Decimal) for v in exact["amount"].dropna())
    assert list(exact["amount"]) == [r.amount for r in report.rows]
    with pytest.raises(ValueError, match="decimals"):
        report.to_pandas(decimals="float")


def test_duckdb_reads_the_report_by_name(report: paynet.PaymentReport) -> None:
    duckdb = pytest.importorskip("duckdb")
    arrow = pa.table(report)  # noqa: F841 - duckdb finds local tables by name
    types = dict(duckdb.sql("select column_name, column_type from (describe select * from arrow)").fetchall())
    assert types["amount"] == "DECIMAL(18,2)"
    assert not [c for c, t in types.items() if t in ("FLOAT", "DOUBLE")]
    stream_total = duckdb.sql("select sum(amount) from report").fetchall()[0]
    assert stream_total[0] == sum(r.amount for r in report.rows if r.amount is not None)
    assert isinstance(stream_total[0], Decimal)


def test_a_range_is_every_day_in_order(client: paynet.Client) -> None:
    seen: list[paynet.Progress] = []
    week = client.reports.payment_list_range(start=NOVEMBER[0], end=NOVEMBER[6], concurrency=3, progress=seen.append)
    assert (week.start, week.end, week.days) == (NOVEMBER[0], NOVEMBER[6], 7)
    assert sorted(p.done for p in seen) == list(range(1, 8)) and {p.total for p in seen} == {7}
    assert sorted(p.part for p in seen) == [d.isoformat() for d in NOVEMBER[:7]]
    days = [client.reports.payment_list(date=d) for d in NOVEMBER[:7]]
    assert week.rows == tuple(row for day in days for row in day.rows)
    assert week.total_count == len(week) == sum(len(d) for d in days)
    table = pa.table(week)
    assert table.num_rows == len(week)
    assert table.column("due_date").to_pylist() == sorted(table.column("due_date").to_pylist())


async def test_async_range_with_progress_true(sandbox: Sandbox) -> None:
    async with paynet.AsyncClient(secret_key=sandbox.secret_key, base_url=sandbox.url) as client:
        month = await client.reports.payment_list_range(start=NOVEMBER[0], end=NOVEMBER[-1], progress=True)
    assert month.days == 30 and len(month) == pa.table(month).num_rows > 100


def test_a_failed_day_names_its_date_and_5xx_are_retried(client: paynet.Client, sandbox: Sandbox) -> None:
    sandbox.set_faults([{"kind": "status", "when": "before", "path": "v1/transaction/payment_list", "status": 503, "count": 2}])
    # Read-only: each day's call is retried as any other.
    assert client.reports.payment_list_range(start=NOVEMBER[0], end=NOVEMBER[2], concurrency=1).days == 3
    sandbox.set_faults([{"kind": "replace", "path": "v1/transaction/payment_list", "body": "not json", "count": 1}])
    with pytest.raises(paynet.ProtocolError, match="2026-11-01"):
        client.reports.payment_list_range(start=NOVEMBER[0], end=NOVEMBER[2], concurrency=1)
    sandbox.set_faults([])


def test_bad_ranges_are_refused_before_any_request(client: paynet.Client, sandbox: Sandbox) -> None:
    before = sandbox.stats()["requests"]
    with pytest.raises(paynet.InvalidRequestError, match="end") as e:
        client.reports.payment_list_range(start=NOVEMBER[5], end=NOVEMBER[1])
    assert e.value.field == "end"
    with pytest.raises(paynet.InvalidRequestError, match="concurrency"):
        client.reports.payment_list_range(start=NOVEMBER[0], end=NOVEMBER[1], concurrency=99)
    with pytest.raises(paynet.InvalidTypeError, match="progress"):
        client.reports.payment_list_range(start=NOVEMBER[0], end=NOVEMBER[1], progress="yes")  # type: ignore[arg-type]
    assert sandbox.stats()["requests"] == before


def test_demo_data_is_realistic_and_reproducible(client: paynet.Client, sandbox: Sandbox) -> None:
    month = client.reports.payment_list_range(start=NOVEMBER[0], end=NOVEMBER[-1]).rows
    kinds: dict[str, set[Any]] = defaultdict(set)
    for row in month:
        for name in ("bank_id", "card_type", "xact_type", "installment", "agent_id"):
            kinds[name].add(getattr(row, name))
    assert len(kinds["bank_id"]) >= 5
    assert kinds["card_type"] == {paynet.CardType.CREDIT, paynet.CardType.DEBIT, paynet.CardType.BUSINESS}
    assert {paynet.XactType.SALE, paynet.XactType.CAPTURE, paynet.XactType.REFUND} <= kinds["xact_type"]
    assert {0, 3, 6} <= kinds["installment"]
    assert len(kinds["agent_id"]) >= 3
    assert any(r.amount is not None and r.amount < 0 for r in month)  # refunds pay back
    # Declines and open pre-auths are in the transaction list, not in payouts.
    listed = list(client.transactions.list(date_from=NOVEMBER[0], date_to=NOVEMBER[0], show_unsucceed=True, limit=100))
    assert any(not t.is_succeed for t in listed)
    # The same seed on a fresh sandbox gives the same month.
    with Sandbox(secret_key=SECRET_KEY) as other:
        other.seed_demo(start=NOVEMBER[0], end=NOVEMBER[-1], per_day=30, seed=11)
        with paynet.Client(secret_key=other.secret_key, base_url=other.url) as c:
            again = c.reports.payment_list_range(start=NOVEMBER[0], end=NOVEMBER[-1]).rows
    assert again == month


def test_list_pages_are_tables_too(client: paynet.Client) -> None:
    page = client.transactions.list_page(date_from=NOVEMBER[0], date_to=NOVEMBER[1], show_unsucceed=True, limit=20)
    table = pa.table(page)
    assert table.num_rows == len(page.transactions) > 0
    assert table.schema.field("amount").type == pa.decimal128(18, 2)
    assert pa.types.is_dictionary(table.schema.field("bank_id").type)
    assert table.column("xact_id").to_pylist() == [t.xact_id for t in page.transactions]
    assert page.has_more and page.next_starting_after == 20
    # The iterator walks the same lazily built pages.
    assert len(list(client.transactions.list(date_from=NOVEMBER[0], date_to=NOVEMBER[1], show_unsucceed=True, limit=20))) == page.total_count
