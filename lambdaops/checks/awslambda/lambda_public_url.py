"""lambda-public-url: A function URL with AuthType NONE: anyone on the internet can call it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lambdaops.checks.iam import iam_common
from lambdaops.checks.registry import CheckInfo, register
from lambdaops.model import Finding, Severity
from lambdaops.parts import Part

if TYPE_CHECKING:
    from lambdaops.inventory import Inventory
    from lambdaops.settings import Settings

CHECK_ID = "lambda-public-url"


def run(inv: Inventory, settings: Settings) -> list[Finding]:
    return iam_common.findings_for(CHECK_ID, inv, settings)


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
