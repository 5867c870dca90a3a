"""`paynet`, the command line (console script installed by `pip install paynet`).

    paynet report payment-list --from 2026-11-01 --to 2026-11-30 --format csv --out nov.csv

The key comes from `PAYNET_SECRET_KEY` (never an argument: it would show in
`ps` and the shell's history). `--sandbox` runs against an embedded sandbox
seeded with a month of demo traffic instead. A progress bar is drawn on a
terminal (stderr), nothing otherwise.

CSV and JSON are written by the standard library from the typed rows (amounts
as exact text); Parquet from the Arrow table by pyarrow (`paynet[arrow]`),
so no Parquet writer is compiled into the extension.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import enum
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from decimal import Decimal
from typing import IO, Any

from ._errors import PaynetError
from ._models import PaymentReportRange, PaymentReportRow

FORMATS = ("csv", "json", "parquet")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a yyyy-MM-dd date") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="paynet", description="Paynet from the command line.")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser("report", help="reports").add_subparsers(dest="report", required=True)
    payments = report.add_parser(
        "payment-list",
        help="what Paynet pays out, per due date, over a range of days",
        description="Every payout row due from --from to --to (both included), in date order.",
    )
    payments.add_argument("--from", dest="start", type=_date, required=True, metavar="YYYY-MM-DD", help="first due date")
    payments.add_argument("--to", dest="end", type=_date, metavar="YYYY-MM-DD", help="last due date (default: --from)")
    payments.add_argument("--format", choices=FORMATS, default="csv", help="output format (default: csv)")
    payments.add_argument("--out", metavar="FILE", help="output file (default: standard output; required for parquet)")
    payments.add_argument("--concurrency", type=int, metavar="N", help="days fetched at once (1-16, default 4)")
    payments.add_argument(
        "--sandbox", action="store_true", help="run against an embedded sandbox seeded with demo data (no key needed)"
    )
    payments.add_argument("--seed", type=int, default=1, help="--sandbox: the demo data's seed (default: 1)")
    payments.add_argument("--environment", choices=("test", "live"), default="test", help="Paynet system (default: test)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    end = args.end or args.start
    if args.format == "parquet" and args.out in (None, "-"):
        print("paynet: --format parquet needs --out FILE", file=sys.stderr)
        return 2
    try:
        with ExitStack() as stack:
            client = stack.enter_context(_client(args, end))
            report = client.reports.payment_list_range(
                start=args.start, end=end, concurrency=args.concurrency, progress=_progress_for(sys.stderr)
            )
            out: IO[Any] = sys.stdout if args.out in (None, "-") else stack.enter_context(_open(args.out, args.format))
            WRITERS[args.format](report, out)
    except PaynetError as e:
        print(f"paynet: {e}", file=sys.stderr)
        return 1
    except (ImportError, OSError) as e:
        print(f"paynet: {e}", file=sys.stderr)
        return 1
    return 0


@contextmanager
def _client(args: argparse.Namespace, end: dt.date) -> Iterator[Any]:
    from ._client import Client

    if args.sandbox:
        from .testing import Sandbox

        with Sandbox() as sandbox:
            sandbox.seed_demo(start=min(args.start, end), end=max(args.start, end), seed=args.seed)
            with sandbox.client() as client:
                yield client
        return
    key = os.environ.get("PAYNET_SECRET_KEY")
    if not key:
        raise SystemExit("paynet: set PAYNET_SECRET_KEY (or use --sandbox)")
    with Client(secret_key=key, environment=args.environment) as client:
        del key
        yield client


def _progress_for(stream: IO[str]) -> Any:
    """A bar on a terminal (tqdm if installed, else one rewritten line); nothing otherwise."""
    if not stream.isatty():
        return None
    try:
        import tqdm  # type: ignore[import-untyped, import-not-found, unused-ignore]  # noqa: F401
    except ImportError:

        def line(p: Any) -> None:
            stream.write(f"\rpaynet: {p.done}/{p.total} days ({p.part})")
            if p.done == p.total:
                stream.write("\n")
            stream.flush()

        return line
    return True


def _open(path: str, format: str) -> IO[Any]:
    if format == "parquet":
        return open(path, "wb")
    return open(path, "w", encoding="utf-8", newline="")


COLUMNS = [f.name for f in dataclasses.fields(PaymentReportRow)]


def _text(value: object) -> str:
    """A value as exact text: amounts as written (`12.50`), timestamps in ISO 8601 with offset."""
    if value is None:
        return ""
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def _write_csv(report: PaymentReportRange, out: IO[str]) -> None:
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in report.rows:
        writer.writerow([_text(getattr(row, name)) for name in COLUMNS])


def _json_value(value: object) -> object:
    if isinstance(value, (Decimal, dt.date, dt.datetime, enum.Enum)):
        return _text(value)
    return value


def _write_json(report: PaymentReportRange, out: IO[str]) -> None:
    """A JSON array of row objects; amounts as exact strings, never floats."""
    out.write("[")
    for i, row in enumerate(report.rows):
        out.write(",\n" if i else "\n")
        json.dump({name: _json_value(getattr(row, name)) for name in COLUMNS}, out, ensure_ascii=False)
    out.write("\n]\n")


def _write_parquet(report: PaymentReportRange, out: IO[bytes]) -> None:
    try:
        import pyarrow.parquet as pq  # type: ignore[import-untyped, import-not-found, unused-ignore]
    except ImportError:
        raise ImportError("--format parquet needs pyarrow: pip install 'paynet[arrow]'") from None
    pq.write_table(report.to_arrow(), out)


WRITERS: dict[str, Callable[[PaymentReportRange, Any], None]] = {
    "csv": _write_csv,
    "json": _write_json,
    "parquet": _write_parquet,
}
