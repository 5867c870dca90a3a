"""`paynet-sandbox` as a program (the Python console script and `npx
paynet-sandbox`, one command line): what a docker-compose file or another
language's test suite starts, then talks to over HTTP."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

import paynet

from .conftest import card, reference

ROOT = Path(__file__).resolve().parents[2]
PROGRAMS = {
    "python": [str(Path(sys.executable).with_name("paynet-sandbox"))],
    "node": [shutil.which("node") or "node", str(ROOT / "lib" / "sandbox-main.js")],
}


def start(program: str, *args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([*PROGRAMS[program], *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("LISTENING url="), line + (proc.stderr.read() if proc.stderr else "")
    return proc, line.strip().removeprefix("LISTENING url=")


@pytest.fixture(params=sorted(PROGRAMS))
def program(request: pytest.FixtureRequest) -> Iterator[str]:
    yield request.param


def test_it_serves_payments_until_sigterm(program: str) -> None:
    proc, url = start(program, "--secret-key", "sck_compose_1", "--port", "0")
    try:
        with paynet.Client(secret_key="sck_compose_1", base_url=url) as client:
            tx = client.payments.create(amount=Decimal("10.00"), reference_no=reference(), domain="shop.example.com", card=card())
            assert tx.is_succeed and tx.amount == Decimal("10.00")
        with paynet.Client(secret_key="sck_wrong", base_url=url, max_retries=0) as wrong:
            with pytest.raises(paynet.AuthenticationError):
                wrong.transactions.lookup("NO-SUCH")
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_pages_are_under_the_public_url(program: str) -> None:
    # In a compose network the shop reaches the sandbox by its service name; the
    # pages it hands out (the bank's 3D page here) must be under that name.
    port = free_port()
    proc, url = start(program, "--host", "0.0.0.0", "--port", str(port), "--public-url", "http://paynet-sandbox:8765/")
    try:
        assert url == "http://paynet-sandbox:8765"
        with paynet.Client(secret_key="sck_sandbox_0000000000000000", base_url=f"http://127.0.0.1:{port}") as client:
            session = client.payments.create_3d(
                amount="42.10", reference_no=reference(), domain="shop.example.com", card=card(),
                return_url="https://shop.example.com/3d/return",
            )
        assert session.post_url is not None and session.post_url.startswith("http://paynet-sandbox:8765/__sandbox/bank/3d/")
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=20) == 0


def test_bad_arguments_and_help(program: str) -> None:
    bad = subprocess.run([*PROGRAMS[program], "--port", "70000"], capture_output=True, text=True, timeout=30)
    assert bad.returncode == 2 and "--port must be 0-65535" in bad.stderr and "usage: paynet-sandbox" in bad.stderr
    help_ = subprocess.run([*PROGRAMS[program], "--help"], capture_output=True, text=True, timeout=30)
    assert help_.returncode == 0 and "--public-url URL" in help_.stdout
