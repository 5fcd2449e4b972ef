"""A process killed in the middle of an import leaves the register as it was."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from weerbaar.services.context import Context
from weerbaar.services.trail_check import verify_trail
from weerbaar.storage.repository import Repository

ROWS = 30_000


def test_kill_during_import_writes_nothing(ctx: Context, db_url: str, tmp_path: Path) -> None:
    doc = {
        "format": "weerbaar-register",
        "format_version": 1,
        "organisations": [
            {"key": f"org-{i:05d}", "name": f"Gemeente {i}", "kind": "municipality"}
            for i in range(ROWS)
        ],
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    env = {**os.environ, "WEERBAAR_DB": db_url}
    process = subprocess.Popen(
        [sys.executable, "-c", "from weerbaar.cli.main import run; run()", "import", str(path)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(2.0)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    with ctx.db.transaction() as connection:
        count = Repository(connection).count("organisations")
    assert count in (0, ROWS)
    report = verify_trail(ctx.db)
    assert report.findings == []
    assert report.entries == count
