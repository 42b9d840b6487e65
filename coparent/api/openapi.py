"""The OpenAPI document tells the truth about errors: the one error envelope is a component, and
every operation lists the error statuses the API answers with it. Done here, once, so that no
operation can forget; the input rules themselves live in the schemas (core.inputs)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "title": ERROR_COMPONENT,
    "type": "object",
    "description": "Every error, whatever its status, answers in this one shape.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {
                    "type": "string",
                    "description": "Stable, for programs: invalid, not_found, forbidden, ...",
                },
                "message": {"type": "string", "description": "For people, in their language."},
                "fields": {
                    "type": "object",
                    "description": "The message for each field at fault, by field name.",
                    "additionalProperties": {"type": "string"},
                },
            },
            "required": ["code", "message"],
        }
    },
    "required": ["error"],
}

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}

# What each status means here. Every operation can meet each of them: authentication and
# tenancy run before anything else, rules refuse with 400 or 409, bodies are size-limited.
ERROR_RESPONSES: dict[int, tuple[str, dict[str, Any]]] = {
    400: ("A family rule refuses the request (the message says which).", {}),
    401: ("Not signed in, or no valid API token.", {}),
    403: ("Signed in, but not allowed (read-only access, read-only token).", {}),
    404: ("No such object, or not in a family of yours (the two look the same).", {}),
    409: ("The object changed meanwhile (already accepted, decided, redacted, ...).", {}),
    413: ("The request body is too large.", {}),
    422: ("A field is missing or not valid; `fields` names each.", {}),
    429: ("Too many requests; wait as long as Retry-After says.", _RETRY_AFTER),
    503: ("The server is busy; try again after Retry-After.", _RETRY_AFTER),
}


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the error component and the error responses to every operation of `schema`."""
    schema.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, (description, headers) in ERROR_RESPONSES.items():
                response: dict[str, Any] = {
                    "description": description,
                    "content": {"application/json": {"schema": reference}},
                }
                if headers:
                    response["headers"] = headers
                responses.setdefault(status, response)
    return schema


class DocumentedAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the error responses of every operation."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        return schema
