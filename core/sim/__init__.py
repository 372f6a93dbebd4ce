"""A local simulator of xAI's video API: a real aiohttp server on 127.0.0.1.

It speaks the same REST protocol (so :class:`core.providers.XaiClient` works against it
unchanged), renders real H.264 + AAC clips with :mod:`core.synth`, and can inject defects
(with ground truth) and faults (with counters at ``/sim/stats``)::

    async with SimServer(fast_options(fault_rate=0.1)) as sim:
        client = XaiClient(sim.api_key, sim.base_url)

    handle = start_in_thread(fast_options())   # its own loop and thread (GUI, sync code)
    ...; handle.stop()

``SimOptions(state_dir=...)`` makes it remember its generations across restarts, like xAI.
"""

from core.sim._thread import SimHandle, start_in_thread
from core.sim.journal import SimStateError
from core.sim.options import DEFAULT_API_KEY, FAULTS, SimOptions, Site, fast_options
from core.sim.server import SimServer

__all__ = [
    "DEFAULT_API_KEY",
    "FAULTS",
    "SimHandle",
    "SimOptions",
    "SimServer",
    "SimStateError",
    "Site",
    "fast_options",
    "start_in_thread",
]
