"""Package URLs (purl, https://github.com/package-url/purl-spec) for the dependencies found."""

from __future__ import annotations

import re

from packageurl import PackageURL

from lambdaops.inventory import Dependency

# OSV ecosystem -> purl type
PURL_TYPES = {"PyPI": "pypi", "npm": "npm", "Maven": "maven", "Go": "golang", "NuGet": "nuget"}


def normalize_pypi(name: str) -> str:
    """PEP 503: lower case, runs of `-`, `_`, `.` as one `-` (OSV and pip compare names this way)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def purl_for(ecosystem: str, name: str, version: str) -> str:
    kind = PURL_TYPES[ecosystem]
    namespace: str | None = None
    short = name
    if ecosystem == "Maven" and ":" in name:
        namespace, short = name.split(":", 1)
    elif ecosystem in ("npm", "Go") and "/" in name:
        namespace, short = name.rsplit("/", 1)
    return str(PackageURL(type=kind, namespace=namespace, name=short, version=version).to_string())


def dependency(ecosystem: str, name: str, version: str, source: str) -> Dependency | None:
    """A Dependency, or None when name or version is empty or not plain text."""
    name, version = name.strip(), version.strip()
    if not name or not version or len(name) > 214 or len(version) > 128:
        return None
    if any(c.isspace() or ord(c) < 32 for c in name + version):
        return None
    if ecosystem == "PyPI":
        name = normalize_pypi(name)
    return Dependency(ecosystem, name, version, purl_for(ecosystem, name, version), source)
