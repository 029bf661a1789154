"""Configuration: precedence, validation and the line at fault."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from lambdaops.errors import UsageError
from lambdaops.model import Severity
from lambdaops.settings import build_settings


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lambdaops.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_precedence_flags_over_env_over_file(tmp_path: Path) -> None:
    cfg = _write(tmp_path, 'fail_on = "low"\ndays = 30\nworkers = 3\n')
    s = build_settings(cfg, {}, environ={})
    assert (s.fail_on, s.days, s.workers) == (Severity.LOW, 30, 3)
    s = build_settings(cfg, {}, environ={"LAMBDAOPS_DAYS": "20"})
    assert s.days == 20
    s = build_settings(cfg, {"days": 5}, environ={"LAMBDAOPS_DAYS": "20"})
    assert s.days == 5


def test_unknown_key_names_the_line(tmp_path: Path) -> None:
    cfg = _write(tmp_path, 'days = 3\n\nfail_onn = "low"\n')
    with pytest.raises(UsageError, match=r"lambdaops.toml:3: unknown key 'fail_onn'"):
        build_settings(cfg, {}, environ={})


def test_malformed_toml(tmp_path: Path) -> None:
    cfg = _write(tmp_path, "days = = 3\n")
    with pytest.raises(UsageError, match="malformed TOML"):
        build_settings(cfg, {}, environ={})


def test_bad_value(tmp_path: Path) -> None:
    cfg = _write(tmp_path, "days = 456\n")
    with pytest.raises(UsageError, match=r"lambdaops.toml:1: days: expected a whole number from 1 to 455"):
        build_settings(cfg, {}, environ={})


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found"):
        build_settings(tmp_path / "nope.toml", {}, environ={})


def test_unreadable_config_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        build_settings(tmp_path, {}, environ={})  # a directory


def test_bad_env_value() -> None:
    with pytest.raises(UsageError, match="LAMBDAOPS_WORKERS"):
        build_settings(None, {}, environ={"LAMBDAOPS_WORKERS": "many"})


def test_suppressions_parsed_and_validated(tmp_path: Path) -> None:
    cfg = _write(
        tmp_path,
        '[[suppress]]\ncheck = "lambda-inactive"\nreason = "DR copies"\n'
        'resource = "*-dr-*"\nexpires = 2027-01-31\n',
    )
    s = build_settings(cfg, {}, environ={})
    (sup,) = s.suppressions
    assert (sup.check, sup.reason, sup.resource, sup.expires, sup.line) == (
        "lambda-inactive",
        "DR copies",
        "*-dr-*",
        date(2027, 1, 31),
        1,
    )


def test_suppression_without_reason_names_the_line(tmp_path: Path) -> None:
    cfg = _write(tmp_path, 'days = 3\n[[suppress]]\ncheck = "x"\n\n[[suppress]]\ncheck = "y"\nreason = ""\n')
    with pytest.raises(UsageError, match=r"lambdaops.toml:2: \[\[suppress\]\] for 'x' needs a reason"):
        build_settings(cfg, {}, environ={})


def test_suppression_unknown_key(tmp_path: Path) -> None:
    cfg = _write(tmp_path, '[[suppress]]\ncheck = "x"\nreason = "r"\nresources = "a"\n')
    with pytest.raises(UsageError, match="unknown key 'resources' in"):
        build_settings(cfg, {}, environ={})


def test_cwd_config_is_picked_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write(tmp_path, "days = 42\n")
    monkeypatch.chdir(tmp_path)
    assert build_settings(None, {}, environ={}).days == 42
