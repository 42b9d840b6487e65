"""Log records stamped in UTC, and server errors as one JSON line on stderr with the request id.

Parents' data is sensitive: error lines carry the method, the path (secret link tokens blanked),
the status, the exception and its traceback, and never a query string, body, cookie or header.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
from contextvars import ContextVar
from typing import IO, Any

from django.db import DatabaseError
from django.http import HttpRequest
from django.urls import Resolver404, resolve

# Set by core.middleware.RequestIdMiddleware for the request being served.
current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

# URL parts that are credentials in themselves: invitation, pass, feed and reset links.
SECRET_URL_KWARGS = re.compile(r"token|uidb64|secret|key", re.IGNORECASE)
API_TOKEN = re.compile(r"cpt_[A-Za-z0-9_-]+")
REDACTED = "[redacted]"
MAX_EXCEPTION_MESSAGE = 500


class UTCFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(record.created))


def request_id_of(request: HttpRequest | None) -> str | None:
    return getattr(request, "request_id", None) or current_request_id.get()


def _url_secrets(request: HttpRequest) -> list[str]:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # The error came before routing (in a middleware): resolve here to know the secrets.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return []
        except Exception:  # a broken URLconf must not stop the error being logged
            return []
    return [
        str(value)
        for name, value in match.kwargs.items()
        if SECRET_URL_KWARGS.search(name) and len(str(value)) >= 8
    ]


class JSONLineFormatter(logging.Formatter):
    """One JSON object per line, the traceback in a field of it rather than on following lines:
    log collectors (journald, Docker, a file read with grep) keep one event per line, so a
    traceback is never split into unrelated entries or interleaved with another worker's lines,
    and `jq -r .traceback` prints it readably."""

    def format(self, record: logging.LogRecord) -> str:
        request = getattr(record, "request", None)
        if not isinstance(request, HttpRequest):
            request = None
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, tz=dt.UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": request_id_of(request),
            "message": record.getMessage(),
        }
        secrets: list[str] = []
        if request is not None:
            secrets = _url_secrets(request)
            entry["method"] = request.method
            entry["path"] = request.path
        status = getattr(record, "status_code", None)
        if status is not None:
            entry["status"] = status
        if record.exc_info and record.exc_info[1] is not None:
            exception = record.exc_info[1]
            kind = type(exception)
            entry["exception"] = (
                kind.__qualname__
                if kind.__module__ == "builtins"
                else f"{kind.__module__}.{kind.__qualname__}"
            )
            message = str(exception)
            traceback = self.formatException(record.exc_info)
            if isinstance(exception, DatabaseError) and "\n" in message:
                # PostgreSQL's DETAIL and CONTEXT lines quote the row (a parent's email, a
                # message): the first line names the problem without them.
                first_line = message.split("\n", 1)[0]
                traceback, message = traceback.replace(message, first_line), first_line
            entry["exception_message"] = message[:MAX_EXCEPTION_MESSAGE]
            entry["traceback"] = traceback
        for name, value in entry.items():
            if isinstance(value, str):
                for secret in secrets:
                    value = value.replace(secret, REDACTED)
                entry[name] = API_TOKEN.sub(REDACTED, value)
        return json.dumps(entry, ensure_ascii=True, default=str)


class StderrHandler(logging.StreamHandler[IO[str]]):
    """Writes to whatever sys.stderr is at the time (a server or test may swap it after logging
    is configured), like Python's own last-resort handler."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


security_log = logging.getLogger("coparent.security")
