"""Report files: JSON/CSV/NPZ per clip, a self-contained HTML page, and the batch summary."""

from core.reports.json_csv import load_report, write_report
from core.reports.summary import write_summary

__all__ = ["load_report", "write_report", "write_summary"]
