"""Hostile input (issue 12 item 7): every input lambdaops reads is validated; exit 1 only for bugs.

A fuzz-ish table of bad values goes into every lambdaops.toml key and every LAMBDAOPS_* variable:
each must end as a UsageError (exit 2) naming the file or variable and the key, or as a value of the
right type (finite, in range). Baselines and reports given to `merge` with NaN, huge numbers, deep
nesting, naive times or unknown statuses are refused in one line. JSON lambdaops writes is valid.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from lambdaops.errors import UsageError
from lambdaops.settings import KEYS, Settings, build_settings

# TOML literals a hostile or careless config may hold for any key.
TOML_VALUES = [
    "nan",
    "inf",
    "-inf",
    "1e400",
    "99999999999999999999999999999",
    "-1",
    "0",
    "1.5",
    "true",
    "[1, 2]",
    '["eu-west-1", 3]',
    "{ a = 1 }",
    "1979-05-27T07:32:00",
    "1979-05-27",
    '"nan"',
    '"inf"',
    '"  "',
    '"\\u202e"',
    '"eu-west-1 , "',
    '"99999999999999999999999999999999999999999999999999"',
]
ENV_VALUES = ["nan", "inf", "-inf", "1e999", "99999999999999999999999", "-1", "", " ", "abc", "[1]", "\u202e"]


def _check_value(key: str, value: Any) -> None:
    """A value that got through must be of the type its field holds, finite and printable."""
    if isinstance(value, float):
        assert math.isfinite(value), f"{key} accepted a non-finite number"
    if isinstance(value, int) and not isinstance(value, bool):
        assert abs(value) <= 10**6, f"{key} accepted {value}"
    if isinstance(value, tuple):
        assert all(isinstance(v, str) and v == v.strip() and v.isprintable() for v in value), (key, value)
    if isinstance(value, str):
        assert value.isprintable(), (key, value)


@pytest.mark.parametrize("literal", TOML_VALUES)
@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_config_key_refuses_or_sanitises_every_hostile_value(
    key: str, literal: str, tmp_path: Path
) -> None:
    config = tmp_path / "lambdaops.toml"
    config.write_text(f"{key} = {literal}\n", encoding="utf-8")
    try:
        settings = build_settings(config, {}, environ={})
    except UsageError as exc:
        message = str(exc)
        assert str(config) in message and key in message, message
        assert "\n" not in message
        return
    _check_value(key, getattr(settings, KEYS[key][0]))


@pytest.mark.parametrize("raw", ENV_VALUES)
@pytest.mark.parametrize("key", sorted(KEYS))
def test_every_environment_variable_refuses_or_sanitises_every_hostile_value(key: str, raw: str) -> None:
    env_key = f"LAMBDAOPS_{key.upper()}"
    try:
        settings = build_settings(None, {}, environ={env_key: raw})
    except UsageError as exc:
        assert env_key in str(exc)
        return
    _check_value(key, getattr(settings, KEYS[key][0]))


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("reservation_unused_ratio = nan\n", "reservation_unused_ratio"),  # was accepted as NaN
        ("reservation_unused_ratio = inf\n", "reservation_unused_ratio"),
        ("workers = inf\n", "workers"),  # was an OverflowError: exit 1
        ("days = 1e400\n", "days"),
        ("regions = ['eu west 1']\n", "regions"),
        ("regions = ['eu-west-1', 3]\n", "regions"),
        ("accounts = ['12345']\n", "accounts"),
        ("profile = 5\n", "profile"),
        ("strict = 1\n", "strict"),
        ("fail_on = 3\n", "fail_on"),
        ("peak_warn_percent = nan\n", "peak_warn_percent"),
    ],
)
def test_values_that_used_to_slip_through_are_refused(text: str, key: str, tmp_path: Path) -> None:
    config = tmp_path / "lambdaops.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError, match=key):
        build_settings(config, {}, environ={})


def test_reservation_ratio_nan_from_the_environment_is_refused() -> None:
    with pytest.raises(UsageError, match="LAMBDAOPS_RESERVATION_UNUSED_RATIO"):
        build_settings(None, {}, environ={"LAMBDAOPS_RESERVATION_UNUSED_RATIO": "nan"})


def test_deeply_nested_toml_is_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "lambdaops.toml"
    config.write_text("regions = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    with pytest.raises(UsageError, match="nested"):
        build_settings(config, {}, environ={})


@pytest.mark.parametrize(
    ("entry", "fix"),
    [
        ("expires = 2026-01-01T00:00:00", "expires"),  # naive datetime: crashed comparing to a date
        ("expires = 2026-01-01T00:00:00Z", "expires"),
        ("resource = 5", "resource"),
        ("regions = ['eu-west-1 x']", "region"),
        ("accounts = ['abc']", "account"),
    ],
)
def test_suppression_entries_are_validated(entry: str, fix: str, tmp_path: Path) -> None:
    config = tmp_path / "lambdaops.toml"
    config.write_text(f'[[suppress]]\ncheck = "lambda-*"\nreason = "ok"\n{entry}\n', encoding="utf-8")
    with pytest.raises(UsageError, match=fix) as exc:
        build_settings(config, {}, environ={})
    assert f"{config}:1" in str(exc.value)


def test_the_default_settings_still_build() -> None:
    assert isinstance(build_settings(None, {}, environ={}), Settings)


# --------------------------------------------------------------------------- flags


@pytest.mark.parametrize(
    "region", ["eu-west-1 ", " eu-west-1", "eu-west-1\u202e", "EU-WEST-1", "eu-west-1\n"]
)
def test_bad_region_flags_are_exit_2_naming_the_flag(region: str, capsys: pytest.CaptureFixture[str]) -> None:
    from lambdaops.cli.app import main

    with pytest.raises(SystemExit) as exited:
        main(["list-inactive", "--demo", "--region", region])
    err = capsys.readouterr().err
    assert exited.value.code == 2, err
    assert "--region" in err and err.count("\n") == 1


# --------------------------------------------------------------------------- baseline and merge inputs

BAD_JSON = {
    "nan": '{"fingerprints": [NaN]}',
    "infinity": '{"fingerprints": [], "x": Infinity}',
    "huge number": '{"fingerprints": [], "x": ' + "9" * 5000 + "}",
    "deep nesting": '{"fingerprints": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "not an object": "[]",
    "upper-case fingerprint": '{"fingerprints": ["' + "A" * 64 + '"]}',
}


@pytest.mark.parametrize("case", sorted(BAD_JSON))
def test_hostile_baselines_are_exit_2(case: str, tmp_path: Path) -> None:
    from lambdaops.suppress import load_baseline

    path = tmp_path / "baseline.json"
    path.write_text(BAD_JSON[case], encoding="utf-8")
    with pytest.raises(UsageError) as exc:
        load_baseline(path)
    assert str(path) in str(exc.value) and "--write-baseline" in str(exc.value)


def _report(tmp_path: Path, name: str, **changes: Any) -> Path:
    from lambdaops.render.json_report import render_json
    from tests.render_samples import inactive_report

    data = json.loads(render_json(inactive_report()))
    for dotted, value in changes.items():
        target = data
        parts = dotted.split("__")
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"generated_at": "2026-01-01T00:00:00"}, "generated_at"),  # naive: crashed max()
        ({"generated_at": 5}, "generated_at"),
        ({"functions__0__status": "sleeping"}, "unknown status"),
        ({"functions__0__days_since_invocation": "ten"}, "days_since_invocation"),
        ({"functions__0__name": 5}, "name"),
        ({"findings": [{"check_id": "x"}]}, "finding 1"),
    ],
)
def test_hostile_merge_inputs_are_exit_2(
    changes: dict[str, Any], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lambdaops.cli.app import main

    good = _report(tmp_path, "good.json")
    bad = _report(tmp_path, "bad.json", **changes)
    with pytest.raises(SystemExit) as exited:
        main(["merge", str(good), str(bad), "-o", "json"])
    err = capsys.readouterr().err
    assert exited.value.code == 2, err
    assert expected in err and str(bad) in err and err.count("\n") == 1, err


@pytest.mark.parametrize("case", ["nan", "infinity", "huge number", "deep nesting"])
def test_hostile_json_given_to_merge_is_exit_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lambdaops.cli.app import main

    path = tmp_path / "r.json"
    path.write_text(BAD_JSON[case], encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["merge", str(path)])
    err = capsys.readouterr().err
    assert exited.value.code == 2, err
    assert str(path) in err and err.count("\n") == 1


def test_merge_refuses_a_finding_with_an_unknown_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lambdaops.cli.app import main
    from lambdaops.render.json_report import render_json
    from tests.render_samples import scan_report

    data = json.loads(render_json(scan_report()))
    data["findings"][0]["status"] = "ignored-by-attacker"
    path = tmp_path / "scan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit) as exited:
        main(["merge", str(path), "-o", "json"])
    err = capsys.readouterr().err
    assert exited.value.code == 2 and "unknown status" in err, err


# --------------------------------------------------------------------------- restore archive documents


def test_archive_documents_are_read_strictly(tmp_path: Path) -> None:
    from lambdaops.jsonio import read_archive_document
    from lambdaops.redact import MASK, forget_secrets, redact

    path = tmp_path / "function.json"
    for bad in (BAD_JSON["nan"], BAD_JSON["deep nesting"], BAD_JSON["huge number"]):
        path.write_text(bad, encoding="utf-8")
        with pytest.raises(ValueError, match=str(path)):
            read_archive_document(path)
    forget_secrets()
    path.write_text(
        json.dumps({"Configuration": {"Environment": {"Variables": {"K": "archived-secret-1"}}}}),
        encoding="utf-8",
    )
    read_archive_document(path)
    assert redact("archived-secret-1") == MASK
    forget_secrets()


# --------------------------------------------------------------------------- JSON written


def _strict(text: str) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} in JSON output")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("fmt", ["json", "sarif", "junit", "csv", "markdown"])
def test_non_finite_evidence_never_writes_nan(fmt: str) -> None:
    from lambdaops.model import Severity
    from lambdaops.render import render
    from tests.render_samples import finding, scan_report

    bad = finding(
        "lambda-inactive",
        Severity.HIGH,
        "f",
        evidence={"ratio": math.nan, "peak": math.inf, "nested": {"x": [-math.inf]}},
    )
    text = render(scan_report([bad]), fmt)
    assert "NaN" not in text and "Infinity" not in text
    if fmt in ("json", "sarif"):
        _strict(text)
