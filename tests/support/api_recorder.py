"""Record every AWS API call lambdaops' own code makes during the test suite, as IAM actions.

`install()` wraps botocore's `BaseClient._make_api_call` for the test session. A call is recorded when
the code that made it (the innermost frame outside botocore, boto3 and the standard library) is
lambdaops proper, not `lambdaops.demo` (seeding the emulation, its shims): calls made by tests and
fixtures (even from a test's stand-in called by lambdaops), by the seed, or by moto inside another
call are not lambdaops' and do not count. End-to-end tests that run lambdaops
in a subprocess add what their AWS proxy saw with `add_external()`.

At the end of the session the recorded actions are compared with the policy lambdaops generates
(`lambdaops iam-policy --with-remediation --multi-account`): a call the policy does not allow fails
the run (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from types import FrameType
from typing import Any

_OWN = "lambdaops"
_NOT_OURS = ("lambdaops.demo",)
# Frames that only pass a call along: the AWS SDK itself and the standard library (thread pools,
# functools, contextlib...). The first frame that is none of these is the code that made the call.
_PASS_THROUGH = frozenset({"botocore", "boto3", "s3transfer", "urllib3", *sys.stdlib_module_names})


def _caller_module(frame: FrameType | None) -> str:
    """The module of the code that made an API call: the innermost frame not in the SDK or stdlib."""
    while frame is not None:
        name = str(frame.f_globals.get("__name__", ""))
        if name.partition(".")[0] not in _PASS_THROUGH and name != __name__:
            return name
        frame = frame.f_back
    return ""


def _is_lambdaops(module: str) -> bool:
    return (module == _OWN or module.startswith(_OWN + ".")) and not module.startswith(_NOT_OURS)


class ApiRecorder:
    """API calls ("service:Operation", IAM prefix) made by lambdaops, and the IAM actions they need."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local = threading.local()
        self.calls: dict[str, set[str]] = defaultdict(set)  # "prefix:Operation" -> where it came from
        self.actions: dict[str, set[str]] = defaultdict(set)  # IAM action -> the calls that need it
        self._scopes: list[set[str]] = []
        self._original: Any = None

    # ---- recording

    def record(self, service: str, operation: str, params: Any, origin: str) -> None:
        from lambdaops.permissions import iam_actions_for, iam_prefix

        call = f"{iam_prefix(service)}:{operation}"
        needed = iam_actions_for(service, operation, params if isinstance(params, dict) else None)
        with self._lock:
            self.calls[call].add(origin)
            for action in needed:
                self.actions[action].add(call)
            for scope in self._scopes:
                scope.update(needed)

    def add_external(self, calls: Iterable[str], origin: str = "subprocess") -> None:
        """Calls seen elsewhere (an AWS proxy in front of a lambdaops subprocess), as "prefix:Op"."""
        for call in calls:
            service, _, operation = call.partition(":")
            self.record(service, operation, None, origin)

    @contextlib.contextmanager
    def scope(self) -> Iterator[set[str]]:
        """Collect the IAM actions needed by the calls made inside the block (all threads)."""
        needed: set[str] = set()
        with self._lock:
            self._scopes.append(needed)
        try:
            yield needed
        finally:
            with self._lock:
                self._scopes.remove(needed)

    # ---- the botocore hook

    def install(self) -> None:
        from botocore.client import BaseClient

        if self._original is not None:
            return
        original = BaseClient._make_api_call
        recorder = self

        def _make_api_call(client: Any, operation_name: str, api_params: Any) -> Any:
            depth = getattr(recorder._local, "depth", 0)
            if depth == 0:
                # A call made while another is in flight on this thread is the emulator's, not ours.
                origin = _caller_module(sys._getframe(1))
                if _is_lambdaops(origin):
                    service = client.meta.service_model.service_name
                    recorder.record(service, operation_name, api_params, origin)
            recorder._local.depth = depth + 1
            try:
                return original(client, operation_name, api_params)
            finally:
                recorder._local.depth = depth

        self._original = original
        BaseClient._make_api_call = _make_api_call  # type: ignore[method-assign]

    def uninstall(self) -> None:
        from botocore.client import BaseClient

        if self._original is not None:
            BaseClient._make_api_call = self._original  # type: ignore[method-assign]
            self._original = None

    # ---- the verdict

    def missing_from_policy(self) -> dict[str, set[str]]:
        """IAM actions recorded calls need that the full generated policy does not allow."""
        from lambdaops.permissions import allowed_actions, policy_document

        allowed = allowed_actions(policy_document(with_remediation=True, multi_account=True))
        with self._lock:
            return {a: set(calls) for a, calls in self.actions.items() if a.lower() not in allowed}


RECORDER = ApiRecorder()
