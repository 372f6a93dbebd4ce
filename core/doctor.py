"""``doctor``: one screen that says what works on this machine, as data.

Each check is a :class:`Check`; essentials decide the exit code. The CLI renders the list as
text or JSON; the GUI can show the same list. Extra checks (for example an online key test)
can be appended by callers.
"""

from __future__ import annotations

import asyncio
import platform
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from core.config import ConfigError, Settings, load_settings
from core.devices import cpu_device, cuda_devices
from core.media import MediaError, iter_frames, probe, write_mp4
from core.providers import ClientOptions, ProviderError, XaiClient, key_blocks

PACKAGES = (
    "torch",
    "av",
    "numpy",
    "opencv-python-headless",
    "scikit-image",
    "aiohttp",
    "qasync",
    "PySide6-Essentials",
    "pyqtgraph",
    "tweepy",
    "python-dotenv",
    "platformdirs",
)
MIN_PYTHON = (3, 11)
ROUNDTRIP_FRAMES = 24
ONLINE_TIMEOUT_S = 10.0


@dataclass
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    essential: bool = True
    data: dict[str, Any] = field(default_factory=dict)


def check_python() -> Check:
    """Python version and platform."""
    ok = sys.version_info[:2] >= MIN_PYTHON
    version = platform.python_version()
    return Check(
        "python",
        ok,
        f"Python {version} on {platform.platform()}",
        data={"version": version, "executable": sys.executable},
    )


def check_packages() -> Check:
    """Installed versions of the packages the app relies on."""
    versions: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    missing = [n for n, v in versions.items() if v is None]
    detail = ", ".join(f"{n} {v}" for n, v in versions.items() if v)
    if missing:
        detail += f"; MISSING: {', '.join(missing)}"
    return Check("packages", not missing, detail, data={"versions": versions})


def check_torch() -> Check:
    """torch and every CUDA device, or CPU only."""
    try:
        import torch
    except ImportError as err:
        return Check("torch", False, f"torch does not import: {err}")
    devices = cuda_devices()
    if not devices:
        cpu = cpu_device()
        return Check(
            "torch",
            True,
            f"torch {torch.__version__}: CPU only, {cpu.label}",
            data={"version": torch.__version__, "cuda": False, "devices": []},
        )
    lines = [
        f"{d.name} {d.label} (compute {d.capability}): "
        f"{d.free_bytes / 2**30:.1f} GiB free of {d.total_bytes / 2**30:.1f} GiB"
        for d in devices
    ]
    return Check(
        "torch",
        True,
        f"torch {torch.__version__}: " + "; ".join(lines),
        data={"version": torch.__version__, "cuda": True, "devices": [asdict(d) for d in devices]},
    )


def check_h264() -> Check:
    """Encode a 1 s H.264 + AAC clip with PyAV and decode it back."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doctor.mp4"
        try:
            frames = (np.full((64, 64, 3), i * 10, np.uint8) for i in range(ROUNDTRIP_FRAMES))
            write_mp4(path, frames, fps=ROUNDTRIP_FRAMES)
            info = probe(path)
            decoded = sum(1 for _ in iter_frames(path))
        except MediaError as err:
            return Check("h264", False, f"H.264 round trip failed: {err}")
    ok = decoded == ROUNDTRIP_FRAMES and info.has_audio
    detail = (
        f"encode+decode OK ({decoded} frames, {info.codec}/{info.pix_fmt}, AAC audio)"
        if ok
        else f"round trip gave {decoded} of {ROUNDTRIP_FRAMES} frames"
    )
    return Check("h264", ok, detail, data={"frames": decoded, "audio": info.has_audio})


def check_keys(settings: Settings) -> Check:
    """Which keys are set, masked."""
    xai = settings.xai_api_key.masked() if settings.xai_api_key else None
    x_names = ("x_consumer_key", "x_consumer_secret", "x_access_token", "x_access_token_secret")
    x_set = [n for n in x_names if getattr(settings, n)]
    parts = [f"XAI_API_KEY {xai}" if xai else "XAI_API_KEY not set (the local simulator is used)"]
    parts.append(
        "X credentials: all 4 set"
        if len(x_set) == 4
        else f"X credentials: {len(x_set)} of 4 set (posting to X disabled)"
    )
    return Check(
        "keys",
        True,
        "; ".join(parts),
        essential=False,
        data={"xai_api_key": xai, "x_credentials_set": x_set},
    )


def check_download_dir(settings: Settings) -> Check:
    """Whether the download folder exists (or can be made) and is writable."""
    folder = settings.download_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-"):
            pass
    except OSError as err:
        return Check(
            "download_dir", False, f"{folder} is not writable: {err}", data={"path": str(folder)}
        )
    return Check("download_dir", True, f"{folder} is writable", data={"path": str(folder)})


def check_online(settings: Settings) -> Check:
    """A real call to ``XAI_BASE_URL``: does the key work there? (``doctor --online``)."""
    return asyncio.run(check_online_async(settings))


async def check_online_async(settings: Settings) -> Check:
    """:func:`check_online` for callers already on an event loop (the GUI)."""
    base = settings.xai_base_url
    if not settings.xai_api_key:
        detail = f"XAI_API_KEY is not set: nothing to check at {base}"
        return Check("online", False, detail, essential=False, data={"base_url": base})
    options = ClientOptions(
        connect_timeout_s=ONLINE_TIMEOUT_S, read_timeout_s=ONLINE_TIMEOUT_S, max_retries=1
    )
    try:
        async with XaiClient.from_settings(settings, options=options, concurrency=1) as client:
            info = await client.api_key_info()
    except ProviderError as err:
        return Check("online", False, f"{base}: {err}", data={"base_url": base})
    blocked = key_blocks(info)
    detail = f"{base}: key {info.get('redacted_api_key', '?')} ({info.get('name', '?')}) works"
    if blocked:
        detail = f"{base}: key {info.get('redacted_api_key', '?')} is {', '.join(blocked)}"
    return Check("online", not blocked, detail, data={"base_url": base, "blocked": blocked})


def run_checks(settings: Settings | None = None, online: bool = False) -> list[Check]:
    """Run every offline check (and, with ``online``, a real API call).

    A settings error becomes a failed check, not a crash.
    """
    checks = [check_python(), check_packages()]
    if settings is None:
        try:
            settings = load_settings()
        except ConfigError as err:
            checks.append(Check("settings", False, str(err)))
    if settings is not None:
        checks.append(Check("settings", True, _sources_line(settings)))
    checks += [check_torch(), check_h264()]
    if settings is not None:
        checks += [check_keys(settings), check_download_dir(settings)]
    if settings is not None and online:
        checks.append(check_online(settings))
    return checks


def _sources_line(settings: Settings) -> str:
    files = sorted({s for s in settings.sources.values() if s not in ("default", "environment")})
    return "valid; read from environment" + (f" and {', '.join(files)}" if files else "")


def essentials_ok(checks: list[Check]) -> bool:
    """True when every essential check passed."""
    return all(c.ok for c in checks if c.essential)


def as_json(checks: list[Check]) -> dict[str, Any]:
    """The report as a JSON-ready dict."""
    return {"ok": essentials_ok(checks), "checks": [asdict(c) for c in checks]}
