"""audit-code's secret scan of package files (lambdaops.collect.code.secrets_scan)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from lambdaops.collect.code.secrets_scan import scan_texts

# AWS's documentation example key id, split so that no scanner flags this file
KEY_ID = "AKIA" + "IOSFODNN7EXAMPLE"
PEM = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA " + "PRIVATE KEY-----\n"
SOURCE = f'import os\n\nKEY = "{KEY_ID}"\n'


def hits(texts: list[tuple[str, str]]) -> set[tuple[str, int, str]]:
    return {(h.path, h.line, h.kind) for h in scan_texts(texts)}


def test_finds_the_kind_file_and_line_of_each_secret() -> None:
    assert hits([("app.py", SOURCE), ("certs/key.pem", PEM)]) == {
        ("app.py", 3, "AWS Access Key"),
        ("certs/key.pem", 1, "Private Key"),
    }


def test_the_documented_inline_allowlist_pragmas_silence_a_line() -> None:
    same_line = f'KEY = "{KEY_ID}"  # pragma: allowlist secret\n'
    next_line = f'# pragma: allowlist nextline secret\nKEY = "{KEY_ID}"\n'
    assert hits([("a.py", same_line), ("b.py", next_line)]) == set()
    # the pragma covers its own line and the next, not the whole file
    assert hits([("c.py", f"# pragma: allowlist nextline secret\nx = 1\nKEY = '{KEY_ID}'\n")]) == {
        ("c.py", 3, "AWS Access Key")
    }


def test_placeholders_and_plain_code_are_not_secrets() -> None:
    assert hits([("a.py", 'KEY = "${AWS_ACCESS_KEY_ID}"\nurl = "https://example.com/path"\n')]) == set()


def test_threads_scanning_at_once_each_find_every_secret() -> None:
    # audit-code scans packages on worker threads: a detector set shared through process-wide settings
    # (detect-secrets' transient_settings) let one thread's exit leave another with no detector at all.
    texts = [("app.py", SOURCE), ("certs/key.pem", PEM)]
    want = hits(texts)

    def scan(_: int) -> set[tuple[str, int, str]]:
        return hits(texts)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(scan, range(400)))
    assert all(r == want for r in results)
