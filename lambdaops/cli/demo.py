"""`lambdaops demo serve`: the demo account as a local endpoint, so state carries between commands."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from lambdaops.cli.options import bounded
from lambdaops.errors import UsageError

demo_app = typer.Typer(
    name="demo",
    help="The emulated demo account (no AWS): `demo serve` keeps one running between commands.",
    no_args_is_help=True,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)

DEFAULT_PORT = 4566  # the port AWS emulators (LocalStack, moto's docs) customarily use


def shell_lines(url: str) -> list[str]:
    """What to paste into another shell: botocore's endpoint variable and the demo's fake credentials."""
    from lambdaops.demo import DEMO_ENV

    creds = " ".join(
        f"{key}={DEMO_ENV[key]}"
        for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
    )
    return [
        f"export AWS_ENDPOINT_URL={url}",
        f"export {creds} AWS_REGION={DEMO_ENV['AWS_DEFAULT_REGION']}",
        "unset AWS_PROFILE",
    ]


def _check_port(port: int) -> None:
    """A busy port is a usage error naming the fix (werkzeug would print a paragraph and exit 1)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does: TIME_WAIT is free
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as exc:
            raise UsageError(
                f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); "
                "pass another --port (0 picks a free one)"
            ) from None


@bounded
def serve(
    port: Annotated[
        int,
        typer.Option("--port", help="Port on 127.0.0.1 to listen on (0 picks a free one).", min=0, max=65535),
    ] = DEFAULT_PORT,
) -> None:
    """Serve the seeded demo account on 127.0.0.1 until Ctrl-C.

    Prints the `export AWS_ENDPOINT_URL=...` line and the fake credentials to use: in a shell with
    them, every command (without --demo) reads and changes this same emulated account, so
    `billing-alarm set` then `check`, or `prune --apply` then `restore`, work as a tutorial
    (docs/demo.md). Its state ends with the server.
    """
    from lambdaops.cli.runner import info

    try:
        from lambdaops.demo.server import serve as serve_moto
    except ImportError:
        raise UsageError("the demo account needs the demo extra: pip install 'lambdaops[demo]'") from None

    def announce(url: str) -> None:
        info(
            f"serving the emulated demo account at {url} (nothing real is touched; Ctrl-C stops it "
            "and its state goes with it). In another shell:"
        )
        for line in shell_lines(url):
            print(line, flush=True)

    _check_port(port)
    info("seeding the demo account ...")
    serve_moto("127.0.0.1", port, seed="demo", announce=announce)
    print("lambdaops: demo server stopped", file=sys.stderr)


demo_app.command("serve")(serve)
