"""Errors answered by Django rather than an API operation still come back in the API's shape.

Operations raise into api.base's handlers. What happens before or around them (an unknown
/api/v1/ address, a method the address does not take, a bad Host header, an oversized body read
by a middleware, a crash in a middleware) is answered by Django's error views or by ninja's
router as an HTML or plain-text page; under /api/v1/ this turns those into the JSON error shape,
keeping the status and headers (Allow, Retry-After, X-Request-ID).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from coparent.api.base import (
    error_response,
    is_api_request,
    server_error_message,
    too_large_message,
)


def _code_and_message(request: HttpRequest, status: int, reason: str) -> tuple[str, str]:
    if status == 400:
        return "bad_request", _("The request was refused.")
    if status == 403:
        return "forbidden", _("You may not do that.")
    if status == 404:
        return "not_found", _("Not found.")
    if status == 405:
        return "method_not_allowed", _("This address does not accept %(method)s.") % {
            "method": request.method
        }
    if status == 413:
        return "too_large", too_large_message()
    if status >= 500:
        return "server_error", server_error_message(request)
    return "error", reason


class ApiErrorShapeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or response.streaming
            or not is_api_request(request)
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        code, message = _code_and_message(request, response.status_code, response.reason_phrase)
        shaped = error_response(request, response.status_code, code, message)
        # Changed in place, so the headers, cookies and "already logged" mark stay.
        response.content = shaped.content
        response["Content-Type"] = shaped["Content-Type"]
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
