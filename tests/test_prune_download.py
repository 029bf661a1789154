"""Code package download: checked against CodeSha256, only over http(s), never followed elsewhere;
and the moto shim that makes GetFunction's Code.Location serve the real package."""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler

import pytest

from lambdaops.collect.archive import DownloadError, check_url, download_code
from tests.prune_support import REGION, Account, account, package
from tests.support.fixtures import serve_locally

__all__ = ["account"]

BODY = b"PK\x03\x04 pretend zip " * 100
SHA = base64.b64encode(hashlib.sha256(BODY).digest()).decode()


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/code":
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path == "/to-ftp":
            self.send_response(302)
            self.send_header("Location", "ftp://127.0.0.1/code")
            self.end_headers()
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif self.path == "/to-code":
            self.send_response(302)
            self.send_header("Location", "/code")
            self.end_headers()
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serve_locally(_Handler) as url:
        yield url


def test_download_checks_the_hash(server: str) -> None:
    out = io.BytesIO()
    assert download_code(f"{server}/code", SHA, out, max_bytes=len(BODY)) == len(BODY)
    assert out.getvalue() == BODY
    with pytest.raises(DownloadError, match="does not match CodeSha256"):
        download_code(f"{server}/code", base64.b64encode(b"\0" * 32).decode(), io.BytesIO())


def test_download_refuses_more_than_announced(server: str) -> None:
    with pytest.raises(DownloadError, match="larger than"):
        download_code(f"{server}/code", SHA, io.BytesIO(), max_bytes=10)


def test_redirects_only_to_http(server: str) -> None:
    assert download_code(f"{server}/to-code", SHA, io.BytesIO()) == len(BODY)
    for path in ("/to-ftp", "/to-file"):
        with pytest.raises(DownloadError, match="unsupported scheme"):
            download_code(f"{server}{path}", SHA, io.BytesIO())


def test_errors_never_show_the_presigned_url(server: str) -> None:
    url = f"{server}/missing?X-Amz-Signature=secret-signature"
    with pytest.raises(DownloadError) as info:
        download_code(url, SHA, io.BytesIO())
    assert "HTTP 404" in str(info.value)
    assert "secret-signature" not in str(info.value)


def test_only_https_or_local_http(monkeypatch: pytest.MonkeyPatch) -> None:
    check_url("https://awslambda-eu-west-1-tasks.s3.eu-west-1.amazonaws.com/snapshots/x?sig=1")
    check_url("http://127.0.0.1:4566/x")
    check_url("http://localhost/x")
    for bad in ("file:///etc/passwd", "ftp://host/x", "s3://bucket/key", "data:,x", "http://example.com/x"):
        with pytest.raises(DownloadError):
            check_url(bad)
    # An emulator the user pointed botocore at may serve plain http from another host.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localstack:4566")
    check_url("http://localstack:4566/code")


def test_shim_serves_the_code_of_each_version(account: Account) -> None:
    account.function("fn")
    got = account.lam.get_function(FunctionName="fn")
    location = got["Code"]["Location"]
    assert location.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(location, timeout=10) as resp:
        body = resp.read()
    assert body == package("fn")
    assert base64.b64encode(hashlib.sha256(body).digest()).decode() == got["Configuration"]["CodeSha256"]

    account.lam.update_function_code(FunctionName="fn", ZipFile=package("fn", "v2"))
    account.lam.publish_version(FunctionName="fn")
    v1 = account.lam.get_function(FunctionName="fn", Qualifier="1")
    out = io.BytesIO()
    download_code(v1["Code"]["Location"], v1["Configuration"]["CodeSha256"], out)
    assert out.getvalue() == package("fn", "v2")

    account.lam.delete_function(FunctionName="fn")
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_code(location, got["Configuration"]["CodeSha256"], io.BytesIO())
    assert REGION in location
