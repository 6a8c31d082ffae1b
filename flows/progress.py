"""Progress of the steps, for interactive runs: (task label, steps done, total or None).

The CLI sets a hook to draw rich progress bars; in a scheduled run nobody listens. A module
global, not a parameter: the steps run inside Prefect tasks, whose arguments are recorded and
must not be callables.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

ProgressHook = Callable[[str, int, int | None], None]
_progress: ProgressHook | None = None
_progress_lock = threading.Lock()


def set_progress(hook: ProgressHook | None) -> None:
    global _progress
    with _progress_lock:
        _progress = hook


def progress(label: str, advance: int = 1, total: int | None = None) -> None:
    hook = _progress
    if hook is not None:
        hook(label, advance, total)
