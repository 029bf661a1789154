"""Java dependencies: `META-INF/maven/<group>/<artifact>/pom.properties`, in the package itself
(an unpacked uber-jar) and inside every jar it holds (lib/*.jar, java/lib/*.jar in a layer), one
level deep. A jar without Maven metadata (shaded, or built by another tool) is not identified."""

from __future__ import annotations

from collections.abc import Iterator

from lambdaops.collect.code.purls import dependency
from lambdaops.collect.code.safezip import Package
from lambdaops.inventory import Dependency

PROPS_CAP = 64 * 1024


def _props(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")) or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip()
    return out


def _from(pkg: Package, source_prefix: str) -> Iterator[Dependency]:
    for entry in pkg.entries:
        if entry.name.startswith("META-INF/maven/") and entry.name.endswith("/pom.properties"):
            data = pkg.read(entry.name, PROPS_CAP)
            if not data:
                continue
            props = _props(data.decode("utf-8", "replace"))
            group, artifact = props.get("groupId", ""), props.get("artifactId", "")
            if group and artifact:
                dep = dependency(
                    "Maven", f"{group}:{artifact}", props.get("version", ""), source_prefix + entry.name
                )
                if dep is not None:
                    yield dep


def read(pkg: Package) -> Iterator[Dependency]:
    yield from _from(pkg, "")
    for entry in pkg.entries:
        if entry.name.endswith(".jar"):
            with pkg.nested(entry.name) as jar:
                if jar is not None:
                    yield from _from(jar, entry.name + "!/")
