"""AWS API rate quotas, and the client-side pacing that keeps lambdaops within them.

AWS throttles each API per (account, region) with token buckets: a call over the rate is answered
``TooManyRequestsException`` / ``Throttling`` and must be retried, and the throttling is felt by
everything else in the account at that moment (deployments, other tools). lambdaops paces its own
calls instead: every attempt (retries too) takes a token from a bucket shared by all worker
threads, one bucket per (account, region, quota), at the rate AWS documents.

The rates, with their sources (read 2026-12-06; AWS publishes no bucket sizes):

* Lambda, "Lambda quotas", section API requests
  (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html): ``GetFunction`` 100
  requests per second, ``GetPolicy`` 15, and 15 for the remainder of the control plane together
  (every call but invocations, GetFunction and GetPolicy). These cannot be increased.
* CloudWatch, "CloudWatch service quotas"
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html):
  ``GetMetricData`` 50 TPS per Region (without Metrics Insights queries), ``GetMetricStatistics``
  400, ``ListMetrics`` 25, ``DescribeAlarms`` and ``DescribeAlarmsForMetric`` 9, ``PutMetricAlarm``,
  ``DeleteAlarms``, ``DescribeAlarmHistory``, ``EnableAlarmActions``, ``DisableAlarmActions`` 3.
* EC2, "Request throttling for the Amazon EC2 API": non-mutating actions (``DescribeRegions``)
  refill 20 tokens a second.
* IAM, STS, Organizations, Resource Groups Tagging (``GetResources``), Budgets and SNS publish no
  request rate for the calls lambdaops makes (the "IAM and AWS STS quotas" page lists object sizes
  only; AWS's knowledge-center article "How do I resolve API throttling or 'Rate exceeded' errors
  for IAM and AWS STS?" says the rates exist and cannot be raised, without a figure; the
  "Quotas and service limits for AWS Organizations" page lists no rate for ListAccounts; the
  tagging quota page none for GetResources). lambdaops uses
  ``UNPUBLISHED_RATE`` = 10 per second for them: below every read rate AWS does publish for its
  control planes except CloudWatch's alarm reads (9), and lambdaops makes at most a handful of
  these calls per account, so the figure costs nothing measurable.

Every call goes through the pacer: the clients of a run's context (``AwsContext.client``), the STS
client that assumes roles, ``identify()``'s GetCallerIdentity (keyed by ``CALLER_ACCOUNT`` since
the account is what it finds out) and ``--org``'s ListAccounts (the caller's account, us-east-1).

Users leave room for others with ``--max-rps`` / ``max_rps`` (see :func:`lambdaops.rates.parse_max_rps`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lambdaops.rates import RateLimit

UNPUBLISHED_RATE = 10.0
LAMBDA_CONTROL_PLANE = "lambda:control-plane"
# Lambda data-plane calls: not part of the control-plane quotas (never made by lambdaops anyway).
_LAMBDA_DATA_PLANE = frozenset({"Invoke", "InvokeAsync", "InvokeWithResponseStream"})

# botocore service name (or SigV4 scope) -> the IAM-style prefix used in bucket names.
_SERVICE_ALIASES = {"resourcegroupstaggingapi": "tag", "tagging": "tag", "monitoring": "cloudwatch"}

# (service, operation) -> requests per second, where the operation has a quota of its own.
_OPERATION_RATES: dict[tuple[str, str], float] = {
    ("lambda", "GetFunction"): 100.0,
    ("lambda", "GetPolicy"): 15.0,
    ("cloudwatch", "GetMetricData"): 50.0,
    ("cloudwatch", "GetMetricStatistics"): 400.0,
    ("cloudwatch", "ListMetrics"): 25.0,
    ("cloudwatch", "PutMetricData"): 500.0,
    ("cloudwatch", "DescribeAlarms"): 9.0,
    ("cloudwatch", "DescribeAlarmsForMetric"): 9.0,
    ("cloudwatch", "PutMetricAlarm"): 3.0,
    ("cloudwatch", "DeleteAlarms"): 3.0,
    ("cloudwatch", "DescribeAlarmHistory"): 3.0,
    ("cloudwatch", "EnableAlarmActions"): 3.0,
    ("cloudwatch", "DisableAlarmActions"): 3.0,
    ("cloudwatch", "SetAlarmState"): 3.0,
    ("ec2", "DescribeRegions"): 20.0,
}
# service -> (rate, published) for operations without a quota of their own.
_SERVICE_RATES: dict[str, tuple[float, bool]] = {
    "lambda": (15.0, True),  # the shared "remainder of the control plane" bucket
    "cloudwatch": (3.0, False),  # other CloudWatch calls: the lowest rate CloudWatch publishes
    "ec2": (20.0, True),
    "iam": (UNPUBLISHED_RATE, False),
    "sts": (UNPUBLISHED_RATE, False),
    "organizations": (UNPUBLISHED_RATE, False),
    "tag": (UNPUBLISHED_RATE, False),
    "budgets": (UNPUBLISHED_RATE, False),
    "sns": (UNPUBLISHED_RATE, False),
}


@dataclass(frozen=True)
class Quota:
    """One throttling bucket: its name (``service:Operation`` or ``lambda:control-plane``), its
    rate in requests per second per account and region, and whether AWS publishes that rate."""

    bucket: str
    rate: float
    published: bool = True


def service_prefix(service: str) -> str:
    return _SERVICE_ALIASES.get(service, service)


def quota_for(service: str, operation: str) -> Quota | None:
    """The bucket an API call draws from; None for calls with no quota modelled (not paced)."""
    prefix = service_prefix(service)
    if prefix == "lambda" and operation in _LAMBDA_DATA_PLANE:
        return None
    rate = _OPERATION_RATES.get((prefix, operation))
    if rate is not None:
        return Quota(f"{prefix}:{operation}", rate)
    found = _SERVICE_RATES.get(prefix)
    if found is None:
        return None
    rate, published = found
    bucket = LAMBDA_CONTROL_PLANE if prefix == "lambda" else f"{prefix}:*"
    return Quota(bucket, rate, published)


# --------------------------------------------------------------------------- --max-rps


# RateLimit and parse_max_rps live in the core (lambdaops.rates): settings validates --max-rps.


# --------------------------------------------------------------------------- pacing


class TokenBucket:
    """A token bucket that makes callers wait rather than fail: ``acquire`` reserves the next
    token (the balance may go below zero) and sleeps until it is due, so waiting callers are
    served in order at exactly ``rate`` per second after an initial ``burst``."""

    def __init__(
        self,
        rate: float,
        burst: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = burst
        self._last = clock()
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Take a token; return how long the caller must wait before using it (seconds)."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            self._tokens -= 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    def acquire(self) -> float:
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait


def client_burst(rate: float) -> float:
    """Half a second's worth of calls, at least one: AWS publishes no bucket sizes, and a client
    that never bursts past half of what it may send in a second leaves AWS's bucket room for
    jitter on the way (requests that leave evenly can arrive bunched)."""
    return max(1.0, rate / 2.0)


class Pacer:
    """Buckets per (account, region, quota), shared by every client and worker thread of a run."""

    def __init__(
        self,
        limit: RateLimit | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        enabled: bool = True,
    ) -> None:
        self.limit = limit
        self.enabled = enabled
        self._clock = clock
        self._sleep = sleep
        self._buckets: dict[tuple[str, str, str], TokenBucket] = {}
        self._lock = threading.Lock()
        self.waits = 0
        self.waited_s = 0.0

    def rate_of(self, quota: Quota) -> float:
        return self.limit.apply(quota.rate) if self.limit is not None else quota.rate

    def bucket(self, account: str, region: str, quota: Quota) -> TokenBucket:
        key = (account, region, quota.bucket)
        with self._lock:
            found = self._buckets.get(key)
            if found is None:
                rate = self.rate_of(quota)
                found = TokenBucket(rate, client_burst(rate), self._clock, self._sleep)
                self._buckets[key] = found
            return found

    def acquire(self, account: str, region: str, service: str, operation: str) -> float:
        quota = quota_for(service, operation)
        if quota is None or not self.enabled:
            return 0.0
        wait = self.bucket(account, region, quota).acquire()
        if wait > 0:
            with self._lock:
                self.waits += 1
                self.waited_s += wait
        return wait

    def attach(self, client: Any, account: str, region: str) -> None:
        """Pace every attempt the client sends (botocore emits ``before-send`` once per attempt,
        retries included, after signing and just before the request leaves)."""
        service = str(client.meta.service_model.service_name)

        def before_send(event_name: str = "", **_: Any) -> None:
            self.acquire(account, region, service, event_name.rsplit(".", 1)[-1])
            # None: botocore sends the request itself

        client.meta.events.register("before-send", before_send)
