"""Sharing one client: 200 async tasks, 8 threads, a forked child, cancellation, interrupts, timeouts."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from types import FrameType

import pytest

import paynet
from paynet.testing import Sandbox

from .conftest import card, reference

DOMAIN = "shop.example.com"


async def test_200_concurrent_async_payments(aclient: paynet.AsyncClient, sandbox: Sandbox) -> None:
    before = sandbox.stats()["ledger_entries"]
    refs = [reference() for _ in range(200)]
    results = await asyncio.gather(
        *(aclient.payments.create(amount=Decimal("1.01"), reference_no=r, domain=DOMAIN, card=card()) for r in refs)
    )
    assert sorted(tx.reference_no or "" for tx in results) == sorted(refs)
    assert len({tx.xact_id for tx in results}) == 200
    assert not any(tx.replayed for tx in results)
    assert sandbox.stats()["ledger_entries"] - before == 200


def test_eight_threads_share_one_sync_client(client: paynet.Client, sandbox: Sandbox) -> None:
    before = sandbox.stats()["ledger_entries"]
    seen: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            for _ in range(10):
                tx = client.payments.create(amount=Decimal("2"), reference_no=reference(), domain=DOMAIN, card=card())
                with lock:
                    seen.append(tx.xact_id or "")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(seen)) == 80
    assert sandbox.stats()["ledger_entries"] - before == 80


def test_sync_calls_release_the_gil(client: paynet.Client) -> None:
    """Two slow calls (2 s each) in two threads take ~2 s, not ~4 s."""
    started = time.monotonic()
    threads = [
        threading.Thread(
            target=lambda: client.payments.create(
                amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card("slow_bank")
            )
        )
        for _ in range(2)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert time.monotonic() - started < 3.5


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_client_created_before_fork_works_in_child(client: paynet.Client, sandbox: Sandbox) -> None:
    # Use the client (and so the runtime and its connection pool) before forking.
    client.payments.create(amount=Decimal("3"), reference_no=reference(), domain=DOMAIN, card=card())
    before = sandbox.stats()["ledger_entries"]
    pid = os.fork()
    if pid == 0:  # the child: report through the exit code only
        code = 1
        try:
            tx = client.payments.create(amount=Decimal("4"), reference_no=reference(), domain=DOMAIN, card=card())
            code = 0 if tx.is_succeed else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    # The parent still works too, and the child's payment reached the (parent's) sandbox.
    client.payments.create(amount=Decimal("5"), reference_no=reference(), domain=DOMAIN, card=card())
    assert sandbox.stats()["ledger_entries"] - before == 2


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_async_client_created_before_fork_works_in_child(sandbox: Sandbox) -> None:
    aclient = paynet.AsyncClient(secret_key=sandbox.secret_key, base_url=sandbox.url, max_retries=0)

    async def pay(amount: str) -> bool:
        tx = await aclient.payments.create(amount=Decimal(amount), reference_no=reference(), domain=DOMAIN, card=card())
        return tx.is_succeed

    # Used on an event loop (runtime, pool and the loop's completion queue) before forking.
    assert asyncio.run(pay("3"))
    before = sandbox.stats()["ledger_entries"]
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            code = 0 if asyncio.run(pay("4")) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert asyncio.run(pay("5"))
    assert sandbox.stats()["ledger_entries"] - before == 2


async def test_cancelling_a_task_aborts_the_call(aclient: paynet.AsyncClient) -> None:
    task = asyncio.create_task(
        aclient.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card("slow_bank"))
    )
    await asyncio.sleep(0.2)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert time.monotonic() - started < 0.5
    # The client keeps working after a cancellation.
    tx = await aclient.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card())
    assert tx.is_succeed


async def test_wait_for_timeout(aclient: paynet.AsyncClient) -> None:
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(
            aclient.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card("slow_bank")),
            timeout=0.3,
        )


@pytest.fixture
def alarm() -> Iterator[None]:
    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, interrupt)
    yield
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(sys.platform == "win32", reason="needs SIGALRM")
def test_ctrl_c_interrupts_a_waiting_sync_call(client: paynet.Client, alarm: None) -> None:
    signal.setitimer(signal.ITIMER_REAL, 0.3)
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        client.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card("slow_bank"))
    assert time.monotonic() - started < 1.0


def test_timeout(client: paynet.Client) -> None:
    ref = reference()
    started = time.monotonic()
    with pytest.raises(paynet.TimeoutError) as raised:
        client.payments.create(
            amount=Decimal("1"), reference_no=ref, domain=DOMAIN, card=card("slow_bank"), timeout=0.5, max_retries=0
        )
    assert time.monotonic() - started < 1.5
    e = raised.value
    assert isinstance(e, paynet.APIConnectionError) and e.kind == "timeout"
    assert e.reference_no == ref


async def test_async_timeout(aclient: paynet.AsyncClient) -> None:
    with pytest.raises(paynet.TimeoutError):
        await aclient.payments.create(
            amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card("slow_bank"), timeout=0.5
        )


def test_a_panic_inside_a_call_is_an_internal_error(client: paynet.Client) -> None:
    # `testing.panic` exists in test builds only (feature test-hooks): it panics inside core.
    with pytest.raises(paynet.InternalError) as raised:
        client._require_native().call("testing.panic", {})
    assert raised.value.kind == "internal" and "bug" in str(raised.value)
    assert client.transactions  # the client is still usable
    client.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card())


async def test_a_panic_inside_an_async_call_is_an_internal_error(aclient: paynet.AsyncClient) -> None:
    with pytest.raises(paynet.InternalError):
        await aclient._require_native().call_async("testing.panic", {})
    tx = await aclient.payments.create(amount=Decimal("1"), reference_no=reference(), domain=DOMAIN, card=card())
    assert tx.is_succeed
