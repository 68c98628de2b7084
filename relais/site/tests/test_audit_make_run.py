"""Issue 8, hole 3 (audit): `make run` restarts a worker that dies, and stops it with the server.

The Makefile's own supervisor (`WITH_WORKER`) is run by make itself, with a stand-in for Python
whose first worker dies at once and whose second one stays up: the supervisor must start the
second one, and kill it when the server command ends. No sleeping: polls with a deadline."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEADLINE_SECONDS = 60

# A stand-in for `$(PY)`: `$(PY) manage.py run_worker` counts its starts; the first worker dies
# with status 3, the next ones write their pid and wait to be killed.
FAKE_PYTHON = """#!/bin/sh
echo "$*" >> "$AUDIT_DIR/starts"
if [ "$(wc -l < "$AUDIT_DIR/starts")" -eq 1 ]; then exit 3; fi
echo $$ > "$AUDIT_DIR/worker.pid"
exec sleep 300
"""

# The server: waits (with a deadline) for the restarted worker, then stops.
FAKE_SERVER = """#!/bin/sh
n=0
while [ ! -s "$AUDIT_DIR/worker.pid" ]; do
  n=$((n + 1)); [ $n -gt 600 ] && exit 9
  sleep 0.1
done
exit 0
"""

EXTRA_MAKEFILE = """
audit-supervise:
\t@$(WITH_WORKER) $(AUDIT_SERVER)
"""


def _script(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(0o755)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie child of no one we wait for still answers: read its state.
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split()[2] == "Z")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_worker_of_make_run_is_restarted_when_it_dies_and_stopped_with_the_server(tmp_path):
    python = _script(tmp_path / "python", FAKE_PYTHON)
    server = _script(tmp_path / "server", FAKE_SERVER)
    extra = tmp_path / "audit.mk"
    extra.write_text(EXTRA_MAKEFILE)
    env = {
        **os.environ,
        "AUDIT_DIR": str(tmp_path),
        "RELAIS_SECRET_KEY": "audit-make-run",  # so that make generates no .secret_key
    }

    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-f",
            "Makefile",
            "-f",
            str(extra),
            "audit-supervise",
            f"PY={python}",
            f"AUDIT_SERVER={server}",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    starts = (tmp_path / "starts").read_text().splitlines()
    assert starts[:2] == ["manage.py run_worker", "manage.py run_worker"]
    assert "The worker stopped (status 3): restarting it." in result.stdout + result.stderr
    pid = int((tmp_path / "worker.pid").read_text())
    deadline = time.monotonic() + DEADLINE_SECONDS
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            pytest.fail("the worker outlived the server it was started with")
        time.sleep(0.05)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_arms_the_periodic_jobs_and_starts_the_worker_beside_the_server():
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "run"],
        cwd=ROOT,
        env={**os.environ, "RELAIS_SECRET_KEY": "audit-make-run"},
        capture_output=True,
        text=True,
        timeout=DEADLINE_SECONDS,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    commands = result.stdout
    assert "manage.py schedule_jobs" in commands
    assert "manage.py run_worker" in commands
    assert "runserver" in commands
    assert commands.index("manage.py schedule_jobs") < commands.index("runserver")
