"""Hostile environment values for lambda-secret-in-environment: values built to break the detector
or to leak through it must neither crash the scan nor show up anywhere."""

from __future__ import annotations

import pytest

from lambdaops.env_secrets import EnvSecret, scan_environment

SECRET = "AKIAHOSTILEKEYVALUE1"


@pytest.mark.parametrize(
    "value",
    [
        SECRET + "\n" + "x" * 4000,  # the whole 4 KB environment in one value
        f'"{SECRET}"',  # quotes that close detect-secrets' own quoting
        f"{SECRET}\x00\x1b[2J",  # NUL and a terminal escape
        "{{resolve:ssm:/x}}" + SECRET,  # a reference glued to a secret is not a reference
    ],
    ids=["long", "quoted", "control-chars", "reference-prefix"],
)
def test_hostile_values_never_crash_and_never_appear(value: str) -> None:
    found = scan_environment({"K": value})
    assert all(SECRET not in repr(s) for s in found)
    assert EnvSecret("K", "AWS Access Key") in found


def test_a_value_that_merely_contains_a_reference_is_scanned() -> None:
    found = scan_environment({"K": f"{SECRET} {{{{resolve:ssm:/x}}}}"})
    assert EnvSecret("K", "AWS Access Key") in found


def test_names_that_look_like_secrets_are_not_values() -> None:
    # the variable's name is reported: a name is configuration, never a secret
    found = scan_environment({"sk_live_51NameNotValue000000000000": "debug"})
    assert found == ()


def test_non_string_values_are_scanned_as_text() -> None:
    assert scan_environment({"N": 42, "NONE": None}) == ()  # type: ignore[dict-item]
