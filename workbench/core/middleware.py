"""An unreachable database answers 503 Service Unavailable with Retry-After, never a 500 page.

Django's connection health checks (CONN_HEALTH_CHECKS) open a fresh connection on the next request, so the site
recovers by itself once the database is back; nothing here holds state between requests.
"""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse

logger = logging.getLogger(__name__)

RETRY_AFTER_S = 30
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)
UNAVAILABLE_MESSAGE = "The database is unreachable for now; please try again shortly."


def database_unavailable(exc: BaseException | None) -> bool:
    """True for errors that mean the database cannot be reached (as opposed to a bad query or a constraint)."""
    while exc is not None:
        if isinstance(exc, UNAVAILABLE_ERRORS):
            return True
        if not isinstance(exc, DatabaseError):
            exc = exc.__cause__ if isinstance(exc.__cause__, DatabaseError) else None
        else:
            exc = exc.__cause__
    return False


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The 503 answer: JSON in the API's error shape under /api/, a short plain page elsewhere."""
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"error": {"status": 503, "code": "service_unavailable", "message": UNAVAILABLE_MESSAGE}}, status=503
        )
    else:
        response = HttpResponse(
            "<!doctype html><title>Service unavailable</title><h1>Service unavailable</h1>"
            f"<p>{UNAVAILABLE_MESSAGE}</p>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


class DatabaseUnavailableMiddleware:
    """Maps a view's OperationalError / InterfaceError to 503.

    Errors raised in other middleware reach `server_error`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            logger.warning("database unavailable on %s %s: %s", request.method, request.path, exception)
            return service_unavailable(request)
        return None


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage raised outside a view (e.g. in session or auth middleware) is still a 503."""
    if database_unavailable(sys.exc_info()[1]):
        return service_unavailable(request)
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request)
