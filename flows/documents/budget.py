"""Each document is read in a worker process with a memory and a time budget.

The readers check sizes while they read, but a hostile file can find the next library
allocation no check foresaw. In a worker whose address space is capped (RLIMIT_AS) and
whose reading is timed, the worst a file can do is end its own worker: the run names the
file, keeps its bytes in the raw archive, and goes on with the next one.

A worker is a `python -m flows.documents.budget` child that reads requests from its stdin
(length-prefixed pickles) and is reused for the next document, so a document costs a
pipe round trip, not an interpreter start; only a worker that failed is replaced. A worker
ends with its parent: stdin closes, and on Linux the parent-death signal kills it even
mid-read, so no worker outlives a killed run.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import importlib
import os
import pickle
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

from flows.documents.model import ExtractError

T = TypeVar("T")

MAX_SECONDS = 120.0
# address space a worker may add to what it maps once its modules are imported
MAX_MEMORY_BYTES = 1536 * 1024 * 1024
_HEADER = struct.Struct("!Q")


class _WorkerDied(Exception):
    pass


class _Worker:
    def __init__(self, max_memory_bytes: int) -> None:
        self.max_memory_bytes = max_memory_bytes
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "flows.documents.budget", str(max_memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            close_fds=True,
        )

    def call(self, request: tuple, seconds: float) -> tuple:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        payload = pickle.dumps(request, protocol=pickle.HIGHEST_PROTOCOL)
        try:
            self.proc.stdin.write(_HEADER.pack(len(payload)) + payload)
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise _WorkerDied(str(e)) from e
        deadline = time.monotonic() + seconds
        size = _HEADER.unpack(_read_exact(self.proc.stdout, _HEADER.size, deadline))[0]
        return pickle.loads(_read_exact(self.proc.stdout, size, deadline))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                f.close()  # type: ignore[union-attr]


def _read_exact(stream: IO[bytes], n: int, deadline: float) -> bytes:
    fd = stream.fileno()
    chunks: list[bytes] = []
    while n > 0:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            raise TimeoutError
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise _WorkerDied("worker closed its output")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


class _Pool:
    """Idle workers, one taken per call (the flow reads several sources at once, in threads)."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def worker(self, max_memory_bytes: int) -> Iterator[_Worker]:
        with self._lock:
            ready = [w for w in self._idle if w.max_memory_bytes == max_memory_bytes and w.alive()]
            worker = ready[0] if ready else None
            if worker is not None:
                self._idle.remove(worker)
        worker = worker or _Worker(max_memory_bytes)
        healthy = False
        try:
            yield worker
            healthy = True
        finally:
            if healthy and worker.alive():
                with self._lock:
                    self._idle.append(worker)
            else:
                worker.stop()

    def prewarm(self, max_memory_bytes: int) -> None:
        with self._lock:
            if not any(w.max_memory_bytes == max_memory_bytes and w.alive() for w in self._idle):
                self._idle.append(_Worker(max_memory_bytes))

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for w in idle:
            w.stop()


_pool = _Pool()
# idle workers are ended and reaped when this process exits (they would end on their own at
# stdin's EOF, but unreaped: their CPU time then shows in no one's accounts)
atexit.register(_pool.close)


def prewarm(max_memory_bytes: int = MAX_MEMORY_BYTES) -> None:
    """Start a worker now (if none is idle): its start-up (an interpreter, the readers and the
    parser imported) then runs while the caller does its own before handing the first document."""
    _pool.prewarm(max_memory_bytes)


def run_within_budget(
    fn: Callable[..., T] | str,
    *args: Any,
    label: str,
    max_seconds: float = MAX_SECONDS,
    max_memory_bytes: int = MAX_MEMORY_BYTES,
    **kwargs: Any,
) -> T:
    """fn(*args, **kwargs) in a worker process; ExtractError (naming the file `label`) when it
    fails or goes over its budget. fn must be a module-level function, or its "module:name" (so
    a caller that only hands work on need not import the parser: the worker imports it)."""
    module, _, name = fn.partition(":") if isinstance(fn, str) else (fn.__module__, "", fn.__qualname__)
    request = (module, name, args, kwargs)
    with _pool.worker(max_memory_bytes) as worker:
        try:
            outcome = worker.call(request, max_seconds)
        except TimeoutError:
            worker.stop()
            raise ExtractError(
                "too_large", f"reading took over the {max_seconds:g} s budget", label
            ) from None
        except _WorkerDied:
            code = worker.proc.wait(5)
            worker.stop()
            raise ExtractError("too_large", _death(code, max_memory_bytes), label) from None
    if outcome[0] == "ok":
        return outcome[1]
    raise ExtractError(outcome[1], outcome[2], label)


def _death(exitcode: int | None, memory: int) -> str:
    if exitcode is not None and exitcode < 0:
        sig = signal.Signals(-exitcode).name
        if -exitcode == signal.SIGXCPU:
            return f"reader stopped by {sig}: over its CPU-time budget"
        return f"reader died ({sig}): probably over its {memory // 2**20} MB memory budget"
    return (
        f"reader exited ({exitcode}) without a result: probably over its {memory // 2**20} MB memory budget"
    )


# ── the worker's side ────────────────────────────────────────────────────────────────
def _mapped_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux: stdin's EOF still ends us
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _serve(max_memory_bytes: int) -> None:
    _die_with_parent()
    # the parser, imported before the cap (by name: the worker serves whatever step hands it
    # work, so the documents layer does not import the steps above it). A format's library is
    # imported when a file of that format first arrives, under the cap: its mapping counts
    # against the budget (pdfium + pdfplumber ~30 MB, numpy + PIL for OCR ~140 MB of 1.5 GB),
    # and a worker that never sees a PDF never pays for them
    importlib.import_module("flows.reports.extract")

    with contextlib.suppress(OSError, ValueError):
        limit = _mapped_bytes() + max_memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a library that prints must not corrupt the protocol
    while True:
        header = stdin.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return  # the parent is gone or done
        module, name, args, kwargs = pickle.loads(stdin.read(_HEADER.unpack(header)[0]))
        try:
            fn = getattr(importlib.import_module(module), name)
            outcome: tuple = ("ok", fn(*args, **kwargs))
        except ExtractError as e:
            outcome = ("error", e.kind, e.message)
        except MemoryError:
            outcome = (
                "error",
                "too_large",
                f"needed more than the {max_memory_bytes // 2**20} MB memory budget",
            )
        except Exception as e:  # a reader bug: the file is named and kept, the run goes on
            outcome = ("error", "corrupt", f"unreadable ({type(e).__name__}: {e})")
        del args, kwargs
        try:
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("error", "too_large", "result too large for the memory budget"))
        stdout.write(_HEADER.pack(len(payload)) + payload)
        stdout.flush()
        if outcome[0] == "error" and outcome[1] == "too_large":
            return  # a worker that ran out of memory may be in a bad state: a fresh one next


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
