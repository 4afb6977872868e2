"""The GitHub Actions workflow runs what the README says tests everything, on every pull request
and push to main, with its container tier in a job of its own and every action pinned."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = yaml.safe_load((ROOT / ".github" / "workflows" / "test.yml").read_text())
JOBS = WORKFLOW["jobs"]


def commands(job: dict) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_it_runs_on_pull_requests_and_pushes_to_main():
    # PyYAML reads the bare key `on` as True.
    triggers = WORKFLOW[True]
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]


def test_the_test_job_runs_the_readmes_test_command_and_the_container_job_the_rest():
    readme_command = re.search(r"^make test +#", (ROOT / "README.md").read_text(), re.MULTILINE)
    assert readme_command, "the README names `make test` as the command that runs every test"
    assert "make test CONTAINER_TIER=" in commands(JOBS["test"])
    assert "make test-containers" in commands(JOBS["containers"])
    makefile = (ROOT / "Makefile").read_text()
    assert "CONTAINER_TIER ?= test-containers" in makefile
    assert re.search(r"^test: .*\$\(CONTAINER_TIER\)$", makefile, re.MULTILINE)


def test_every_action_is_pinned_to_an_exact_version():
    uses = [step["uses"] for job in JOBS.values() for step in job["steps"] if "uses" in step]
    assert uses
    for action in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})", action), action


def test_the_jobs_run_on_the_developers_debian_and_are_bounded():
    for job in JOBS.values():
        assert job["container"]["image"] == "debian:12"
        assert job["timeout-minutes"] <= 120
