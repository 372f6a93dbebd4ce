"""The batch engine: run thousands of prompts through a provider, crash-safe and resumable.

``RunController(run_dir, settings, provider_factory, analyzer=None)`` runs the jobs of a run
directory (see :mod:`core.batch.rundir`) with a bounded pool of worker coroutines; its
``events`` (psygnal) tell the GUI and CLI what changed. docs/batch.md has the details.
"""

from core.batch.analysis import AnalysisError, Analyzer, pool_analyzer, read_scores
from core.batch.budget import Budget
from core.batch.events import PauseReason, Phase, RunEvents, RunState
from core.batch.policy import RetryPolicy, Verdict, classify
from core.batch.reconcile import Reconciled, reconcile
from core.batch.rundir import RunDir, RunDirError, new_run_dir
from core.batch.runner import RunController

__all__ = [
    "AnalysisError",
    "Analyzer",
    "Budget",
    "PauseReason",
    "Phase",
    "Reconciled",
    "RetryPolicy",
    "RunController",
    "RunDir",
    "RunDirError",
    "RunEvents",
    "RunState",
    "Verdict",
    "classify",
    "new_run_dir",
    "pool_analyzer",
    "read_scores",
    "reconcile",
]
