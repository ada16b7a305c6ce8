"""The route × role matrix, built from app.url_map: every route has a rule and every role gets it.

A new route without an entry in EXPECTED fails here (a domain adds its routes in
tests/<domain>/permissions.py: `EXPECTED = {endpoint: roles}` and optionally
`params(db, demo) -> {url variable: value}`); so does a role reaching what it must not
(or being refused what it needs). Denials must come from the permission layer (header
X-Permission-Denied), and another bureau's reviewer gets 404 on everything of the engagement.
"""

from __future__ import annotations

import re

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
)

# endpoint → roles allowed. Engagement-scoped endpoints answer 404 to roles that cannot see it.
EXPECTED: dict[str, set[str]] = {
    "static": PUBLIC,
    "health.healthz": PUBLIC,
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


def test_every_route_has_a_permission_rule(app):
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if rule.endpoint != "static" and not getattr(view, "permission", None):
            missing.append(rule.endpoint)
        if rule.endpoint not in EXPECTED:
            missing.append(f"{rule.endpoint} (no entry in EXPECTED)")
    assert not missing, f"routes without a permission rule: {missing}"


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


def test_route_role_matrix(app, db, demo, clients, make_user):
    pages, tokens = clients
    # Admins disable and reset this one (the demo agency's, not a demo login).
    params = _params(
        db, demo, make_user("expert", managed_by=demo.orgs["示例绩效评价咨询有限公司"])
    )
    failures = []
    for rule, method in _routes(app):
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(params[m.group(1)]), rule.rule)
        allowed = EXPECTED[rule.endpoint]
        is_api = rule.rule.startswith("/api/")
        # Denied roles first, so a permitted state change cannot hide a missing refusal.
        for role in sorted(ROLES, key=lambda r: r in allowed):
            client = pages[role]
            headers = tokens[role] if is_api else {}
            response = _call(client, method, url, headers)
            denied = response.headers.get("X-Permission-Denied")
            code = response.status_code
            response.close()
            if role in allowed:
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
    assert not failures, "\n".join(failures)
