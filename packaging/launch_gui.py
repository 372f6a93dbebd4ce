"""PyInstaller entry script: the frozen app starts the GUI exactly as ``make run`` does."""

import multiprocessing
import sys

from gui.app import main

if __name__ == "__main__":
    # The analysis pool spawns worker processes; in a frozen app they re-run this executable.
    multiprocessing.freeze_support()
    sys.exit(main())
