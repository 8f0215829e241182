"""One error shape for every API failure, and the exceptions the API raises itself.

Every error body is ``{"error": {"status": int, "code": str, "message": str, "fields": {name: [messages]}}}``;
``fields`` is present (possibly nested) only for validation errors.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from workbench.core.errors import IngestError
from workbench.core.fetch import FetchUnavailable, UrlRefused
from workbench.core.middleware import RETRY_AFTER_S, UNAVAILABLE_MESSAGE, database_unavailable
from workbench.provenance.services import TraceJobInputError
from workbench.review.errors import InvalidTransition, VerdictConflict, VerdictPermissionDenied

logger = logging.getLogger(__name__)


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it; fetch it again and retry."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag you last read (or the revision in the body)."
    default_code = "precondition_required"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's current state."
    default_code = "conflict"


class UnprocessableEntity(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "The request cannot be processed."
    default_code = "unprocessable"


def _codes_first(codes) -> str:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, list) and codes:
        return _codes_first(codes[0])
    if isinstance(codes, dict) and codes:
        return _codes_first(next(iter(codes.values())))
    return "error"


def error_body(*, status_code: int, code: str, message: str, fields=None) -> dict:
    body = {"status": status_code, "code": code, "message": message}
    if fields is not None:
        body["fields"] = fields
    return {"error": body}


def _translate(exc):
    """The workbench's own errors as the HTTP errors they mean."""
    if isinstance(exc, VerdictConflict):
        return PreconditionFailed(str(exc))
    if isinstance(exc, VerdictPermissionDenied):
        return exceptions.PermissionDenied(str(exc))
    if isinstance(exc, InvalidTransition):
        return Conflict(str(exc))
    if isinstance(exc, (UrlRefused, FetchUnavailable)):
        return exceptions.ValidationError({"url": [str(exc)]})
    if isinstance(exc, IngestError):
        return exceptions.ValidationError({"content": [str(exc)]})
    if isinstance(exc, TraceJobInputError):
        return exceptions.ValidationError(str(exc))
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge(f"The request body is over the limit of {settings.API_MAX_BODY_BYTES:,} bytes.")
    return exc


def api_exception_handler(exc, context):
    """DRF's handler (headers such as Retry-After and WWW-Authenticate included), reshaped to the one error body."""
    exc = _translate(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None and database_unavailable(exc):
        logger.warning("database unavailable in %s: %s", context["view"].__class__.__name__, exc)
        return Response(
            error_body(status_code=503, code="service_unavailable", message=UNAVAILABLE_MESSAGE),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_S)},
        )
    if response is None:
        logger.exception("Unhandled error in %s", context["view"].__class__.__name__, exc_info=exc)
        return Response(
            error_body(status_code=500, code="server_error", message="Internal error; it has been logged."),
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        if isinstance(detail, dict):
            fields = {key: value for key, value in detail.items() if key != "non_field_errors"}
            general = detail.get("non_field_errors")
            message = str(general[0]) if general else "The request is invalid; see the fields."
        else:
            items = detail if isinstance(detail, list) else [detail]
            fields = {}
            message = " ".join(str(item) for item in items) or "The request is invalid."
        response.data = error_body(
            status_code=response.status_code,
            code="invalid",
            message=message,
            fields=_plain(fields),
        )
    else:
        detail = getattr(exc, "detail", str(exc))
        response.data = error_body(
            status_code=response.status_code,
            code=_codes_first(exc.get_codes()) if hasattr(exc, "get_codes") else "error",
            message=str(detail) if not isinstance(detail, (list, dict)) else str(_codes_first(detail)),
        )
    return response


def _plain(value):
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return str(value)
