"""PyInstaller entry script: the frozen app starts the GUI exactly as ``make run`` does."""

import sys

from gui.app import main

if __name__ == "__main__":
    sys.exit(main())
