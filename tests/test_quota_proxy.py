"""The quota-faithful emulation (AwsProxy quotas="aws") and lambdaops paced against it.

The proxy's buckets are unit-tested with a deterministic clock; then, against the demo account
behind the proxy: a call over its quota is answered as AWS answers it, collectors without pacing
collide with the quotas while paced ones do not (and lose nothing either way), and a real `scan`
process under AWS's own rates is throttled rarely, loses no call and reports what it reports
without quotas.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.gather import gather
from lambdaops.collect.quotas import Pacer
from lambdaops.demo.seed import demo_function_names
from lambdaops.rates import RateLimit
from lambdaops.settings import Settings
from tests.support.api_recorder import RECORDER
from tests.support.aws_proxy import AwsProxy, QuotaBuckets, RequestInfo, _render_error, _throttle_error
from tests.support.e2e import run_lambdaops

DEMO_REGIONS = ("eu-central-1", "eu-west-1")


def _info(service: str, operation: str, key: str = "AKIA1", region: str = "eu-west-1") -> RequestInfo:
    protocol = {"lambda": "rest-json", "sts": "query", "iam": "query"}.get(service, "json")
    return RequestInfo(service, operation, region, protocol, service, key)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_buckets_hold_one_second_of_the_documented_rate_and_refill() -> None:
    clock = Clock()
    buckets = QuotaBuckets(clock)
    policy = _info("lambda", "GetPolicy")
    assert sum(buckets.take(policy) for _ in range(20)) == 15  # 15/s, a second's worth
    clock.now += 0.07  # a little over 1/15 s: one token back
    assert buckets.take(policy) and not buckets.take(policy)
    # GetFunction has 100/s of its own; the control plane's 15/s is shared by its operations
    assert sum(buckets.take(_info("lambda", "GetFunction")) for _ in range(120)) == 100
    urls = sum(buckets.take(_info("lambda", "ListFunctionUrlConfigs")) for _ in range(10))
    concurrency = sum(buckets.take(_info("lambda", "GetFunctionConcurrency")) for _ in range(10))
    assert (urls, concurrency) == (10, 5)
    # another account (signing key) or region: buckets of their own
    assert buckets.take(_info("lambda", "GetPolicy", key="AKIA2"))
    assert buckets.take(_info("lambda", "GetPolicy", region="us-east-1"))
    assert sum(buckets.take(_info("cloudwatch", "GetMetricData")) for _ in range(60)) == 50


@pytest.mark.parametrize(
    ("service", "operation", "status", "code"),
    [
        ("lambda", "GetPolicy", 429, "TooManyRequestsException"),
        ("cloudwatch", "GetMetricData", 400, "ThrottlingException"),
        ("sts", "AssumeRole", 400, "Throttling"),
        ("iam", "GetAccountAuthorizationDetails", 400, "Throttling"),
        ("organizations", "ListAccounts", 400, "TooManyRequestsException"),
        ("tag", "GetResources", 400, "ThrottledException"),
    ],
)
def test_throttled_answers_have_each_services_shape(
    service: str, operation: str, status: int, code: str
) -> None:
    info = _info(service, operation)
    error = _throttle_error(info)
    assert (error.status, error.code) == (status, code)
    headers, body = _render_error(info, error, {"content-type": "application/x-amz-json-1.1"})
    assert code.encode() in body or headers.get("x-amzn-ErrorType") == code


def test_a_lambda_call_over_its_quota_is_a_429_too_many_requests(demo_server: str) -> None:
    # A fifth of AWS's rates: the bucket (3 a second) is spent however slowly this machine answers.
    with AwsProxy(demo_server, quotas="aws", quota_scale=0.2) as proxy:
        client = boto3.client(
            "lambda",
            region_name="eu-west-1",
            endpoint_url=proxy.url,
            config=Config(retries={"max_attempts": 0}),
        )
        codes = []
        for _ in range(25):
            try:
                client.get_account_settings()
                codes.append(200)
            except ClientError as exc:
                codes.append(exc.response["ResponseMetadata"]["HTTPStatusCode"])
                assert exc.response["Error"]["Code"] == "TooManyRequestsException"
        RECORDER.add_external(proxy.counts(), origin="test_quota_proxy")
        assert codes[:3] == [200, 200, 200] and 429 in codes
        assert proxy.throttled()["lambda:GetAccountSettings"] == codes.count(429)


def _collect(ctx: AwsContext) -> Any:
    return gather(
        ctx,
        {"123456789012": list(DEMO_REGIONS)},
        {"resource_policies", "function_urls"},
        Settings(workers=8, cache=False),
        datetime.now(UTC),
    )


def test_paced_collectors_stay_within_the_quotas_unpaced_ones_collide(
    demo_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At two fifths of AWS's rates (so the demo's 20 functions a region exceed a bucket): without the
    pacer the per-function reads are throttled, and botocore's retries may run out (eight threads
    racing for six tokens a second: a call can lose ten times running), which is then a reported
    gap, never a silent hole; with a pacer set to the same share, the throttling all but stops (the
    issue's bar: under 2% of calls, here on a loaded machine too) and nothing is lost."""
    answers = {}
    throttled = {}
    calls = {}
    errors = {}
    for label, pacer in (("unpaced", None), ("paced", Pacer(RateLimit(percent=40)))):
        with AwsProxy(demo_server, quotas="aws", quota_scale=0.4) as proxy:
            monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
            account = Account("123456789012", boto3.Session(region_name="eu-west-1"))
            inv = _collect(AwsContext(accounts=[account], workers=8, pacer=pacer))
            RECORDER.add_external(proxy.counts(), origin="test_quota_proxy")
            throttled[label] = sum(proxy.throttled().values())
            calls[label] = sum(proxy.counts().values())
        errors[label] = inv.errors
        answers[label] = (inv.resource_policies, inv.function_urls)
    # unpaced: whatever is missing is an error record naming the throttling, nothing else
    assert {(e.code, e.message) for e in errors["unpaced"]} <= {("TooManyRequestsException", "Rate exceeded")}
    assert throttled["unpaced"] > 0
    # paced: complete, every function's policy (aliases' and versions' too) and every function's URLs
    # (looked up, or known not to matter from the policies)
    assert errors["paced"] == []
    policies, urls = answers["paced"]
    assert {arn for arn in policies if arn.count(":") == 6} == set(urls)
    assert len(urls) == len(demo_function_names())
    assert throttled["paced"] * 50 < calls["paced"] and throttled["paced"] < throttled["unpaced"]
    # and what the unpaced run did read is the same
    unpaced_policies, unpaced_urls = answers["unpaced"]
    assert all(policies[arn] == policy for arn, policy in unpaced_policies.items())
    assert all(urls[arn] == url for arn, url in unpaced_urls.items())
    if not errors["unpaced"]:
        assert answers["unpaced"] == answers["paced"]


SCAN = ("scan", "-o", "json", "--no-progress", "--region", "eu-central-1", "--region", "eu-west-1")


def test_scan_under_aws_quotas_is_throttled_rarely_and_loses_nothing(demo_server: str) -> None:
    outcomes = {}
    for label, quotas in (("plain", None), ("quotas", "aws")):
        with AwsProxy(demo_server, quotas=quotas) as proxy:
            # the quota run is paced at AWS's rates, lambdaops' default
            pace = {"LAMBDAOPS_MAX_RPS": "100%" if quotas else "off"}
            outcomes[label] = run_lambdaops(proxy.url, *SCAN, "--no-cache", env=pace, timeout=180)
            RECORDER.add_external(proxy.counts(), origin="test_quota_proxy scan")
            calls = sum(proxy.counts().values())
            throttled = sum(proxy.throttled().values())
    plain, paced = outcomes["plain"], outcomes["quotas"]
    assert paced.code == plain.code == 3, paced.stderr
    assert paced.report["errors"] == []
    assert throttled <= 0.02 * calls
    for key in ("findings", "functions", "summary"):
        assert paced.report[key] == plain.report[key]
