"""Every bench runs to its end with about the smallest arguments it takes.

`make bench` is run by hand, to measure; nothing else ran the benches, and three of them had
stopped working unseen (their stand-in for auth no longer passed the files service's health check
of auth, so the service never got ready). The figures are not checked here: they mean something
only at full size, on a quiet machine (docs/performance.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "bench"
# Each bench starts its own stack or service; the slowest here (two stacks) takes about a minute.
BENCH_TIMEOUT_SECONDS = 600
OUTPUT_SHOWN_CHARS = 6000

SMALLEST_RUNS: dict[str, list[str]] = {
    "activity.py": ["--events", "100", "--rounds", "1"],
    "archive.py": ["--files", "5", "--kib", "4", "--rounds", "1"],
    "copy_folder.py": ["--files", "5", "--kib", "4", "--rounds", "1"],
    "direct_upload.py": ["--rounds", "1", "--size-mib", "16"],
    # It times the first page of 100 after the folders that holds only files.
    "drive.py": ["--items", "300", "--descendants", "10", "--rounds", "1"],
    # Each account's first folder page of 100 is checked to be full.
    "embedded.py": ["--files", "120", "--small-files", "100", "--rounds", "2", "--batches", "1", "--batch", "10"],
    "files_throughput.py": ["--rounds", "1", "--size-mib", "1", "--no-write"],
    "login_timing.py": ["--rounds", "2", "--clients", "2", "--seconds", "2"],
    "small_files.py": [
        "--rounds",
        "1",
        "--files",
        "20",
        "--large-mib",
        "16",
        "--large-rounds",
        "1",
        "--paths",
        "page,single",
    ],
    "soak.py": ["--users", "2", "--seconds", "5"],
    "telemetry_overhead.py": ["--rounds", "1", "--uploads", "10", "--reads", "10"],
    "upload_floor.py": ["--rounds", "1", "--uploads", "10"],
}


def bench_scripts() -> set[str]:
    return {path.name for path in BENCH_DIR.glob("*.py") if 'if __name__ == "__main__":' in path.read_text()}


def test_every_bench_has_a_smallest_run() -> None:
    assert bench_scripts() == set(SMALLEST_RUNS)


@pytest.mark.parametrize("script", sorted(SMALLEST_RUNS))
def test_bench_runs_to_its_end(script: str, tmp_path: Path) -> None:
    # The benches' own temporary folders go under tmp_path, so whatever one leaves is removed.
    completed = subprocess.run(
        [sys.executable, str(BENCH_DIR / script), *SMALLEST_RUNS[script]],
        cwd=ROOT,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=BENCH_TIMEOUT_SECONDS,
    )
    output = completed.stdout[-OUTPUT_SHOWN_CHARS:] + completed.stderr[-OUTPUT_SHOWN_CHARS:]
    assert completed.returncode == 0, output
