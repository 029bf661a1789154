"""A threaded HTTP proxy in front of an AWS emulator that counts API calls and injects AWS-like trouble.

Tests and benchmarks put it between botocore and a moto server to see what lambdaops really sends and
how it copes with a real network:

* counts every request that reaches it per ``"service:Operation"`` (retries count again), and every
  new TCP connection. The service is the IAM-style prefix of the SigV4 credential scope
  (``lambda``, ``iam``, ``sts``, ``ec2``, ``sns``; CloudWatch's ``monitoring`` scope is counted as
  ``cloudwatch``, Resource Groups Tagging's ``tagging`` as ``tag``). The operation comes from the
  ``X-Amz-Target`` header (JSON protocols; botocore 1.44 speaks JSON to CloudWatch), the
  ``/service/S/operation/O`` path (Smithy RPC v2 CBOR), ``Action=`` in the query string or form body
  (query and EC2 protocols), or the method and path matched against the request URIs in botocore's
  service model (rest-json such as Lambda, rest-xml);
* adds latency: ``latency_ms`` to every request and ``new_conn_ms`` more to the first request of a new
  connection (the TLS handshake a real endpoint costs). It keeps HTTP/1.1 keep-alive, so botocore's
  connection reuse shows in :meth:`AwsProxy.connections` and in the delay;
* injects faults on a ``fault_rate`` fraction of requests, chosen by a seeded RNG (deterministic for
  sequential callers): ``throttle`` (Lambda: HTTP 429 ``TooManyRequestsException``; JSON/CBOR
  protocols: 400 ``ThrottlingException``, with CloudWatch's query-compatible code ``Throttling``;
  query: 400 ``Throttling``; EC2: 503 ``RequestLimitExceeded``; rest-xml: 503 ``SlowDown``), ``5xx``
  (500 ``InternalFailure`` or 503 ``ServiceUnavailable``; Lambda: ``ServiceException`` with either),
  ``drop`` (the connection is closed without an answer), ``slow`` (the answer comes ``slow_ms``
  late, so a client with a shorter read timeout gives up and retries) and ``lost`` (the request
  reaches the emulator, which acts on it, but the answer is dropped: the client retries a call that
  already happened, as after a network failure on the way back). ``fault_operations`` limits
  faults to some operations, ``max_faults`` caps how many are injected in all;
* with ``quotas="aws"``, enforces AWS's API rate quotas (:class:`QuotaBuckets`: token buckets per
  account, region and quota at the rates AWS documents, ``quota_scale`` to shrink them in tests),
  answering a call over its quota as AWS does (Lambda: 429 ``TooManyRequestsException``;
  Organizations: 400 ``TooManyRequestsException``; tagging: 400 ``ThrottledException``; the rest as
  ``throttle`` above) and counting those answers (:meth:`AwsProxy.throttled`, ``quota`` in faults);
* with ``replay=True``, answers a read (an operation named ``Get*``, ``List*`` or ``Describe*``)
  that it has already seen, byte for byte the same request from the same signing key, with the
  emulator's earlier answer instead of asking the emulator again. Every request is still counted,
  delayed, quota-checked and exposed to faults; only the emulator's work is saved. For benchmarks of
  an account that does not change during the run: one Python moto server answers ~70 calls a second
  on a small machine, below what AWS's quotas let lambdaops send, so without replay a quota-bound
  benchmark measures the emulator (:meth:`AwsProxy.replayed` counts the answers served so). Error
  answers are replayed too (a 404 for a function without a policy), 5xx and throttles never;
* answers chosen operations (``malformed_operations``, same patterns as ``deny_operations``) with
  a malformed body: the emulator's successful answer cut in half, then ``<<garbled``, so neither
  JSON nor XML parses (an AWS front end failing mid-answer, a broken corporate proxy);
* denies chosen operations (``"lambda:ListFunctions"``, globs like ``"iam:*"`` allowed; in one
  region only with ``"cloudwatch:GetMetricData@eu-west-1"``) or regions every time with HTTP 403 in
  the service's format: ``AccessDeniedException`` (Lambda and JSON protocols; CloudWatch's
  query-compatible code ``AccessDenied``), ``AccessDenied`` (query), ``UnauthorizedOperation``
  (EC2, as AWS answers there).

In-process::

    with AwsProxy(upstream_url, latency_ms=20, new_conn_ms=50, fault_rate=0.2,
                  faults=("throttle", "5xx", "drop"), deny_operations=["lambda:ListFunctions"],
                  seed=1) as proxy:
        client = boto3.client("lambda", endpoint_url=proxy.url, ...)

As a script, ``python -m tests.support.aws_proxy --upstream URL --port P ...`` prints
``ready http://127.0.0.1:P`` and, on SIGINT or SIGTERM, writes a JSON object with ``calls`` (the
counts), ``connections``, ``faults`` and ``injected_delay_ms`` to ``--counts-file`` (stdout without it).
"""

from __future__ import annotations

import argparse
import contextlib
import fnmatch
import functools
import http.client
import json
import random
import re
import signal
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType, TracebackType
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit
from xml.sax.saxutils import escape

__all__ = ["FAULTS", "AwsProxy", "RequestInfo", "identify_request", "main"]

FAULTS = ("throttle", "5xx", "drop", "slow", "lost")

_CREDENTIAL_SCOPE = re.compile(r"Credential=([^/,]+)/\d{8}/([^/,]+)/([^/,]+)/aws4_request")
_CBOR_PATH = re.compile(r"^/service/[^/]+/operation/([^/?]+)")
# SigV4 scope name -> (prefix used in counts, botocore service model name).
_SCOPE_ALIASES = {"monitoring": ("cloudwatch", "cloudwatch"), "tagging": ("tag", "resourcegroupstaggingapi")}
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


# --------------------------------------------------------------------------- identifying requests


@dataclass(frozen=True)
class RequestInfo:
    """What a request is: ``service`` (IAM-style prefix), ``operation``, ``region`` and ``protocol``
    (``json``, ``cbor``, ``query``, ``ec2``, ``rest-json``, ``rest-xml`` or ``unknown``)."""

    service: str
    operation: str
    region: str
    protocol: str
    model_name: str
    access_key: str = ""  # the signing key: stands for the account (one per assumed role)

    @property
    def key(self) -> str:
        return f"{self.service}:{self.operation}"


@functools.cache
def _service_model(name: str) -> Any:
    import botocore.session
    from botocore.exceptions import UnknownServiceError

    try:
        return botocore.session.get_session().get_service_model(name)
    except UnknownServiceError:
        return None


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    query: tuple[tuple[str, str | None], ...]  # required query keys, with a required value or None
    literal_length: int
    operation: str

    def accepts(self, method: str, path: str, params: dict[str, list[str]]) -> bool:
        if method != self.method or not self.pattern.match(path):
            return False
        return all(key in params and (value is None or value in params[key]) for key, value in self.query)


@functools.cache
def _rest_routes(model_name: str) -> tuple[_Route, ...]:
    model = _service_model(model_name)
    if model is None:
        return ()
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        path_template, _, query_template = operation.http.get("requestUri", "/").partition("?")
        query: dict[str, str | None] = {
            key: (value or None) for key, value in parse_qsl(query_template, keep_blank_values=True)
        }
        shape = operation.input_shape
        for member in shape.required_members if shape is not None else ():
            serialization = shape.members[member].serialization
            if serialization.get("location") == "querystring":
                query.setdefault(serialization.get("name", member), None)
        parts = re.split(r"(\{[^}]+\})", path_template.rstrip("/"))
        regex = "".join(
            (".+" if part.endswith("+}") else "[^/]+") if part.startswith("{") else re.escape(part)
            for part in parts
        )
        literal = sum(len(part) for part in parts if not part.startswith("{"))
        routes.append(
            _Route(
                operation.http.get("method", "GET"),
                re.compile(f"^{regex}/?$"),
                tuple(sorted(query.items())),
                literal,
                name,
            )
        )
    return tuple(routes)


def _rest_operation(model_name: str, method: str, path: str, params: dict[str, list[str]]) -> str:
    candidates = [route for route in _rest_routes(model_name) if route.accepts(method, path, params)]
    if not candidates:
        return "Unknown"
    # Like AWS's own routers: the route with more constraints, then more literal path, wins.
    best = max(candidates, key=lambda route: (len(route.query), route.literal_length))
    return best.operation


def identify_request(method: str, target: str, headers: dict[str, str], body: bytes) -> RequestInfo:
    """Tell which service, operation, region and protocol an HTTP request to an AWS endpoint is.

    ``headers`` must have lower-case names; ``target`` is the request target (path and query).
    """
    scope = _CREDENTIAL_SCOPE.search(headers.get("authorization", ""))
    access_key, region, scope_service = (
        (scope.group(1), scope.group(2), scope.group(3)) if scope else ("", "", "unknown")
    )
    service, model_name = _SCOPE_ALIASES.get(scope_service, (scope_service, scope_service))
    split = urlsplit(target)
    path = split.path or "/"

    amz_target = headers.get("x-amz-target")
    if amz_target:
        return RequestInfo(service, amz_target.rsplit(".", 1)[-1], region, "json", model_name, access_key)
    cbor = _CBOR_PATH.match(path)
    if cbor and "rpc-v2-cbor" in headers.get("smithy-protocol", ""):
        return RequestInfo(service, cbor.group(1), region, "cbor", model_name, access_key)

    params = parse_qs(split.query, keep_blank_values=True)
    if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
            params.setdefault(key, []).extend(values)
    model = _service_model(model_name)
    model_protocol = str(getattr(model, "protocol", "") or "")
    if "Action" in params:
        protocol = "ec2" if model_protocol == "ec2" else "query"
        return RequestInfo(service, params["Action"][0], region, protocol, model_name, access_key)
    if model_protocol in {"rest-json", "rest-xml"}:
        operation = _rest_operation(model_name, method, path, params)
        return RequestInfo(service, operation, region, model_protocol, model_name, access_key)
    return RequestInfo(service, "Unknown", region, "unknown", model_name, access_key)


# --------------------------------------------------------------------------- error answers


def _cbor_head(major: int, length: int) -> bytes:
    if length < 24:
        return bytes([major << 5 | length])
    for marker, size in ((24, 1), (25, 2), (26, 4)):
        if length < 1 << (8 * size):
            return bytes([major << 5 | marker]) + length.to_bytes(size, "big")
    raise ValueError("too long for this small CBOR encoder")


def _cbor_text_map(values: dict[str, str]) -> bytes:
    out = bytearray(_cbor_head(5, len(values)))
    for key, value in values.items():
        for text in (key, value):
            encoded = text.encode()
            out += _cbor_head(3, len(encoded)) + encoded
    return bytes(out)


@dataclass(frozen=True)
class _Error:
    status: int
    code: str
    message: str
    query_code: str  # the code a query-protocol client of the same service would see


_THROTTLE_BY_PROTOCOL = {
    "query": _Error(400, "Throttling", "Rate exceeded", "Throttling"),
    "ec2": _Error(503, "RequestLimitExceeded", "Request limit exceeded.", "RequestLimitExceeded"),
    "rest-xml": _Error(503, "SlowDown", "Please reduce your request rate.", "SlowDown"),
}
_DEFAULT_THROTTLE = _Error(400, "ThrottlingException", "Rate exceeded", "Throttling")
_LAMBDA_THROTTLE = _Error(429, "TooManyRequestsException", "Rate exceeded", "TooManyRequestsException")


# Services whose throttling error is not their protocol's usual one (each service's API reference,
# "Common Errors" / the operation's Errors section): Organizations answers TooManyRequestsException
# (HTTP 400), Resource Groups Tagging ThrottledException (400).
_THROTTLE_BY_SERVICE = {
    "organizations": _Error(400, "TooManyRequestsException", "Rate exceeded", "TooManyRequestsException"),
    "tag": _Error(400, "ThrottledException", "Rate exceeded", "ThrottledException"),
}


def _throttle_error(info: RequestInfo) -> _Error:
    if info.service in _THROTTLE_BY_SERVICE:
        return _THROTTLE_BY_SERVICE[info.service]
    if info.protocol == "rest-json":
        return _LAMBDA_THROTTLE
    return _THROTTLE_BY_PROTOCOL.get(info.protocol, _DEFAULT_THROTTLE)


def _server_error(info: RequestInfo, status: int) -> _Error:
    if info.protocol == "rest-json":
        return _Error(status, "ServiceException", "An internal service error occurred.", "ServiceException")
    if status == 503:
        return _Error(503, "ServiceUnavailable", "Service is unavailable.", "ServiceUnavailable")
    return _Error(500, "InternalFailure", "An internal error occurred.", "InternalFailure")


def _denied_error(info: RequestInfo) -> _Error:
    message = (
        f"User: arn:aws:iam::123456789012:user/lambdaops-test is not authorized to perform: "
        f"{info.key} because no identity-based policy allows the {info.key} action (aws_proxy)"
    )
    if info.protocol == "ec2":
        return _Error(403, "UnauthorizedOperation", message, "UnauthorizedOperation")
    if info.protocol in {"query", "rest-xml"}:
        return _Error(403, "AccessDenied", message, "AccessDenied")
    return _Error(403, "AccessDeniedException", message, "AccessDenied")


def _render_error(
    info: RequestInfo, error: _Error, request_headers: dict[str, str]
) -> tuple[dict[str, str], bytes]:
    request_id = str(uuid.uuid4())
    headers = {"x-amzn-RequestId": request_id}
    if info.protocol in {"query", "unknown"}:
        headers["Content-Type"] = "text/xml"
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{error.code}</Code>"
            f"<Message>{escape(error.message)}</Message></Error>"
            f"<RequestId>{request_id}</RequestId></ErrorResponse>"
        )
        return headers, body.encode()
    if info.protocol == "ec2":
        headers["Content-Type"] = "text/xml"
        body = (
            f"<Response><Errors><Error><Code>{error.code}</Code><Message>{escape(error.message)}"
            f"</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
        )
        return headers, body.encode()
    if info.protocol == "rest-xml":
        headers["Content-Type"] = "application/xml"
        body = (
            f"<Error><Code>{error.code}</Code><Message>{escape(error.message)}</Message>"
            f"<RequestId>{request_id}</RequestId></Error>"
        )
        return headers, body.encode()
    if info.protocol == "rest-json":
        headers["Content-Type"] = "application/json"
        headers["x-amzn-ErrorType"] = error.code
        payload: dict[str, str] = {"Type": "User", "message": error.message}
        if error.status == 429:
            payload["Reason"] = "CallerRateLimitExceeded"
            headers["Retry-After"] = "1"
        return headers, json.dumps(payload).encode()
    model = _service_model(info.model_name)
    if model is not None and "awsQueryCompatible" in model.metadata:
        headers["x-amzn-query-error"] = f"{error.query_code};Sender"
    if info.protocol == "cbor":
        headers["Content-Type"] = "application/cbor"
        headers["smithy-protocol"] = "rpc-v2-cbor"
        return headers, _cbor_text_map({"__type": error.code, "message": error.message})
    headers["Content-Type"] = request_headers.get("content-type", "application/x-amz-json-1.1")
    return headers, json.dumps({"__type": error.code, "message": error.message}).encode()


# --------------------------------------------------------------------------- rate quotas


QUOTA_MODES = ("aws",)


class QuotaBuckets:
    """AWS's API rate quotas as token buckets per (account, region, quota).

    The rates are the ones AWS documents (the table in ``lambdaops.collect.quotas``, with its
    sources; docs/performance.md). The account is the request's signing access key (lambdaops
    signs each account's calls with that account's credentials). AWS publishes no bucket sizes:
    each bucket holds one second's worth of requests (at least one) and starts full. A request
    that finds its bucket empty takes no token and is answered as AWS answers a throttled call.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic, scale: float = 1.0) -> None:
        self._clock = clock
        self._scale = scale
        self._lock = threading.Lock()
        self._state: dict[tuple[str, str, str], list[float]] = {}  # key -> [tokens, last refill]

    def capacity(self, rate: float) -> float:
        return max(1.0, rate)

    def take(self, info: RequestInfo) -> bool:
        """True: the request is within its quota (a token was taken); False: throttle it."""
        from lambdaops.collect.quotas import quota_for

        quota = quota_for(info.service, info.operation)
        if quota is None:
            return True
        rate = quota.rate * self._scale
        capacity = self.capacity(rate)
        key = (info.access_key, info.region, quota.bucket)
        with self._lock:
            now = self._clock()
            state = self._state.setdefault(key, [capacity, now])
            state[0] = min(capacity, state[0] + (now - state[1]) * rate)
            state[1] = now
            if state[0] < 1.0:
                return False
            state[0] -= 1.0
            return True


# --------------------------------------------------------------------------- the proxy


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # AwsProxy.stop() joins the handler threads itself, with a deadline.
    block_on_close = False
    proxy: AwsProxy

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.proxy.idle_timeout)
        # Headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add ~40 ms to every answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._first_request = True
        self._upstream: http.client.HTTPConnection | None = None
        self.server.proxy._opened(self)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the socket is already gone (a dropped connection, or the proxy stopping)
        finally:
            if self._upstream is not None:
                self._upstream.close()
            self.server.proxy._closed(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet: tests and benchmarks read their own output

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (ConnectionError, TimeoutError, OSError):
            self.close_connection = True

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(chunks)
                chunks += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _proxy_request(self) -> None:
        proxy = self.server.proxy
        body = self._read_body()
        headers = {name.lower(): value for name, value in self.headers.items()}
        info = identify_request(self.command, self.path, headers, body)
        first, self._first_request = self._first_request, False
        action = proxy._admit(info, first_on_connection=first)
        if action == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if action == "lost":
            self._forward(body)  # the emulator acts on it; the answer never reaches the client
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if isinstance(action, _Error):
            extra, payload = _render_error(info, action, headers)
            self._answer(action.status, list(extra.items()), payload)
            return
        key = proxy._replay_key(self.command, self.path, info, headers, body)
        stored = proxy._stored_answer(key)
        if stored is None:
            status, response_headers, payload = self._forward(body)
            proxy._store_answer(key, status, response_headers, payload)
        else:
            status, response_headers, payload = stored
        if status < 300 and proxy._malformed(info):
            payload = payload[: len(payload) // 2] + b"<<garbled"
        self._answer(status, response_headers, payload)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _proxy_request

    def _upstream_connection(self, fresh: bool) -> http.client.HTTPConnection:
        proxy = self.server.proxy
        if fresh or self._upstream is None:
            if self._upstream is not None:
                self._upstream.close()
            connection_class = (
                http.client.HTTPSConnection
                if proxy.upstream_scheme == "https"
                else http.client.HTTPConnection
            )
            self._upstream = connection_class(
                proxy.upstream_host, proxy.upstream_port, timeout=proxy.upstream_timeout
            )
        return self._upstream

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        headers.append(("Content-Length", str(len(body))))
        for attempt in (0, 1):
            # A kept-alive upstream connection may have been closed by the emulator meanwhile:
            # retry once on a fresh one.
            upstream = self._upstream_connection(fresh=attempt > 0)
            try:
                upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    upstream.putheader(name, value)
                upstream.endheaders(body)
                response = upstream.getresponse()
                payload = response.read()
            except (http.client.HTTPException, OSError):
                if attempt:
                    return 502, [("Content-Type", "text/plain")], b"aws_proxy: upstream unreachable"
                continue
            kept = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP_BY_HOP]
            return response.status, kept, payload
        raise AssertionError("unreachable")

    def _answer(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
        try:
            self.send_response_only(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except OSError:
            self.close_connection = True  # the client gave up (e.g. a read timeout on a slow answer)


class AwsProxy:
    """See the module docstring. Start with ``with AwsProxy(...) as proxy`` or :meth:`start`."""

    def __init__(
        self,
        upstream_url: str,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        latency_ms: float = 0.0,
        new_conn_ms: float = 0.0,
        fault_rate: float = 0.0,
        faults: Sequence[str] = ("throttle", "5xx", "drop"),
        fault_operations: Collection[str] | None = None,
        max_faults: int | None = None,
        slow_ms: float = 5000.0,
        deny_operations: Collection[str] = (),
        deny_regions: Collection[str] = (),
        malformed_operations: Collection[str] = (),
        seed: int = 0,
        upstream_timeout: float = 30.0,
        idle_timeout: float = 60.0,
        sleep: Callable[[float], None] | None = None,
        quotas: str | None = None,
        quota_clock: Callable[[], float] = time.monotonic,
        quota_scale: float = 1.0,
        replay: bool = False,
    ) -> None:
        if quotas is not None and quotas not in QUOTA_MODES:
            raise ValueError(f"unknown quotas {quotas!r}; choose from {QUOTA_MODES}")
        self.quotas = None if quotas is None else QuotaBuckets(quota_clock, quota_scale)
        unknown = set(faults) - set(FAULTS)
        if unknown:
            raise ValueError(f"unknown faults {sorted(unknown)}; choose from {FAULTS}")
        if not 0.0 <= fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be within [0, 1], got {fault_rate}")
        if fault_rate and not faults:
            raise ValueError("fault_rate needs at least one fault kind")
        upstream = urlsplit(upstream_url)
        if upstream.scheme not in {"http", "https"} or not upstream.hostname:
            raise ValueError(f"upstream must be an http(s) URL, got {upstream_url!r}")
        self.upstream_scheme = upstream.scheme
        self.upstream_host = upstream.hostname
        self.upstream_port = upstream.port or (443 if upstream.scheme == "https" else 80)
        self.upstream_timeout = upstream_timeout
        self.idle_timeout = idle_timeout
        self.latency_ms = latency_ms
        self.new_conn_ms = new_conn_ms
        self.fault_rate = fault_rate
        self.faults = tuple(faults)
        self.fault_operations = None if fault_operations is None else tuple(fault_operations)
        self.max_faults = max_faults
        self.slow_ms = slow_ms
        self.deny_operations = tuple(deny_operations)
        self.deny_regions = frozenset(deny_regions)
        self.malformed_operations = tuple(malformed_operations)
        self._host, self._port = host, port
        self._rng = random.Random(seed)
        self._stopping = threading.Event()
        self._sleep = sleep or self._interruptible_sleep
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._faults: Counter[str] = Counter()
        self._throttled: Counter[str] = Counter()
        self._admitted: Counter[tuple[str, str, str]] = Counter()
        self._connections = 0
        self._delay_ms = 0.0
        self.replay = replay
        self._answers: dict[tuple[str, str, str, str, bytes], tuple[int, list[tuple[str, str]], bytes]] = {}
        self._replayed = 0
        self._handlers: dict[_Handler, threading.Thread] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the proxy is not running; use it as a context manager or call start()")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> AwsProxy:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self._host, self._port), _Handler)
        server.proxy = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="aws-proxy", daemon=True
        )
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop accepting, cut open connections, wake injected delays and join, within ``timeout``."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        with self._lock:
            handlers = dict(self._handlers)
        for handler in handlers:
            with contextlib.suppress(OSError):
                handler.connection.shutdown(socket.SHUT_RDWR)
        for thread in [*handlers.values(), self._thread]:
            if thread is not None:
                thread.join(timeout)

    def __enter__(self) -> AwsProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ---- what happened

    def counts(self) -> dict[str, int]:
        """Requests received per ``"service:Operation"``, retries and faulted ones included."""
        with self._lock:
            return dict(self._counts)

    def throttled(self) -> dict[str, int]:
        """Requests answered "throttled" by the rate quotas, per ``"service:Operation"``."""
        with self._lock:
            return dict(self._throttled)

    def admitted(self) -> dict[tuple[str, str, str], int]:
        """Requests let through the rate quotas (and denials), per (access key, region,
        ``"service:Operation"``): what the quota-bound minimum is computed from."""
        with self._lock:
            return dict(self._admitted)

    def connections(self) -> int:
        """New client connections accepted."""
        with self._lock:
            return self._connections

    def open_connections(self) -> int:
        """Client connections open right now (kept alive between requests)."""
        with self._lock:
            return len(self._handlers)

    def faults_injected(self) -> dict[str, int]:
        """Injected faults per kind (``throttle``, ``5xx``, ``drop``, ``slow``), ``deny``, and
        ``quota`` (answers throttled because a rate-quota bucket was empty)."""
        with self._lock:
            return dict(self._faults)

    def injected_delay_ms(self) -> float:
        """Total latency added (per request, per new connection and for slow answers), in ms."""
        with self._lock:
            return self._delay_ms

    def replayed(self) -> int:
        """How many answers came from the replay store rather than the emulator (see ``replay``)."""
        with self._lock:
            return self._replayed

    def reset(self) -> None:
        """Zero the counters (connections already open stay open and are not counted again; the
        replay store is kept: it is the emulator's answers, not a measurement)."""
        with self._lock:
            self._replayed = 0
            self._counts.clear()
            self._faults.clear()
            self._throttled.clear()
            self._admitted.clear()
            self._connections = 0
            self._delay_ms = 0.0

    def snapshot(self) -> dict[str, Any]:
        return {
            "calls": dict(sorted(self.counts().items())),
            "connections": self.connections(),
            "faults": dict(sorted(self.faults_injected().items())),
            "injected_delay_ms": self.injected_delay_ms(),
            "throttled": dict(sorted(self.throttled().items())),
        }

    # ---- used by the handler threads

    def _interruptible_sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _opened(self, handler: _Handler) -> None:
        with self._lock:
            self._connections += 1
            self._handlers[handler] = threading.current_thread()

    def _closed(self, handler: _Handler) -> None:
        with self._lock:
            self._handlers.pop(handler, None)

    def _delay(self, milliseconds: float) -> None:
        if milliseconds <= 0:
            return
        with self._lock:
            self._delay_ms += milliseconds
        self._sleep(milliseconds / 1000.0)

    _READS = ("Get", "List", "Describe")

    def _replay_key(
        self, method: str, target: str, info: RequestInfo, headers: dict[str, str], body: bytes
    ) -> tuple[str, str, str, str, bytes] | None:
        if not self.replay or not info.operation.startswith(self._READS):
            return None
        return (method, target, f"{info.access_key}@{info.region}", headers.get("x-amz-target", ""), body)

    def _stored_answer(
        self, key: tuple[str, str, str, str, bytes] | None
    ) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if key is None:
            return None
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._replayed += 1
            return found

    def _store_answer(
        self,
        key: tuple[str, str, str, str, bytes] | None,
        status: int,
        headers: list[tuple[str, str]],
        payload: bytes,
    ) -> None:
        # A read's answer, errors included (GetPolicy of a function without a policy is a 404 every
        # time); never a 5xx or a throttle, which say nothing about the account.
        if key is not None and status < 500 and status != 429:
            with self._lock:
                self._answers[key] = (status, headers, payload)

    def _denied(self, info: RequestInfo) -> bool:
        if info.region and info.region in self.deny_regions:
            return True
        return self._listed(info, self.deny_operations)

    def _malformed(self, info: RequestInfo) -> bool:
        if self._listed(info, self.malformed_operations):
            with self._lock:
                self._faults["malformed"] += 1
            return True
        return False

    @staticmethod
    def _listed(info: RequestInfo, entries: Collection[str]) -> bool:
        key = info.key.lower()
        for entry in entries:
            pattern, _, region = entry.lower().partition("@")
            if fnmatch.fnmatchcase(key, pattern) and (not region or region == info.region.lower()):
                return True
        return False

    def _fault_applies(self, info: RequestInfo) -> bool:
        if self.fault_operations is None:
            return True
        key = info.key.lower()
        return any(fnmatch.fnmatchcase(key, pattern.lower()) for pattern in self.fault_operations)

    def _pick_fault(self, info: RequestInfo) -> str | None:
        if not self.fault_rate or not self._fault_applies(info):
            return None
        with self._lock:
            if (
                self.max_faults is not None
                and sum(n for kind, n in self._faults.items() if kind != "deny") >= self.max_faults
            ):
                return None
            if self._rng.random() >= self.fault_rate:
                return None
            kind = self._rng.choice(self.faults)
            if kind == "5xx":
                kind = self._rng.choice(("500", "503"))
            self._faults["5xx" if kind in {"500", "503"} else kind] += 1
            return kind

    def _admit(self, info: RequestInfo, *, first_on_connection: bool) -> str | _Error | None:
        """Count the request, add its latency and decide: None (forward), "drop", "lost", or an error."""
        with self._lock:
            self._counts[info.key] += 1
        self._delay(self.latency_ms + (self.new_conn_ms if first_on_connection else 0.0))
        if self._denied(info):
            with self._lock:
                self._faults["deny"] += 1
            return _denied_error(info)
        if self.quotas is not None and not self.quotas.take(info):
            with self._lock:
                self._faults["quota"] += 1
                self._throttled[info.key] += 1
            return _throttle_error(info)
        with self._lock:
            self._admitted[(info.access_key, info.region, info.key)] += 1
        fault = self._pick_fault(info)
        if fault == "throttle":
            return _throttle_error(info)
        if fault in {"500", "503"}:
            return _server_error(info, int(fault))
        if fault == "slow":
            self._delay(self.slow_ms)
            return None
        return fault  # "drop", "lost" or None


# --------------------------------------------------------------------------- script


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.support.aws_proxy", description=__doc__)
    parser.add_argument("--upstream", required=True, help="URL of the emulator, e.g. http://127.0.0.1:5000")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed when ready)")
    parser.add_argument("--latency-ms", type=float, default=0.0)
    parser.add_argument("--new-conn-ms", type=float, default=0.0)
    parser.add_argument("--fault-rate", type=float, default=0.0)
    parser.add_argument("--faults", default="throttle,5xx,drop", help=f"comma-separated, of {FAULTS}")
    parser.add_argument("--fault-operation", action="append", default=None, metavar="SERVICE:OP")
    parser.add_argument("--max-faults", type=int, default=None)
    parser.add_argument("--slow-ms", type=float, default=5000.0)
    parser.add_argument("--deny-operation", action="append", default=[], metavar="SERVICE:OP")
    parser.add_argument("--deny-region", action="append", default=[], metavar="REGION")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quotas", choices=QUOTA_MODES, default=None, help="emulate AWS's API rate quotas")
    parser.add_argument("--counts-file", default=None, help="where to write the counts JSON on exit")
    args = parser.parse_args(argv)

    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    proxy = AwsProxy(
        args.upstream,
        host=args.host,
        port=args.port,
        latency_ms=args.latency_ms,
        new_conn_ms=args.new_conn_ms,
        fault_rate=args.fault_rate,
        faults=tuple(f for f in args.faults.split(",") if f),
        fault_operations=args.fault_operation,
        max_faults=args.max_faults,
        slow_ms=args.slow_ms,
        deny_operations=args.deny_operation,
        deny_regions=args.deny_region,
        seed=args.seed,
        quotas=args.quotas,
    )
    with proxy:
        print(f"ready {proxy.url}", flush=True)
        stop.wait()
    report = json.dumps(proxy.snapshot(), indent=2, sort_keys=True)
    if args.counts_file:
        with open(args.counts_file, "w", encoding="utf-8") as out:
            out.write(report + "\n")
    else:
        print(report, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
