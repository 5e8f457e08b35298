"""Browser sessions: Flask's signed cookie, without its signer for a call that sends no cookie."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions. A request without the cookie (every bearer-token call) gets
    the empty session Flask would give it, without the signer Flask builds first for every
    request (itsdangerous's serializer, which also dumps a test value to learn its type)."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)
