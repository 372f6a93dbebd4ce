"""SQL for the GUI's views: filters, sorts, and the page/count/worst queries built from them.

Only whitelisted columns reach SQL text; every value is a bound parameter. Sorts always end
on ``seq`` so pages are stable, and each sort key has an index (or is cheap) at 100k rows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from core.store.schema import JOB_COLUMNS
from core.store.states import JobState

SELECT_JOBS = f"SELECT {', '.join(JOB_COLUMNS)} FROM jobs"


class SortKey(enum.StrEnum):
    """Columns the table can sort on."""

    SEQ = "seq"
    """Enqueue order (the default)."""
    STATE = "state"
    SCORE = "score_overall"
    """Worst (highest) first when descending; jobs without a score sort as lowest."""
    UPDATED = "rev"
    """Most recently changed."""
    COST = "cost_usd"


@dataclass(frozen=True)
class JobFilter:
    """Which jobs a view shows; empty fields do not filter."""

    states: tuple[JobState, ...] = ()
    text: str = ""
    """Case-insensitive substring of the prompt (ASCII case folding, SQLite LIKE)."""
    category: str | None = None


@dataclass(frozen=True)
class JobSort:
    """How a view orders its jobs."""

    key: SortKey = SortKey.SEQ
    descending: bool = False


def where_clause(flt: JobFilter) -> tuple[str, list[Any]]:
    """``WHERE ...`` (or ``""``) and its parameters for a filter."""
    parts: list[str] = []
    params: list[Any] = []
    if flt.states:
        parts.append(f"state IN ({', '.join('?' * len(flt.states))})")
        params.extend(str(s) for s in flt.states)
    if flt.text:
        parts.append("prompt LIKE ? ESCAPE '\\'")
        params.append(f"%{escape_like(flt.text)}%")
    if flt.category is not None:
        parts.append("category = ?")
        params.append(flt.category)
    return (f" WHERE {' AND '.join(parts)}" if parts else ""), params


def order_clause(sort: JobSort) -> str:
    """``ORDER BY ...`` for a sort, with ``seq`` as the tie-breaker."""
    direction = "DESC" if sort.descending else "ASC"
    if sort.key is SortKey.SEQ:
        return f" ORDER BY seq {direction}"
    return f" ORDER BY {sort.key} {direction}, seq {direction}"


def escape_like(text: str) -> str:
    """Escape LIKE's wildcards so the user's ``%`` and ``_`` match themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
