"""`paynet-sandbox`: the sandbox as a program, for docker-compose files and
other languages' tests. The command line is the Rust program's own
(`paynet-sandbox --help`); this only keeps it running until SIGINT or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Sequence

from . import _native


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not hasattr(_native, "NativeSandbox"):
        print("paynet-sandbox: this build of paynet has no embedded sandbox (cargo feature embedded-sandbox)", file=sys.stderr)
        return 2
    try:
        sandbox = _native.NativeSandbox.from_args(args)
    except ValueError as e:
        print(f"paynet-sandbox: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"paynet-sandbox: {e}", file=sys.stderr)
        return 1
    if sandbox is None:
        print(_native.SANDBOX_USAGE)
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(f"LISTENING url={sandbox.url}", flush=True)
    # A timed wait, so the signal handler runs even while the main thread waits.
    while not stop.wait(0.5):
        pass
    sandbox.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
