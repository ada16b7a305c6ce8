"""The home page's overdue panel query: who sees which items, the total and the first rows."""

from datetime import date

from tests.fieldwork.test_requests import TODAY, make_request
from workbench.accounts.models import Organisation
from workbench.core.timeutil import utcnow
from workbench.fieldwork.queries import overdue_items


def _overdue(db, user, limit=10):
    return overdue_items(db, user=user, today=TODAY, limit=limit)


def test_total_counts_every_item_and_rows_come_by_due_date_then_id(db, demo, count_queries):
    lead = demo.users["demo-lead"]
    _rows, before = _overdue(db, lead, limit=100)
    created = make_request(
        db, demo, lines="\n".join(f"逾期资料{n} | 2021-05-{n % 3 + 1:02d}" for n in range(12))
    )
    with count_queries() as counter:
        rows, total = _overdue(db, lead)
    assert counter.count == 1  # the total rides along with the first rows
    assert total == before + 12 and len(rows) == 10
    everything, same_total = _overdue(db, lead, limit=100)
    assert same_total == total and len(everything) == total
    assert everything[:10] == rows
    assert [(r.due_date, r.item_id) for r in everything] == sorted(
        (r.due_date, r.item_id) for r in everything
    )
    ours = [r for r in everything if r.request_id == created.id]
    assert len(ours) == 12 and ours[0].due_date == date(2021, 5, 1)
    assert {(r.request_title, r.engagement_id, r.engagement_title) for r in ours} == {
        ("补充资料清单", demo.engagement.id, demo.engagement.title)
    }


def test_unit_contact_sees_sent_requests_only(db, demo, make_user):
    unit = demo.users["demo-unit"]
    _rows, before = _overdue(db, unit)
    make_request(db, demo, send=False, lines="尚未发出的资料 | 2021-05-01")
    assert _overdue(db, unit)[1] == before
    make_request(db, demo, lines="已发出的资料 | 2021-05-01")
    rows, total = _overdue(db, unit)
    assert total == before + 1 and "已发出的资料" in {r.name for r in rows}
    assert _overdue(db, make_user("unit")) == ([], 0)  # another unit's contact


def test_team_and_admins_of_the_agency_only(db, demo, make_user):
    make_request(db, demo, lines="逾期很久的资料 | 2021-05-01")
    agency = db.get(Organisation, demo.engagement.agency_id)
    for user in (demo.users["demo-lead"], demo.users["demo-evaluator"], demo.users["demo-admin"]):
        assert "逾期很久的资料" in {r.name for r in _overdue(db, user, limit=100)[0]}, user.username
    outsiders = (
        make_user("agency", org=agency),  # same agency, not on the team
        make_user("agency", role="admin"),  # an admin of another agency
        demo.users["demo-bureau"],
    )
    for user in outsiders:
        assert _overdue(db, user) == ([], 0), user.username


def test_archived_engagements_are_left_out(db, demo):
    make_request(db, demo, lines="逾期很久的资料 | 2021-05-01")
    assert _overdue(db, demo.users["demo-lead"])[1] > 0
    demo.engagement.archived_at = utcnow()
    db.flush()
    for who in ("demo-lead", "demo-admin", "demo-unit"):
        assert _overdue(db, demo.users[who]) == ([], 0), who
