"""Flask-Limiter, without its check before each view where no limit can apply there."""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter


class CivicLimiter(Limiter):
    """Flask-Limiter. Before every view it evaluates the limits set for every view (application,
    default and meta limits, the in-memory fallback's), for a blueprint, and the ones a limited
    function hinted for its endpoint; a view's own limits are checked by its decorator. This app
    sets limits only by decorator (app/api/ratelimit.py), so that check resolved every kind of
    limit to find none, about 0.1 ms a call (bench/http_path.py). It is skipped only when no limit
    of those kinds exists; set one (`RATELIMIT_DEFAULT`, `RATELIMIT_APPLICATION`, ...) and every
    call is checked as before (tests/api/test_rate_limits.py)."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not self._limits_before_views(request.endpoint):
            return
        super()._check_request_limit(callable_name, in_middleware)

    def _limits_before_views(self, endpoint: str | None) -> bool:
        manager = self.limit_manager
        return bool(manager._application_limits or manager._default_limits or manager._blueprint_limits
                    or self._meta_limits or self._in_memory_fallback or manager.has_hints(endpoint or ""))
