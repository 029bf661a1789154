"""Demo cases for `cost` (issue 18): what functions use, as AWS reports it.

- `Duration` for every demo function that has `Invocations` (DURATION_MS per invocation), so the
  busy functions cost what their traffic costs;
- `checkout-api-warm` (eu-west-1, x86, 1024 MB): provisioned concurrency 10 on alias `live`, set
  40 days ago, mostly idle (ProvisionedConcurrencyUtilization 0.05 in the hours it ran, nothing the
  rest of the time): lambda-provisioned-idle, with the money;
- `legacy-pricing-engine` (eu-west-1, x86, 2048 MB): provisioned concurrency 5 on version 1 and no
  invocation for 200 days: lambda-provisioned-inactive;
- `media-thumbnails-arm` (eu-west-1, arm64, 1536 MB, 4096 MB ephemeral storage): busy, priced at the
  Arm rates, with ephemeral storage above the free 512 MB;
- `search-suggest-warm` (eu-central-1, x86, 512 MB): provisioned concurrency 2, well used, priced
  at eu-central-1's provisioned-concurrency rates (higher than eu-west-1's: prices differ by region).

REPORT log lines for the planted functions go to their log groups (`/aws/lambda/<name>`) as Lambda
writes them (Duration, Billed Duration, Memory Size, Max Memory Used, Init Duration on cold starts).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

REGION = "eu-west-1"
CENTRAL_REGION = "eu-central-1"
DURATION_MS = 120.0  # per invocation, for the demo functions seeded elsewhere
HISTORY_DAYS = 40  # metrics for this many days back: any --days up to 40 sees a full window


@dataclass(frozen=True)
class CostFunction:
    name: str
    region: str
    memory: int
    architecture: str = "x86_64"
    ephemeral_mb: int = 512
    per_day: float = 0.0  # invocations a day, every day of the history
    duration_ms: float = 0.0  # per invocation
    provisioned: dict[str, int] = field(default_factory=dict)  # qualifier -> concurrency
    utilization: float = 0.0  # ProvisionedConcurrencyUtilization in the hours it is published
    used_hours_per_day: int = 0  # hours a day with utilization datapoints
    provisioned_share: float = 0.0  # of invocations served by provisioned concurrency
    modified_days_ago: float = 200.0
    max_memory_mb: int = 0  # Max Memory Used in the REPORT lines


PC_IDLE = CostFunction(
    "checkout-api-warm",
    REGION,
    1024,
    per_day=2000.0,
    duration_ms=80.0,
    provisioned={"live": 10},
    utilization=0.05,
    used_hours_per_day=12,
    provisioned_share=0.9,
    max_memory_mb=210,
)
PC_INACTIVE = CostFunction("legacy-pricing-engine", REGION, 2048, provisioned={"1": 5}, max_memory_mb=0)
ARM_STORAGE = CostFunction(
    "media-thumbnails-arm",
    REGION,
    1536,
    architecture="arm64",
    ephemeral_mb=4096,
    per_day=5000.0,
    duration_ms=400.0,
    max_memory_mb=900,
)
PC_BUSY = CostFunction(
    "search-suggest-warm",
    CENTRAL_REGION,
    512,
    per_day=30000.0,
    duration_ms=25.0,
    provisioned={"live": 2},
    utilization=0.6,
    used_hours_per_day=24,
    provisioned_share=1.0,
    max_memory_mb=300,
)
COST_FUNCTIONS = (PC_IDLE, PC_INACTIVE, ARM_STORAGE, PC_BUSY)

# Compute Optimizer (demo/compute_optimizer_shim.py): opted in for eu-west-1, not for eu-central-1.
# function -> (current MB, recommended MB, finding, reasons, estimated monthly savings USD)
OVERSIZED = "ml-feature-extractor"  # a demo function at 10,240 MB (seed.py)
MEMORY_RECOMMENDATIONS: dict[str, tuple[int, int, str, tuple[str, ...], float]] = {
    OVERSIZED: (10240, 2048, "NotOptimized", ("MemoryOverprovisioned",), 41.27),
    ARM_STORAGE.name: (1536, 2048, "NotOptimized", ("MemoryUnderprovisioned",), 0.0),
    PC_IDLE.name: (1024, 1024, "Optimized", (), 0.0),
}
NOT_OPTED_IN = (CENTRAL_REGION,)


def _zip(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", f"def handler(event, context):\n    return {{'fn': {name!r}}}\n")
    return buf.getvalue()


def _day_starts(now: datetime) -> list[datetime]:
    """Noon of each of the last HISTORY_DAYS days (one daily datapoint each)."""
    noon = now.astimezone(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    if noon > now:
        noon -= timedelta(days=1)
    return [noon - timedelta(days=d) for d in range(HISTORY_DAYS)]


def _datum(
    name: str, metric: str, when: datetime, value: float, qualifier: str | None = None
) -> dict[str, Any]:
    dims = [{"Name": "FunctionName", "Value": name}]
    if qualifier is not None:
        dims.append({"Name": "Resource", "Value": f"{name}:{qualifier}"})
    return {"MetricName": metric, "Dimensions": dims, "Timestamp": when, "Value": value}


def _duration_datum(
    name: str, when: datetime, invocations: float, per_invocation_ms: float
) -> dict[str, Any]:
    """Duration as Lambda reports it: one sample per invocation, so the period's Sum is
    invocations x duration and its Maximum is one invocation's duration (a single `Value` of the
    sum would read as one invocation lasting that long: lambda-timeouts would fire on it)."""
    datum = _datum(name, "Duration", when, 0.0)
    del datum["Value"]
    datum["StatisticValues"] = {
        "SampleCount": invocations,
        "Sum": invocations * per_invocation_ms,
        "Minimum": per_invocation_ms,
        "Maximum": per_invocation_ms,
    }
    datum["Unit"] = "Milliseconds"
    return datum


def cost_datapoints(fn: CostFunction, now: datetime) -> list[dict[str, Any]]:
    """Every datapoint seeded for `fn` (the test recomputes the cost from these)."""
    data: list[dict[str, Any]] = []
    for day in _day_starts(now):
        if fn.per_day:
            data.append(_datum(fn.name, "Invocations", day, fn.per_day))
            data.append(_duration_datum(fn.name, day, fn.per_day, fn.duration_ms))
        for qualifier in fn.provisioned:
            if fn.per_day and fn.provisioned_share:
                data.append(
                    _datum(
                        fn.name,
                        "ProvisionedConcurrencyInvocations",
                        day,
                        fn.per_day * fn.provisioned_share,
                        qualifier,
                    )
                )
            for hour in range(fn.used_hours_per_day):
                when = day.replace(hour=0) + timedelta(hours=hour, minutes=30)
                if when < now:
                    data.append(
                        _datum(fn.name, "ProvisionedConcurrencyUtilization", when, fn.utilization, qualifier)
                    )
    return data


def duration_datapoints(batches: Mapping[str, Iterable[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """A Duration datapoint (DURATION_MS per invocation) for each Invocations datapoint in `batches`
    (region -> the datapoints seed.py puts), per region."""
    out: dict[str, list[dict[str, Any]]] = {}
    for region, data in batches.items():
        for d in data:
            if d["MetricName"] == "Invocations":
                name = d["Dimensions"][0]["Value"]
                out.setdefault(region, []).append(
                    _duration_datum(name, d["Timestamp"], d["Value"], DURATION_MS)
                )
    return out


def report_lines(fn: CostFunction, now: datetime) -> list[dict[str, Any]]:
    """REPORT lines as Lambda writes them at the end of each invocation (a sample, one a day)."""
    events = []
    for i, day in enumerate(sorted(_day_starts(now)[:14])):  # moto keeps 14 days of log events
        init = f" Init Duration: {380 + 17.5 * i:.2f} ms" if i % 3 == 0 else ""
        billed = max(1, round(fn.duration_ms))
        line = (
            f"REPORT RequestId: 00000000-0000-4000-8000-{i:012d}\tDuration: {fn.duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {fn.memory} MB\t"
            f"Max Memory Used: {fn.max_memory_mb} MB{init}\t"
        )
        events.append({"timestamp": int(day.timestamp() * 1000), "message": line})
    return events


def seed_cost(
    session: Any, account_id: str, now: datetime, batches: Mapping[str, Iterable[dict[str, Any]]]
) -> None:
    """Plant the cost cases; `batches`: region -> the datapoints seed.py puts (read, not changed)."""
    from lambdaops.demo import moto_shims
    from lambdaops.demo.seed_activity import set_last_modified

    role = f"arn:aws:iam::{account_id}:role/reporting-role"
    extra = duration_datapoints(batches)
    for fn in COST_FUNCTIONS:
        client = session.client("lambda", region_name=fn.region)
        client.create_function(
            FunctionName=fn.name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": _zip(fn.name)},
            MemorySize=fn.memory,
            Architectures=[fn.architecture],
            EphemeralStorage={"Size": fn.ephemeral_mb},
            Tags={"team": "commerce"},
        )
        if fn.provisioned:
            client.publish_version(FunctionName=fn.name, Description="release 1")
            for qualifier, amount in fn.provisioned.items():
                if not qualifier.isdigit():
                    client.create_alias(FunctionName=fn.name, Name=qualifier, FunctionVersion="1")
                client.put_provisioned_concurrency_config(
                    FunctionName=fn.name, Qualifier=qualifier, ProvisionedConcurrentExecutions=amount
                )
                moto_shims.set_provisioned_last_modified(
                    account_id, fn.region, fn.name, qualifier, now - timedelta(days=HISTORY_DAYS)
                )
        set_last_modified(account_id, fn.region, fn.name, now - timedelta(days=fn.modified_days_ago))
        extra.setdefault(fn.region, []).extend(cost_datapoints(fn, now))
        if fn.max_memory_mb:
            logs = session.client("logs", region_name=fn.region)
            group = f"/aws/lambda/{fn.name}"
            logs.create_log_group(logGroupName=group)
            logs.create_log_stream(logGroupName=group, logStreamName="2026/demo")
            logs.put_log_events(
                logGroupName=group, logStreamName="2026/demo", logEvents=report_lines(fn, now)
            )
    _seed_recommendations(account_id)
    for region, data in extra.items():
        cw = session.client("cloudwatch", region_name=region)
        for i in range(0, len(data), 500):
            cw.put_metric_data(Namespace="AWS/Lambda", MetricData=data[i : i + 500])


def _seed_recommendations(account_id: str) -> None:
    from lambdaops.demo import compute_optimizer_shim, logs_insights_shim

    compute_optimizer_shim.install()
    logs_insights_shim.install(account_id)  # --from-logs reads the REPORT lines planted above
    table = compute_optimizer_shim.RECOMMENDATIONS
    table.clear()
    table[REGION] = [
        {
            "functionArn": f"arn:aws:lambda:{REGION}:{account_id}:function:{name}:$LATEST",
            "functionVersion": "$LATEST",
            "accountId": account_id,
            "currentMemorySize": current,
            "numberOfInvocations": 1000,
            "lookbackPeriodInDays": 14.0,
            "finding": finding,
            "findingReasonCodes": list(reasons),
            "memorySizeRecommendationOptions": [
                {
                    "rank": 1,
                    "memorySize": recommended,
                    "savingsOpportunity": {
                        "savingsOpportunityPercentage": 0.0,
                        "estimatedMonthlySavings": {"currency": "USD", "value": savings},
                    },
                }
            ],
        }
        for name, (current, recommended, finding, reasons, savings) in MEMORY_RECOMMENDATIONS.items()
    ]
    for region in NOT_OPTED_IN:
        table[region] = None
