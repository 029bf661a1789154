"""lambda-unmanaged: a function deployed by hand ("avoid UI deployments").

No sign of deployment tooling in its tags, and an execution role carrying the console's generated
`AWSLambdaBasicExecutionRole-<uuid>` policy: both together are what a console-created function
looks like.
"""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.checks.iam.iam_orphan_policy import CONSOLE_POLICY
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.inventory import Inventory
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part
from lambdaops.settings import Settings

CHECK_ID = "lambda-unmanaged"
REMEDIATION = (
    "Bring the function under infrastructure as code (SAM, CDK, Serverless Framework, Terraform) so "
    "changes are reviewed and repeatable, and replace the console-generated role."
)
TOOL_TAG_PREFIXES = ("aws:cloudformation:", "serverless:", "sst:", "pulumi:", "cdk:", "terraform:")
TOOL_TAG_KEYS = frozenset({"lambda:createdby", "managedby", "managed-by", "managed_by", "terraform", "iac"})
TOOL_NAMES = ("terraform", "cdk", "sam", "serverless", "cloudformation", "pulumi", "sst", "opentofu")


def managed_by_tooling(tags: dict[str, str]) -> bool:
    for key, value in tags.items():
        k = key.lower()
        if k.startswith(TOOL_TAG_PREFIXES) or k in TOOL_TAG_KEYS:
            return True
        if k in ("createdby", "created-by", "deployedby", "deployed-by", "tool") and any(
            t in value.lower() for t in TOOL_NAMES
        ):
            return True
    return False


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for fn in inv.all_functions():
        tags = inv.tags.get(fn.arn)
        details = inv.iam.get(fn.account_id)
        if tags is None or details is None:
            continue  # unknown, not unmanaged
        role = details.roles.get(fn.role_arn)
        if role is None or managed_by_tooling(tags):
            continue
        console = [
            a.rsplit("/", 1)[-1]
            for a in role.attached_policy_arns
            if CONSOLE_POLICY.match(a.rsplit("/", 1)[-1])
        ]
        if not console:
            continue
        yield INFO.finding(
            fn,
            message=f"{fn.name} shows no sign of deployment tooling and runs with a console-generated role",
            evidence={"role_arn": fn.role_arn, "console_policies": console, "tag_keys": sorted(tags)},
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.INFO,
        title="Function deployed by hand (no deployment tooling markers, console-generated role)",
        remediation=REMEDIATION,
        needs=frozenset({Part.FUNCTIONS, Part.TAGS, Part.IAM}),
        run=run,
        group="scan",
    )
)
