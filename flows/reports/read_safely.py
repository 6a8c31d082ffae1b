"""One document read and parsed in the budget worker, never raising: the light half of
flows/reports/extract.py. `govperf extract` only hands documents on and prints what comes back,
so it imports this, not the readers and the parser (the worker imports those, by name)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flows.documents.budget import run_within_budget
from flows.documents.model import ExtractError

if TYPE_CHECKING:
    from flows.contract.report import Report

# what the worker runs, by name (importing it here would import every reader in this process)
READ_AND_PARSE = "flows.reports.extract:reports_from_bytes"


def safe_call(
    fn: Callable[..., list[Report]] | str, label: str, *args: object, **kwargs: object
) -> tuple[list[Report], ExtractError | None]:
    """fn(*args, **kwargs) in a budget worker (flows/documents/budget.py), never raising: a
    reader's unexpected failure is `corrupt`, naming the file `label`. fn may be given as
    "module:name", so the caller need not import it."""
    try:
        return run_within_budget(fn, *args, label=label, **kwargs), None
    except ExtractError as e:
        return [], e
    except Exception as e:  # a reader bug must not stop the run; the file is kept and listed
        return [], ExtractError("corrupt", f"{type(e).__name__}: {e}", label)


def safe_reports_from_bytes(data: bytes, **kwargs: object) -> tuple[list[Report], ExtractError | None]:
    """Like flows.reports.extract.reports_from_bytes, but never raises, and the reading runs in
    a worker under the document budget."""
    return safe_call(READ_AND_PARSE, str(kwargs.get("name", "")), data, **kwargs)
