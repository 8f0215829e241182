"""Per-token rate limits. A session user is limited per user; the rate is read from settings at each request.
The counters live in the default cache: shared by all processes with CACHE_URL (Redis), per process without it.
While Redis is unreachable requests are let through unchecked."""

from __future__ import annotations

import logging

from django.conf import settings
from redis.exceptions import RedisError
from rest_framework.throttling import SimpleRateThrottle

from workbench.api.models import ApiToken

log = logging.getLogger(__name__)


class TokenRateThrottle(SimpleRateThrottle):
    """`API_THROTTLE_RATES[scope]`, e.g. "600/min", counted per token (or per session user)."""

    scope = "token"

    def __init__(self):  # the rate is looked up per request so tests and operators can change it
        pass

    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view):
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except RedisError:  # an unreachable cache must not take the API down with it
            log.warning("cache unreachable: the %s rate was not checked", self.scope)
            return True

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"anon-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class SubmitRateThrottle(TokenRateThrottle):
    """A tighter limit on article submissions, which each start a trace: the view's `submission_actions`."""

    scope = "submit"

    def allow_request(self, request, view):
        if getattr(view, "action", None) not in getattr(view, "submission_actions", ()):
            return True
        return super().allow_request(request, view)
