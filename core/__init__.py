"""Torture Chamber core: everything that works without Qt.

Config, provider clients and the simulator, the job store and batch runner, video I/O,
defect analysis, reports, roasts and the CLI. This package never imports Qt (an
import-linter contract in ``make test`` enforces it).
"""

__version__ = "0.1.0"
