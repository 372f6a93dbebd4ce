"""The job store: one SQLite database (``run.db``, WAL) per run directory, one row per job.

See :mod:`core.store.states` for the state machine and docs/batch.md for the run layout.
"""

from core.store.jobstore import DB_NAME, JobStore, open_store
from core.store.queries import JobFilter, JobSort, SortKey
from core.store.records import Changes, Job, Scores, Spend
from core.store.schema import SCHEMA_VERSION, SchemaError
from core.store.states import (
    BILLABLE,
    IN_FLIGHT,
    LEGAL,
    SETTLED,
    TERMINAL,
    UNFINISHED,
    FailReason,
    IllegalTransition,
    JobState,
    is_legal,
    retry_target,
)

__all__ = [
    "BILLABLE",
    "DB_NAME",
    "IN_FLIGHT",
    "LEGAL",
    "SCHEMA_VERSION",
    "SETTLED",
    "TERMINAL",
    "UNFINISHED",
    "Changes",
    "FailReason",
    "IllegalTransition",
    "Job",
    "JobFilter",
    "JobSort",
    "JobState",
    "JobStore",
    "SchemaError",
    "Scores",
    "SortKey",
    "Spend",
    "is_legal",
    "open_store",
    "retry_target",
]
