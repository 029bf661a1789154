"""The IAM permissions lambdaops needs, generated from what the collect and actions layers declare.

Every module under `lambdaops.collect` and `lambdaops.actions` that calls AWS declares the IAM
actions it needs in module-level tuples:

* `OPERATIONS`: reads the read-only commands make (`scan` makes them all);
* `WRITE_OPERATIONS`: what the commands that change AWS need (`billing-alarm set/remove`,
  `set-concurrency`, `audit-concurrency --cap-unlimited`, `prune`, `restore`, `prune-versions`);
* `REMEDIATION_OPERATIONS`: reads that only those commands make (a function's full state before
  it is archived, event source mappings...);
* `MULTI_ACCOUNT_OPERATIONS`: what the caller needs for `--org` / `--accounts`.

`policy_document()` turns them into an identity policy (`lambdaops iam-policy`), `permissions()`
into the table of docs/iam.md. `iam_actions_for()` maps an API call as botocore makes it to the IAM
actions that authorize it; the test suite records every call lambdaops makes and checks each one is
allowed by the generated policy, so a call without a declaration fails CI.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

READ = "read"
REMEDIATION_READ = "remediation read"
WRITE = "write"
MULTI_ACCOUNT = "multi-account"
ACCESS_ORDER = (READ, REMEDIATION_READ, WRITE, MULTI_ACCOUNT)  # least privileged first
REMEDIATION = frozenset({REMEDIATION_READ, WRITE})
DECLARATIONS = {
    "OPERATIONS": READ,
    "REMEDIATION_OPERATIONS": REMEDIATION_READ,
    "WRITE_OPERATIONS": WRITE,
    "MULTI_ACCOUNT_OPERATIONS": MULTI_ACCOUNT,
}
PACKAGES = ("lambdaops.collect", "lambdaops.actions")
POLICY_VERSION = "2012-10-17"

# A declared action is one exact IAM action: a service prefix and an action name, never a wildcard.
ACTION_RE = re.compile(r"^[a-z0-9-]+:[A-Za-z0-9]+$")

# Calls that need no permission at all. AWS: "No permissions are required to perform this
# operation", and an explicit Deny cannot block it either, so listing it would only add noise.
NO_PERMISSION_NEEDED = frozenset({"sts:GetCallerIdentity"})

# botocore service name -> IAM service prefix, where they differ.
SERVICE_PREFIXES = {
    "resourcegroupstaggingapi": "tag",
    "monitoring": "cloudwatch",  # the SigV4 signing name, as the test proxy reports it
    "tagging": "tag",
}

# API operation -> the IAM actions that authorize it, where that is not simply "prefix:Operation"
# (AWS Service Authorization Reference, "API operations defined by ..."). Budgets authorizes every
# read with ViewBudget and every change with ModifyBudget.
_BUDGETS_READS = (
    "DescribeBudget",
    "DescribeBudgets",
    "DescribeNotificationsForBudget",
    "DescribeSubscribersForNotification",
    "DescribeBudgetPerformanceHistory",
)
_BUDGETS_WRITES = (
    "CreateBudget",
    "UpdateBudget",
    "DeleteBudget",
    "CreateNotification",
    "UpdateNotification",
    "DeleteNotification",
    "CreateSubscriber",
    "UpdateSubscriber",
    "DeleteSubscriber",
)
API_TO_ACTIONS: dict[str, tuple[str, ...]] = {
    **{f"budgets:{op}": ("budgets:ViewBudget",) for op in _BUDGETS_READS},
    **{f"budgets:{op}": ("budgets:ModifyBudget",) for op in _BUDGETS_WRITES},
    # Lambda: GetFunction returns the function's tags, which needs ListTags on a tagged function;
    # CreateFunction hands the execution role to Lambda.
    "lambda:GetFunction": ("lambda:GetFunction", "lambda:ListTags"),
    "lambda:CreateFunction": ("lambda:CreateFunction", "iam:PassRole"),
}
# Creating a resource with tags also needs the service's TagResource permission.
TAG_ON_CREATE = {
    "lambda:CreateFunction": "lambda:TagResource",
    "lambda:CreateEventSourceMapping": "lambda:TagResource",
    "cloudwatch:PutMetricAlarm": "cloudwatch:TagResource",
    "sns:CreateTopic": "sns:TagResource",
    "budgets:CreateBudget": "budgets:TagResource",
}

# Why each permission is needed: shown by `lambdaops iam-policy` and docs/iam.md. Every declared
# action must have an entry (tests/test_iam_policy.py), so a new permission is always explained.
EXPLANATIONS: dict[str, str] = {
    # scope
    "sts:GetCallerIdentity": "Which account the credentials belong to. Needs no permission: AWS allows it "
    "to every caller, even under an explicit Deny.",
    "ec2:DescribeRegions": "`--all-regions`: the regions enabled for the account (opt-in status); "
    "Lambda@Edge: the regions where an idle-looking us-east-1 function's replicas may have run.",
    "cloudfront:ListDistributions": "Lambda@Edge: which us-east-1 functions CloudFront replicates "
    "(a distribution's LambdaFunctionAssociations), so that their replicas' metrics are read before "
    "calling them idle, and prune never plans to delete one (AWS refuses while replicas exist).",
    "organizations:ListAccounts": "`--org`: the ACTIVE accounts of the organization (management or "
    "delegated-administrator account).",
    "sts:AssumeRole": "`--org` / `--accounts`: assume `--role-name` in each account to read it.",
    # lambda reads
    "lambda:ListFunctions": "Every function of a region, 50 a page; with `FunctionVersion=ALL` its "
    "published versions too. Only environment variable *names* are kept, never values.",
    "lambda:GetAccountSettings": "The region's concurrency limit, unreserved concurrency and code storage.",
    "lambda:GetFunctionConcurrency": "set-concurrency, prune: a function's reserved concurrency before "
    "it is changed or archived; scan falls back to it only where GetFunction is refused.",
    "lambda:ListProvisionedConcurrencyConfigs": "Provisioned concurrency of functions with published "
    "versions (audit-concurrency, and what `cost` prices).",
    "lambda:ListAliases": "Aliases of functions with more versions than are kept, or with a version on "
    "an old or unknown runtime: an aliased version is in use.",
    "lambda:GetPolicy": "A function's resource-based policy: who may invoke it (public functions).",
    "lambda:ListFunctionUrlConfigs": "A function's URLs: an `AuthType NONE` URL is public.",
    # cloudwatch reads
    "cloudwatch:GetMetricData": "Invocations, errors, throttles and concurrency metrics, batched 500 "
    "queries a call: when each function last ran, peaks, throttles; the billing metric; for `cost`, "
    "Duration sums and provisioned-concurrency utilization.",
    # compute optimizer
    "compute-optimizer:GetLambdaFunctionRecommendations": "cost: AWS Compute Optimizer's memory "
    "recommendation for every function of a region, in one paginated read (where it is enabled).",
    # cloudwatch logs (cost --from-logs only, opt-in)
    "logs:DescribeLogGroups": "cost --from-logs: the functions' log groups and their stored bytes, to "
    "state what Logs Insights would scan before it runs.",
    "logs:StartQuery": "cost --from-logs: one Logs Insights query per 50 log groups over the REPORT "
    "lines (memory used, cold starts).",
    "logs:GetQueryResults": "cost --from-logs: the results of those queries.",
    # tagging
    "tag:GetResources": "Every function's tags in one paginated pass per region (ownership, "
    "`lambdaops:ignore`).",
    # iam
    "iam:GetAccountAuthorizationDetails": "Every role with its inline and attached policies in a few "
    "pages, for audit-iam; far fewer calls than per-role reads.",
    "iam:GenerateServiceLastAccessedDetails": "least-privilege and the iam-unused-* checks: start IAM's "
    "last-accessed job (action level) for each execution role in scope; it changes nothing.",
    "iam:GetServiceLastAccessedDetails": "least-privilege and the iam-unused-* checks: read each role's "
    "last-accessed details (which services and actions it used, and when).",
    # billing guardrails (us-east-1)
    "cloudwatch:DescribeAlarms": "billing-alarm check/set: the existing alarms on the `EstimatedCharges` "
    "metric (filtered client-side).",
    "cloudwatch:ListMetrics": "billing-alarm check: whether billing data flows at all (no "
    "`AWS/Billing` metric means an alarm would never fire).",
    "sns:ListTopics": "billing-alarm set: find the alarm's notification topic by name.",
    "sns:GetTopicAttributes": "billing-alarm check: a topic encrypted with the `aws/sns` key silently "
    "drops alarm notifications.",
    "sns:ListSubscriptionsByTopic": "billing-alarm check/set: whether the e-mail subscription exists "
    "and is confirmed.",
    "budgets:ViewBudget": "billing-alarm check/set: the account's budgets, their notifications and "
    "subscribers (DescribeBudgets, DescribeNotificationsForBudget, "
    "DescribeSubscribersForNotification).",
    "cloudwatch:PutMetricAlarm": "billing-alarm set: create or update the billing alarm (an upsert by name).",
    "cloudwatch:TagResource": "billing-alarm set: the alarm is created with lambdaops' tags.",
    "cloudwatch:DeleteAlarms": "billing-alarm remove: delete the alarms lambdaops created.",
    "sns:CreateTopic": "billing-alarm set: the alarm's notification topic (idempotent by name).",
    "sns:TagResource": "billing-alarm set: the topic is created with lambdaops' tags.",
    "sns:Subscribe": "billing-alarm set: subscribe the e-mail address (AWS asks the owner to confirm).",
    # concurrency changes
    "lambda:PutFunctionConcurrency": "set-concurrency, audit-concurrency `--cap-unlimited`: reserve "
    "concurrency for a function; restore: put its archived reservation back.",
    "lambda:DeleteFunctionConcurrency": "set-concurrency `--remove`: drop a function's reservation "
    "(its capacity returns to the unreserved pool).",
    # prune / restore / prune-versions: reads
    "lambda:GetFunction": "scan, audit-concurrency: a function's reserved concurrency (read from "
    "GetFunction, whose rate quota is 100/s, rather than GetFunctionConcurrency's shared 15/s); "
    "prune: a function's full configuration and a presigned link to its code "
    "package, archived (and checked against CodeSha256) before the function is deleted; restore: "
    "wait until the recreated function is active; audit-code: each function version's CodeSha256, "
    "layers and a presigned link to its code package, read (never run) for dependencies and secrets.",
    "lambda:GetFunctionConfiguration": "restore: wait until each republished version is active.",
    "lambda:ListTags": "prune: a function's tags are archived (GetFunction returns a tagged "
    "function's tags only with this permission).",
    "lambda:ListVersionsByFunction": "prune: the published versions archived with a function.",
    "lambda:ListEventSourceMappings": "prune: the triggers archived with a function; prune-versions: "
    "never delete a version a trigger uses; restore: do not recreate a trigger that exists.",
    # prune / restore / prune-versions: writes
    "lambda:DeleteFunction": "prune `--apply`: delete an inactive function once its archive is "
    "complete; prune-versions `--apply`: delete one published version.",
    "lambda:CreateFunction": "restore `--apply`: recreate the function from its archived code and "
    "configuration.",
    "iam:PassRole": "restore `--apply`: CreateFunction hands the archived execution role to Lambda "
    "(allowed only for passing roles to lambda.amazonaws.com).",
    "lambda:TagResource": "restore `--apply`: put the archived tags back.",
    "lambda:AddPermission": "restore `--apply`: put the archived resource-policy statements back.",
    "lambda:PutProvisionedConcurrencyConfig": "restore `--apply`: put archived provisioned concurrency back.",
    "lambda:PublishVersion": "restore `--apply`: republish the archived versions aliases point at.",
    "lambda:CreateAlias": "restore `--apply`: recreate the archived aliases.",
    "lambda:CreateFunctionUrlConfig": "restore `--apply`: recreate the archived function URLs.",
    "lambda:CreateEventSourceMapping": "restore `--apply`: recreate the archived triggers.",
    "lambda:UpdateEventSourceMapping": "prune `--apply`: disable a function's triggers before the "
    "delete (AWS keeps them, still polling); restore `--apply`: point them at the function again and "
    "re-enable them.",
    "lambda:UpdateFunctionCode": "restore `--apply`: republish each archived version from its own code.",
    "lambda:UpdateFunctionConfiguration": "restore `--apply`: republish each archived version with its "
    "own configuration.",
    "lambda:PutFunctionEventInvokeConfig": "restore `--apply`: put the archived retries, maximum event "
    "age and destinations back.",
    "lambda:ListFunctionEventInvokeConfigs": "prune: a function's asynchronous invocation settings "
    "(retries, maximum event age, destinations) are archived; scan (lambda-async-no-failure-destination): "
    "the on-failure destinations of functions an S3, SNS or EventBridge grant triggers and that have no "
    "dead-letter queue.",
    "ec2:DescribeSubnets": "scan (lambda-vpc-single-az): the Availability Zones of the subnets functions "
    "in a VPC use, 200 subnets a call per region.",
    "lambda:GetLayerVersion": "prune: warn when a layer version a restore needs no longer exists; "
    "audit-code: each layer version's CodeSha256 and a presigned link to its package.",
    "ecr:DescribeImages": "prune: warn when a container image's tag no longer resolves to the digest "
    "a restore would deploy.",
    "budgets:ModifyBudget": "billing-alarm set `--budget`: create or update the budget, its "
    "notifications and subscribers (CreateBudget, UpdateBudget, CreateNotification, "
    "CreateSubscriber).",
    "sns:Publish": "scan `--notify sns=TOPIC_ARN`: publish the run's summary to the topic.",
    "securityhub:GetFindings": "export security-hub: the lambdaops findings already in Security Hub, "
    "so unchanged ones are not imported again and fixed ones are resolved.",
    "securityhub:BatchImportFindings": "export security-hub `--apply`: import new and changed findings "
    "(batches of 100) and archive fixed ones.",
    "securityhub:BatchUpdateFindings": "export security-hub `--apply`: set the workflow of fixed "
    "findings to RESOLVED.",
}


@dataclass(frozen=True)
class Permission:
    """One IAM action lambdaops needs, why, and which modules declare it."""

    action: str
    access: str  # read | write | multi-account
    modules: tuple[str, ...]
    why: str

    @property
    def needs_permission(self) -> bool:
        return self.action not in NO_PERMISSION_NEEDED


class DeclarationError(ValueError):
    """A module declares something that is not one exact IAM action."""


def _modules(package_names: Iterable[str]) -> list[Any]:
    out = []
    for name in package_names:
        try:
            package = importlib.import_module(name)
        except ModuleNotFoundError:
            continue  # lambdaops.actions exists only once a write command does
        out.append(package)
        for info in pkgutil.walk_packages(package.__path__, f"{name}."):
            out.append(importlib.import_module(info.name))
    return out


def declarations(package_names: Iterable[str] = PACKAGES) -> dict[str, dict[str, set[str]]]:
    """action -> access -> declaring modules, from every module's declaration tuples."""
    found: dict[str, dict[str, set[str]]] = {}
    for module in _modules(package_names):
        for attribute, access in DECLARATIONS.items():
            for action in getattr(module, attribute, ()) or ():
                if not isinstance(action, str) or not ACTION_RE.match(action):
                    raise DeclarationError(
                        f"{module.__name__}.{attribute}: {action!r} is not one exact IAM action "
                        "such as 'lambda:ListFunctions'"
                    )
                found.setdefault(action, {}).setdefault(access, set()).add(module.__name__)
    return found


def permissions(package_names: Iterable[str] = PACKAGES) -> list[Permission]:
    """Every declared action once, with the least privileged access level that needs it."""
    out = []
    for action, by_access in declarations(package_names).items():
        access = next(a for a in ACCESS_ORDER if a in by_access)
        modules = tuple(sorted(m for ms in by_access.values() for m in ms))
        out.append(Permission(action, access, modules, EXPLANATIONS.get(action, "")))
    return sorted(out, key=lambda p: (ACCESS_ORDER.index(p.access), p.action.lower()))


def policy_actions(
    with_remediation: bool = False,
    multi_account: bool = False,
    package_names: Iterable[str] = PACKAGES,
) -> dict[str, list[str]]:
    """access level -> the sorted actions the policy allows for it."""
    wanted = (
        {READ} | (REMEDIATION if with_remediation else set()) | ({MULTI_ACCOUNT} if multi_account else set())
    )
    out: dict[str, list[str]] = {}
    for perm in permissions(package_names):
        if perm.access in wanted and perm.needs_permission:
            out.setdefault(perm.access, []).append(perm.action)
    return {access: sorted(actions, key=str.lower) for access, actions in out.items()}


PASSROLE = "iam:PassRole"


def policy_document(
    with_remediation: bool = False,
    multi_account: bool = False,
    role_name: str | None = None,
    package_names: Iterable[str] = PACKAGES,
) -> dict[str, Any]:
    """The identity policy: read-only unless `with_remediation`; no wildcard action anywhere.

    iam:PassRole (restore recreates a function with its execution role) gets its own statement,
    limited to passing roles to Lambda. With `multi_account`, the caller may list the organization's
    accounts and assume `role_name` (any role name when None) in them.
    """
    by_access = policy_actions(with_remediation, multi_account, package_names)
    statements: list[dict[str, Any]] = []
    if by_access.get(READ):
        statements.append(
            {"Sid": "LambdaopsRead", "Effect": "Allow", "Action": by_access[READ], "Resource": "*"}
        )
    writes = sorted(by_access.get(REMEDIATION_READ, []) + by_access.get(WRITE, []), key=str.lower)
    plain_writes = [a for a in writes if a != PASSROLE]
    if plain_writes:
        statements.append(
            {"Sid": "LambdaopsRemediation", "Effect": "Allow", "Action": plain_writes, "Resource": "*"}
        )
    if PASSROLE in writes:
        statements.append(
            {
                "Sid": "LambdaopsPassRoleToLambda",
                "Effect": "Allow",
                "Action": [PASSROLE],
                "Resource": "*",
                "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}},
            }
        )
    multi = by_access.get(MULTI_ACCOUNT, [])
    assume = [a for a in multi if a == "sts:AssumeRole"]
    other = [a for a in multi if a != "sts:AssumeRole"]
    if other:
        statements.append(
            {"Sid": "LambdaopsListAccounts", "Effect": "Allow", "Action": other, "Resource": "*"}
        )
    if assume:
        statements.append(
            {
                "Sid": "LambdaopsAssumeRole",
                "Effect": "Allow",
                "Action": assume,
                "Resource": f"arn:aws:iam::*:role/{role_name or '*'}",
            }
        )
    return {"Version": POLICY_VERSION, "Statement": statements}


def allowed_actions(document: Mapping[str, Any]) -> frozenset[str]:
    """The exact actions (lower case) a generated policy allows; it holds no wildcard to expand."""
    out: set[str] = set()
    for stmt in document.get("Statement", []):
        if stmt.get("Effect") == "Allow":
            actions = stmt.get("Action", [])
            out.update(a.lower() for a in ([actions] if isinstance(actions, str) else actions))
    return frozenset(out)


def iam_prefix(service: str) -> str:
    """The IAM service prefix of a botocore service name (or SigV4 signing name)."""
    return SERVICE_PREFIXES.get(service, service)


def iam_actions_for(service: str, operation: str, params: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The IAM actions that authorize one API call (empty when it needs none).

    `service` is the botocore service name or IAM prefix, `operation` the API operation name
    (`ListFunctions`); `params`, when known, tells whether a create also tags.
    """
    key = f"{iam_prefix(service)}:{operation}"
    if key in NO_PERMISSION_NEEDED:
        return frozenset()
    actions = set(API_TO_ACTIONS.get(key, (key,)))
    if params is not None and params.get("Tags") and key in TAG_ON_CREATE:
        actions.add(TAG_ON_CREATE[key])
    return frozenset(actions)


def markdown_table(perms: Iterable[Permission]) -> str:
    """The permissions as a Markdown table: action, access level, why, declaring modules."""
    rows = ["| action | access | why | declared in |\n", "|---|---|---|---|\n"]
    for p in perms:
        access = p.access if p.needs_permission else "none needed"
        modules = ", ".join(f"`{m}`" for m in p.modules)
        cells = (f"`{p.action}`", access, p.why or "", modules)
        rows.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells) + " |\n")
    return "".join(rows)


def render_policy(
    fmt: str, with_remediation: bool, multi_account: bool, role_name: str | None, width: int = 120
) -> str:
    import json

    if fmt == "json":
        document = policy_document(with_remediation, multi_account, role_name)
        return json.dumps(document, indent=2) + "\n"
    wanted = {READ}
    if with_remediation:
        wanted |= REMEDIATION
    if multi_account:
        wanted.add(MULTI_ACCOUNT)
    perms = [p for p in permissions() if p.access in wanted]
    if fmt == "markdown":
        return markdown_table(perms)
    import io

    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{sum(p.needs_permission for p in perms)} IAM actions (`-o json` prints the policy)",
        title_justify="left",
        header_style="bold",
    )
    for column in ("action", "access", "why"):
        table.add_column(column, overflow="fold", no_wrap=column != "why")
    for p in perms:
        table.add_row(p.action, p.access if p.needs_permission else "none needed", p.why)
    from lambdaops.render.table import NARROW, fits, table_as_list

    buf = io.StringIO()
    console = Console(file=buf, width=width, no_color=True, force_terminal=False)
    console.print(table if width >= NARROW and fits(console, table) else table_as_list(table))
    return buf.getvalue()
