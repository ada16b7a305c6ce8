"""The route × role matrix restricted to this domain's routes, with this domain's URL values.

tests/test_permission_matrix.py checks every route of the app; this runs the same rule for the
reports pages and API alone (so it holds while other domains are still adding theirs) and with
the objects of tests/reports/permissions.py (a section, a version, an opinion).
"""

from __future__ import annotations

from tests.permissions_roles import ROLES
from tests.reports import permissions
from tests.test_permission_matrix import (
    SCOPED,
    USERNAMES,
    _call,
    _url,
    other_agency,  # noqa: F401 - fixture (demo-admin2, -staff2)
)

API_MODULES = {
    "workbench.api.report_sections",
    "workbench.api.consultation",
    "workbench.api.report_check",
}


def _mine(rule) -> bool:
    return rule.endpoint in permissions.EXPECTED


def test_every_reports_route_is_expected(app):
    found = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("reports.")}
    found |= {r.endpoint for r in app.url_map.iter_rules() if "/documents" in r.rule}
    found |= {  # the API of the sections, sign-offs, report check and consultation
        r.endpoint
        for r in app.url_map.iter_rules()
        if app.view_functions[r.endpoint].__module__ in API_MODULES
    }
    assert found == set(permissions.EXPECTED)
    for endpoint in found:
        assert getattr(app.view_functions[endpoint], "permission", None)


def test_reports_route_role_matrix(app, db, demo, other_agency, login, token_for):  # noqa: F811
    pages = {r: login(USERNAMES[r]) if r != "anonymous" else app.test_client() for r in ROLES}
    tokens = {r: token_for(demo.users[USERNAMES[r]]) for r in ROLES if r != "anonymous"}
    tokens["anonymous"] = {}
    values = {"engagement_id": demo.engagement.id, "id": demo.engagement.id}
    with app.app_context():  # the objects store real files
        values |= permissions.params(db, demo)
        by_endpoint = permissions.endpoint_params(db, demo)
    failures = []
    rules = sorted((r for r in app.url_map.iter_rules() if _mine(r)), key=lambda r: r.rule)
    for rule in rules:
        these = {**values, **by_endpoint.get(rule.endpoint, {})}
        allowed = permissions.EXPECTED[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for role in sorted(ROLES, key=lambda r: r in allowed):
                headers = tokens[role] if rule.rule.startswith("/api/") else {}
                with app.app_context():  # a fresh object per call is made outside the request
                    url = _url(rule, these, role)
                response = _call(pages[role], method, url, headers)
                denied = response.headers.get("X-Permission-Denied")
                code = response.status_code
                response.close()
                if role in allowed:
                    if code == 401 or denied or code >= 500:
                        failures.append(f"{method} {rule.rule} {role}: refused ({code})")
                elif role == "anonymous":
                    location = response.headers.get("Location", "")
                    if not (code == 401 or (code == 302 and "/login" in location)):
                        failures.append(f"{method} {rule.rule} anonymous: got {code}")
                elif not denied:
                    failures.append(f"{method} {rule.rule} {role}: expected refusal, got {code}")
                elif role == "bureau2" and rule.arguments & SCOPED and denied != "404":
                    failures.append(f"{method} {rule.rule} bureau2: expected 404, got {denied}")
    assert not failures, "\n".join(failures)
