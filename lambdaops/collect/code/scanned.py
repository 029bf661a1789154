"""What audit-code really read, and what it could not: so nothing unread passes for clean.

A function deployed as a container image has no zip to download: GetFunction's `Code` for it holds
`ImageUri` / `ResolvedImageUri` ("URI of a container image in the Amazon ECR registry") and no
`Location` ("A presigned URL that you can use to download the deployment package") (Lambda API
reference, FunctionCodeLocation, read 2026-12-06). Pulling and unpacking ECR images is out of scope:
those versions are listed, with why and what to use instead, and never counted as checked.
"""

from __future__ import annotations

from typing import Any

from lambdaops.inventory import Inventory, dependency_key

IMAGE_REASON = (
    "deployed as a container image: GetFunction gives no downloadable package for it (only the ECR "
    "image URI), and scanning ECR images is out of scope; scan the image in Amazon ECR with Amazon "
    "Inspector (ECR enhanced scanning) or ECR basic scanning"
)


def not_scanned(inv: Inventory) -> list[dict[str, Any]]:
    """Every function version in scope whose code was not read because it is not a zip package."""
    functions = {fn.arn: fn for fn in inv.all_functions()}
    out = []
    for key in sorted(inv.code):
        deployed = inv.code[key]
        fn = functions.get(deployed.function_arn)
        if fn is None or deployed.package_type == "Zip":
            continue
        out.append(
            {
                "account_id": fn.account_id,
                "region": fn.region,
                "function": fn.name,
                "qualifier": deployed.qualifier,
                "function_arn": f"{fn.arn}:{deployed.qualifier}",
                "package_type": deployed.package_type,
                "reason": IMAGE_REASON,
            }
        )
    listed = {d.function_arn for d in inv.code.values()}
    for fn in functions.values():  # an image function whose versions could not be listed
        if fn.package_type != "Zip" and fn.arn not in listed:
            out.append(
                {
                    "account_id": fn.account_id,
                    "region": fn.region,
                    "function": fn.name,
                    "qualifier": "$LATEST",
                    "function_arn": f"{fn.arn}:$LATEST",
                    "package_type": fn.package_type,
                    "reason": IMAGE_REASON,
                }
            )
    return out


def read_functions(inv: Inventory, *, with_advisories: bool) -> set[str]:
    """ARNs of the functions whose every version in scope was read: a zip package (and each of its
    layers) downloaded and read, not refused; with `with_advisories`, also every dependency in them
    looked up in OSV. A function whose versions were not all listed (GetFunction refused: an error
    record) has no entry and is not counted either."""
    versions: dict[str, list[Any]] = {}
    for deployed in inv.code.values():
        versions.setdefault(deployed.function_arn, []).append(deployed)

    def package_read(sha: str | None) -> bool:
        package = inv.code_packages.get(sha) if sha else None
        if package is None or package.refused:
            return False
        return not with_advisories or all(dependency_key(d) in inv.advisories for d in package.dependencies)

    out = set()
    for arn, deployed_versions in versions.items():
        if all(
            d.package_type == "Zip"
            and package_read(d.code_sha256)
            and all(package_read(inv.layer_code.get(layer)) for layer in d.layers)
            for d in deployed_versions
        ):
            out.add(arn)
    return out
