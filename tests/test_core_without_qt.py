"""Every core module imports in a process where Qt cannot be imported at all.

import-linter checks the static imports; this catches dynamic ones (importlib, plugins) and
proves the CLI, batch engine and analysis can run on a machine without Qt.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class BlockQt:
        BLOCKED = ("PySide6", "qasync", "pyqtgraph", "superqt", "gui")
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in self.BLOCKED:
                raise ImportError(f"{name} is blocked: core must not import Qt")
            return None

    sys.meta_path.insert(0, BlockQt())
    import core
    names = [m.name for m in pkgutil.walk_packages(core.__path__, "core.")]
    for name in names:
        if not name.endswith("__main__"):
            importlib.import_module(name)
    from core.cli import build_parser
    build_parser()
    print(len(names))
    """
)


def test_all_core_modules_import_without_qt():
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 10
