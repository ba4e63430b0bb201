import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def athanor():
    """Path of the built `athanor` binary (ATHANOR_BIN, else the debug build)."""
    path = pathlib.Path(os.environ.get("ATHANOR_BIN", REPO / ".build" / "debug" / "athanor"))
    if not path.exists():
        pytest.fail(f"{path} does not exist: build first (tools/test does)")
    return str(path)


@pytest.fixture
def run_athanor(athanor):
    def run(*args, check=True):
        return subprocess.run([athanor, *map(str, args)], capture_output=True, text=True, check=check)

    return run
