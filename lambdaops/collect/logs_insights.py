"""`cost --from-logs`: memory use and cold starts from the functions' REPORT lines, with CloudWatch
Logs Insights, one query per batch of 50 log groups per region (never one per function).

Lambda writes a REPORT line at the end of every invocation; Logs Insights discovers its fields:
`@duration`, `@billedDuration` (ms), `@memorySize`, `@maxMemoryUsed` (bytes, in AWS's own sample
queries divided by 1000 twice for MB), `@initDuration` (ms, only on a cold start) ("Analyzing log
data with CloudWatch Logs Insights", sample queries for Lambda; "Lambda function logs"; read
2026-12-06). A query names at most 50 log groups (StartQuery, `logGroupNames`), and is billed by
the bytes it scans: $0.005 per GB in US East (CloudWatch pricing page, Logs Insights, read
2026-12-06). Before running, `estimate` adds up the groups' `storedBytes` (DescribeLogGroups,
paginated): an upper bound of what the window's query scans.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lambdaops.collect.guard import error_record
from lambdaops.model import ErrorRecord

OPERATIONS = ("logs:DescribeLogGroups", "logs:StartQuery", "logs:GetQueryResults")

GROUPS_PER_QUERY = 50
PRICE_PER_GB_SCANNED = 0.005  # USD, US East; other regions differ a little (CloudWatch pricing page)
BYTES_PER_MB = 1_000_000  # @maxMemoryUsed / @memorySize: bytes, decimal MB as in AWS's samples
QUERY = (
    'filter @type = "REPORT"'
    " | stats count(*) as invocations, max(@maxMemoryUsed) as max_memory_used,"
    " sum(ispresent(@initDuration)) as cold_starts,"
    " pct(@initDuration, 50) as init_p50, pct(@initDuration, 99) as init_p99"
    " by @log"
)
DONE = ("Complete", "Failed", "Cancelled", "Timeout", "Unknown")


@dataclass(frozen=True)
class LogStats:
    invocations: int
    max_memory_used_mb: float | None
    cold_starts: int
    init_p50_ms: float | None
    init_p99_ms: float | None


@dataclass
class Estimate:
    groups: list[str] = field(default_factory=list)  # the functions' log groups that exist
    stored_bytes: int = 0
    errors: list[ErrorRecord] = field(default_factory=list)

    @property
    def price(self) -> float:
        return self.stored_bytes / 1e9 * PRICE_PER_GB_SCANNED


def estimate(client: Any, wanted: set[str], account_id: str, region: str) -> Estimate:
    """The functions' log groups that exist and their stored bytes (one paginated listing)."""
    from botocore.exceptions import BotoCoreError, ClientError

    out = Estimate()
    prefix = "/aws/lambda/" if all(g.startswith("/aws/lambda/") for g in wanted) else None
    kwargs = {"logGroupNamePrefix": prefix} if prefix else {}
    try:
        for page in client.get_paginator("describe_log_groups").paginate(**kwargs):
            for group in page.get("logGroups", []):
                name = str(group.get("logGroupName"))
                if name in wanted:
                    out.groups.append(name)
                    out.stored_bytes += int(group.get("storedBytes") or 0)
    except (ClientError, BotoCoreError) as exc:
        out.errors.append(error_record(exc, account_id, region, "logs:DescribeLogGroups"))
    out.groups.sort()
    return out


def _number(value: str | None) -> float | None:
    try:
        return None if value in (None, "") else float(str(value))
    except ValueError:
        return None


def _stats(row: dict[str, str]) -> LogStats:
    used = _number(row.get("max_memory_used"))
    return LogStats(
        invocations=int(_number(row.get("invocations")) or 0),
        max_memory_used_mb=None if used is None else used / BYTES_PER_MB,
        cold_starts=int(_number(row.get("cold_starts")) or 0),
        init_p50_ms=_number(row.get("init_p50")),
        init_p99_ms=_number(row.get("init_p99")),
    )


def report_stats(
    client: Any,
    groups: Sequence[str],
    start: datetime,
    end: datetime,
    account_id: str,
    region: str,
    poll_s: float = 1.0,
    timeout_s: float = 900.0,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[dict[str, LogStats], list[ErrorRecord]]:
    """REPORT-line statistics per log group over [start, end): one query per 50 groups."""
    from botocore.exceptions import BotoCoreError, ClientError

    out: dict[str, LogStats] = {}
    errors: list[ErrorRecord] = []
    for i in range(0, len(groups), GROUPS_PER_QUERY):
        batch = list(groups[i : i + GROUPS_PER_QUERY])
        try:
            query_id = client.start_query(
                logGroupNames=batch,
                startTime=int(start.timestamp()),
                endTime=int(end.timestamp()),
                queryString=QUERY,
                limit=10_000,
            )["queryId"]
        except (ClientError, BotoCoreError) as exc:
            errors.append(error_record(exc, account_id, region, "logs:StartQuery"))
            continue
        waited = 0.0
        while True:
            try:
                answer = client.get_query_results(queryId=query_id)
            except (ClientError, BotoCoreError) as exc:
                errors.append(error_record(exc, account_id, region, "logs:GetQueryResults"))
                break
            status = str(answer.get("status"))
            if status in DONE or waited >= timeout_s:
                if status != "Complete":
                    errors.append(
                        ErrorRecord(
                            account_id,
                            region,
                            "logs:GetQueryResults",
                            f"Query{status}",
                            f"Logs Insights query over {len(batch)} log groups ended {status}",
                        )
                    )
                    break
                for result in answer.get("results", []):
                    row = {str(f.get("field")): str(f.get("value")) for f in result}
                    # @log is "account-id:log-group-name"
                    group = row.get("@log", "").partition(":")[2]
                    if group in batch:
                        out[group] = _stats(row)
                for group in batch:  # read, and no REPORT line in the window: nothing ran
                    out.setdefault(group, LogStats(0, None, 0, None, None))
                break
            sleep(poll_s)
            waited += poll_s
    return out, errors
