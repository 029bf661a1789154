"""A moto shim: event invoke configs (asynchronous invocation settings) per qualifier, as on AWS.

AWS (Lambda API reference, PutFunctionEventInvokeConfig / ListFunctionEventInvokeConfigs, read
2026-12-06) keeps one config per function, version and alias (`Qualifier`); Put replaces the
config of that qualifier, Update changes only the fields given, List returns every qualifier's with
its own `FunctionArn`. moto 5.2.5 ignores `Qualifier`, appends on every Put (a second Put is
invisible, Get keeps answering the first) and lists one config. The shim keeps a dict
{qualifier: config} on moto's `$LATEST` function object (deleted with the function, as on AWS) and
reuses moto's own `EventInvokeConfig` for validation and the answer's shape.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

_lock = threading.Lock()
_installed = threading.Event()


def _target(self: Any, parts_from_end: int) -> tuple[Any, str | None, dict[str, Any]]:
    name = unquote(self.path.rsplit("/", parts_from_end)[1])
    qualifier = self.querystring.get("Qualifier")
    if isinstance(qualifier, list):
        qualifier = qualifier[0] if qualifier else None
    if qualifier in ("", "$LATEST"):
        qualifier = None
    if qualifier is not None:
        self.backend.get_function(name, qualifier)  # ResourceNotFound for an unknown qualifier
    fn = self.backend.get_function(name, None)
    store: dict[str, Any] | None = getattr(fn, "_lambdaops_invoke_configs", None)
    if store is None:
        store = {}
        fn._lambdaops_invoke_configs = store
    return fn, qualifier, store


def _arn(fn: Any, qualifier: str | None) -> str:
    return f"{fn.function_arn}:{qualifier}" if qualifier else str(fn.function_arn)


def _answer(fn: Any, qualifier: str | None, config: dict[str, Any]) -> dict[str, Any]:
    from moto.awslambda.models import EventInvokeConfig

    stamp = datetime.now(UTC).timestamp()
    out: dict[str, Any] = EventInvokeConfig(_arn(fn, qualifier), str(stamp), dict(config)).response()
    out["LastModified"] = stamp
    return out


def _validated(config: dict[str, Any]) -> dict[str, Any]:
    from moto.awslambda.models import EventInvokeConfig

    EventInvokeConfig("arn", "0", dict(config))  # raises moto's validation errors, as AWS would
    return {
        k: v
        for k, v in config.items()
        if k in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig")
    }


def _not_found(fn: Any, qualifier: str | None) -> Exception:
    from moto.awslambda.exceptions import UnknownEventConfig

    exc: Exception = UnknownEventConfig(_arn(fn, qualifier))
    return exc


def install() -> None:
    with _lock:
        if _installed.is_set():
            return
        from moto.awslambda.responses import LambdaResponse

        def put(self: Any) -> Any:
            fn, qualifier, store = _target(self, 2)
            store[qualifier or ""] = _validated(json.loads(self.body or "{}"))
            return 200, {"status": 200}, json.dumps(_answer(fn, qualifier, store[qualifier or ""]))

        def update(self: Any) -> Any:
            fn, qualifier, store = _target(self, 2)
            merged = {**store.get(qualifier or "", {}), **_validated(json.loads(self.body or "{}"))}
            store[qualifier or ""] = merged
            return 200, {"status": 200}, json.dumps(_answer(fn, qualifier, merged))

        def get(self: Any) -> Any:
            fn, qualifier, store = _target(self, 2)
            if (qualifier or "") not in store:
                raise _not_found(fn, qualifier)
            return 200, {"status": 200}, json.dumps(_answer(fn, qualifier, store[qualifier or ""]))

        def delete(self: Any) -> Any:
            fn, qualifier, store = _target(self, 2)
            if store.pop(qualifier or "", None) is None:
                raise _not_found(fn, qualifier)
            return 204, {"status": 204}, ""

        def list_configs(self: Any) -> Any:
            fn, _, store = _target(self, 3)
            items = [_answer(fn, q or None, c) for q, c in sorted(store.items())]
            return 200, {"status": 200}, json.dumps({"FunctionEventInvokeConfigs": items})

        LambdaResponse.put_function_event_invoke_config = put
        LambdaResponse.update_function_event_invoke_config = update
        LambdaResponse.get_function_event_invoke_config = get
        LambdaResponse.delete_function_event_invoke_config = delete
        LambdaResponse.list_function_event_invoke_configs = list_configs
        _installed.set()
