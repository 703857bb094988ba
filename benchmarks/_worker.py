"""One client variant in a fresh process: `python -m benchmarks._worker MODULE VARIANT ARGS`.

A fresh process per run keeps peak RSS and CPU figures to that variant alone. The variant's
coroutine gets ARGS (JSON) as keyword arguments and its JSON-able result goes to stdout.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
from typing import Any


def run_variant(module: str, variant: str, **args: Any) -> dict[str, Any]:
    """Run `variant` of `benchmarks.<module>` in a child process and return its result."""
    command = [sys.executable, "-m", "benchmarks._worker", module, variant, json.dumps(args)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{module}/{variant} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    module, variant, args = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    variants = importlib.import_module(f"benchmarks.{module}").VARIANTS
    result = asyncio.run(variants[variant](**args))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
