"""The whole product as `make run` starts it (moto server, three services, Nginx gateway with
the built frontend) on free ports, and Debian's Chromium driven by Playwright."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
# Without these, Chromium keeps calling home, and this closed network refuses every call.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
E2E_UPLOAD_LIMIT = 5 * 1024 * 1024


def _load_stack_module():
    spec = importlib.util.spec_from_file_location("scloud_stack", ROOT / "scripts" / "stack.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    stack_module = _load_stack_module()
    stack = stack_module.Stack(
        run_dir=tmp_path_factory.mktemp("stack"),
        ports=stack_module.Ports.free(),
        max_upload_bytes=E2E_UPLOAD_LIMIT,
    )
    try:
        stack.start()
    except RuntimeError as exc:
        logs = "\n".join(
            f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted((stack.run_dir / "logs").glob("*.log"))
        )
        pytest.fail(f"stack did not start: {exc}\n{logs}")
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
