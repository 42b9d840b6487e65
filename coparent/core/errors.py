"""Errors that services raise; views and the API turn them into a clear message for the user."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule of the domain refused the action; nothing was changed.

    `field` names the input the message is about, when there is one, so forms can show it inline.
    """

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code


class Conflict(ServiceError):
    """The object changed under the caller (already accepted, revoked, expired...)."""

    code = "conflict"


class Unavailable(ServiceError):
    """The action cannot happen now for a reason only the server's operator can mend; nothing
    was changed (the API answers 503)."""

    code = "unavailable"
