"""WORKBENCH_TRUSTED_PROXIES: the real client behind nginx, and forwarded headers ignored without it."""

from sqlmodel import select

from tests.conftest import PASSWORD
from tests.surveys.helpers import make_survey
from workbench.surveys.design import surveys as survey_service
from workbench.surveys.models import SurveyResponse

CLIENT = "198.51.100.23"
PROXY = "10.0.0.5"


def browser(application, *, forwarded_for: str, **headers):
    """A browser reaching the app through a proxy that adds these X-Forwarded-* headers."""
    client = application.test_client()
    client.environ_base.update(
        {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded_for}
        | {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    )
    return client


def open_survey(db, demo):
    survey = make_survey(db, demo, title="代理后的问卷")
    survey_service.open_survey(
        db, actor=demo.users["demo-evaluator"], engagement=demo.engagement, survey=survey
    )
    db.flush()
    return survey


def answer_ip(db, application, survey, *, forwarded_for: str) -> str:
    client = browser(application, forwarded_for=forwarded_for)
    page = client.get(f"/s/{survey.token}").get_data(as_text=True)
    started = page.split('name="started" value="')[1].split('"')[0]
    answers = {"a.q1": "1", "a.q2": "0", "a.q3": ["0"], "a.q5": "0", "a.q6": "好"}
    answers |= {f"r.{n}.q4": "0" for n in range(4)}
    r = client.post(f"/s/{survey.token}", data={**answers, "started": started})
    assert r.status_code == 302, r.get_data(as_text=True)
    db.expire_all()
    row = db.exec(select(SurveyResponse).where(SurveyResponse.survey_id == survey.id)).one()
    return row.ip


def test_survey_response_ip_is_the_forwarded_client_behind_one_trusted_proxy(app_with, db, demo):
    survey = open_survey(db, demo)
    proxied = app_with(TRUSTED_PROXIES=1)
    assert answer_ip(db, proxied, survey, forwarded_for=CLIENT) == CLIENT


def test_forwarded_for_is_ignored_by_default(app_with, db, demo):
    survey = open_survey(db, demo)
    assert answer_ip(db, app_with(), survey, forwarded_for=CLIENT) == PROXY


def test_only_the_hop_the_trusted_proxy_added_is_believed(app_with, db, demo):
    survey = open_survey(db, demo)
    proxied = app_with(TRUSTED_PROXIES=1)
    spoofed = f"1.2.3.4, {CLIENT}"  # the client wrote the first entry, nginx appended the second
    assert answer_ip(db, proxied, survey, forwarded_for=spoofed) == CLIENT


def test_login_throttle_counts_each_client_behind_the_proxy_apart(app_with, demo):
    proxied = app_with(TRUSTED_PROXIES=1, LOGIN_LIMIT="2 per minute")
    for n in range(1, 5):
        client = browser(proxied, forwarded_for=f"198.51.100.{n}")
        assert client.post("/login", data={"username": f"x{n}", "password": "x"}).status_code == 200
    direct = app_with(LOGIN_LIMIT="2 per minute")
    codes = [
        browser(direct, forwarded_for=f"198.51.100.{n}")
        .post("/login", data={"username": f"y{n}", "password": "x"})
        .status_code
        for n in range(1, 4)
    ]
    assert codes == [200, 200, 429]  # without trusted proxies, everyone is the proxy


def test_public_links_use_the_host_and_scheme_the_proxy_forwards(app_with, db, demo):
    survey = open_survey(db, demo)
    proxied = app_with(TRUSTED_PROXIES=1)
    client = browser(
        proxied,
        forwarded_for=CLIENT,
        x_forwarded_proto="https",
        x_forwarded_host="pj.example.gov.cn",
    )
    login = client.post("/login", data={"username": "demo-evaluator", "password": PASSWORD})
    assert login.status_code == 302
    engagement = demo.engagement.id
    poster = client.get(f"/engagements/{engagement}/surveys/{survey.id}/poster")
    assert f"https://pj.example.gov.cn/s/{survey.token}" in poster.get_data(as_text=True)


def test_a_session_is_bound_to_the_real_client_not_to_a_header_it_writes(app_with, demo):
    proxied = app_with(TRUSTED_PROXIES=1)
    owner = browser(proxied, forwarded_for=CLIENT)
    owner.post("/login", data={"username": "demo-lead", "password": PASSWORD})
    assert owner.get("/").status_code == 200
    # A thief elsewhere replays the session cookie and writes the owner's address first.
    thief = browser(proxied, forwarded_for=f"{CLIENT}, 203.0.113.66")
    thief.set_cookie("session", owner.get_cookie("session").value)
    assert thief.get("/").status_code == 302
