"""The demo account's contents: ~40 functions in eu-central-1 and eu-west-1, named and aged the way
real teams' accounts look, with every problem lambdaops finds planted somewhere.

Seeded through the AWS API (boto3 against moto) wherever the API can express it; only what the API
cannot set (a function's LastModified in the past) is written into moto's own state.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lambdaops.demo.seed_access import seed_access
from lambdaops.demo.seed_cost import seed_cost
from lambdaops.demo.seed_leastpriv import seed_least_privilege
from lambdaops.demo.seed_runtimes import seed_runtimes
from lambdaops.demo.seed_watchdog import seed_watchdog

ACCOUNT_ID = "123456789012"
REGIONS = ("eu-central-1", "eu-west-1")
DEMO_CONCURRENCY_LIMIT = 1000

ASSUME_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}
LOGS_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": "logs:CreateLogGroup",
            "Resource": f"arn:aws:logs:eu-central-1:{ACCOUNT_ID}:*",
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [f"arn:aws:logs:eu-central-1:{ACCOUNT_ID}:log-group:/aws/lambda/*:*"],
        },
    ],
}
S3_EVERYTHING = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "CopiedFromABlogPost", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"},
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:Query"],
            "Resource": f"arn:aws:dynamodb:eu-central-1:{ACCOUNT_ID}:table/projects",
        },
    ],
}
TRANSACTIONS_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
            "Resource": f"arn:aws:dynamodb:eu-west-1:{ACCOUNT_ID}:table/transactions-dev",
        },
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::transactions-dev-pictures/*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
    ],
}
EMPLOYEES_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["sqs:Send*", "sqs:Get*"], "Resource": "*"},
    ],
}

# Secret-looking values are planted on purpose: lambdaops must never print environment values.
PLANTED_SECRETS = (
    "sk_live_51DemoSecretDoNotPrint0000000000",
    "AKIADEMOSECRETKEY0001",
    "demo-db-password-Zx9!q",
)


@dataclass(frozen=True)
class DemoFunction:
    name: str
    region: str
    role: str
    runtime: str = "python3.12"
    memory: int = 128
    modified_days_ago: float = 200
    # days ago of each invocation burst (value = invocations that day); empty = never invoked
    invocations: dict[float, float] = field(default_factory=dict)
    reserved: int | None = None
    env: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""


def _busy(last: float, days: int = 20, per_day: float = 120) -> dict[float, float]:
    return {last + d: per_day for d in range(days)}


SLS = {"STAGE": "dev", "aws:cloudformation:stack-name": "fis-projects-dev"}
TF = {"ManagedBy": "terraform", "team": "logistics"}

FUNCTIONS: tuple[DemoFunction, ...] = (
    # eu-central-1: the "fis" team's Serverless Framework services, sharing one broad role
    DemoFunction(
        "fis-projects-dev-newProject",
        "eu-central-1",
        "fis-projects-dev-role",
        "nodejs24.x",
        256,
        45,
        _busy(0.2),
        tags=SLS,
    ),
    DemoFunction(
        "fis-projects-dev-getProjects",
        "eu-central-1",
        "fis-projects-dev-role",
        "nodejs24.x",
        256,
        45,
        _busy(0.1),
        tags=SLS,
    ),
    DemoFunction(
        "fis-projects-dev-deleteProject",
        "eu-central-1",
        "fis-projects-dev-role",
        "nodejs18.x",
        256,
        45,
        {31: 4, 60: 2},
        tags=SLS,
    ),
    DemoFunction(
        "fis-projects-dev-exportCsv",
        "eu-central-1",
        "fis-projects-dev-role",
        "nodejs18.x",
        512,
        120,
        {130: 1},
        tags=SLS,
    ),
    DemoFunction(
        "fis-projects-prod-newProject",
        "eu-central-1",
        "fis-projects-dev-role",
        "nodejs22.x",
        512,
        12,
        _busy(0.05, 30, 4000),
        reserved=200,
        tags={**SLS, "STAGE": "prod"},
    ),
    DemoFunction(
        "Fis2_0-Employees-GetEmployees",
        "eu-central-1",
        "Fis2_0-Employees-role",
        "nodejs22.x",
        1024,
        90,
        _busy(0.3, 10, 900),
        env={
            "DB_HOST": "employees.cluster-demo.eu-central-1.rds.amazonaws.com",
            "DB_PASSWORD": PLANTED_SECRETS[2],
        },
        tags={"aws:cloudformation:stack-name": "Fis2-0-Employees"},
    ),
    DemoFunction(
        "Fis2_0-Employees-UpdateEmployee",
        "eu-central-1",
        "Fis2_0-Employees-role",
        "nodejs22.x",
        1024,
        90,
        {11: 7, 12: 3},
        tags={"aws:cloudformation:stack-name": "Fis2-0-Employees"},
    ),
    DemoFunction(
        "Fis2_0-Employees-ImportLegacy",
        "eu-central-1",
        "Fis2_0-Employees-role",
        "nodejs6.10",
        128,
        900,
        {290: 1},
        tags={"aws:cloudformation:stack-name": "Fis2-0-Employees"},
    ),
    DemoFunction(
        "LambdaHelloWorldTest",
        "eu-central-1",
        "lambda_basic_execution",
        "python2.7",
        128,
        1200,
        {},
        description="Created from the console to try Lambda",
    ),
    DemoFunction("HelloWorld", "eu-central-1", "lambda_basic_execution", "python3.8", 128, 700, {200: 3}),
    DemoFunction("test", "eu-central-1", "lambda_basic_execution", "python3.9", 128, 400, {}),
    DemoFunction(
        "payments-webhook-stripe",
        "eu-central-1",
        "payments-role",
        "python3.12",
        256,
        1,
        {},
        tags=TF,
        env={"STRIPE_SECRET_KEY": PLANTED_SECRETS[0]},
        description="Deployed yesterday",
    ),
    DemoFunction(
        "payments-reconcile-nightly",
        "eu-central-1",
        "payments-role",
        "python3.12",
        512,
        30,
        _busy(0.5, 30, 1),
        tags=TF,
    ),
    DemoFunction(
        "payments-refund-worker", "eu-central-1", "payments-role", "python3.12", 256, 1, {}, tags=TF
    ),
    DemoFunction(
        "reporting-monthly-invoices",
        "eu-central-1",
        "reporting-role",
        "java11",
        2048,
        80,
        {27: 1, 58: 1},
        tags=TF,
    ),
    DemoFunction(
        "reporting-quarterly-close",
        "eu-central-1",
        "reporting-role",
        "java11",
        2048,
        150,
        {88: 1},
        # Idle most of the year on purpose: `lambdaops prune` keeps what is tagged lambdaops:keep.
        tags={**TF, "lambdaops:keep": "runs at quarter close"},
    ),
    DemoFunction(
        "legacy-cron-cleanup", "eu-central-1", "legacy-admin-role", "python3.7", 128, 1000, {10.5: 1, 40: 1}
    ),
    DemoFunction("legacy-ftp-poller", "eu-central-1", "legacy-admin-role", "nodejs12.x", 128, 1100, {}),
    DemoFunction(
        "image-resize",
        "eu-central-1",
        "image-role",
        "nodejs22.x",
        1536,
        60,
        _busy(0.01, 14, 25000),
        reserved=150,
        tags=TF,
    ),
    DemoFunction(
        "image-thumbnail-legacy",
        "eu-central-1",
        "image-role",
        "nodejs14.x",
        1024,
        500,
        {300: 12},
        reserved=0,
        tags=TF,
        description="Switched off during an incident, never switched back on",
    ),
    # eu-west-1: transactions API, logistics, chatbots
    DemoFunction(
        "transactions-api-dev-getpictures",
        "eu-west-1",
        "transactions-api-dev-eu-west-1-lambdaRole",
        "nodejs18.x",
        512,
        70,
        _busy(1, 5, 40),
        tags={"STAGE": "dev"},
    ),
    DemoFunction(
        "transactions-api-dev-createTransaction",
        "eu-west-1",
        "transactions-api-dev-eu-west-1-lambdaRole",
        "nodejs18.x",
        512,
        70,
        _busy(0.4, 20, 300),
        tags={"STAGE": "dev"},
    ),
    DemoFunction(
        "transactions-api-dev-listTransactions",
        "eu-west-1",
        "transactions-api-dev-eu-west-1-lambdaRole",
        "nodejs18.x",
        512,
        70,
        {9.9: 2},
        tags={"STAGE": "dev"},
    ),
    DemoFunction(
        "transactions-api-dev-legacyExport",
        "eu-west-1",
        "transactions-api-dev-eu-west-1-lambdaRole",
        "nodejs16.x",
        512,
        400,
        {250: 5},
        tags={"STAGE": "dev"},
    ),
    DemoFunction(
        "transactions-api-prod-createTransaction",
        "eu-west-1",
        "transactions-api-prod-role",
        "nodejs22.x",
        1024,
        20,
        _busy(0.02, 30, 50000),
        reserved=400,
        tags={"STAGE": "prod"},
    ),
    DemoFunction(
        "transactions-api-prod-getTransaction",
        "eu-west-1",
        "transactions-api-prod-role",
        "nodejs22.x",
        1024,
        20,
        _busy(0.02, 30, 80000),
        reserved=300,
        tags={"STAGE": "prod"},
    ),
    DemoFunction(
        "transactions-api-prod-batchSettle",
        "eu-west-1",
        "transactions-api-prod-role",
        "nodejs22.x",
        3008,
        20,
        {0.9: 2, 1.9: 2},
        reserved=250,
        tags={"STAGE": "prod"},
    ),
    DemoFunction(
        "digital_logistics_03_fb_webhook",
        "eu-west-1",
        "digital_logistics_03-role-x1k2",
        "python3.9",
        128,
        220,
        _busy(0.1, 3, 15),
        env={"FB_APP_SECRET": PLANTED_SECRETS[1], "VERIFY_TOKEN": "logistics-verify"},
    ),
    DemoFunction(
        "digital_logistics_01_tracking",
        "eu-west-1",
        "digital_logistics_01-role-9f3a",
        "python3.9",
        128,
        230,
        {15: 20},
    ),
    DemoFunction(
        "digital_logistics_02_eta",
        "eu-west-1",
        "digital_logistics_01-role-9f3a",
        "python3.9",
        128,
        230,
        {100: 3},
    ),
    DemoFunction("chatbot-slack-standup", "eu-west-1", "chatbot-role", "python3.13", 256, 35, {21: 5}),
    DemoFunction(
        "chatbot-teams-bridge",
        "eu-west-1",
        "chatbot-role",
        "python3.11",
        256,
        1,
        {},
        description="Deployed yesterday",
    ),
    DemoFunction("ml-feature-extractor", "eu-west-1", "ml-role", "python3.10", 10240, 160, {45: 1}),
    DemoFunction("ml-batch-scoring", "eu-west-1", "ml-role", "python3.12", 10240, 6, _busy(2, 4, 2)),
    DemoFunction("ops-cost-explorer-digest", "eu-west-1", "ops-role", "go1.x", 128, 600, {60: 1}),
    DemoFunction(
        "ops-log-shipper", "eu-west-1", "ops-role", "provided.al2023", 256, 25, _busy(0.01, 30, 20000)
    ),
    DemoFunction("ops-ami-cleanup", "eu-west-1", "ops-role", "ruby2.7", 128, 800, {}),
    DemoFunction(
        "marketing-newsletter-send", "eu-west-1", "marketing-role", "nodejs24.x", 512, 40, {13: 1, 43: 1}
    ),
    DemoFunction(
        "marketing-signup-form", "eu-west-1", "marketing-role", "nodejs24.x", 256, 40, _busy(3, 10, 10)
    ),
    DemoFunction("dotnet-pdf-renderer", "eu-west-1", "reporting-role", "dotnetcore3.1", 1024, 700, {320: 2}),
)

ROLE_POLICIES: dict[str, dict[str, Any]] = {
    # role -> {"inline": {name: doc}, "managed": [policy names created below or AWS ARNs]}
    "fis-projects-dev-role": {"inline": {"fis-projects-dev-lambda": S3_EVERYTHING}, "managed": []},
    "Fis2_0-Employees-role": {"inline": {"employees-data": EMPLOYEES_POLICY}, "managed": []},
    "lambda_basic_execution": {
        "inline": {},
        "managed": ["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    },
    "payments-role": {"inline": {"logs": LOGS_ONLY}, "managed": []},
    "reporting-role": {
        "inline": {"logs": LOGS_ONLY},
        "managed": ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
    },
    "legacy-admin-role": {"inline": {}, "managed": ["arn:aws:iam::aws:policy/AdministratorAccess"]},
    "image-role": {"inline": {"logs": LOGS_ONLY}, "managed": []},
    "transactions-api-dev-eu-west-1-lambdaRole": {
        "inline": {"transactions-api-dev-lambda": TRANSACTIONS_POLICY},
        "managed": [],
    },
    "transactions-api-prod-role": {"inline": {"logs": LOGS_ONLY}, "managed": []},
    "digital_logistics_03-role-x1k2": {
        "inline": {},
        "managed": ["AWSLambdaBasicExecutionRole-3f1c2a9e-8d7b-4e6f-a1b2-c3d4e5f60718"],
    },
    "digital_logistics_01-role-9f3a": {
        "inline": {},
        "managed": ["AWSLambdaBasicExecutionRole-9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"],
    },
    "chatbot-role": {"inline": {"logs": LOGS_ONLY}, "managed": []},
    "ml-role": {"inline": {}, "managed": ["arn:aws:iam::aws:policy/PowerUserAccess"]},
    "ops-role": {"inline": {"logs": LOGS_ONLY}, "managed": ["arn:aws:iam::aws:policy/AmazonEC2FullAccess"]},
    "marketing-role": {"inline": {"logs": LOGS_ONLY}, "managed": []},
}
# Console leftovers: customer-managed policies created with a role and left behind when it was deleted.
ORPHAN_POLICIES = ("AWSLambdaBasicExecutionRole-0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9",)
PUBLIC_URL_FUNCTION = "digital_logistics_03_fb_webhook"
SOON_FUNCTION = "ml-batch-scoring"  # gets a runtime deprecating soon, when the table has one
VERSIONED_FUNCTION = "transactions-api-prod-getTransaction"
VERSIONS_PUBLISHED = 9
ALIAS_VERSION = 9  # "live" points at the newest; "previous" keeps one older version referenced
PROVISIONED_ALIAS_CONCURRENCY = 50


def soon_deprecated_runtime(today: datetime, within_days: int = 60) -> str | None:
    """A runtime whose deprecation falls in the coming weeks, if the shipped table has one, so the
    demo shows `lambda-runtime-deprecating-soon` whatever day it runs."""
    from lambdaops.runtimes import load_table

    table = load_table()
    soon = [
        (info.deprecation_date, name)
        for name, info in table.runtimes.items()
        if info.deprecation_date is not None
        and today.date() < info.deprecation_date <= (today + timedelta(days=within_days)).date()
    ]
    return min(soon)[1] if soon else None


def _zip(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", f"def handler(event, context):\n    return {{'function': {name!r}}}\n")
    return buf.getvalue()


def _lambda_time(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.%f000Z")


def demo_function_names(region: str | None = None) -> frozenset[str]:
    """Every function the demo account holds in `region` (default: the demo's default REGIONS, which
    commands read when no --region is given): FUNCTIONS plus the cases the seed_*.py modules plant.
    Tests count the demo's functions through this, so planting a case touches one place.
    """
    from lambdaops.demo import (
        seed_access,
        seed_activity,
        seed_archive,
        seed_code,
        seed_cost,
        seed_leastpriv,
        seed_runtimes,
        seed_watchdog,
    )

    planted = [
        *((name, seed_watchdog.REGION) for name in seed_watchdog.FUNCTION_NAMES),
        (seed_archive.VERSIONED, seed_archive.VERSIONED_REGION),
        (seed_archive.IMAGE_FUNCTION, seed_archive.IMAGE_REGION),
        *((name, seed_runtimes.REGION) for name in seed_runtimes.FUNCTION_NAMES),
        *((name, seed_code.REGION) for name in seed_code.FUNCTION_NAMES),
        *((name, seed_access.ACCESS_REGION) for name in seed_access.ACCESS_FUNCTIONS),
        (seed_activity.THROTTLED_FUNCTION, seed_activity.THROTTLED_REGION),
        (seed_activity.EDGE_ACTIVE, seed_activity.EDGE_REGION),
        (seed_activity.EDGE_IDLE, seed_activity.EDGE_REGION),
        *((fn.name, fn.region) for fn in seed_cost.COST_FUNCTIONS),
        (seed_leastpriv.FUNCTION_NAME, seed_leastpriv.REGION),
    ]
    wanted = REGIONS if region is None else (region,)
    every = [(f.name, f.region) for f in FUNCTIONS] + planted
    return frozenset(name for name, where in every if where in wanted)


def seed_demo(now: datetime | None = None, account_id: str = ACCOUNT_ID) -> None:
    """Seed the emulated account (moto must be active: in-process mock or this server process)."""
    import boto3
    from moto.awslambda.models import lambda_backends

    from lambdaops.demo import moto_shims, seed_activity, seed_code
    from lambdaops.demo.seed_archive import seed_archive_cases
    from lambdaops.demo.seed_tags import seed_ignore_tags

    now = now or datetime.now(UTC)
    session: Any = boto3.Session(
        aws_access_key_id="demo",
        aws_secret_access_key="demo",
        aws_session_token="demo",
        region_name=REGIONS[0],
    )
    iam = session.client("iam", region_name="us-east-1")
    role_arns: dict[str, str] = {}
    customer_arns: dict[str, str] = {}
    # IAM first: creating roles while functions are created can fail inside moto.
    for name in sorted(
        {p for spec in ROLE_POLICIES.values() for p in spec["managed"] if not p.startswith("arn:")}
        | set(ORPHAN_POLICIES)
    ):
        doc = json.dumps(LOGS_ONLY)
        customer_arns[name] = iam.create_policy(PolicyName=name, Path="/service-role/", PolicyDocument=doc)[
            "Policy"
        ]["Arn"]
    for role, spec in ROLE_POLICIES.items():
        path = "/service-role/" if "-role-" in role else "/"
        role_arns[role] = iam.create_role(
            RoleName=role, Path=path, AssumeRolePolicyDocument=json.dumps(ASSUME_LAMBDA)
        )["Role"]["Arn"]
        for pname, doc in spec["inline"].items():
            iam.put_role_policy(RoleName=role, PolicyName=pname, PolicyDocument=json.dumps(doc))
        for pol in spec["managed"]:
            iam.attach_role_policy(
                RoleName=role, PolicyArn=pol if pol.startswith("arn:") else customer_arns[pol]
            )

    for region in REGIONS:
        moto_shims.set_concurrency_limit(account_id, region, DEMO_CONCURRENCY_LIMIT)
    metric_batches: dict[str, list[dict[str, Any]]] = {r: [] for r in REGIONS}
    soon = soon_deprecated_runtime(now)
    for fn in FUNCTIONS:
        client = session.client("lambda", region_name=fn.region)
        runtime = soon if (soon and fn.name == SOON_FUNCTION) else fn.runtime
        env = dict(fn.env)
        env.setdefault("LOG_LEVEL", "info")
        client.create_function(
            FunctionName=fn.name,
            Runtime=runtime,
            Role=role_arns[fn.role],
            Handler="handler.handler",
            Code={"ZipFile": _zip(fn.name)},
            MemorySize=fn.memory,
            Description=fn.description,
            Environment={"Variables": env},
            Tags=fn.tags,
        )
        if fn.reserved is not None:
            client.put_function_concurrency(FunctionName=fn.name, ReservedConcurrentExecutions=fn.reserved)
        backend_fn = lambda_backends[account_id][fn.region].get_function(fn.name)
        backend_fn.last_modified = _lambda_time(now - timedelta(days=fn.modified_days_ago))
        for days_ago, count in fn.invocations.items():
            metric_batches[fn.region].append(
                {
                    "MetricName": "Invocations",
                    "Dimensions": [{"Name": "FunctionName", "Value": fn.name}],
                    "Timestamp": now - timedelta(days=days_ago),
                    "Value": count,
                    "Unit": "Count",
                }
            )
    _seed_public_url(session)
    _seed_versions(session)
    seed_archive_cases(session, account_id, role_arns["reporting-role"], now)  # prune / restore cases
    seed_runtimes(session, now, account_id, _zip)  # issue 13 items 5 and 7: demo/seed_runtimes.py
    seed_access(session, _zip, now)  # who may invoke: lambdaops/demo/seed_access.py
    _seed_concurrency_metrics(session, now, metric_batches)
    seed_cost(session, account_id, now, metric_batches)  # issue 18: lambdaops/demo/seed_cost.py
    for region, data in metric_batches.items():
        cw = session.client("cloudwatch", region_name=region)
        for i in range(0, len(data), 500):
            cw.put_metric_data(Namespace="AWS/Lambda", MetricData=data[i : i + 500])
    _seed_billing(session, now)
    seed_ignore_tags(session)
    seed_activity.seed_throttled(session, account_id, now)
    seed_activity.seed_edge(session, account_id, now)
    seed_watchdog(session, account_id, now)  # issue 17, the security watchdog: demo/seed_watchdog.py
    seed_least_privilege(session, account_id, now, _zip)  # least-privilege: demo/seed_leastpriv.py
    seed_code.seed_code(session, now)  # audit-code's packages: lambdaops/demo/seed_code.py


def _seed_public_url(session: Any) -> None:
    client = session.client("lambda", region_name="eu-west-1")
    client.create_function_url_config(FunctionName=PUBLIC_URL_FUNCTION, AuthType="NONE")
    client.add_permission(
        FunctionName=PUBLIC_URL_FUNCTION,
        StatementId="FunctionURLAllowPublicAccess",
        Action="lambda:InvokeFunctionUrl",
        Principal="*",
        FunctionUrlAuthType="NONE",
    )
    # Another function anyone may invoke: a permission copied from a tutorial, without SourceArn.
    client.add_permission(
        FunctionName="marketing-signup-form",
        StatementId="AllowAnyone",
        Action="lambda:InvokeFunction",
        Principal="*",
    )
    # A properly pinned permission: API Gateway with SourceArn (must NOT be flagged).
    client.add_permission(
        FunctionName="transactions-api-dev-getpictures",
        StatementId="apigateway-invoke",
        Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:eu-west-1:{ACCOUNT_ID}:abc123def4/*/GET/pictures",
    )


def _seed_versions(session: Any) -> None:
    client = session.client("lambda", region_name="eu-west-1")
    for i in range(1, VERSIONS_PUBLISHED + 1):
        # moto (like AWS) publishes a new version only when code or configuration changed.
        client.update_function_configuration(FunctionName=VERSIONED_FUNCTION, Description=f"release {i}")
        client.publish_version(FunctionName=VERSIONED_FUNCTION, Description=f"release {i}")
    client.create_alias(FunctionName=VERSIONED_FUNCTION, Name="live", FunctionVersion=str(ALIAS_VERSION))
    client.create_alias(FunctionName=VERSIONED_FUNCTION, Name="previous", FunctionVersion="3")
    client.put_provisioned_concurrency_config(
        FunctionName=VERSIONED_FUNCTION,
        Qualifier="live",
        ProvisionedConcurrentExecutions=PROVISIONED_ALIAS_CONCURRENCY,
    )


def _seed_concurrency_metrics(session: Any, now: datetime, batches: dict[str, list[dict[str, Any]]]) -> None:
    # Region-wide claimed concurrency peaks; eu-west-1 ran close to its limit last week.
    peaks = {"eu-central-1": [(3, 310.0), (8, 420.0)], "eu-west-1": [(2, 870.0), (6, 965.0)]}
    for region, points in peaks.items():
        for days_ago, value in points:
            batches[region].append(
                {
                    "MetricName": "ClaimedAccountConcurrency",
                    "Timestamp": now - timedelta(days=days_ago),
                    "Value": value,
                    "Unit": "Count",
                }
            )
    throttled: dict[str, list[tuple[str, float, float]]] = {
        "eu-west-1": [("transactions-api-prod-batchSettle", 1.2, 37.0)],
        "eu-central-1": [("image-resize", 4, 212.0)],
    }
    for region, items in throttled.items():
        for name, ago, value in items:
            batches[region].append(
                {
                    "MetricName": "Throttles",
                    "Dimensions": [{"Name": "FunctionName", "Value": name}],
                    "Timestamp": now - timedelta(days=ago),
                    "Value": value,
                    "Unit": "Count",
                }
            )
    # Per-function peaks, for reservations far above observed use (batchSettle) and ones that fit.
    for region, name, value in (
        ("eu-west-1", "transactions-api-prod-batchSettle", 3.0),
        ("eu-central-1", "image-resize", 140.0),
        ("eu-west-1", "transactions-api-prod-createTransaction", 362.0),
        ("eu-west-1", "transactions-api-prod-getTransaction", 281.0),
        ("eu-central-1", "fis-projects-prod-newProject", 118.0),
    ):
        batches[region].append(
            {
                "MetricName": "ConcurrentExecutions",
                "Dimensions": [{"Name": "FunctionName", "Value": name}],
                "Timestamp": now - timedelta(days=1),
                "Value": value,
                "Unit": "Count",
            }
        )


# Billing alerts are enabled (EstimatedCharges flows in us-east-1) but nobody made a billing alarm or a
# budget: `billing-alarm check --demo` shows billing-alarm-missing and not billing-data-not-enabled.
BILLING_DAILY_USD = 14.20  # about 430 USD a month
BILLING_SERVICE_SHARES = {
    "AWSLambda": 0.41,
    "AmazonCloudWatch": 0.17,
    "AmazonDynamoDB": 0.14,
    "AmazonApiGateway": 0.12,
    "AmazonS3": 0.09,
    "AWSDataTransfer": 0.07,
}


def billing_datapoints(now: datetime) -> list[dict[str, Any]]:
    """EstimatedCharges as AWS publishes it: month-to-date and cumulative, every 6 hours since the 1st."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    stamps = [
        start + timedelta(hours=6 * k) for k in range(1, 32 * 4) if start + timedelta(hours=6 * k) < now
    ]
    stamps = stamps or [now - timedelta(minutes=1)]
    points: list[dict[str, Any]] = []
    for ts in stamps:
        total = BILLING_DAILY_USD * (ts - start).total_seconds() / 86400
        series: list[tuple[list[dict[str, str]], float]] = [([], total)]
        series += [
            ([{"Name": "ServiceName", "Value": svc}], total * share)
            for svc, share in BILLING_SERVICE_SHARES.items()
        ]
        for extra, value in series:
            points.append(
                {
                    "MetricName": "EstimatedCharges",
                    "Dimensions": [*extra, {"Name": "Currency", "Value": "USD"}],
                    "Timestamp": ts,
                    "Value": round(value, 2),
                    "Unit": "None",
                }
            )
    return points


def _seed_billing(session: Any, now: datetime) -> None:
    cw = session.client("cloudwatch", region_name="us-east-1")
    points = billing_datapoints(now)
    for i in range(0, len(points), 500):
        cw.put_metric_data(Namespace="AWS/Billing", MetricData=points[i : i + 500])
