"""The whole product as `make run` starts it (moto server, three services, Nginx gateway with
the built frontend) on free ports, and Debian's Chromium driven by Playwright."""

import importlib.util
import shutil
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
def stack_module():
    return _load_stack_module()


@pytest.fixture(scope="session")
def private_clone(tmp_path_factory) -> Path:
    """A clone in a private (0700) folder, as root's home or `mktemp -d` make one: its built
    frontend and its run folder are out of reach of any other user, nginx's workers included."""
    clone = tmp_path_factory.mktemp("private-clone")
    shutil.copytree(ROOT / "frontend" / "dist", clone / "frontend" / "dist")
    clone.chmod(0o700)
    return clone


def run_from_private_clone(stack_module, clone: Path, run_name: str, **options):
    """A stack on free ports, running from the private clone, stopped when the session ends."""
    stack = stack_module.Stack(
        run_dir=clone / run_name,
        ports=stack_module.Ports.free(),
        max_upload_bytes=E2E_UPLOAD_LIMIT,
        frontend_dist=clone / "frontend" / "dist",
        **options,
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
def stack(stack_module, private_clone):
    yield from run_from_private_clone(stack_module, private_clone, ".run")


@pytest.fixture(scope="session")
def lone_gateway(stack_module, private_clone):
    """The gateway in front of services that are all down."""
    yield from run_from_private_clone(stack_module, private_clone, ".run-lone-gateway", with_services=False)


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
