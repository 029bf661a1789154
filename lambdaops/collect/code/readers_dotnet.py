""".NET dependencies: the `libraries` of each `*.deps.json` (entries of type `package` are NuGet
packages; `project` entries are the function's own assemblies)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from lambdaops.collect.code.purls import dependency
from lambdaops.collect.code.safezip import Package
from lambdaops.inventory import Dependency

DEPS_CAP = 16 * 1024 * 1024


def read(pkg: Package) -> Iterator[Dependency]:
    for entry in pkg.entries:
        if not entry.name.endswith(".deps.json"):
            continue
        data = pkg.read(entry.name, DEPS_CAP)
        try:
            doc = json.loads(data.decode("utf-8", "replace")) if data else None
        except ValueError:
            continue
        libraries = doc.get("libraries") if isinstance(doc, dict) else None
        if not isinstance(libraries, dict):
            continue
        for key, meta in libraries.items():
            if not isinstance(meta, dict) or meta.get("type") != "package" or "/" not in key:
                continue
            name, _, version = str(key).partition("/")
            dep = dependency("NuGet", name, version, entry.name)
            if dep is not None:
                yield dep
