"""Run every benchmark and write docs/benchmarks.md (machine, versions, date, figures).

Run: ``python benchmarks/run_all.py [--quick]``. Each benchmark also runs on its own:
``python benchmarks/<name>.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time

import ack_latency
import digest_scaling
import first_request
import queries_per_command
import sweep_scale
import web_memory
from common import table, verdict, write_machine, write_section

BENCHMARKS = [
    ("1. ack latency", ack_latency.main),
    ("2. queries per command", queries_per_command.main),
    ("3. digest / status scaling", digest_scaling.main),
    ("4. scheduler sweep", sweep_scale.main),
    ("5. web memory", web_memory.main),
    ("6. first request", first_request.main),
]


def main() -> None:
    """Run them all in order; a failing benchmark is reported and the rest still run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="short runs (about 3 minutes)")
    args = parser.parse_args()
    argv = ["--quick"] if args.quick else []
    started = time.monotonic()
    rows: list[list[str]] = []
    for name, run in BENCHMARKS:
        print(f"=== {name}", flush=True)
        began = time.monotonic()
        try:
            checks = run(argv).get("checks", {})
            for check, ok in checks.items():
                rows.append([name, check, verdict(bool(ok))])
        except Exception as exc:  # the others still run; the failure is in the report
            print(f"{name} FAILED: {type(exc).__name__}: {exc}", flush=True)
            rows.append([name, f"benchmark failed: {type(exc).__name__}: {exc}", "**ERROR**"])
        print(f"=== {name}: {time.monotonic() - began:.0f} s", flush=True)
    total = time.monotonic() - started
    mode = "--quick" if args.quick else "full"
    write_machine(f"- Last `run_all.py` ({mode}) took {total:.0f} s")
    summary = table(["benchmark", "target", "result"], rows)
    write_section("summary", f"## Summary of targets ({mode} run)\n\n{summary}")
    print(f"all done in {total:.0f} s")


if __name__ == "__main__":
    main()
