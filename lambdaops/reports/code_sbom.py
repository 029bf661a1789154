"""`audit-code --sbom DIR`: one CycloneDX 1.6 JSON document per function version.

Written with cyclonedx-python-lib (the CycloneDX project's own Python library, which serializes and
keeps the documents valid against the specification's schema). Each document's root component is
the function version (its ARN as bom-ref); its components are the dependencies found in the
version's code and layers, each with its package URL. A version whose package was refused or could
not be read gets no document (the report's errors say why).
"""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from lambdaops.inventory import Dependency, DeployedCode, Inventory

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def file_name(account: str, region: str, name: str, qualifier: str) -> str:
    parts = [account, region, name, qualifier.replace("$", "")]
    return "_".join(_UNSAFE.sub("-", p) for p in parts) + ".cdx.json"


def _deps_of(inv: Inventory, code: DeployedCode) -> tuple[list[Dependency], bool]:
    shas = [code.code_sha256] if code.code_sha256 else []
    shas += [inv.layer_code[a] for a in code.layers if a in inv.layer_code]
    deps: dict[str, Dependency] = {}
    complete = bool(shas)
    for sha in shas:
        package = inv.code_packages.get(sha)
        if package is None or package.refused:
            complete = False
            continue
        for dep in package.dependencies:
            deps.setdefault(dep.purl, dep)
    return [deps[k] for k in sorted(deps)], complete


def document(inv: Inventory, code: DeployedCode, now: datetime) -> str | None:
    from cyclonedx.model.bom import Bom
    from cyclonedx.model.component import Component, ComponentType
    from cyclonedx.output.json import JsonV1Dot6
    from packageurl import PackageURL

    deps, complete = _deps_of(inv, code)
    if not complete:
        return None
    bom = Bom()
    bom.metadata.timestamp = now
    name = code.function_arn.rsplit(":", 1)[-1]
    root = Component(
        name=name,
        version=code.qualifier,
        type=ComponentType.APPLICATION,
        bom_ref=f"{code.function_arn}:{code.qualifier}",
    )
    bom.metadata.component = root
    components = []
    for dep in deps:
        component = Component(
            name=dep.name,
            version=dep.version,
            type=ComponentType.LIBRARY,
            purl=PackageURL.from_string(dep.purl),
            bom_ref=dep.purl,
        )
        bom.components.add(component)
        components.append(component)
    bom.register_dependency(root, components)
    for component in components:
        bom.register_dependency(component, [])
    return str(JsonV1Dot6(bom).output_as_string(indent=2)) + "\n"


def write_sboms(inv: Inventory, directory: Path, now: datetime) -> list[Path]:
    """Write one document per readable function version; the paths written."""
    from lambdaops.fileio import write_atomic

    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for key in sorted(inv.code):
        code = inv.code[key]
        text = document(inv, code, now)
        if text is None:
            continue
        arn = code.function_arn.split(":")
        path = directory / file_name(arn[4], arn[3], arn[6], code.qualifier)
        write_atomic(path, text)
        written.append(path)
    return written
