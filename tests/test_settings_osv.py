"""audit-code's OSV source as settings keys: `osv_db` and `osv_url` in lambdaops.toml and
LAMBDAOPS_OSV_DB / LAMBDAOPS_OSV_URL, validated like the flags, flag > environment > config."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from lambdaops.cli.app import app
from lambdaops.errors import UsageError
from lambdaops.settings import build_settings

runner = CliRunner()


def config(tmp_path: Path, text: str) -> Path:
    cfg = tmp_path / "lambdaops.toml"
    cfg.write_text(text)
    return cfg


def test_osv_db_precedence_flag_over_env_over_config(tmp_path: Path) -> None:
    a, b, c = (tmp_path / n for n in ("a", "b", "c.zip"))
    a.mkdir()
    b.mkdir()
    c.write_bytes(b"")
    cfg = config(tmp_path, f'osv_db = "{a}"\n')
    assert build_settings(cfg, {}, environ={}).osv_db == a
    assert build_settings(cfg, {}, environ={"LAMBDAOPS_OSV_DB": str(b)}).osv_db == b
    assert build_settings(cfg, {"osv_db": c}, environ={"LAMBDAOPS_OSV_DB": str(b)}).osv_db == c
    # an empty value in the environment undoes the file's export: OSV's API for this run
    assert build_settings(cfg, {}, environ={"LAMBDAOPS_OSV_DB": ""}).osv_db is None


def test_osv_url_precedence_flag_over_env_over_config(tmp_path: Path) -> None:
    cfg = config(tmp_path, 'osv_url = "https://osv.mirror.example/"\n')
    assert build_settings(cfg, {}, environ={}).osv_url == "https://osv.mirror.example"
    env = {"LAMBDAOPS_OSV_URL": "http://127.0.0.1:8080"}
    assert build_settings(cfg, {}, environ=env).osv_url == "http://127.0.0.1:8080"
    flags = {"osv_url": "https://api.osv.dev"}
    assert build_settings(cfg, flags, environ=env).osv_url == "https://api.osv.dev"


def test_a_missing_export_in_the_config_names_the_line(tmp_path: Path) -> None:
    cfg = config(tmp_path, f'days = 10\nosv_db = "{tmp_path / "nope"}"\n')
    with pytest.raises(UsageError, match=r"lambdaops.toml:2: osv_db: .*nope: no such file or directory"):
        build_settings(cfg, {}, environ={})


@pytest.mark.parametrize(
    "url",
    [
        "http://osv.example.com",  # plain http off this machine
        "ftp://127.0.0.1/osv",
        "https://",  # no host
        "http://127.0.0.1.evil.example",  # not loopback, only looks like it
        "osv.dev",
        "https://api.osv.dev/?x=1",
    ],
)
def test_a_bad_url_is_refused_from_every_source(tmp_path: Path, url: str) -> None:
    with pytest.raises(UsageError, match=r"^LAMBDAOPS_OSV_URL: .*https://"):
        build_settings(None, {}, environ={"LAMBDAOPS_OSV_URL": url})
    cfg = config(tmp_path, f'osv_url = "{url}"\n')
    with pytest.raises(UsageError, match=r"lambdaops.toml:1: osv_url: "):
        build_settings(cfg, {}, environ={})


@pytest.mark.parametrize("url", ["https://api.osv.dev", "http://localhost:9000/osv", "http://[::1]:8000"])
def test_good_urls_pass(url: str) -> None:
    assert build_settings(None, {}, environ={"LAMBDAOPS_OSV_URL": url}).osv_url == url


def test_bad_values_exit_2_in_one_line_from_every_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = config(tmp_path, f'osv_db = "{tmp_path / "missing"}"\n')
    from_file = runner.invoke(app, ["audit-code", "--demo", "--config", str(cfg)])
    assert from_file.exit_code == 2 and "osv_db" in from_file.stderr
    assert len(from_file.stderr.strip().splitlines()) == 1 and "Traceback" not in from_file.output
    cfg.unlink()
    monkeypatch.setenv("LAMBDAOPS_OSV_URL", "http://osv.example.com")
    from_env = runner.invoke(app, ["audit-code", "--demo"])
    assert from_env.exit_code == 2 and "LAMBDAOPS_OSV_URL" in from_env.stderr
    assert len(from_env.stderr.strip().splitlines()) == 1
    monkeypatch.delenv("LAMBDAOPS_OSV_URL")
    flag = runner.invoke(app, ["scan", "--demo", "--with-code", "--osv-db", str(tmp_path / "missing")])
    assert flag.exit_code == 2 and "error: --osv-db: " in flag.stderr
    assert len(flag.stderr.strip().splitlines()) == 1
