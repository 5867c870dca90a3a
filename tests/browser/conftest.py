"""Live example shops and a headless Chromium for the browser tests.

Each Python shop is served on 127.0.0.1 from a thread (wsgiref for Flask and Django,
uvicorn for FastAPI), the Express shop is a `node` subprocess; all of them talk to one
in-process sandbox, whose pages (the bank's 3D page, Paynet.js, the PayLink payer's page)
the browser visits. Without Chromium, chromedriver or selenium the tests are skipped,
unless PAYNET_REQUIRE_BROWSER=1 (CI), which makes that a failure. PAYNET_CHROMIUM and
PAYNET_CHROMEDRIVER override /usr/bin/chromium and /usr/bin/chromedriver.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from socketserver import ThreadingMixIn
from typing import Any, NoReturn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from paynet.testing import Sandbox

ROOT = Path(__file__).resolve().parents[2]
SHOPS = ROOT / "examples" / "shops"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("PAYNET_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PAYNET_CHROMEDRIVER", "/usr/bin/chromedriver")
REQUIRED = os.environ.get("PAYNET_REQUIRE_BROWSER") == "1"

sys.path[:0] = [str(SHOPS), str(SHOPS / "django_shop")]


def unavailable(reason: str) -> NoReturn:
    if REQUIRED:
        pytest.fail(f"{reason} (PAYNET_REQUIRE_BROWSER=1)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        unavailable("selenium is not installed")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            unavailable(f"{path} not found: apt-get install chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1000,1200"):
        options.add_argument(argument)  # --no-sandbox: CI runs as root
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(20)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


# ------------------------------------------------------------------ live shops


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # Chromium keeps idle connections open: one thread each


@dataclass
class LiveShop:
    name: str
    url: str


def _listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)  # connections wait in the backlog until the server accepts them
    return sock


@pytest.fixture(scope="module")
def wsgi_server() -> Iterator[Callable[[Callable[[str], Any]], str]]:
    """Serves a WSGI app made for its own URL (`make(url)`) from a thread; returns the URL."""
    servers: list[WSGIServer] = []

    def serve(make: Callable[[str], Any]) -> str:
        server = make_server("127.0.0.1", 0, lambda environ, start: [], server_class=_ThreadingWSGIServer, handler_class=_Quiet)
        url = f"http://127.0.0.1:{server.server_port}"
        server.set_app(make(url))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return url

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@contextmanager
def flask_shop(sandbox: Sandbox, serve: Callable[[Callable[[str], Any]], str]) -> Iterator[str]:
    import flask_shop

    yield serve(
        lambda url: flask_shop.create_app(
            secret_key=sandbox.secret_key, paynet_url=sandbox.url, publishable_key=sandbox.publishable_key, public_url=url
        )
    )


@contextmanager
def django_shop(sandbox: Sandbox, serve: Callable[[Callable[[str], Any]], str]) -> Iterator[str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")
    import django
    from django.core.wsgi import get_wsgi_application
    from django.test.utils import override_settings

    django.setup()
    app = get_wsgi_application()
    url = serve(lambda _: app)  # the URL reaches the shop through its settings
    with override_settings(
        PAYNET_SECRET_KEY=sandbox.secret_key,
        PAYNET_BASE_URL=sandbox.url,
        PAYNET_PUBLISHABLE_KEY=sandbox.publishable_key,
        PAYNET_JS_URL=sandbox.url,
        SHOP_PUBLIC_URL=url,
    ):
        yield url


@contextmanager
def fastapi_shop(sandbox: Sandbox, serve: Callable[[Callable[[str], Any]], str]) -> Iterator[str]:
    import uvicorn

    import fastapi_shop

    sock = _listening_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = fastapi_shop.create_app(
        secret_key=sandbox.secret_key, paynet_url=sandbox.url, publishable_key=sandbox.publishable_key, public_url=url
    )
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@contextmanager
def express_shop(sandbox: Sandbox, serve: Callable[[Callable[[str], Any]], str]) -> Iterator[str]:
    node = shutil.which("node")
    if node is None:
        unavailable("node not found")
    if not any((ROOT / "bindings-node" / "native").glob("*.node")) or not (ROOT / "node_modules" / "express").is_dir():
        unavailable("the Node addon or express is not installed: run make node")
    env = {
        **os.environ,
        "PORT": "0",
        "PAYNET_SECRET_KEY": sandbox.secret_key,
        "PAYNET_BASE_URL": sandbox.url,
        "PAYNET_PUBLISHABLE_KEY": sandbox.publishable_key,
    }
    env.pop("SHOP_PUBLIC_URL", None)
    process = subprocess.Popen(
        [node, str(SHOPS / "express_shop.mjs")], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the shop listens (or exits)
        assert line.startswith("listening on "), f"the Express shop did not start: {line!r}"
        yield line.removeprefix("listening on ").strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


SHOP_SERVERS = {"django": django_shop, "flask": flask_shop, "fastapi": fastapi_shop, "express": express_shop}


@pytest.fixture(scope="module", params=list(SHOP_SERVERS))
def shop(request: pytest.FixtureRequest, sandbox: Sandbox, wsgi_server: Callable[[Callable[[str], Any]], str]) -> Iterator[LiveShop]:
    if request.param != "express":
        pytest.importorskip({"fastapi": "uvicorn"}.get(request.param, request.param))
    with SHOP_SERVERS[request.param](sandbox, wsgi_server) as url:
        yield LiveShop(request.param, url)
