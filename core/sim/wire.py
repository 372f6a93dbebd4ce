"""The simulator's wire rules: request validation and error bodies, as the real API does them.

Sources: ../shared/reference/xai-video-api.md 1.3 (fields, ranges, aliases) and 1.7 (status
codes and the two error-body shapes). Pure functions, tested as tables.
"""

from __future__ import annotations

from typing import Any

from core import spec

INVALID_ARGUMENT = "Client specified an invalid argument"
# grok-imagine-video offers 480p and 720p only (DOC-OVR); 1.5 adds 1080p.
MODEL_RESOLUTIONS = {
    "grok-imagine-video": ("480p", "720p"),
    "grok-imagine-video-1.5": spec.RESOLUTIONS,
}


class WireError(Exception):
    """A request the real API would refuse: HTTP ``status`` with a message naming the field."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message

    def body(self) -> dict[str, Any]:
        """The flat xAI error shape: ``{"code": "<kind>", "error": "<message>"}``."""
        return flat_error(self.status, self.message)


def flat_error(status: int, message: str) -> dict[str, Any]:
    """xAI's flat error body (validation, auth, rate limits)."""
    kinds = {
        400: INVALID_ARGUMENT,
        401: "Unauthenticated",
        403: "Permission denied",
        404: "Not found",
        415: "Unsupported media type",
        422: "Unprocessable entity",
        429: "Too many requests",
    }
    return {"code": kinds.get(status, str(status)), "error": message}


def nested_error(status: int, message: str) -> dict[str, Any]:
    """The OpenAI-style nested body (the simulator's 5xx use it, so clients parse both)."""
    return {"error": {"message": message, "type": "server_error", "code": status}}


def masked_key(key: str) -> str:
    """``xa***yz``: how xAI echoes a wrong key (two characters each end, never more)."""
    return f"{key[:2]}***{key[-2:]}" if len(key) >= 6 else "***"


def check_auth(header: str | None, expected_key: str) -> WireError | None:
    """``None`` when the ``Authorization`` header carries the key; else the API's error."""
    if not header:
        return WireError(401, "Missing Authorization header with a Bearer API key.")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        return WireError(401, "Invalid Authorization header: expected 'Bearer <API key>'.")
    if key.strip() != expected_key:
        return WireError(
            400,
            f"Incorrect API key provided: {masked_key(key.strip())}. "
            "You can obtain an API key from https://console.x.ai.",
        )
    return None


def validate_generation(body: Any) -> dict[str, Any]:
    """Check a ``POST /v1/videos/generations`` body; return the normalised parameters.

    Raises :class:`WireError`: 422 for a missing or mistyped field, 400 for a value out of
    range, 404 for an unknown model.
    """
    if not isinstance(body, dict):
        raise WireError(422, "The request body must be a JSON object.")
    model = _model(body.get("model", spec.DEFAULT_MODEL))
    params = {
        "prompt": _prompt(body),
        "model": model,
        "duration": _duration(body.get("duration", body.get("seconds", spec.DEFAULT_DURATION_S))),
        "aspect_ratio": _choice(
            body, "aspect_ratio", spec.DEFAULT_ASPECT_RATIO, spec.ASPECT_RATIOS
        ),
        "resolution": _choice(body, "resolution", spec.DEFAULT_RESOLUTION, spec.RESOLUTIONS),
    }
    allowed = MODEL_RESOLUTIONS[model.removesuffix("-preview")]
    if params["resolution"] not in allowed:
        raise WireError(
            400, f"resolution {params['resolution']} is not supported by {model} ({allowed})"
        )
    return params


def _prompt(body: dict[str, Any]) -> str:
    if "prompt" not in body:
        raise WireError(422, "missing field `prompt`")
    prompt = body["prompt"]
    if not isinstance(prompt, str):
        raise WireError(422, f"`prompt`: expected a string, got {type(prompt).__name__}")
    if not prompt.strip():
        raise WireError(400, "`prompt` must not be empty")
    size = len(prompt.encode("utf-8"))
    if size > spec.PROMPT_MAX_BYTES:
        raise WireError(400, f"`prompt` is {size} bytes; the limit is {spec.PROMPT_MAX_BYTES}")
    return prompt


def _model(value: Any) -> str:
    if not isinstance(value, str):
        raise WireError(422, f"`model`: expected a string, got {type(value).__name__}")
    if value.removesuffix("-preview") not in spec.MODELS:
        raise WireError(
            404, f"The model {value} does not exist or your team does not have access to it."
        )
    return value


def _duration(value: Any) -> int:
    # The API accepts integers and integer strings ("8"); bools are JSON true/false, not numbers.
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise WireError(422, f"`duration`: expected an integer, got {value!r}")
    try:
        seconds = int(value)
    except ValueError:
        raise WireError(422, f"`duration`: expected an integer, got {value!r}") from None
    if not spec.DURATION_MIN_S <= seconds <= spec.DURATION_MAX_S:
        raise WireError(
            400,
            f"`duration` must be between {spec.DURATION_MIN_S} and {spec.DURATION_MAX_S} "
            f"seconds, got {seconds}",
        )
    return seconds


def _choice(body: dict[str, Any], name: str, default: str, choices: tuple[str, ...]) -> str:
    value = body.get(name, default)
    if not isinstance(value, str):
        raise WireError(422, f"`{name}`: expected a string, got {type(value).__name__}")
    if value not in choices:
        raise WireError(400, f"`{name}` must be one of {', '.join(choices)}, got {value!r}")
    return value
