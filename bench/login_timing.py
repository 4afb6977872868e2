"""Two measures of sign-in, through the real auth and users services on SQLite, as `make run` starts
them (scripts/stack.py, no gateway):

1. Does a failed login reveal whether the email has an account? How long a wrong password and an
   unknown email take to answer 401, and the ratio of their medians (1.0 = indistinguishable).
2. How many sign-ins per second one auth task holds: `--clients` parallel clients sign in with
   the right password for `--seconds`; the rate is compared with what the bcrypt pool alone does
   in the same go (same cost, same workers), the baseline, and the load average is printed.

    .venv/bin/python bench/login_timing.py [--rounds 30] [--clients 8] [--seconds 15]
"""

import argparse
import asyncio
import importlib
import os
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from scloud_auth.config import AuthSettings
from scloud_common.password_hash import BcryptPasswordHasher

ROOT = Path(__file__).resolve().parent.parent


def load_stack_module():
    """scripts.stack: a bench runs as `python bench/<name>.py`, so the repository root, which
    holds the `scripts` package, is put on the path first."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module("scripts.stack")


def timed_login(client: httpx.Client, email: str, password: str) -> float:
    started = time.perf_counter()
    response = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    elapsed = time.perf_counter() - started
    assert response.status_code == 401, response.text
    return elapsed


def sign_ins_per_second(base_url: str, emails: list[str], seconds: float) -> tuple[float, int]:
    """Right-password sign-ins answered 200 per second, and how many other answers came."""
    deadline = time.monotonic() + seconds
    counts = {"ok": 0, "other": 0}

    def sign_in_until_deadline(email: str) -> None:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            while time.monotonic() < deadline:
                status = client.post(
                    "/api/v1/auth/login", json={"email": email, "password": "Right pass 1"}
                ).status_code
                counts["ok" if status == 200 else "other"] += 1

    started = time.monotonic()
    with ThreadPoolExecutor(len(emails)) as pool:
        list(pool.map(sign_in_until_deadline, emails))
    return counts["ok"] / (time.monotonic() - started), counts["other"]


async def bcrypt_checks_per_second(seconds: float, clients: int) -> float:
    """The baseline: password checks per second of the bcrypt pool alone, as auth configures it."""
    defaults = AuthSettings.model_fields
    hasher = BcryptPasswordHasher(
        defaults["bcrypt_rounds"].default, workers=defaults["password_hash_workers"].default, max_waiting=clients
    )
    password_hash = await hasher.hash("Right pass 1")
    deadline = time.monotonic() + seconds
    done = 0

    async def check_until_deadline() -> None:
        nonlocal done
        while time.monotonic() < deadline:
            await hasher.verify("Right pass 1", password_hash)
            done += 1

    started = time.monotonic()
    await asyncio.gather(*(check_until_deadline() for _ in range(clients)))
    await hasher.close()
    return done / (time.monotonic() - started)


def register_accounts(client: httpx.Client, count: int) -> list[str]:
    emails = [f"bench-{uuid.uuid4().hex[:8]}@example.com" for _ in range(count)]
    for email in emails:
        registered = client.post(
            "/api/v1/auth/register", json={"email": email, "username": "Bench", "password": "Right pass 1"}
        )
        assert registered.status_code == 201, registered.text
    return emails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30, help="logins of each kind")
    parser.add_argument("--clients", type=int, default=8, help="parallel clients signing in")
    parser.add_argument("--seconds", type=float, default=15, help="how long they sign in")
    arguments = parser.parse_args()
    rounds = arguments.rounds
    stack_module = load_stack_module()
    with tempfile.TemporaryDirectory() as run_dir:
        stack = stack_module.Stack(Path(run_dir), stack_module.Ports.free(), with_gateway=False)
        stack.start()
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{stack.ports.auth_http}", timeout=30) as client:
                # One account per round: five failures in a row would lock an account (429).
                emails = register_accounts(client, rounds)
                wrong_password, unknown_email = [], []
                for round_number, email in enumerate(emails):  # interleaved, so load drifts hit both alike
                    wrong_password.append(timed_login(client, email, "Wrong pass 1"))
                    unknown_email.append(timed_login(client, f"nobody-{round_number}@example.com", "Wrong pass 1"))
                signing_in = register_accounts(client, arguments.clients)
                load_before = os.getloadavg()[0]
                rate, other_answers = sign_ins_per_second(str(client.base_url), signing_in, arguments.seconds)
        finally:
            stack.stop()
    baseline = asyncio.run(bcrypt_checks_per_second(arguments.seconds, arguments.clients))
    wrong, unknown = statistics.median(wrong_password), statistics.median(unknown_email)
    print(f"{rounds} rounds each (bcrypt cost 12)")
    print(f"wrong password: median {wrong * 1000:.1f} ms")
    print(f"unknown email:  median {unknown * 1000:.1f} ms")
    print(f"ratio unknown/wrong: {unknown / wrong:.2f}")
    print(f"load average (1 min) before the sign-in run: {load_before:.2f} on {os.cpu_count()} cores")
    print(f"sign-ins: {rate:.1f}/s with {arguments.clients} clients ({other_answers} other answers)")
    print(f"bcrypt pool alone (baseline): {baseline:.1f} checks/s")
    print(f"ratio sign-ins/baseline: {rate / baseline:.2f}")


if __name__ == "__main__":
    main()
