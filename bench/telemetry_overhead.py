"""What metrics and traces cost (step 13): two stacks as `make run` starts them (SeaweedFS, the
three services on SQLite, Nginx), one with telemetry on (Prometheus metrics, OpenTelemetry spans
for every HTTP route, gRPC call and AWS call; no collector, so spans are made and dropped) and
one with `<PREFIX>_TELEMETRY=false`, both running through the whole run so each round meets the
same machine.

Each round measures, on each stack, the order swapped every round:
- the small-file upload rate: `--uploads` 4 KiB files through the gateway's
  `POST /api/v1/files/upload`, UPLOAD_CONCURRENCY at once (bench/embedded.py's client);
- `/api/v1/users/me` latency: the median of `--reads` sequential requests.

Target: the median over rounds of on/off for the upload rate, and of off/on for the latency,
at least 0.95.

    .venv/bin/python bench/telemetry_overhead.py [--rounds 7] [--uploads 200] [--reads 200]
"""

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

import httpx
from embedded import UPLOAD_CONCURRENCY, load, read_profile, register, run_parallel, timed, upload

ROOT = Path(__file__).resolve().parent.parent
# A bench runs as `python bench/<name>.py`: the repository root holds the `scripts` package.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
from scripts.stack import Ports, Stack  # noqa: E402

TARGET = 0.95


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="rounds (each stack measured once per round)")
    parser.add_argument("--uploads", type=int, default=200, help="4 KiB uploads per stack and round")
    parser.add_argument("--reads", type=int, default=200, help="/api/v1/users/me requests per stack and round")
    return parser.parse_args()


def measure_round(stack_client: httpx.Client, account, uploads: int, reads: int, round_: int) -> tuple[float, float]:
    """Uploads per second, and the median seconds of /api/v1/users/me, on one stack."""
    rate = run_parallel(
        lambda index: upload(stack_client, account, f"r{round_:02d}-{index:05d}.bin"), uploads, UPLOAD_CONCURRENCY
    )
    latency = statistics.median(timed(lambda: read_profile(stack_client, account)) for _ in range(reads))
    return rate, latency


def main() -> None:
    args = parse_arguments()
    print(f"load average at start: {load()} on {os.cpu_count()} cores")
    with (
        tempfile.TemporaryDirectory(prefix="scloud-bench-on-") as on_dir,
        tempfile.TemporaryDirectory(prefix="scloud-bench-off-") as off_dir,
    ):
        stacks = {"on": Stack(Path(on_dir), Ports.free()), "off": Stack(Path(off_dir), Ports.free(), telemetry=False)}
        try:
            for stack in stacks.values():
                stack.start()
            clients = {name: httpx.Client(base_url=stack.url, timeout=60) for name, stack in stacks.items()}
            accounts = {name: register(client, f"telemetry-{name}") for name, client in clients.items()}
            # Warm each stack: connections, caches, the first request's imports.
            for name in stacks:
                measure_round(clients[name], accounts[name], 20, 20, -1)
            rates: dict[str, list[float]] = {"on": [], "off": []}
            latencies: dict[str, list[float]] = {"on": [], "off": []}
            for round_ in range(args.rounds):
                order = ["on", "off"] if round_ % 2 == 0 else ["off", "on"]
                for name in order:
                    rate, latency = measure_round(clients[name], accounts[name], args.uploads, args.reads, round_)
                    rates[name].append(rate)
                    latencies[name].append(latency)
                print(
                    f"round {round_ + 1}: uploads/s on {rates['on'][-1]:.0f} off {rates['off'][-1]:.0f}; "
                    f"/api/v1/users/me ms on {latencies['on'][-1] * 1000:.2f} off {latencies['off'][-1] * 1000:.2f} "
                    f"[load {load()}]",
                    flush=True,
                )
            for client in clients.values():
                client.close()
        finally:
            for stack in stacks.values():
                stack.stop()
    upload_ratios = [on / off for on, off in zip(rates["on"], rates["off"], strict=True)]
    latency_ratios = [off / on for on, off in zip(latencies["on"], latencies["off"], strict=True)]
    for title, ratios in (("upload rate on/off", upload_ratios), ("/api/v1/users/me speed on/off", latency_ratios)):
        shown = ", ".join(f"{ratio:.2f}" for ratio in ratios)
        print(f"{title}: median {statistics.median(ratios):.2f} ({shown}; target >= {TARGET})")
    print(f"load average at the end: {load()}")


if __name__ == "__main__":
    main()
