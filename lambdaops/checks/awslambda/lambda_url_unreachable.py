"""lambda-url-unreachable: A function URL with AuthType NONE whose resource policy grants no public
lambda:InvokeFunctionUrl. AWS answers every request with 403 (the URL is not public): a misconfiguration,
either a URL nobody can use or a public endpoint that is broken.

Source: "Control access to Lambda function URLs" (AWS Lambda Developer Guide, urls-auth, read
2026-12-06): with AuthType NONE the function's resource-based policy "must grant public access before
your function URL can receive requests".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = iam_common.URL_UNREACHABLE


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


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
