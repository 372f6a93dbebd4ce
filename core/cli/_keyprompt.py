"""Ask for a missing key on the terminal and offer to save it to ``.env`` (mode 0600)."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from pathlib import Path

from core.config import save_env_values
from core.secrets import Secret


def prompt_for_secret(
    var: str,
    env_path: Path,
    ask: Callable[[str], str] = getpass.getpass,
    confirm: Callable[[str], str] = input,
    interactive: bool | None = None,
) -> Secret | None:
    """Ask for ``var`` without echo when stdin is a terminal; return it or ``None``.

    ``None`` means no terminal or an empty answer: the caller then explains how to set the
    key. When the user agrees, the value is saved to ``env_path`` (mode 0600).
    """
    if not (sys.stdin.isatty() if interactive is None else interactive):
        return None
    value = ask(f"{var} is not set. Paste it (input hidden), or press Enter to skip: ").strip()
    if not value:
        return None
    secret = Secret(value)
    answer = confirm(f"Save {var} to {env_path} (readable only by you)? [y/N] ")
    if answer.strip().lower() in ("y", "yes"):
        save_env_values(env_path, {var: value})
        print(f"saved {var} ({secret.masked()}) to {env_path}", file=sys.stderr)
    return secret
