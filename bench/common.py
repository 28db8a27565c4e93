"""What every benchmark shares: timing, percentiles, a served platform, wrk, and the table.

Every bench script prints one table with the columns
``what | how many | median | p95 | peer | ratio`` so results read the same everywhere.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
WORKERS = (os.cpu_count() or 2) * 2 + 1  # gunicorn.conf.py's default: as ./platform up serves

__all__ = [
    "Row", "Table", "timed", "percentile", "ms", "median_p95", "Served", "served",
    "served_geoshare", "wrk", "WrkResult", "RssSampler", "django_setup", "wait_for_http",
    "WORKERS", "arguments", "ensure_demo",
]


def django_setup() -> None:
    """Configure Django for a bench script run from the repository root."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "geoshare.settings")
    import django

    django.setup()


def arguments(description: str, scale: float = 10) -> argparse.ArgumentParser:
    """The options every script takes, so ``./platform bench -- --scale 10`` reaches them all.

    ``--scale`` is the demo city's size: scripts that read it load it at that scale when the
    database has none; a script that makes its own data ignores it.
    """
    parser = argparse.ArgumentParser(description=description.strip().splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=scale,
        help=f"demo city scale, loaded when the database has none (default {scale:g})",
    )
    return parser


def ensure_demo(scale: float) -> None:
    """Load the demo city at ``scale`` unless it is there (``load_demo`` keeps what is loaded)."""
    from django.core.management import call_command

    call_command("load_demo", "--scale", f"{scale:g}")


@dataclass
class Row:
    what: str
    count: str
    median: str
    p95: str = "-"
    peer: str = "-"
    ratio: str = "-"


@dataclass
class Table:
    title: str
    rows: list[Row] = field(default_factory=list)

    def add(self, *args, **kwargs) -> None:
        self.rows.append(Row(*args, **kwargs))

    def render(self) -> str:
        header = Row("what", "how many", "median", "p95", "peer", "ratio")
        rows = [header, *self.rows]
        columns = list(zip(*[
            (r.what, r.count, r.median, r.p95, r.peer, r.ratio) for r in rows
        ]))
        widths = [max(_width(cell) for cell in column) for column in columns]

        def line(r: Row) -> str:
            cells = (r.what, r.count, r.median, r.p95, r.peer, r.ratio)
            return "| " + " | ".join(_pad(c, w) for c, w in zip(cells, widths)) + " |"

        rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
        return "\n".join([f"### {self.title}", "", line(header), rule, *map(line, self.rows)])

    def print(self) -> None:
        print(self.render(), flush=True)


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(call: Callable[[], object], repeat: int, warmup: int = 2) -> list[float]:
    """Seconds taken by each of ``repeat`` calls, after ``warmup`` untimed ones."""
    for _ in range(warmup):
        call()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def median_p95(times: list[float]) -> tuple[str, str]:
    return ms(statistics.median(times)), ms(percentile(times, 95))


def wait_for_http(url: str, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status < 500:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout} s")
        time.sleep(0.3)


@dataclass(frozen=True)
class Served:
    url: str  # base URL, no trailing slash
    pid: int  # the server's master process: RssSampler(pid) measures its workers


@contextlib.contextmanager
def served(command: list[str], port: int, health_path: str, cwd: Path = ROOT,
           env: dict | None = None) -> Iterator[Served]:
    """A server process on 127.0.0.1:port for the duration of the block."""
    process = subprocess.Popen(
        command, cwd=cwd, env={**os.environ, **(env or {})}, start_new_session=True
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(base + health_path, process=process)
        yield Served(base, process.pid)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def served_geoshare(port: int = 8190, workers: int | None = None, threads: int | None = None,
                    env: dict | None = None):
    """gunicorn serving this checkout with ./platform up's gunicorn.conf.py."""
    settings = {**(env or {}), "GEOSHARE_BIND": f"127.0.0.1:{port}", "GEOSHARE_ACCESS_LOG": ""}
    if workers:
        settings["GEOSHARE_WORKERS"] = str(workers)
    if threads:
        settings["GEOSHARE_THREADS"] = str(threads)
    return served(
        [str(VENV_BIN / "gunicorn"), "geoshare.wsgi", "--config", str(ROOT / "gunicorn.conf.py"),
         "--log-level", "warning"],
        port, "/health", env=settings,
    )


@dataclass
class WrkResult:
    requests_per_second: float
    p50: float  # seconds
    p95: float
    requests: int
    errors: int


_WRK_SCRIPT = """
done = function(summary, latency, requests)
  io.write(string.format("P50 %d\\nP95 %d\\nREQUESTS %d\\nERRORS %d\\n",
    latency:percentile(50), latency:percentile(95), summary.requests,
    summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.status + summary.errors.timeout))
end
"""


def wrk(url: str, connections: int, seconds: int = 10, threads: int | None = None) -> WrkResult:
    """Load ``url`` with wrk (Debian package) and return throughput and latency percentiles."""
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed: run ./platform bench (it installs BENCH_PACKAGES)")
    threads = threads or min(connections, 2)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT)
    try:
        out = subprocess.run(
            ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
             "--timeout", "30s", "-s", script.name, url],
            capture_output=True, text=True, check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    values = dict(re.findall(r"^(P50|P95|REQUESTS|ERRORS) (\d+)$", out, re.M))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return WrkResult(rps, int(values["P50"]) / 1e6, int(values["P95"]) / 1e6,
                     int(values["REQUESTS"]), int(values["ERRORS"]))


class RssSampler:
    """Peak resident memory of a process and its children, sampled in the background."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak = pid, every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.largest_rss())
            time.sleep(self.every)

    def largest_rss(self) -> int:
        """RSS in bytes of the largest process in the tree (one server worker)."""
        largest = 0
        for pid in _tree(self.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmRSS:\s+(\d+) kB", status)
            if match:
                largest = max(largest, int(match.group(1)) * 1024)
        return largest


def _tree(pid: int) -> list[int]:
    pids, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        try:
            children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            pids.append(child)
            frontier.append(child)
    return pids
