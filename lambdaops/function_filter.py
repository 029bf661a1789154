"""`--function GLOB`, `--tag KEY=VALUE`, `--exclude-tag KEY=VALUE`: the filter a run applies to the
functions it lists (pure; collect/function_filter.py applies it right after ListFunctions).

- `--function` globs (fnmatch, case-sensitive like function names) match the function name; any one
  of them admits a function.
- `--tag`: every KEY named must be present with one of the values given for it (several `--tag` of one
  key are alternatives, of different keys all apply). `--exclude-tag` drops a function carrying any
  of the pairs.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass


@dataclass(frozen=True)
class FunctionFilter:
    globs: tuple[str, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()
    exclude_tags: tuple[tuple[str, str], ...] = ()

    @property
    def needs_tags(self) -> bool:
        return bool(self.tags or self.exclude_tags)

    def admits(self, name: str, tags: dict[str, str] | None = None) -> bool:
        if self.globs and not any(fnmatch.fnmatchcase(name, g) for g in self.globs):
            return False
        tags = tags or {}
        wanted: dict[str, set[str]] = {}
        for key, value in self.tags:
            wanted.setdefault(key, set()).add(value)
        if any(tags.get(key) not in values for key, values in wanted.items()):
            return False
        return not any(tags.get(key) == value for key, value in self.exclude_tags)


def parse_tag(flag: str, text: str) -> tuple[str, str]:
    """`KEY=VALUE` (the value may be empty, as AWS tags' may); ValueError with a one-line reason."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ValueError(f"{flag} takes KEY=VALUE (e.g. {flag} team=payments), got {text!r}")
    if len(key) > 128 or len(value) > 256:  # AWS's tag limits (Tagging AWS resources, read 2026-12-06)
        raise ValueError(f"{flag}: a tag key has at most 128 characters and a value 256, got {text!r}")
    return key, value


def build_filter(
    globs: list[str] | None, tags: list[str] | None, exclude: list[str] | None
) -> FunctionFilter | None:
    """The filter the flags ask for, or None when none is given. ValueError on a bad value."""
    for glob in globs or []:
        if not glob.strip():
            raise ValueError("--function takes a function name or glob, got an empty value")
    built = FunctionFilter(
        tuple(g.strip() for g in globs or []),
        tuple(parse_tag("--tag", t) for t in tags or []),
        tuple(parse_tag("--exclude-tag", t) for t in exclude or []),
    )
    return built if built.globs or built.needs_tags else None
