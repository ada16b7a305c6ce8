"""The firm-wide deposits.xlsx with hostile stored text: no formula, the file always opens."""

from __future__ import annotations

from sqlalchemy import update

from tests.core.spreadsheet_files import FORMULA_TEXTS, assert_safe_export, illegal_texts
from tests.finance.conftest import contract_data
from workbench.accounts.models import OrgKind
from workbench.accounts.services import get_or_create_org
from workbench.engagements.models import Engagement
from workbench.finance import services

F = FORMULA_TEXTS


def test_deposits_workbook_keeps_hostile_text_as_text(login, db, demo, fresh):
    lead = demo.users["demo-lead"]
    bureau = get_or_create_org(db, actor=None, name=F[3] + "财政局", kind=OrgKind.bureau)
    titles = [F[0], F[1], F[2]]
    for number, title in enumerate(titles):
        engagement = fresh(title=title, bureau_id=bureau.id)
        services.create_contract(
            db, actor=lead, engagement=engagement, data=contract_data(number=f"{F[4]}{number}")
        )
    for text in illegal_texts(db):
        engagement = fresh(title="待改名")
        services.create_contract(
            db, actor=lead, engagement=engagement, data=contract_data(number="HT-旧")
        )
        db.flush()
        # A title stored before such text was refused: written past the ORM's checks.
        db.exec(update(Engagement).where(Engagement.id == engagement.id).values(title=text))
        db.expire(engagement)
    response = login("demo-admin").get("/finance/deposits.xlsx")
    assert response.status_code == 200
    numbers = [f"{F[4].strip()}{n}" for n in range(len(titles))]
    assert_safe_export(response.data, [*titles, bureau.name, *numbers, *illegal_texts(db)])
