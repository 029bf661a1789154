"""Seed a moto server with N functions over R regions and A accounts, fast, from inside the server.

Run as ``python -m lambdaops.demo.server --seed benchmarks.seed:seed_from_env`` (benchmarks.run does
it); parameters come from the environment:

* ``BENCH_FUNCTIONS`` (N), ``BENCH_REGIONS`` (comma-separated), ``BENCH_ACCOUNTS`` (A; more than 1
  makes an organization: the management account plus A-1 members created through Organizations,
  each with ``OrganizationAccountAccessRole``), ``BENCH_DAYS`` (the idle window the benchmark will
  ask lambdaops for), ``BENCH_MANIFEST`` (where to write what was seeded, as JSON).

Functions are created in moto's Lambda backends directly (an HTTP round trip per function would
make seeding 10,000 take minutes), their ``LastModified`` set, and their ``AWS/Lambda Invocations``
datapoints put in the CloudWatch backends. Function ``i`` goes to (account, region) pair
``i % (A * R)`` and gets a state from ``(i // (A * R)) % 10`` (so every pair holds the same mix):

* 0-5 active: invoked 1 to 7 days ago (three datapoints);
* 6-7 idle: last invoked long before the window (``days`` + 10 to ``days`` + 300 days ago);
* 8 never invoked, deployed 400 days ago;
* 9 new: deployed 2 days ago, never invoked (``new``, not inactive).

So 30% are inactive; the manifest lists their ARNs so the benchmark can check lambdaops' answer.

For ``scan``, some functions also carry what a real account has (by ``i % 100``, independent of the
state): 10% a resource policy (an S3 invoke grant scoped with ``aws:SourceAccount``), 2% of those a
function URL (``AWS_IAM``), and 4% a reserved concurrency of 1, so GetAccountSettings shows
reservations and every function's reservation is read.
"""

from __future__ import annotations

import base64
import io
import json
import os
import zipfile
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

ROLE_NAME = "bench-fn-role"
ORG_ROLE = "OrganizationAccountAccessRole"
STATES = ("active",) * 6 + ("idle", "idle", "never", "new")
LAMBDA_TIME = "%Y-%m-%dT%H:%M:%S.000+0000"


def state_of(index: int, pairs: int) -> str:
    return STATES[(index // pairs) % 10]


def _zipped() -> str:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return base64.b64encode(buffer.getvalue()).decode()


def _accounts(count: int) -> list[str]:
    management = str(boto3.client("sts", region_name="us-east-1").get_caller_identity()["Account"])
    if count <= 1:
        return [management]
    orgs = boto3.client("organizations", region_name="us-east-1")
    orgs.create_organization(FeatureSet="ALL")
    members = [
        str(
            orgs.create_account(AccountName=f"member-{i:03d}", Email=f"member-{i:03d}@example.com")[
                "CreateAccountStatus"
            ]["AccountId"]
        )
        for i in range(1, count)
    ]
    return [management, *members]


def _role(account_id: str) -> str:
    from moto.iam.models import iam_backends

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    role = iam_backends[account_id]["global"].create_role(
        role_name=ROLE_NAME,
        assume_role_policy_document=json.dumps(trust),
        path="/",
        permissions_boundary=None,
        description="benchmark",
        tags=[],
        max_session_duration="3600",
    )
    return str(role.arn)


def _extras(backend: Any, fn: Any, i: int, account_id: str) -> None:
    slot = i % 100
    if slot % 10 == 3:
        statement = {
            "StatementId": "s3-invoke",
            "Action": "lambda:InvokeFunction",
            "Principal": "s3.amazonaws.com",
            "SourceAccount": account_id,
        }
        backend.add_permission(fn.function_name, None, json.dumps(statement))
        if slot in (3, 53):
            backend.create_function_url_config(fn.function_name, {"AuthType": "AWS_IAM"})
    if slot % 25 == 1:
        fn.reserved_concurrency = 1


def seed(functions: int, regions: list[str], accounts: int, days: int, now: datetime) -> dict[str, Any]:
    from moto.awslambda.models import lambda_backends
    from moto.cloudwatch.models import cloudwatch_backends

    account_ids = _accounts(accounts)
    roles = {a: _role(a) for a in account_ids}
    pairs = [(a, r) for a in account_ids for r in regions]
    code = _zipped()
    inactive: list[str] = []
    counts = dict.fromkeys(("active", "idle", "never", "new"), 0)
    metrics: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for i in range(functions):
        account_id, region = pairs[i % len(pairs)]
        state = state_of(i, len(pairs))
        counts[state] += 1
        name = f"fn-{i:05d}"
        fn = lambda_backends[account_id][region].create_function(
            {
                "FunctionName": name,
                "Runtime": "python3.12",
                "Role": roles[account_id],
                "Handler": "handler.handler",
                "Code": {"ZipFile": code},
                "MemorySize": 128,
            }
        )
        _extras(lambda_backends[account_id][region], fn, i, account_id)
        deployed = now - (timedelta(days=2) if state == "new" else timedelta(days=400))
        fn.last_modified = deployed.strftime(LAMBDA_TIME)
        invoked: list[datetime] = []
        if state == "active":
            ago = timedelta(days=1 + i % 7, hours=i % 24)
            invoked = [now - ago - timedelta(hours=h) for h in (0, 5, 30)]
        elif state == "idle":
            invoked = [now - timedelta(days=days + 10 + i % 290)]
        if state in ("idle", "never"):
            inactive.append(f"arn:aws:lambda:{region}:{account_id}:function:{name}")
        metrics.setdefault((account_id, region), []).extend(
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "FunctionName", "Value": name}],
                "Timestamp": moment,
                "Value": 1.0 + i % 5,
                "Unit": "Count",
            }
            for moment in invoked
        )
    for (account_id, region), data in metrics.items():
        cloudwatch_backends[account_id][region].put_metric_data("AWS/Lambda", data)
    return {
        "functions": functions,
        "regions": regions,
        "accounts": account_ids,
        "days": days,
        "states": counts,
        "inactive": sorted(inactive),
        "seeded_at": now.isoformat(),
    }


def seed_from_env() -> None:
    functions = int(os.environ["BENCH_FUNCTIONS"])
    regions = [r for r in os.environ["BENCH_REGIONS"].split(",") if r]
    accounts = int(os.environ.get("BENCH_ACCOUNTS", "1"))
    days = int(os.environ.get("BENCH_DAYS", "30"))
    manifest = seed(functions, regions, accounts, days, datetime.now(UTC))
    with open(os.environ["BENCH_MANIFEST"], "w", encoding="utf-8") as out:
        json.dump(manifest, out)
