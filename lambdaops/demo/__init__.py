"""The demo account: an in-process AWS emulation (moto) seeded with a realistic account.

`lambdaops <command> --demo` runs inside `demo_account()`: fake credentials, no network, nothing
real touched. The same seed serves the end-to-end tests (see lambdaops.demo.server --seed demo).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from lambdaops.errors import UsageError

# Said on stderr by every --demo run: what it reads, and how to keep state between commands.
DEMO_NOTICE = (
    "reading the emulated demo account (no AWS); its changes end with this command. To keep state "
    "between commands, serve it with `lambdaops demo serve` (or python -m lambdaops.demo.server --seed "
    "demo --port 4566) and use the AWS_ENDPOINT_URL it prints instead of --demo (docs/demo.md)"
)
DEMO_ENV = {
    "AWS_ACCESS_KEY_ID": "demo",
    "AWS_SECRET_ACCESS_KEY": "demo",
    "AWS_SESSION_TOKEN": "demo",
    "AWS_DEFAULT_REGION": "eu-central-1",
    "MOTO_IAM_LOAD_MANAGED_POLICIES": "true",
    # lambdaops reads no machine image: moto's default AMIs cost 0.5 s per region touched.
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
# Variables that would send calls elsewhere than the emulation, or pick other credentials.
CLEARED_ENV = (
    "AWS_PROFILE",
    "AWS_ENDPOINT_URL",
    "AWS_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
)


@contextmanager
def demo_account() -> Iterator[None]:
    try:
        from moto import mock_aws
    except ImportError:
        raise UsageError("the demo account needs the demo extra: pip install 'lambdaops[demo]'") from None
    from lambdaops.demo import code_shim, moto_shims
    from lambdaops.demo.seed import seed_demo

    saved = {k: os.environ.get(k) for k in (*DEMO_ENV, *CLEARED_ENV)}
    for key in CLEARED_ENV:
        os.environ.pop(key, None)
    os.environ.update(DEMO_ENV)
    moto_shims.install()
    code_shim.install()  # GetFunction's Code.Location serves the code (prune archives it)
    mock = mock_aws()
    mock.start()  # resets every backend: each demo run starts from the seed
    try:
        seed_demo()
        yield
    finally:
        # No reset on the way out (the next start resets anyway): resetting re-creates every
        # backend, 1.4 s of work a CLI about to exit throws away.
        mock.stop(remove_data=False)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
