"""The `paynet` command line, run as a user would (a separate process), exporting a
sandbox's demo month; each file is read back and compared with what the SDK returns
for the same seeded data."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import pathlib
import subprocess
import sys
from decimal import Decimal

import pytest

import paynet
from paynet.testing import Sandbox

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 7)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "paynet", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def expected() -> paynet.PaymentReportRange:
    """The same demo data the CLI's embedded sandbox makes (seed 5)."""
    with Sandbox() as sb:
        sb.seed_demo(start=START, end=END, seed=5)
        with sb.client() as client:
            report = client.reports.payment_list_range(start=START, end=END)
            assert len(report.rows) > 100
            return report


def export(tmp_path: pathlib.Path, format: str) -> pathlib.Path:
    out = tmp_path / f"payouts.{format}"
    done = run("report", "payment-list", "--sandbox", "--seed", "5", "--from", str(START), "--to", str(END), "--format", format, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""  # quiet when not on a terminal
    return out


def test_csv_export_reads_back_exactly(tmp_path: pathlib.Path, expected: paynet.PaymentReportRange) -> None:
    with export(tmp_path, "csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(expected.rows)
    for got, want in zip(rows, expected.rows):
        assert got["xact_id"] == want.xact_id
        assert Decimal(got["amount"]) == want.amount and got["amount"] == str(want.amount)
        assert dt.datetime.fromisoformat(got["xact_date"]) == want.xact_date
        assert got["bank_id"] == want.bank_id and got["installment"] == str(want.installment)


def test_parquet_export_reads_back_exactly(tmp_path: pathlib.Path, expected: paynet.PaymentReportRange) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    pa = pytest.importorskip("pyarrow")
    table = pq.read_table(export(tmp_path, "parquet"))
    assert table.schema.field("amount").type == pa.decimal128(18, 2)
    assert table.schema.field("xact_date").type == pa.timestamp("us", tz="Europe/Istanbul")
    assert not [f.name for f in table.schema if pa.types.is_floating(f.type)]
    assert table.column("amount").to_pylist() == [r.amount for r in expected.rows]
    assert table.column("xact_id").to_pylist() == [r.xact_id for r in expected.rows]
    assert table.column("xact_date").to_pylist() == [r.xact_date for r in expected.rows]


def test_json_export_keeps_amounts_as_text(tmp_path: pathlib.Path, expected: paynet.PaymentReportRange) -> None:
    rows = json.loads(export(tmp_path, "json").read_text(encoding="utf-8"))
    assert [r["amount"] for r in rows] == [str(r.amount) for r in expected.rows]
    assert all(isinstance(r["amount"], str) for r in rows)


def test_stdout_errors_and_the_key() -> None:
    done = run("report", "payment-list", "--sandbox", "--from", "2026-11-01", "--format", "csv")
    assert done.returncode == 0 and done.stdout.startswith("xact_id,xact_date,due_date,")
    env = {k: v for k, v in os.environ.items() if k != "PAYNET_SECRET_KEY"}
    no_key = subprocess.run([sys.executable, "-m", "paynet", "report", "payment-list", "--from", "2026-11-01"], capture_output=True, text=True, env=env, timeout=60)
    assert no_key.returncode != 0 and "PAYNET_SECRET_KEY" in no_key.stderr
    reversed_range = run("report", "payment-list", "--sandbox", "--from", "2026-11-05", "--to", "2026-11-01")
    assert reversed_range.returncode == 1 and "end" in reversed_range.stderr
    assert run("report", "payment-list", "--sandbox", "--from", "2026-11-01", "--format", "parquet").returncode == 2
    assert run("report", "payment-list", "--from", "11/01/2026").returncode == 2


def test_the_console_script_is_installed() -> None:
    script = pathlib.Path(sys.executable).with_name("paynet")
    if not script.exists():
        pytest.skip("no console script in this environment (not installed by pip/maturin)")
    done = subprocess.run([str(script), "report", "payment-list", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "--format" in done.stdout
