"""The benchmarks run in quick mode and write a valid run file. No timing is asserted here."""

import subprocess
import sys
from pathlib import Path

from lib import schema
from lib.records import loads_strict

REPOSITORY = Path(__file__).resolve().parent.parent


def test_quick_bench_writes_valid_run_file(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "jobs", "bench", "--quick", "--out", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=900)
    assert completed.returncode == 0, completed.stderr[-3000:]
    path = Path(completed.stdout.strip().splitlines()[-1].removeprefix("wrote "))
    document = loads_strict(path.read_text())
    schema.validate_run_file(document)
    names = [record["results"]["name"] for record in document["records"]]
    assert "app start to ready" in names
    assert "notebook: normalization" in names
    assert any(name.startswith("endpoint /") for name in names)
    for record in document["records"]:
        results = record["results"]
        assert results["min_s"] <= results["median_s"] <= results["max_s"]
        assert results["ratio"] > 0
