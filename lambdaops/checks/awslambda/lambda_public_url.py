"""lambda-public-url: A function URL with AuthType NONE: anyone on the internet can call it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.iam import function_facts
from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-public-url"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for open_url in function_facts(inv, settings).urls:
        if open_url.reachable is False:
            continue  # AWS answers 403: lambda-url-unreachable
        f, url = open_url.fn, open_url.url
        qualifier = f" (qualifier {url.qualifier})" if url.qualifier else ""
        message = (
            f"Function {f.name}: function URL {url.url}{qualifier} has AuthType NONE: "
            "anyone on the internet can call it"
        )
        if open_url.reachable is None:
            message += (
                " (its resource policy could not be read, so lambdaops assumes it grants public access)"
            )
        yield INFO.finding(
            f,
            message,
            evidence={
                "function_arn": f.arn,
                "url": url.url,
                "auth_type": url.auth_type,
                "qualifier": url.qualifier,
                "policy_grants_public": open_url.reachable,
            },
            detail=f"url#{url.qualifier or ''}",
            # the command for this function's URL
            remediation=(
                "Switch it to IAM auth (aws lambda update-function-url-config "
                f"--function-name {f.name} "
                + (f"--qualifier {url.qualifier} " if url.qualifier else "")
                + "--auth-type AWS_IAM) or, if it must stay public, verify callers in the code "
                "and cap it with reserved concurrency."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.HIGH,
        title="The function has a public URL",
        remediation=(
            "Switch the URL to AuthType AWS_IAM, or verify callers in the code and cap the function with "
            "reserved concurrency."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.RESOURCE_POLICIES, Part.FUNCTION_URLS}),
        run=run,
        group=iam_common.GROUP,
        controls=("FSBP Lambda.1",),  # AWS Security Hub User Guide, controls for Lambda/IAM, read 2026-12-06
    )
)
