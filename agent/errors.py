"""A small error hierarchy: user-facing errors carry a one-line message; internal ones do not leak."""

from __future__ import annotations

from collections.abc import Iterable

from pydantic_core import ErrorDetails


class AmiableError(Exception):
    """Base of every error the product raises on purpose."""

    exit_code = 1
    http_status = 500
    title = "Internal error"

    def __init__(self, message: str, *, detail: object | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


class UserError(AmiableError):
    """Bad input or a request that cannot be served: safe to show to the caller."""

    exit_code = 2
    http_status = 400
    title = "Bad request"


class InputValidationError(UserError):
    http_status = 422
    title = "Invalid input"


class PayloadTooLargeError(UserError):
    """Input longer than a configured maximum (HTTP 413, CLI exit 2)."""

    http_status = 413
    title = "Payload too large"


class NotFoundError(UserError):
    exit_code = 3
    http_status = 404
    title = "Not found"


class ConflictError(UserError):
    http_status = 409
    title = "Conflict"


class GuardBlockedError(AmiableError):
    """The guard blocked a text that was to be produced or sent: nothing is produced (exit 1)."""

    exit_code = 1
    http_status = 422
    title = "Blocked by the compliance guard"


class DeliveryError(AmiableError):
    """A channel (SMTP server, SMS provider, print batch) did not take a message."""

    exit_code = 1
    title = "Delivery error"


class PermanentDeliveryError(DeliveryError):
    """The address is refused for good (SMTP 5xx, invalid number): a bounce, never retried."""


class TransientDeliveryError(DeliveryError):
    """The channel may take it later (SMTP 4xx, connection refused, provider 5xx): retried."""


class ConfigError(AmiableError):
    """A broken configuration or policy file: start-up must stop."""

    exit_code = 4
    title = "Configuration error"


class IndexMissingError(AmiableError):
    """The knowledge index holds no guidelines (missing or never built): drafts are not made ungrounded."""

    exit_code = 4
    http_status = 503
    title = "Knowledge index not ready"


class InternalError(AmiableError):
    """An unexpected fault: the message is logged, a generic text is shown."""

    exit_code = 5


def validation_problems(errors: Iterable[ErrorDetails]) -> str:
    """One line from pydantic's ``ValidationError.errors()``: ``field.path: message; ...``."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in errors)
