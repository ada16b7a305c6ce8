"""Flask extensions, created unbound; create_app binds them."""

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect


class WorkbenchLoginManager(LoginManager):
    """Session protection guards cookie sessions; /api/ requests authenticate by bearer token only,
    so a stray session cookie in an API call must not veto a valid token."""

    def _session_protection_failed(self) -> bool:
        if request.path.startswith("/api/"):
            return False
        return super()._session_protection_failed()


login_manager = WorkbenchLoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
