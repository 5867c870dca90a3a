"""A TLS certificate failure and a refused port are both `APIConnectionError`s,
and each message says which it was (core carries the root cause)."""

from __future__ import annotations

import http.server
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import paynet

SECRET_KEY = "sck_test_connection_0000000000"


class _Handler(http.server.BaseHTTPRequestHandler):
    seen = 0

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        _Handler.seen += 1
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
        pass


class _TLSServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client aborting the handshake is the point of the test


@pytest.fixture(scope="module")
def untrusted_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`https://127.0.0.1:PORT` served with a self-signed certificate made now (test-only)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl not found")
    tmp = tmp_path_factory.mktemp("tls")
    key, cert = tmp / "key.pem", tmp / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(cert), str(key))
    server = _TLSServer(("127.0.0.1", 0), _Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        for path in (key, cert):
            Path(path).unlink()


@pytest.fixture
def refused_url() -> str:
    """A port that was free a moment ago: bound, noted, closed."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _sync_failure(base_url: str) -> paynet.PaynetError:
    with paynet.Client(secret_key=SECRET_KEY, base_url=base_url, max_retries=0, timeout=5) as client:
        with pytest.raises(paynet.PaynetError) as raised:
            client.transactions.check(reference_no="x")
    return raised.value


async def _async_failure(base_url: str) -> paynet.PaynetError:
    async with paynet.AsyncClient(secret_key=SECRET_KEY, base_url=base_url, max_retries=0, timeout=5) as client:
        with pytest.raises(paynet.PaynetError) as raised:
            await client.transactions.check(reference_no="x")
    return raised.value


def _assert_connection_error(error: paynet.PaynetError) -> None:
    assert type(error) is paynet.APIConnectionError, repr(error)
    assert error.kind == "connection"


def test_untrusted_certificate_is_a_connection_error_saying_certificate(untrusted_url: str) -> None:
    error = _sync_failure(untrusted_url)
    _assert_connection_error(error)
    assert _Handler.seen == 0, "nothing was sent over the untrusted connection"
    assert "certificate" in str(error).lower(), str(error)
    assert "refused" not in str(error).lower(), str(error)
    # Chained as Python names it: `except ssl.SSLCertVerificationError` sees the cause.
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError) and error.__suppress_context__, repr(error.__cause__)


async def test_async_untrusted_certificate_is_a_connection_error_saying_certificate(untrusted_url: str) -> None:
    error = await _async_failure(untrusted_url)
    _assert_connection_error(error)
    assert "certificate" in str(error).lower(), str(error)


def test_refused_port_is_a_connection_error_saying_refused(refused_url: str) -> None:
    error = _sync_failure(refused_url)
    _assert_connection_error(error)
    assert "refused" in str(error).lower(), str(error)
    assert "certificate" not in str(error).lower(), str(error)
    assert isinstance(error.__cause__, ConnectionRefusedError), repr(error.__cause__)


async def test_async_refused_port_is_a_connection_error_saying_refused(refused_url: str) -> None:
    error = await _async_failure(refused_url)
    _assert_connection_error(error)
    assert "refused" in str(error).lower(), str(error)

