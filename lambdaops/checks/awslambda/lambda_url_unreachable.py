"""lambda-url-unreachable: A function URL with AuthType NONE whose resource policy grants no public
lambda:InvokeFunctionUrl. AWS answers every request with 403 (the URL is not public): a misconfiguration,
either a URL nobody can use or a public endpoint that is broken.

Source: "Control access to Lambda function URLs" (AWS Lambda Developer Guide, urls-auth, read
2026-12-06): with AuthType NONE the function's resource-based policy "must grant public access before
your function URL can receive requests".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lambdaops.analysis.iam import function_facts
from lambdaops.checks.iam import iam_common
from lambdaops.checks.iam.iam_common import qualifier_flag
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-url-unreachable"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for open_url in function_facts(inv, settings).urls:
        if open_url.reachable is not False:
            continue
        f, url = open_url.fn, open_url.url
        qualifier = f" (qualifier {url.qualifier})" if url.qualifier else ""
        yield INFO.finding(
            f,
            f"Function {f.name}: function URL {url.url}{qualifier} has AuthType NONE but its resource "
            "policy grants no public lambda:InvokeFunctionUrl: AWS answers every request with 403",
            evidence={
                "function_arn": f.arn,
                "url": url.url,
                "auth_type": url.auth_type,
                "qualifier": url.qualifier,
                "policy_grants_public": False,
            },
            detail=f"url#{url.qualifier or ''}",
            # the commands for this function's URL
            remediation=(
                "If the URL is not used, delete it (aws lambda delete-function-url-config "
                f"--function-name {f.name}{qualifier_flag(url.qualifier)}); if it should answer, add the "
                "two public statements AWS documents (lambda:InvokeFunctionUrl with FunctionUrlAuthType "
                "NONE and lambda:InvokeFunction with InvokedViaFunctionUrl true) or switch it to AWS_IAM."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.LOW,
        title="A function URL with AuthType NONE that nobody can call",
        remediation=(
            "Delete the URL if it is unused (aws lambda delete-function-url-config), or add the public "
            "permissions AWS documents for AuthType NONE if it is meant to answer."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.RESOURCE_POLICIES, Part.FUNCTION_URLS}),
        run=run,
        group=iam_common.GROUP,
    )
)
