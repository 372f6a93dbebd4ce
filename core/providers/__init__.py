"""Video providers: one async interface, the xAI REST client, and its typed errors.

The simulator (``core.sim``) speaks the same wire protocol, so the same client class is used
for both: only the base URL and key differ.
"""

from core.providers._client import ClientOptions, XaiClient
from core.providers._download import DownloadPolicy
from core.providers._errors import (
    APIConnectionError,
    APIStatusError,
    AuthError,
    DeadlineExceeded,
    DownloadError,
    GenerationExpired,
    GenerationFailed,
    InvalidRequest,
    MissingApiKey,
    ModerationBlocked,
    ProviderError,
    RateLimited,
    ServerError,
    StartOutcomeUnknown,
)
from core.providers._poll import PollPolicy
from core.providers._ratelimit import Jitter, TokenBucket
from core.providers._types import (
    GenerationRequest,
    GenerationResult,
    GenerationState,
    GenerationStatus,
    ProgressCallback,
    Provider,
    key_blocks,
)

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "AuthError",
    "ClientOptions",
    "DeadlineExceeded",
    "DownloadError",
    "DownloadPolicy",
    "GenerationExpired",
    "GenerationFailed",
    "GenerationRequest",
    "GenerationResult",
    "GenerationState",
    "GenerationStatus",
    "InvalidRequest",
    "Jitter",
    "MissingApiKey",
    "ModerationBlocked",
    "PollPolicy",
    "ProgressCallback",
    "Provider",
    "ProviderError",
    "RateLimited",
    "ServerError",
    "StartOutcomeUnknown",
    "TokenBucket",
    "XaiClient",
    "key_blocks",
]
