"""Compute devices for analysis: what is there, how much memory is free, which one to use.

torch is imported lazily (it costs about a second), so modules that only want to show
"CPU only" or resolve a device string at start-up stay fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceInfo:
    """One compute device. ``total_bytes``/``free_bytes`` are 0 for the CPU."""

    name: str
    """torch device string: ``cpu`` or ``cuda:N``."""
    label: str
    """Human-readable name, e.g. ``NVIDIA H100 80GB HBM3`` or ``CPU (2 threads)``."""
    total_bytes: int = 0
    free_bytes: int = 0
    capability: str = ""

    @property
    def used_bytes(self) -> int:
        """Memory in use on the device (all processes)."""
        return self.total_bytes - self.free_bytes


def cuda_devices() -> list[DeviceInfo]:
    """Return every visible CUDA device with its memory, or an empty list."""
    import torch

    if not torch.cuda.is_available():
        return []
    found = []
    for index in range(torch.cuda.device_count()):
        props = torch.cuda.get_device_properties(index)
        free, total = torch.cuda.mem_get_info(index)
        found.append(
            DeviceInfo(
                name=f"cuda:{index}",
                label=str(props.name),
                total_bytes=int(total),
                free_bytes=int(free),
                capability=f"{props.major}.{props.minor}",
            )
        )
    return found


def cpu_device() -> DeviceInfo:
    """Describe the CPU as a device."""
    return DeviceInfo(name="cpu", label=f"CPU ({os.cpu_count() or 1} threads)")


def list_devices() -> list[DeviceInfo]:
    """Return the CUDA devices, or just the CPU when there are none."""
    return cuda_devices() or [cpu_device()]


def resolve_device(spec: str) -> str:
    """Turn a setting (``auto``, ``cpu``, ``cuda``, ``cuda:N``) into a concrete device string.

    Raises
    ------
    ValueError
        When CUDA is asked for and there is no such device; the message says what exists.
    """
    spec = spec.strip().lower()
    if spec == "cpu":
        return "cpu"
    cuda = cuda_devices()
    if spec == "auto":
        return cuda[0].name if cuda else "cpu"
    wanted = "cuda:0" if spec == "cuda" else spec
    if wanted in {d.name for d in cuda}:
        return wanted
    have = ", ".join(d.name for d in cuda) or "none (CPU only)"
    raise ValueError(f"device {spec!r} is not available; CUDA devices: {have}")
