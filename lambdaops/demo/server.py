"""Run moto, with lambdaops' shims installed, as a local AWS endpoint.

``python -m lambdaops.demo.server --host 127.0.0.1 --port PORT [--seed demo]`` serves until SIGTERM or
SIGINT and prints one line, ``ready http://HOST:PORT``, on stdout once it answers (``--port 0`` picks a
free port, and the line says which). Point botocore at it with ``AWS_ENDPOINT_URL``. ``--seed demo``
first fills it with the demo account (``lambdaops.demo.seed:seed_demo``); ``--seed MODULE:FUNCTION``
runs any other seeding function, with ``AWS_ENDPOINT_URL`` pointing at the server meanwhile.

:func:`running_server` starts that command as a subprocess for tests and benchmarks and yields its
endpoint URL. Settings reach the subprocess through its environment: moto's ``MOTO_*`` variables and
``LAMBDAOPS_EMULATED_CONCURRENCY_LIMIT`` (see :mod:`lambdaops.demo.moto_shims`).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType

from lambdaops.demo import moto_shims

__all__ = ["READY_PREFIX", "main", "running_server", "serve"]

READY_PREFIX = "ready "
SEEDS = {"demo": "lambdaops.demo.seed:seed_demo"}
_SEED_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
_STOP_TIMEOUT_S = 10.0


def _run_seed(spec: str, url: str) -> None:
    module_name, _, function_name = SEEDS.get(spec, spec).partition(":")
    if not module_name or not function_name:
        raise SystemExit(f"--seed: expected 'demo' or MODULE:FUNCTION, got {spec!r}")
    seed = getattr(importlib.import_module(module_name), function_name)
    overrides = {
        "AWS_ENDPOINT_URL": url,
        **{k: v for k, v in _SEED_CREDENTIALS.items() if k not in os.environ},
    }
    saved = {key: os.environ.get(key) for key in overrides}
    os.environ.update(overrides)
    try:
        seed()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def serve(
    host: str,
    port: int,
    *,
    quiet: bool = True,
    seed: str | None = None,
    announce: Callable[[str], None] | None = None,
) -> None:
    """Install the shims and serve moto on (host, port) until SIGTERM/SIGINT; port 0 picks one.

    With ``seed``, run that seeding function (see the module docstring) before saying ready.
    ``announce(url)`` replaces the ready line (``lambdaops demo serve`` prints the shell lines instead).
    """
    if seed == "demo":
        # The demo roles attach AWS-managed policies, which moto only knows when told to load them.
        os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")  # lambdaops reads no image
    moto_shims.install()
    from lambdaops.demo import code_shim, compute_optimizer_shim

    code_shim.install()  # GetFunction's Code.Location serves the code from this process
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    if quiet:
        # One log line per request on stderr costs time in benchmarks and fills an unread pipe.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = compute_optimizer_shim.wsgi(DomainDispatcherApplication(create_backend_app))  # moto lacks it
    # threaded=True also makes werkzeug speak HTTP/1.1 with keep-alive, as AWS endpoints do.
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    url = f"http://{host}:{server.server_port}"
    # moto builds some URLs it hands out (e.g. S3 presigned ones) from MOTO_PORT.
    os.environ.setdefault("MOTO_PORT", str(server.server_port))

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="moto-server", daemon=True
    )
    thread.start()
    try:
        if seed:
            _run_seed(seed, url)
        if announce is None:
            print(f"{READY_PREFIX}{url}", flush=True)
        else:
            announce(url)
        stop.wait()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(_STOP_TIMEOUT_S)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m lambdaops.demo.server",
        description="Serve moto with lambdaops' shims as a local AWS endpoint.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port to bind; 0 picks a free one (default)")
    parser.add_argument(
        "--seed", default=None, help="fill the emulation first: 'demo' or MODULE:FUNCTION (default: empty)"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request on stderr")
    args = parser.parse_args(argv)
    serve(args.host, args.port, quiet=not args.verbose, seed=args.seed)
    return 0


class _ReadyWatcher:
    """Drains the server's stdout on a thread (an unread pipe would block it) and spots the ready line."""

    def __init__(self, stream: Iterator[str]) -> None:
        self.url: str | None = None
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self._thread.start()

    def _drain(self, stream: Iterator[str]) -> None:
        for line in stream:
            if self.url is None and line.startswith(READY_PREFIX):
                self.url = line[len(READY_PREFIX) :].strip()
                self.done.set()
        self.done.set()  # EOF: the process ended without (or after) saying ready

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)


def _project_root() -> str:
    return str(Path(moto_shims.__file__).resolve().parents[2])


def _answers(url: str, timeout: float) -> bool:
    # The socket listens before the ready line is printed, so one request settles it.
    try:
        with urllib.request.urlopen(f"{url}/moto-api/config", timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError:
        return True  # it answered, whatever it said
    except (urllib.error.URLError, OSError):
        return False
    return True


@contextlib.contextmanager
def running_server(
    port: int = 0,
    env: Mapping[str, str] | None = None,
    *,
    seed: str | None = None,
    start_timeout: float = 60.0,
) -> Iterator[str]:
    """Run ``python -m lambdaops.demo.server`` on 127.0.0.1 and yield its URL; stop it afterwards.

    ``port=0`` lets the server pick a free port. ``env`` adds to (and overrides) this process's
    environment, e.g. ``{"LAMBDAOPS_EMULATED_CONCURRENCY_LIMIT": "50", "MOTO_ACCOUNT_ID": ...}``.
    ``seed`` is passed as ``--seed``. Raises RuntimeError, with the server's stderr, if the server
    does not answer within ``start_timeout`` seconds (seeding included).
    """
    child_env = dict(os.environ)
    child_env.update(env or {})
    # Import this checkout's lambdaops in the child, not whichever one is installed.
    child_env["PYTHONPATH"] = os.pathsep.join(
        p for p in (_project_root(), child_env.get("PYTHONPATH", "")) if p
    )
    child_env["PYTHONUNBUFFERED"] = "1"
    command = [sys.executable, "-m", "lambdaops.demo.server", "--host", "127.0.0.1", "--port", str(port)]
    if seed:
        command += ["--seed", seed]
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as stderr:
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            env=child_env,
            text=True,
        )
        assert process.stdout is not None
        watcher = _ReadyWatcher(iter(process.stdout))
        try:
            deadline = time.monotonic() + start_timeout
            watcher.done.wait(start_timeout)
            remaining = max(deadline - time.monotonic(), 1.0)
            if watcher.url is None or not _answers(watcher.url, remaining):
                process.kill()
                process.wait(_STOP_TIMEOUT_S)
                stderr.seek(0)
                raise RuntimeError(
                    f"moto server did not start (exit status {process.poll()}):\n{stderr.read()[-4000:]}"
                )
            yield watcher.url
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(_STOP_TIMEOUT_S)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(_STOP_TIMEOUT_S)
            watcher.join(_STOP_TIMEOUT_S)
            process.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
