"""Client-side pacing: the quota table, the token bucket (deterministic clock), the shared buckets,
--max-rps and its validation, and the botocore hook that paces every attempt."""

from __future__ import annotations

import threading

import boto3
import pytest
from moto import mock_aws

from lambdaops.cli.options import Common
from lambdaops.collect.context import Account, AwsContext
from lambdaops.collect.quotas import (
    LAMBDA_CONTROL_PLANE,
    Pacer,
    TokenBucket,
    quota_for,
)
from lambdaops.errors import UsageError
from lambdaops.rates import RateLimit, parse_max_rps
from lambdaops.settings import build_settings


class FakeClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.sleeps.append(seconds)


# ------------------------------------------------------------------ the table


def test_lambda_buckets_are_the_documented_ones() -> None:
    get_function = quota_for("lambda", "GetFunction")
    get_policy = quota_for("lambda", "GetPolicy")
    assert get_function is not None and (get_function.bucket, get_function.rate) == (
        "lambda:GetFunction",
        100,
    )
    assert get_policy is not None and (get_policy.bucket, get_policy.rate) == ("lambda:GetPolicy", 15)
    # everything else of the control plane shares one 15/s bucket
    for op in (
        "ListFunctions",
        "ListFunctionUrlConfigs",
        "GetFunctionConcurrency",
        "ListAliases",
        "ListTags",
    ):
        quota = quota_for("lambda", op)
        assert quota is not None and (quota.bucket, quota.rate) == (LAMBDA_CONTROL_PLANE, 15)
    assert quota_for("lambda", "Invoke") is None  # data plane: not these quotas


def test_other_services_rates_and_unpublished_ones() -> None:
    gmd = quota_for("cloudwatch", "GetMetricData")
    assert gmd is not None and gmd.rate == 50 and gmd.published
    assert quota_for("monitoring", "GetMetricData") == gmd  # the SigV4 scope name maps the same
    for service, op in (
        ("iam", "GetAccountAuthorizationDetails"),
        ("sts", "AssumeRole"),
        ("tag", "GetResources"),
    ):
        quota = quota_for(service, op)
        assert quota is not None and quota.rate == 10 and not quota.published
    assert quota_for("resourcegroupstaggingapi", "GetResources") == quota_for("tag", "GetResources")
    assert quota_for("someservice", "Anything") is None


# ------------------------------------------------------------------ the bucket


def test_bucket_lets_the_burst_through_then_spaces_calls_at_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=10, burst=2, clock=clock, sleep=clock.sleep)
    waits = [bucket.reserve() for _ in range(5)]
    assert waits == pytest.approx([0.0, 0.0, 0.1, 0.2, 0.3])
    clock.now = 10.0  # long idle: the bucket refills to its burst, no more
    assert [bucket.reserve() for _ in range(3)] == pytest.approx([0.0, 0.0, 0.1])


def test_bucket_acquire_sleeps_only_when_it_must() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=4, burst=1, clock=clock, sleep=clock.sleep)
    assert bucket.acquire() == 0.0
    assert bucket.acquire() == pytest.approx(0.25)
    assert clock.sleeps == pytest.approx([0.25])


def test_threads_sharing_a_bucket_never_exceed_its_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=15, burst=7.5, clock=clock, sleep=clock.sleep)
    waits: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(25):
            w = bucket.reserve()
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # 200 calls at clock time 0: each wait is a distinct slot 1/15 s apart after the burst of 7
    assert sorted(round(w * 15, 6) for w in waits if w > 0) == [float(i) + 0.5 for i in range(193)]


def test_bucket_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1)


# ------------------------------------------------------------------ the pacer


def test_pacer_shares_one_bucket_per_account_region_and_quota() -> None:
    clock = FakeClock()
    pacer = Pacer(clock=clock, sleep=clock.sleep)
    # URL look-ups and GetFunctionConcurrency draw on the same control-plane bucket...
    for _ in range(4):
        pacer.acquire("111111111111", "eu-west-1", "lambda", "ListFunctionUrlConfigs")
    for _ in range(4):
        pacer.acquire("111111111111", "eu-west-1", "lambda", "GetFunctionConcurrency")
    assert pacer.waits == 1  # burst 7.5: the eighth call waits
    # ...while GetPolicy, another region and another account have buckets of their own
    pacer.acquire("111111111111", "eu-west-1", "lambda", "GetPolicy")
    pacer.acquire("111111111111", "us-east-1", "lambda", "ListFunctionUrlConfigs")
    pacer.acquire("222222222222", "eu-west-1", "lambda", "ListFunctionUrlConfigs")
    assert pacer.waits == 1
    assert pacer.acquire("1", "r", "lambda", "Invoke") == 0.0


def test_max_rps_caps_or_scales_every_bucket() -> None:
    get_function = quota_for("lambda", "GetFunction")
    get_policy = quota_for("lambda", "GetPolicy")
    assert get_function is not None and get_policy is not None
    capped = Pacer(RateLimit(cap=5))
    assert (capped.rate_of(get_function), capped.rate_of(get_policy)) == (5, 5)
    half = Pacer(RateLimit(percent=50))
    assert (half.rate_of(get_function), half.rate_of(get_policy)) == (50, 7.5)
    clock = FakeClock()
    slow = Pacer(RateLimit(cap=1), clock=clock, sleep=clock.sleep)
    for _ in range(3):
        slow.acquire("1", "r", "lambda", "GetFunction")
    assert clock.sleeps == pytest.approx([1.0, 2.0])


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("5", RateLimit(cap=5)),
        (" 2.5 ", RateLimit(cap=2.5)),
        ("50%", RateLimit(percent=50)),
        (7, RateLimit(cap=7)),
        ("off", RateLimit(off=True)),
        (" OFF", RateLimit(off=True)),
    ],
)
def test_parse_max_rps(text: object, want: RateLimit) -> None:
    assert parse_max_rps(text) == want


@pytest.mark.parametrize("text", ["", "fast", "0", "-1", "0%", "101%", "nan", "inf", "1e9", True])
def test_parse_max_rps_refuses(text: object) -> None:
    with pytest.raises(ValueError, match="requests per second"):
        parse_max_rps(text)


def test_max_rps_from_config_and_environment(tmp_path: object) -> None:
    from pathlib import Path

    config = Path(str(tmp_path)) / "lambdaops.toml"
    config.write_text('max_rps = "25%"\n', encoding="utf-8")
    assert build_settings(config, {}, environ={}).max_rps == RateLimit(percent=25)
    assert build_settings(config, {}, environ={"LAMBDAOPS_MAX_RPS": "3"}).max_rps == RateLimit(cap=3)
    with pytest.raises(UsageError, match="LAMBDAOPS_MAX_RPS"):
        build_settings(None, {}, environ={"LAMBDAOPS_MAX_RPS": "lots"})
    config.write_text("max_rps = -2\n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"lambdaops.toml:1: max_rps"):
        build_settings(config, {}, environ={})


def test_bad_max_rps_flag_is_one_line_exit_2() -> None:
    from typer.testing import CliRunner

    from lambdaops.cli.app import app

    result = CliRunner().invoke(app, ["scan", "--demo", "--max-rps", "warp"])
    assert result.exit_code == 2
    assert "--max-rps" in result.output and "Traceback" not in result.output


# ------------------------------------------------------------------ the botocore hook


def test_every_attempt_of_a_context_client_is_paced() -> None:
    clock = FakeClock()
    pacer = Pacer(RateLimit(cap=1), clock=clock, sleep=clock.sleep)
    with mock_aws():
        account = Account("123456789012", boto3.Session(region_name="eu-west-1"))
        ctx = AwsContext(accounts=[account], pacer=pacer)
        client = ctx.client(account, "lambda", "eu-west-1")
        for _ in range(3):
            client.list_functions()
        other = ctx.client(account, "lambda", "us-east-1")
        other.list_functions()
    # three calls in one bucket at 1/s (burst 1): two waits; the other region's bucket is its own
    assert clock.sleeps == pytest.approx([1.0, 2.0])


def test_caller_identity_and_organization_accounts_are_paced() -> None:
    """identify() and ListAccounts draw from the run's pacer like every other call (STS and
    Organizations publish no rate: quotas.UNPUBLISHED_RATE, capped here to 1/s to see the waits)."""
    from lambdaops.collect.context import CALLER_ACCOUNT, identify
    from lambdaops.collect.scope import list_org_accounts

    clock = FakeClock()
    pacer = Pacer(RateLimit(cap=1), clock=clock, sleep=clock.sleep)
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
        for _ in range(2):
            identify(session, pacer=pacer)
        assert clock.sleeps == pytest.approx([1.0])
        for _ in range(2):
            list_org_accounts(session, pacer=pacer, account_id="123456789012")
    # one more wait, in Organizations' own bucket of the caller's account (not STS's)
    assert clock.sleeps == pytest.approx([1.0, 1.0])
    assert (CALLER_ACCOUNT, "us-east-1", "sts:*") in pacer._buckets
    assert ("123456789012", "us-east-1", "organizations:*") in pacer._buckets


def _common(demo: bool) -> Common:
    return Common(
        profile=None, regions=("eu-west-1",), all_regions=False, output="json", output_file=None,
        fail_on=None, demo=demo, no_progress=True, config=None, workers=None, accounts=None, org=False,
        exclude_accounts=None, role_name=None, external_id=None, shard=None,
    )  # fmt: skip


def test_a_real_account_is_paced_and_the_in_process_demo_is_not() -> None:
    """--demo's account lives in the lambdaops process and has no quotas; pacing it only slowed the
    demo (a demo scan: 19 s -> 11 s). Anything reached through an endpoint is paced as AWS is."""
    from lambdaops.cli.runner import open_run
    from lambdaops.settings import Settings

    with mock_aws(), open_run(_common(demo=False), Settings(regions=("eu-west-1",))) as run:
        assert run.ctx.pacer is not None and run.ctx.pacer.enabled
    with open_run(_common(demo=True), Settings()) as run:
        assert run.ctx.pacer is not None and not run.ctx.pacer.enabled
        assert run.settings.paced is False


def test_a_disabled_pacer_never_waits() -> None:
    clock = FakeClock()
    pacer = Pacer(RateLimit(cap=1), clock=clock, sleep=clock.sleep, enabled=False)
    for _ in range(10):
        assert pacer.acquire("111111111111", "eu-west-1", "lambda", "GetPolicy") == 0.0
    assert clock.sleeps == [] and pacer.waits == 0


def test_max_rps_off_unpaces_an_emulator_endpoint_and_is_refused_against_aws(
    demo_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--max-rps off` is for emulators (no quotas there); without AWS_ENDPOINT_URL the run would go
    to AWS, where pacing is what keeps deployments from being throttled: one line, exit 2."""
    from lambdaops.cli.runner import open_run
    from lambdaops.settings import Settings

    off = Settings(regions=("eu-west-1",), max_rps=RateLimit(off=True))
    with mock_aws():
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        refused = pytest.raises(UsageError, match="--max-rps off is for an emulator")
        with refused, open_run(_common(demo=False), off):
            pass
    monkeypatch.setenv("AWS_ENDPOINT_URL", demo_server)
    with open_run(_common(demo=False), off) as run:
        assert run.ctx.pacer is not None and not run.ctx.pacer.enabled
    assert str(RateLimit(off=True)) == "off"
