"""Does a failed login reveal whether the email has an account? Measures, through the real auth
and users services (moto server behind them), how long a wrong password and an unknown email
take to answer 401, and prints the ratio of their medians (1.0 = indistinguishable).

    .venv/bin/python bench/login_timing.py [--rounds 30]
"""

import argparse
import importlib
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def load_stack_module():
    """scripts.stack: a bench runs as `python bench/<name>.py`, so the repository root, which
    holds the `scripts` package, is put on the path first."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("scripts.stack")


def timed_login(client: httpx.Client, email: str, password: str) -> float:
    started = time.perf_counter()
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    elapsed = time.perf_counter() - started
    assert response.status_code == 401, response.text
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30, help="logins of each kind")
    rounds = parser.parse_args().rounds
    stack_module = load_stack_module()
    with tempfile.TemporaryDirectory() as run_dir:
        stack = stack_module.Stack(Path(run_dir), stack_module.Ports.free(), with_gateway=False)
        stack.start()
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.auth_http}", timeout=30) as client:
                # One account per round: five failures in a row would lock an account (429).
                emails = [f"bench-{uuid.uuid4().hex[:8]}@example.com" for _ in range(rounds)]
                for email in emails:
                    registered = client.post(
                        "/api/auth/register", json={"email": email, "username": "Bench", "password": "Right pass 1"}
                    )
                    assert registered.status_code == 201, registered.text
                wrong_password, unknown_email = [], []
                for round_number, email in enumerate(emails):  # interleaved, so load drifts hit both alike
                    wrong_password.append(timed_login(client, email, "Wrong pass 1"))
                    unknown_email.append(timed_login(client, f"nobody-{round_number}@example.com", "Wrong pass 1"))
        finally:
            stack.stop()
    wrong, unknown = statistics.median(wrong_password), statistics.median(unknown_email)
    print(f"{rounds} rounds each (bcrypt cost 12)")
    print(f"wrong password: median {wrong * 1000:.1f} ms")
    print(f"unknown email:  median {unknown * 1000:.1f} ms")
    print(f"ratio unknown/wrong: {unknown / wrong:.2f}")


if __name__ == "__main__":
    main()
