"""lambda-public-unlimited: A publicly invokable function with no reserved concurrency: an open billing
attack that can also starve the account's other functions. A reservation of 0 counts as a limit.
"""

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

CHECK_ID = "lambda-public-unlimited"


def run(inv: Inventory, settings: Settings) -> Iterator[Finding]:
    for f, why in function_facts(inv, settings).unlimited:
        yield INFO.finding(
            f,
            f"Function {f.name} can be invoked by anyone ({why}) and has no concurrency limit: "
            "a caller can run up the bill and starve the account's other functions",
            evidence={"function_arn": f.arn, "public_via": why, "reserved_concurrency": None},
            # the command for this function
            remediation=(
                f"Cap it: aws lambda put-function-concurrency --function-name {f.name} "
                "--reserved-concurrent-executions <peak it needs>, and close the public access if it "
                "is not meant to be public."
            ),
        )


INFO = register(
    CheckInfo(
        id=CHECK_ID,
        severity=Severity.CRITICAL,
        title="A public function has no concurrency limit",
        remediation=(
            "Set reserved concurrency (aws lambda put-function-concurrency) to the peak the function "
            "needs, and close public access that is not meant to be there."
        ),
        needs=frozenset({Part.FUNCTIONS, Part.RESOURCE_POLICIES, Part.FUNCTION_URLS, Part.CONCURRENCY}),
        run=run,
        group=iam_common.GROUP,
    )
)
