"""A moto shim that makes GetFunction's `Code.Location` downloadable.

moto answers GetFunction with a `Code.Location` on an S3 host that serves nothing (REFERENCE.md), so
`lambdaops prune` could never archive a function's code against the emulation. `install()` starts a
tiny HTTP server on loopback in this process, serving each function's code package straight from
moto's own state, and rewrites `Code.Location` to point at it:
`http://127.0.0.1:<port>/code/<account>/<region>/<function>/<version>`.

Serving from moto's state (not from a copy taken at GetFunction time) keeps the emulation honest: a
function deleted or changed since is served as it is now (404 once it is gone), as S3 would.

GetLayerVersion's `Content.Location` is moto's bare `s3://`, so the same server serves each layer
version's package (`/layer/<account>/<region>/<layer>/<version>`) for audit-code.

Works the same under `mock_aws` (the demo, tests) and in a moto server process
(`lambdaops.demo.server` calls `install()` before serving), because both read the same backends.
Idempotent: the server is started once per process.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, unquote


class _State:
    lock = threading.Lock()
    server: ThreadingHTTPServer | None = None
    original_get_code: Any = None
    original_get_layer_version: Any = None


PATH_PREFIX = "/code/"
LAYER_PREFIX = "/layer/"


def _lookup_layer(path: str) -> bytes | None:
    from moto.awslambda.models import lambda_backends

    parts = [unquote(p) for p in path[len(LAYER_PREFIX) :].split("/")]
    if len(parts) != 4:
        return None
    account_id, region, name, version = parts
    try:
        layer = lambda_backends[account_id][region].get_layer_version(name, version)
    except Exception:  # unknown account, region, layer or version: all mean "nothing here"
        return None
    code = getattr(layer, "code_bytes", b"") if layer is not None else b""
    return bytes(code) if code else None


def _lookup(path: str) -> bytes | None:
    """The code package a shim URL names, from moto's state; None when there is none."""
    from moto.awslambda.models import lambda_backends

    parts = [unquote(p) for p in path[len(PATH_PREFIX) :].split("/")]
    if len(parts) != 4:
        return None
    account_id, region, name, version = parts
    try:
        backend = lambda_backends[account_id][region]
        fn = backend.get_function(name, None if version == "$LATEST" else version)
    except Exception:  # unknown account, region, function or version: all mean "nothing here"
        return None
    code = getattr(fn, "code_bytes", b"")
    return bytes(code) if code else None


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path.startswith(PATH_PREFIX):
            body = _lookup(path)
        elif path.startswith(LAYER_PREFIX):
            body = _lookup_layer(path)
        else:
            body = None
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/zip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: stderr belongs to lambdaops' own messages."""


def code_url(account_id: str, region: str, name: str, version: str) -> str:
    assert _State.server is not None, "code_shim.install() was not called"
    port = _State.server.server_address[1]
    path = "/".join(quote(p, safe="") for p in (account_id, region, name, version))
    return f"http://127.0.0.1:{port}{PATH_PREFIX}{path}"


def _patched_get_code(self: Any) -> dict[str, Any]:
    resp: dict[str, Any] = _State.original_get_code(self)
    code = resp.get("Code")
    if isinstance(code, dict) and "Location" in code:
        code["Location"] = code_url(self.account_id, self.region, self.function_name, str(self.version))
    return resp


def _patched_get_layer_version(self: Any) -> dict[str, Any]:
    resp: dict[str, Any] = _State.original_get_layer_version(self)
    content = resp.get("Content")
    if isinstance(content, dict) and _State.server is not None:
        port = _State.server.server_address[1]
        path = "/".join(
            quote(str(p), safe="") for p in (self.account_id, self.region, self.name, self.version)
        )
        content["Location"] = f"http://127.0.0.1:{port}{LAYER_PREFIX}{path}"
    return resp


def install() -> None:
    """Start the loopback code server (once per process) and point `Code.Location` at it."""
    from moto.awslambda.models import LambdaFunction, LayerVersion

    with _State.lock:
        if _State.server is None:
            server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, name="lambdaops-code-shim", daemon=True).start()
            _State.server = server
        if _State.original_get_code is None:
            _State.original_get_code = LambdaFunction.get_code
            LambdaFunction.get_code = _patched_get_code
        if _State.original_get_layer_version is None:
            _State.original_get_layer_version = LayerVersion.get_layer_version
            LayerVersion.get_layer_version = _patched_get_layer_version
