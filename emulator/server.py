"""A moto server on loopback with the emulator installed: the local AWS that ``cdk deploy`` targets.

Run it as ``python -m emulator.server [--port PORT]``: it prints its URL (``http://localhost:PORT``) as the
first line on stdout, serves until SIGINT or SIGTERM, then stops cleanly. ``--port 0`` (the default) lets
the OS pick a free port. In-process, :func:`start` gives ``(url, stop)``.

The server binds 127.0.0.1 only, and clients must use ``http://localhost:PORT``: with ``127.0.0.1`` in the
endpoint moto takes the host of an S3 template URL (``http://127.0.0.1:PORT/bucket/key``) for a bucket name.
"""

from __future__ import annotations

import argparse
import signal
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType

from moto.server import ThreadedMotoServer

import emulator
from emulator import lambda_process

LOOPBACK_ADDRESS = "127.0.0.1"


def free_port() -> int:
    """A TCP port on the loopback interface that is free now (another process may still take it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK_ADDRESS, 0))
        port: int = sock.getsockname()[1]
        return port


def start(port: int = 0) -> tuple[str, Callable[[], None]]:
    """Start moto with the emulator on 127.0.0.1:``port`` (0: a free one); return its URL and a stop."""
    emulator.install()
    server = ThreadedMotoServer(ip_address=LOOPBACK_ADDRESS, port=port, verbose=False)
    server.start()
    _, bound_port = server.get_host_and_port()
    url = f"http://localhost:{bound_port}"
    lambda_process.configure(url)  # custom resources' functions call back here
    return url, server.stop


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGINT/SIGTERM; print the URL first so a caller can read it from stdout."""
    parser = argparse.ArgumentParser(prog="python -m emulator.server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (default 0: a free one)")
    args = parser.parse_args(argv)

    stop_requested = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop_requested.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    url, stop = start(args.port)
    print(url, flush=True)
    try:
        stop_requested.wait()
    finally:
        stop()
    print("moto server stopped", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
