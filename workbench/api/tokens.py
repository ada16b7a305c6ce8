"""POST /api/v1/tokens: exchange a username and password for a bearer token."""

from __future__ import annotations

from flask import current_app

from workbench import db
from workbench.accounts import services
from workbench.accounts.services import login_throttle, password_rejected
from workbench.api.blueprint import operation, parse_body, respond
from workbench.api.schemas import TokenIn, TokenOut
from workbench.core.errors import DomainError, NotAllowed
from workbench.core.permissions import public


class BadCredentials(DomainError):
    status = 401


@login_throttle  # the same buckets as /login
@public
def create_token():
    body = parse_body(TokenIn)
    user = services.authenticate(db.session(), username=body.username, password=body.password)
    if user is None:
        password_rejected()
        raise BadCredentials("用户名或密码错误，或账号已停用")
    if user.must_change_password:
        raise NotAllowed("请先登录网页修改管理员重置的临时密码，再申请 API 令牌")
    token, clear = services.create_token(
        db.session(), user=user, label="API", days=current_app.config["TOKEN_DAYS"]
    )
    return respond(TokenOut(token=clear, expires_at=token.expires_at.isoformat()), 201)


operation(
    "/tokens",
    "POST",
    summary="用户名和密码换取 Bearer 令牌",
    body=TokenIn,
    response=TokenOut,
    status=201,
    tag="auth",
)(create_token)
