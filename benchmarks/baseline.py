"""The one-call-per-function way of finding idle functions, to measure lambdaops against.

This is the shape of list-lambdas and similar scripts: per region, page through ListFunctions, then
for every function ask CloudWatch Logs for its most recent log stream
(``DescribeLogStreams orderBy=LastEventTime descending``), one function after the other, building a
new Logs client for each function as list-lambdas does (so each call also opens a new connection).
``--reuse-client`` keeps one client per region instead: the kindest version of the approach, still
one call per function.

``python -m benchmarks.baseline --regions eu-west-1,eu-central-1 [--reuse-client]`` prints one JSON
object: functions seen, and how many had a log stream. The answer itself is not what is measured
(the benchmark's functions write no logs); the calls and their cost are.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

import boto3


def last_log_event(logs: Any, function_name: str) -> int | None:
    try:
        resp = logs.describe_log_streams(
            logGroupName=f"/aws/lambda/{function_name}", orderBy="LastEventTime", descending=True, limit=1
        )
    except logs.exceptions.ResourceNotFoundException:
        return None
    streams = resp.get("logStreams", [])
    return int(streams[0]["lastEventTimestamp"]) if streams and "lastEventTimestamp" in streams[0] else None


def scan_region(region: str, reuse_client: bool) -> tuple[int, int]:
    lam = boto3.client("lambda", region_name=region)
    shared_logs = boto3.client("logs", region_name=region) if reuse_client else None
    seen = with_logs = 0
    kwargs: dict[str, Any] = {}
    while True:
        page = lam.list_functions(**kwargs)
        for fn in page.get("Functions", []):
            logs = shared_logs or boto3.client("logs", region_name=region)
            seen += 1
            if last_log_event(logs, fn["FunctionName"]) is not None:
                with_logs += 1
        marker = page.get("NextMarker")
        if not marker:
            return seen, with_logs
        kwargs = {"Marker": marker}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.baseline", description=__doc__)
    parser.add_argument("--regions", required=True, help="comma-separated")
    parser.add_argument("--reuse-client", action="store_true", help="one Logs client per region")
    args = parser.parse_args(argv)
    total = logged = 0
    for region in (r for r in args.regions.split(",") if r):
        seen, with_logs = scan_region(region, args.reuse_client)
        total += seen
        logged += with_logs
    print(json.dumps({"functions": total, "with_log_streams": logged}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
