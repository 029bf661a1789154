"""CloudWatch Logs Insights for the demo account, for the one query `cost --from-logs` runs.

moto's Logs Insights understands little of the query language (no `stats ... by @log`, no `pct`),
so the demo answers `StartQuery` / `GetQueryResults` here, in-process, with one botocore
`before-call` handler each (the hook botocore's Stubber uses): it reads the REPORT lines moto
stored for the named log groups in the time range and answers as AWS does, one row per log group
with `@log` = "account-id:log-group-name" and `@maxMemoryUsed` in bytes. Only after the demo seed
called `install()`; otherwise calls pass through to moto.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from typing import Any

_REPORT = re.compile(r"^REPORT RequestId:")
_MAX_USED = re.compile(r"Max Memory Used: (\d+) MB")
_INIT = re.compile(r"Init Duration: ([\d.]+) ms")
_RESULTS: dict[str, list[list[dict[str, str]]]] = {}
_IDS = itertools.count(1)
_STATE = {"account_id": ""}


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def _rows(region: str, groups: list[str], start_s: int, end_s: int) -> list[list[dict[str, str]]]:
    from moto.logs.models import logs_backends

    account_id = _STATE["account_id"]
    backend = logs_backends[account_id][region]
    rows = []
    for name in groups:
        group = backend.groups.get(name)
        if group is None:
            continue
        lines = [
            e.message
            for stream in group.streams.values()
            for e in stream.events
            if start_s * 1000 <= e.timestamp < end_s * 1000 and _REPORT.match(e.message)
        ]
        if not lines:
            continue
        used = [int(m.group(1)) for line in lines if (m := _MAX_USED.search(line))]
        inits = [float(m.group(1)) for line in lines if (m := _INIT.search(line))]
        row = {
            "@log": f"{account_id}:{name}",
            "invocations": str(len(lines)),
            "max_memory_used": str(max(used) * 1_000_000) if used else "",
            "cold_starts": str(len(inits)),
        }
        if inits:
            row["init_p50"] = str(_percentile(inits, 50))
            row["init_p99"] = str(_percentile(inits, 99))
        rows.append([{"field": k, "value": v} for k, v in row.items()])
    return rows


def _ok(body: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    response = AWSResponse("https://logs.amazonaws.com/", 200, HTTPHeaders(), None)
    return response, {**body, "ResponseMetadata": {"HTTPStatusCode": 200}}


def _body(params: Any) -> dict[str, Any]:
    """The API parameters: before-call sees the serialized request (JSON protocol: a JSON body)."""
    body = (params or {}).get("body") or b"{}"
    parsed: dict[str, Any] = json.loads(body.decode() if isinstance(body, bytes) else body)
    return parsed


def _start_query(params: Any = None, request_signer: Any = None, **_: Any) -> Any:
    region = str(getattr(request_signer, "_region_name", ""))
    query_id = f"demo-query-{next(_IDS)}"
    args = _body(params)
    _RESULTS[query_id] = _rows(region, list(args["logGroupNames"]), args["startTime"], args["endTime"])
    return _ok({"queryId": query_id})


def _get_query_results(params: Any = None, **_: Any) -> Any:
    rows = _RESULTS.get(str(_body(params).get("queryId")))
    if rows is None:
        return None  # not one of ours
    return _ok({"status": "Complete", "results": rows, "statistics": {"recordsMatched": float(len(rows))}})


def install(account_id: str) -> None:
    from botocore import handlers

    _STATE["account_id"] = account_id
    for event, handler in (
        ("before-call.cloudwatch-logs.StartQuery", _start_query),
        ("before-call.cloudwatch-logs.GetQueryResults", _get_query_results),
    ):
        if (event, handler) not in handlers.BUILTIN_HANDLERS:
            handlers.BUILTIN_HANDLERS.append((event, handler))
