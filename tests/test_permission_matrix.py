"""The route × role matrix, built from app.url_map: every route has a rule and every role gets it.

A new route without an entry in EXPECTED fails here (a domain adds its routes in
tests/<domain>/permissions.py: `EXPECTED = {endpoint: roles}` and optionally
`params(db, demo) -> {url variable: value}` and `endpoint_params(db, demo) -> {endpoint:
{url variable: value}}`; a value may be a function of the role, for a fresh object per call, and
the key "?" holds a query string).
So does a role reaching what it must not, or an allowed role not getting through: it must get
2xx/3xx with no domain error behind a redirect (see `_succeeded`). Denials must come from the
permission layer or a service's `authorize` (header X-Permission-Denied), and another bureau's
reviewer gets 404 on everything of the engagement.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tests.permissions_roles import (
    ADMIN,
    ANY_ADMIN,
    ANY_AGENCY,
    AUTH,
    DECLARE,
    INTERNAL,
    MANAGE,
    PUBLIC,
    ROLES,
    TEAM,
    VIEW,
    each_role,
    for_roles,
    fresh_engagement,
)

# endpoint → roles allowed. Engagement-scoped endpoints answer 404 to roles that cannot see it.
EXPECTED: dict[str, set[str]] = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.set_language": PUBLIC,
    "accounts.logout": AUTH,
    "accounts.profile": AUTH,
    "accounts.change_password": AUTH,
    "accounts.create_token": AUTH,
    "accounts.revoke_token": AUTH,
    # Each admin administers its own agency's accounts: the target user is the demo agency's.
    "accounts.users": ANY_ADMIN,
    "accounts.set_active": ADMIN,
    "accounts.reset_password": ADMIN,
    "accounts.orgs": ANY_ADMIN,
    "accounts.audit_log": ANY_ADMIN,
    "accounts.audit_export": ANY_ADMIN,
    "engagements.dashboard": AUTH,
    "engagements.create": ANY_AGENCY,
    "engagements.edit": MANAGE,
    "engagements.flowchart": VIEW,
    "engagements.advance": MANAGE,
    "engagements.move_back": MANAGE,
    "engagements.confirm": MANAGE,
    "engagements.unconfirm": MANAGE,
    "engagements.team": INTERNAL,
    "engagements.add_member": MANAGE,
    "engagements.remove_member": MANAGE,
    "engagements.sign": DECLARE,
    "engagements.override": ADMIN,
    "engagements.audit_log": TEAM,
    "engagements.audit_export": TEAM,
    "api.openapi_document": PUBLIC,
    "api.create_token_post": PUBLIC,
    "api.list_engagements_get": AUTH,
    "api.create_engagement_post": ANY_AGENCY,
    "api.get_engagement_get": VIEW,
    "api.advance_engagement_post": MANAGE,
}

# Allowed calls that the objects' state turns down: the role passed the permission layer and the
# service's role check, then the object's state answered (a gate not met, a closed consultation
# round, …). Each names the answer it must give, "<status> <start of the message>"; a call that
# starts succeeding or answers anything else fails. None is left: the fixtures give each such
# call an object in the state it needs (a fresh engagement per role where one call would change
# it for the next: tests.permissions_roles.fresh_engagement and for_roles). Before adding an
# entry here, prefer that.
_STATE_CALLS: list[tuple[str, set[str], str]] = []
STATE_REFUSALS: dict[tuple[str, str], str] = {
    (endpoint, role): answer for endpoint, roles, answer in _STATE_CALLS for role in roles
}

# URL parameters naming an engagement (or an object inside one): invisible → 404.
SCOPED = {"engagement_id", "id"}


def _domain_files():
    import importlib
    import pkgutil

    import tests as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg:
            try:
                yield importlib.import_module(f"tests.{info.name}.permissions")
            except ModuleNotFoundError as error:
                if not error.name.endswith(".permissions"):
                    raise


DOMAIN_FILES = list(_domain_files())
for _module in DOMAIN_FILES:
    EXPECTED.update(_module.EXPECTED)

USERNAMES = {role: f"demo-{role}" for role in ROLES if role != "anonymous"}


def _params(db, demo, target_user) -> dict[str, object]:
    e = demo.engagement
    member = next(m for m in e.members if m.role == "evaluator")
    values = {
        "engagement_id": e.id,
        "id": e.id,
        "member_id": member.id,
        "declaration_id": 1,
        "token_id": 0,
        "user_id": target_user.id,
        "code": "zh",
        "filename": "css/app.css",
    }
    for module in DOMAIN_FILES:
        if hasattr(module, "params"):
            values.update(module.params(db, demo))
    return values


def _endpoint_params(db, demo, make_user) -> dict[str, dict[str, object]]:
    from workbench.accounts import services as accounts
    from workbench.engagements import services as engagements

    def own_token(role: str) -> int:
        """Each user revokes a token of their own (another's answers 404)."""
        user = demo.users.get(USERNAMES.get(role, ""))
        if user is None:
            return 0
        token, _clear = accounts.create_token(db, user=user, label="矩阵")
        db.flush()
        return token.id

    def new_member(role: str) -> int:
        member = engagements.add_member(
            db,
            actor=demo.users["demo-lead"],
            engagement=demo.engagement,
            user_id=make_user("agency", org=demo.orgs["示例绩效评价咨询有限公司"]).id,
            role="evaluator",
        )
        db.flush()
        return member.id

    def ready_to_advance(role: str) -> int:
        """An engagement whose commission gate is met: the team cleared, the contract recorded
        and the A papers the firm requires approved (what the demo's own fills do)."""
        from workbench.fieldwork import demo_stage_papers
        from workbench.finance import demo as finance_demo

        engagement = fresh_engagement(db, demo, f"{role}推进阶段")
        finance_demo.fill(db, engagement, demo.users)
        demo_stage_papers.fill(db, engagement, demo.users)
        return engagement.id

    found: dict[str, dict[str, object]] = {
        "accounts.revoke_token": {"token_id": each_role(own_token)},
        "engagements.remove_member": {"member_id": each_role(new_member)},
        # Each manager advances an engagement of its own (the second would find the next gate).
        "engagements.advance": {"engagement_id": for_roles(MANAGE, ready_to_advance)},
        "api.advance_engagement_post": {"id": for_roles(MANAGE, ready_to_advance)},
    }
    for module in DOMAIN_FILES:
        if hasattr(module, "endpoint_params"):
            found.update(module.endpoint_params(db, demo))
    return found


def _url(rule, values: dict[str, object], role: str) -> str:
    """The rule with its variables filled in (and a query string under the key "?")."""

    def value(name):
        found = values[name]
        return str(found(role) if callable(found) else found)

    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: value(match.group(1)), rule.rule)
    return f"{url}?{value('?')}" if "?" in values else url


def test_every_route_has_a_permission_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint != "static" and not getattr(view, "permission", None):
            missing.append(rule.endpoint)
        if rule.endpoint not in EXPECTED:
            missing.append(f"{rule.endpoint} (no entry in EXPECTED)")
    assert not missing, f"routes without a permission rule: {missing}"


def test_state_refusals_name_allowed_calls(app):
    """Every listed state refusal is a real endpoint and a role the matrix expects to get in."""
    wrong = [
        (endpoint, role)
        for endpoint, role in STATE_REFUSALS
        if endpoint not in app.view_functions or role not in EXPECTED[endpoint]
    ]
    assert not wrong


def _routes(app):
    # Deleting goes after the other routes of its object, and logging out (which ends the
    # clients' sessions) last.
    for rule in sorted(
        app.url_map.iter_rules(),
        key=lambda r: (
            r.endpoint == "accounts.logout",
            r.rule.endswith(("/delete", "/remove")),
            r.rule,
        ),
    ):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _succeeded(method, code, domain_error):
    """An allowed call must really go through: 2xx/3xx, and no domain error behind a redirect.

    The matrix posts empty forms, so for a POST the one other acceptable answer is "your input
    is invalid" (400 / 422, or a redirect flashing a ValidationFailed; 428 for an API update sent
    without If-Match): the permission layer and the service let the role in and only the missing
    fields stopped it.
    """
    if method != "GET" and (
        code in (400, 422, 428) or (domain_error or "")[:4] in ("400 ", "422 ")
    ):
        return True
    return 200 <= code < 400 and domain_error is None


def _call(client, method, url, headers):
    if method == "GET":
        return client.get(url, headers=headers)
    return client.open(
        url, method=method, headers=headers, data={} if not url.startswith("/api/") else None
    )


@pytest.fixture()
def other_agency(db, demo):
    """An admin and a staff member of another agency (demo-admin2, demo-staff2)."""
    from tests.conftest import PASSWORD
    from workbench.accounts import services
    from workbench.accounts.models import OrgKind, SystemRole

    org = services.create_org(db, actor=None, name="另一评价机构有限公司", kind=OrgKind.agency)
    for role in ("admin", "staff"):
        user = services.create_user(
            db,
            actor=None,
            username=f"demo-{role}2",
            display_name=f"其他机构{role}",
            password=PASSWORD,
            org_id=org.id,
            system_role=SystemRole(role),
            check_policy=False,
        )
        demo.users[user.username] = user
    db.flush()
    return org


@pytest.fixture()
def clients(app, demo, other_agency, login, token_for):
    pages = {
        role: (login(USERNAMES[role]) if role != "anonymous" else app.test_client())
        for role in ROLES
    }
    tokens = {role: token_for(demo.users[USERNAMES[role]]) for role in ROLES if role != "anonymous"}
    tokens["anonymous"] = {}
    return pages, tokens


@pytest.mark.long
def test_route_role_matrix(app, db, demo, clients, make_user):
    pages, tokens = clients
    # Admins disable and reset this one (the demo agency's, not a demo login).
    with app.app_context():  # the fixtures store real files
        params = _params(
            db, demo, make_user("expert", managed_by=demo.orgs["示例绩效评价咨询有限公司"])
        )
        by_endpoint = _endpoint_params(db, demo, make_user)
    failures = []
    calls = 0
    for rule, method in _routes(app):
        values = {**params, **by_endpoint.get(rule.endpoint, {})}
        allowed = EXPECTED[rule.endpoint]
        is_api = rule.rule.startswith("/api/")
        # Denied roles first, so a permitted state change cannot hide a missing refusal.
        for role in sorted(ROLES, key=lambda r: r in allowed):
            client = pages[role]
            headers = tokens[role] if is_api else {}
            with app.app_context():  # a fresh object per call is made outside the request
                url = _url(rule, values, role)
            response = _call(client, method, url, headers)
            calls += 1
            denied = response.headers.get("X-Permission-Denied")
            domain_error = unquote(response.headers.get("X-Domain-Error", "")) or None
            code = response.status_code
            response.close()
            state_answer = STATE_REFUSALS.get((rule.endpoint, role)) if method != "GET" else None
            if role in allowed and state_answer:
                if not (domain_error or "").startswith(state_answer):
                    failures.append(
                        f"{method} {rule.rule} {role}: expected the state refusal "
                        f"{state_answer!r}, got {code} {domain_error or ''}"
                    )
            elif role in allowed:
                if (
                    code == 401
                    or denied
                    or (
                        role == "anonymous"
                        and "/login" in response.headers.get("Location", "")
                        and rule.endpoint != "accounts.login"
                    )
                ):
                    failures.append(f"{method} {rule.rule} {role}: refused ({code})")
                elif not _succeeded(method, code, domain_error):
                    failures.append(
                        f"{method} {rule.rule} {role}: allowed but got {code}"
                        + (f" (domain error {domain_error})" if domain_error else "")
                    )
            elif role == "anonymous":
                login_redirect = code == 302 and "/login" in response.headers.get("Location", "")
                if not (code == 401 or login_redirect):
                    failures.append(
                        f"{method} {rule.rule} anonymous: expected 401/login, got {code}"
                    )
            elif not denied:
                failures.append(f"{method} {rule.rule} {role}: expected refusal, got {code}")
            elif role == "bureau2" and rule.arguments & SCOPED and denied != "404":
                failures.append(f"{method} {rule.rule} bureau2: expected 404, got {denied}")
    assert not failures, f"{len(failures)} of {calls} calls:\n" + "\n".join(failures)
