"""OSV's API is retried on transient failures (429, 5xx, a reset connection, a timeout) with bounded
exponential backoff and jitter, honouring Retry-After up to a cap, and never on another 4xx; what
still cannot be read is reported as unread (or an OsvError), never as "no advisories".

A fake OSV on 127.0.0.1 fails on a script, then answers as the documentation describes; sleeps are
recorded, not slept.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from lambdaops.collect.code import osv_sources
from lambdaops.collect.code.osv_sources import OsvError, Retry, lookup_online, retry_after_seconds
from lambdaops.collect.code.purls import dependency
from lambdaops.demo import code_packages as cp
from lambdaops.inventory import Dependency, dependency_key
from tests.support.fixtures import send_json, serve_locally


def records() -> dict[str, dict[str, Any]]:
    recs = [json.loads(p.read_text()) for p in sorted(cp.OSV_EXPORT.glob("*.json"))]
    return {r["id"]: r for r in recs}


class _FlakyOsv(BaseHTTPRequestHandler):
    """Fails as `script[kind]` says (kind: "batch" or "vuln:<id>"), one action per request, then
    answers like OSV. Actions: an HTTP status (int), (status, {header: value}), "reset" (the
    connection closed without an answer), ("slow", seconds) (answers after a delay)."""

    script: dict[str, list[Any]] = {}
    requests: list[str] = []

    def _send(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
        send_json(self, code, body, headers)

    def _fault(self, kind: str) -> bool:
        type(self).requests.append(kind)
        plan = type(self).script.get(kind) or []
        if not plan:
            return False
        action = plan.pop(0)
        if action == "forever":  # HTTP 500 on every request
            plan.insert(0, "forever")
            action = 500
        if action == "reset":
            self.close_connection = True
            return True
        if isinstance(action, tuple) and action[0] == "slow":
            time.sleep(action[1])
            return False
        status, headers = action if isinstance(action, tuple) else (action, {})
        self._send(status, {"code": status, "message": "scripted"}, headers)
        return True

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self._fault("batch"):
            return
        results = []
        for query in body["queries"]:
            ids = [
                r["id"]
                for r in records().values()
                if r["affected"][0]["package"]["name"].lower() == query["package"]["name"].lower()
                and r["affected"][0]["package"]["ecosystem"] == query["package"]["ecosystem"]
            ]
            results.append({"vulns": [{"id": i} for i in ids]} if ids else {})
        self._send(200, {"results": results})

    def do_GET(self) -> None:
        wanted = self.path.rsplit("/", 1)[-1]
        if self._fault(f"vuln:{wanted}"):
            return
        rec = records().get(wanted)
        self._send(200 if rec else 404, rec or {"message": "not found"})

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def osv() -> Iterator[str]:
    _FlakyOsv.script = {}
    _FlakyOsv.requests = []
    with serve_locally(_FlakyOsv) as url:
        yield url


class Sleeps:
    def __init__(self) -> None:
        self.slept: list[float] = []

    def policy(self, **kw: Any) -> Retry:
        return Retry(sleep=self.slept.append, jitter=lambda: 0.0, **kw)


def deps() -> list[Dependency]:
    out = [
        dependency("PyPI", "requests", "2.19.0", "x"),
        dependency("npm", "lodash", "4.17.15", "y"),
        dependency("PyPI", "six", "1.16.0", "z"),  # no advisory at all
    ]
    assert all(d is not None for d in out)
    return [d for d in out if d is not None]


def ids(found: dict[str, Any], name: str, version: str) -> set[str]:
    key = next(k for k in found if k.split("\x1f")[1:] == [name, version])
    return {a.id for a in found[key]}


def test_503_then_200_finds_the_advisories(osv: str) -> None:
    sleeps = Sleeps()
    _FlakyOsv.script = {"batch": [503]}
    found, unread = lookup_online(osv, deps(), retry=sleeps.policy())
    assert unread == {}
    assert ids(found, "requests", "2.19.0") == {"GHSA-x84v-xcm2-53pg"}
    assert ids(found, "lodash", "4.17.15") == {"GHSA-p6mc-m468-83gw", "GHSA-35jh-r3h4-6jhm"}
    assert ids(found, "six", "1.16.0") == set()
    assert _FlakyOsv.requests.count("batch") == 2
    assert sleeps.slept == [0.5]  # the first backoff: base 1 s, equal jitter at its low end


def test_429_retry_after_is_honoured_up_to_the_cap(osv: str) -> None:
    sleeps = Sleeps()
    _FlakyOsv.script = {"batch": [(429, {"Retry-After": "7"}), (429, {"Retry-After": "3600"})]}
    found, unread = lookup_online(osv, deps(), retry=sleeps.policy())
    assert unread == {} and ids(found, "requests", "2.19.0") == {"GHSA-x84v-xcm2-53pg"}
    assert sleeps.slept == [7.0, 60.0]  # as asked; then capped at max_retry_after_s


def test_backoff_grows_exponentially_with_jitter_and_is_bounded() -> None:
    policy = Retry(jitter=lambda: 1.0, base_s=1.0, max_backoff_s=20.0)
    assert [policy.delay(n, None) for n in range(6)] == [1.0, 2.0, 4.0, 8.0, 16.0, 20.0]
    low = Retry(jitter=lambda: 0.0)
    assert [low.delay(n, None) for n in range(3)] == [0.5, 1.0, 2.0]


def test_500_forever_is_an_error_after_the_bounded_retries(osv: str) -> None:
    sleeps = Sleeps()
    _FlakyOsv.script = {"batch": ["forever"]}
    with pytest.raises(OsvError, match=r"OSV answered HTTP 500 .*tried 5 times"):
        lookup_online(osv, deps(), retry=sleeps.policy())
    assert _FlakyOsv.requests.count("batch") == 5 and len(sleeps.slept) == 4


@pytest.mark.parametrize("status", [400, 403, 404])
def test_other_4xx_is_never_retried(osv: str, status: int) -> None:
    sleeps = Sleeps()
    _FlakyOsv.script = {"batch": [status, status]}
    with pytest.raises(OsvError, match=f"HTTP {status}"):
        lookup_online(osv, deps(), retry=sleeps.policy())
    assert _FlakyOsv.requests.count("batch") == 1 and sleeps.slept == []


def test_a_reset_connection_and_a_timeout_are_retried(osv: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(osv_sources, "TIMEOUT_S", 0.3)
    sleeps = Sleeps()
    _FlakyOsv.script = {"batch": ["reset", ("slow", 1.0)]}
    found, unread = lookup_online(osv, deps(), retry=sleeps.policy())
    assert unread == {} and ids(found, "requests", "2.19.0") == {"GHSA-x84v-xcm2-53pg"}
    assert len(sleeps.slept) == 2


def test_an_unreadable_advisory_leaves_its_packages_unread_not_clean(osv: str) -> None:
    sleeps = Sleeps()
    _FlakyOsv.script = {"vuln:GHSA-35jh-r3h4-6jhm": ["forever"]}
    found, unread = lookup_online(osv, deps(), retry=sleeps.policy())
    lodash = dependency_key(deps()[1])
    assert lodash not in found  # neither "no advisories" nor the one that could be read
    assert "GHSA-35jh-r3h4-6jhm" in unread[lodash] and "HTTP 500" in unread[lodash]
    assert ids(found, "requests", "2.19.0") == {"GHSA-x84v-xcm2-53pg"}  # the rest is still read
    assert _FlakyOsv.requests.count("vuln:GHSA-35jh-r3h4-6jhm") == 5


def test_retry_after_as_an_http_date() -> None:
    now = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("Sun, 06 Dec 2026 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("Sun, 06 Dec 2026 11:00:00 GMT", now) == 0.0  # already past
    assert retry_after_seconds("12", now) == 12.0
    assert retry_after_seconds("soon", now) is None and retry_after_seconds(None, now) is None
    assert retry_after_seconds("\u00b2", now) is None  # a digit to str.isdigit, not to float()


def test_after_an_outage_the_run_does_not_wait_out_the_retries_again(osv: str) -> None:
    from lambdaops.collect.code.code_run import CodeRun

    sleeps = Sleeps()
    run = CodeRun(cache=None, osv_db=None, osv_url=osv, max_download=1, retry=sleeps.policy())
    _FlakyOsv.script = {"batch": ["forever"]}
    with pytest.raises(OsvError, match="tried 5 times"):
        run.lookup(deps())
    asked = len(_FlakyOsv.requests)
    with pytest.raises(OsvError, match="earlier in this run; not asked again"):
        run.lookup(deps()[:1])  # the next region
    assert len(_FlakyOsv.requests) == asked and len(sleeps.slept) == 4
    assert run.advisories == {}  # nothing recorded as "no advisories"


def test_unread_dependencies_are_asked_again_by_the_next_lookup(osv: str) -> None:
    from lambdaops.collect.code.code_run import CodeRun

    sleeps = Sleeps()
    run = CodeRun(cache=None, osv_db=None, osv_url=osv, max_download=1, retry=sleeps.policy(attempts=2))
    _FlakyOsv.script = {"vuln:GHSA-35jh-r3h4-6jhm": [500, 500]}
    found, unread = run.lookup(deps())
    lodash = dependency_key(deps()[1])
    assert lodash in unread and lodash not in found and lodash not in run.advisories
    found, unread = run.lookup(deps())  # OSV recovered: only lodash is asked again, and read
    assert unread == {} and {a.id for a in found[lodash]} == {"GHSA-p6mc-m468-83gw", "GHSA-35jh-r3h4-6jhm"}
