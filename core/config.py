"""One typed settings object, read from the environment, a ``.env`` file and defaults.

Precedence (first wins): the process environment, ``./.env`` (the working directory), the
user config dir's ``.env`` (platformdirs), then the defaults below. Every setting remembers
where its value came from so that an invalid value is reported as
``TC_CONCURRENCY='abc' (from /home/me/.env): must be a whole number``.

Secrets (the xAI key, X credentials) are :class:`core.secrets.Secret` objects: they never
appear in ``repr``, logs or reports.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import platformdirs
from dotenv import dotenv_values

from core import spec
from core.logs import APP_NAME
from core.secrets import Secret

DEFAULT_SOURCE = "default"
ENV_SOURCE = "environment"


class ConfigError(ValueError):
    """A setting has an invalid value; the message names the variable and its source."""

    def __init__(self, var: str, value: str, source: str, reason: str) -> None:
        self.var, self.value, self.source, self.reason = var, value, source, reason
        shown = "***" if var in SECRET_VARS else repr(value)
        super().__init__(f"{var}={shown} (from {source}): {reason}")


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise ValueError("must be a whole number") from None
        if not low <= value <= high:
            raise ValueError(f"must be between {low} and {high}")
        return value

    return parse


def _positive_float(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError("must be a number") from None
    if not value > 0:
        raise ValueError("must be greater than 0")
    return value


def _one_of(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text.strip() not in choices:
            raise ValueError(f"must be one of {', '.join(choices)}")
        return text.strip()

    return parse


def _non_empty(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text.strip()


def _url(text: str) -> str:
    if not re.match(r"^https?://[^\s/]+", text.strip()):
        raise ValueError("must be an http(s) URL")
    return text.strip().rstrip("/")


def parse_jitter(text: str) -> tuple[float, float]:
    """Parse ``"1-5"`` (a range), ``"2"`` (fixed) or ``"0"`` (off) into (low_s, high_s)."""
    parts = text.strip().split("-")
    try:
        low, high = (float(parts[0]), float(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        low = high = None
    if low is None or high is None or low < 0 or high < low:
        raise ValueError("must be seconds as a range like 1-5, a single number, or 0 for off")
    return (low, high)


def _device(text: str) -> str:
    value = text.strip().lower()
    if value in ("auto", "cpu", "cuda") or re.fullmatch(r"cuda:\d+", value):
        return value
    raise ValueError("must be auto, cpu, cuda or cuda:N")


def _path(text: str) -> Path:
    return Path(os.path.expanduser(text.strip()))


def _secret(text: str) -> Secret | None:
    return Secret(text.strip()) if text.strip() else None


@dataclass(frozen=True)
class Var:
    """How one environment variable maps onto a settings field."""

    name: str
    attr: str
    parse: Callable[[str], Any]
    default: str
    help: str


def _default_download_dir() -> str:
    return str(Path(platformdirs.user_videos_dir()) / "Torture Chamber")


VARS: tuple[Var, ...] = (
    Var(
        "XAI_API_KEY",
        "xai_api_key",
        _secret,
        "",
        "xAI API key (https://console.x.ai). Empty: the app uses its built-in local simulator.",
    ),
    Var(
        "XAI_BASE_URL",
        "xai_base_url",
        _url,
        "https://api.x.ai/v1",
        "Base URL of the video API. Point it at the simulator (http://127.0.0.1:PORT/v1) to test.",
    ),
    Var("TC_MODEL", "model", _non_empty, spec.DEFAULT_MODEL, "Video model name."),
    Var(
        "TC_DURATION",
        "duration_s",
        _int_in(spec.DURATION_MIN_S, spec.DURATION_MAX_S),
        str(spec.DEFAULT_DURATION_S),
        "Default clip length in seconds (1-15).",
    ),
    Var(
        "TC_ASPECT_RATIO",
        "aspect_ratio",
        _one_of(spec.ASPECT_RATIOS),
        spec.DEFAULT_ASPECT_RATIO,
        "Default aspect ratio: " + ", ".join(spec.ASPECT_RATIOS) + ".",
    ),
    Var(
        "TC_RESOLUTION",
        "resolution",
        _one_of(spec.RESOLUTIONS),
        spec.DEFAULT_RESOLUTION,
        "Default resolution: 480p, 720p or 1080p (1080p only on models that offer it).",
    ),
    Var("TC_CONCURRENCY", "concurrency", _int_in(1, 512), "4", "How many generations run at once."),
    Var(
        "TC_RATE_LIMIT_RPM",
        "rate_limit_rpm",
        _positive_float,
        "60",
        "Requests per minute shared by all workers (token bucket).",
    ),
    Var(
        "TC_JITTER",
        "jitter_s",
        parse_jitter,
        "1-5",
        "Seconds each worker waits between submissions, as a range (1-5); 0 turns it off.",
    ),
    Var(
        "TC_DEADLINE_S",
        "deadline_s",
        _positive_float,
        "600",
        "Give up on a generation after this many seconds (the API takes up to several minutes).",
    ),
    Var(
        "TC_POLL_INTERVAL_S",
        "poll_interval_s",
        _positive_float,
        "5",
        "Seconds between status polls of a running generation.",
    ),
    Var(
        "TC_DOWNLOAD_DIR",
        "download_dir",
        _path,
        "",
        "Where runs and their clips are stored (default: your Videos folder/Torture Chamber).",
    ),
    Var("TC_DEVICE", "device", _device, "auto", "Analysis device: auto, cpu, cuda or cuda:N."),
    Var("X_CONSUMER_KEY", "x_consumer_key", _secret, "", "X (Twitter) app consumer key."),
    Var("X_CONSUMER_SECRET", "x_consumer_secret", _secret, "", "X app consumer secret."),
    Var(
        "X_ACCESS_TOKEN",
        "x_access_token",
        _secret,
        "",
        "X user access token (the app needs Read and Write permission).",
    ),
    Var(
        "X_ACCESS_TOKEN_SECRET", "x_access_token_secret", _secret, "", "X user access token secret."
    ),
)
SECRET_VARS = frozenset(v.name for v in VARS if v.parse is _secret)


@dataclass(frozen=True)
class Settings:
    """Every setting the app reads. Build it with :func:`load_settings`."""

    xai_api_key: Secret | None = None
    xai_base_url: str = "https://api.x.ai/v1"
    model: str = spec.DEFAULT_MODEL
    duration_s: int = spec.DEFAULT_DURATION_S
    aspect_ratio: str = spec.DEFAULT_ASPECT_RATIO
    resolution: str = spec.DEFAULT_RESOLUTION
    concurrency: int = 4
    rate_limit_rpm: float = 60.0
    jitter_s: tuple[float, float] = (1.0, 5.0)
    deadline_s: float = 600.0
    poll_interval_s: float = 5.0
    download_dir: Path = field(default_factory=lambda: Path(_default_download_dir()))
    device: str = "auto"
    x_consumer_key: Secret | None = None
    x_consumer_secret: Secret | None = None
    x_access_token: Secret | None = None
    x_access_token_secret: Secret | None = None
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    """Where each variable's value came from: ``environment``, a ``.env`` path or ``default``."""

    @property
    def has_x_credentials(self) -> bool:
        """True when all four OAuth 1.0a values for posting to X are set."""
        return all(
            (
                self.x_consumer_key,
                self.x_consumer_secret,
                self.x_access_token,
                self.x_access_token_secret,
            )
        )


def user_env_path() -> Path:
    """Return the ``.env`` in the per-user config folder (where the GUI saves settings)."""
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / ".env"


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_files: list[Path] | None = None,
) -> Settings:
    """Read settings: ``environ``, then each ``.env`` in ``env_files`` in order, then defaults.

    ``environ`` defaults to ``os.environ``; ``env_files`` to ``./.env`` then the user's
    ``.env``. Raises :class:`ConfigError` for the first invalid value, naming its source.
    """
    layers = [(ENV_SOURCE, dict(os.environ if environ is None else environ))]
    for path in env_files if env_files is not None else [Path.cwd() / ".env", user_env_path()]:
        if path.is_file():
            values = {k: v for k, v in dotenv_values(path).items() if v is not None}
            layers.append((str(path), values))
    kwargs: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for var in VARS:
        raw, source = _lookup(var, layers)
        try:
            value = var.parse(raw)
        except ValueError as err:
            raise ConfigError(var.name, raw, source, str(err)) from None
        if var.attr == "download_dir" and not raw.strip():
            # Computed at load time, not import time: platformdirs reads $HOME.
            value = Path(_default_download_dir())
        kwargs[var.attr] = value
        sources[var.name] = source
    return Settings(**kwargs, sources=sources)


def _lookup(var: Var, layers: list[tuple[str, dict[str, str]]]) -> tuple[str, str]:
    for source, values in layers:
        if var.name in values and values[var.name].strip() != "":
            return values[var.name], source
    return var.default, DEFAULT_SOURCE


def env_text(settings: Settings, name: str) -> str:
    """The text of variable ``name`` that reads back as its current value (not for secrets).

    What a settings form shows, and what saving it unchanged would write.
    """
    var = next(v for v in VARS if v.name == name)
    value = getattr(settings, var.attr)
    if isinstance(value, tuple):  # jitter (low, high)
        low, high = value
        return f"{low:g}" if low == high else f"{low:g}-{high:g}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def check_env_values(values: Mapping[str, str]) -> dict[str, str]:
    """``{variable: reason}`` for every value its parser refuses (empty: all good).

    Blank values are not checked: they mean "use the default".
    """
    problems: dict[str, str] = {}
    for var in VARS:
        if var.name in values and values[var.name].strip():
            try:
                var.parse(values[var.name])
            except ValueError as err:
                problems[var.name] = str(err)
    return problems


def save_env_values(path: Path, updates: Mapping[str, str | None]) -> None:
    """Set (or, with ``None``, remove) variables in a ``.env`` file, keeping other lines.

    The file is written atomically with mode 0600 because it holds keys. Unknown variable
    names are refused so a typo cannot silently create a setting nobody reads.
    """
    known = {v.name for v in VARS}
    unknown = set(updates) - known
    if unknown:
        raise ValueError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    pending = dict(updates)
    out: list[str] = []
    for line in lines:
        name = line.split("=", 1)[0].strip().removeprefix("export ").strip()
        if name in pending:
            value = pending.pop(name)
            if value is not None:
                out.append(f"{name}={_quote(value)}")
        else:
            out.append(line)
    out += [f"{k}={_quote(v)}" for k, v in pending.items() if v is not None]
    _write_private(path, "\n".join(out) + "\n")


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".env.", suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:  # whatever stops the write, no stray temp file; re-raised
        Path(tmp).unlink(missing_ok=True)
        raise
    os.chmod(path, 0o600)


def settings_fields() -> list[str]:
    """Return the attribute names of :class:`Settings` that come from variables."""
    return [f.name for f in fields(Settings) if f.name != "sources"]


def env_example() -> str:
    """Render the text of ``.env.example`` from :data:`VARS` (a test keeps the file in sync)."""
    blocks = [
        "# Torture Chamber settings. Copy to .env (next to where you run the app, or in your\n"
        "# user config folder) and fill in what you need. The process environment wins over\n"
        "# .env; .env wins over the defaults shown here. Keep .env private (mode 0600)."
    ]
    for var in VARS:
        blocks.append(f"# {var.help}\n{var.name}={var.default}")
    return "\n\n".join(blocks) + "\n"
