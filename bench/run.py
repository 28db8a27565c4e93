"""Run every benchmark in bench/ in turn; each prints its own table.

    ./platform bench                 # all of them
    ./platform bench wms ogcapi      # some of them
Options after -- go to every script: ``-- --scale 1`` for all, a script's own options with it alone.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOT_BENCHMARKS = {"__init__", "common", "run"}


def main(argv: list[str]) -> int:
    names, extra = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    available = sorted(p.stem for p in HERE.glob("*.py") if p.stem not in NOT_BENCHMARKS)
    unknown = [n for n in names if n not in available]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available)}")
        return 2
    failed = []
    for name in names or available:
        print(f"\n## bench/{name}.py\n", flush=True)
        if subprocess.run([sys.executable, str(HERE / f"{name}.py"), *extra], cwd=HERE.parent).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
