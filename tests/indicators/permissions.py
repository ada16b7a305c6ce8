"""Route × role expectations of the indicator system pages and API (tests/test_permission_matrix)."""

from sqlmodel import select

from tests.permissions_roles import MANAGE, TEAM, for_roles, fresh_engagement
from workbench.indicators.models import Indicator

# Every team member works on the system until the lead confirms it; from then on only the lead
# (or the admin) changes it (`require_editor`): a refusal by the object's state, not the role.
EXPECTED = {
    "indicators.index": TEAM,
    "indicators.create": TEAM,
    "indicators.edit": TEAM,
    "indicators.delete": TEAM,
    "indicators.move": TEAM,
    "indicators.import_sheet": TEAM,
    "indicators.export_sheet": TEAM,
    "indicators.grades": TEAM,
    "indicators.framework": TEAM,
    "indicators.library": TEAM,
    "indicators.add_from_library": TEAM,
    "indicators.propose": TEAM,
    # Cite a library benchmark value on a leaf: whoever may edit it (`require_editor`).
    "indicators.cite_benchmark": TEAM,
    # 导入绩效目标申报表（目标值）: whoever may edit a leaf (the service's `require_editor`).
    "indicators.targets_import": TEAM,
    "indicators.targets_import_confirm": TEAM,
    "indicators.targets_import_template": TEAM,
    "indicators.confirm": MANAGE,
    "indicators.unconfirm": MANAGE,
    "api.put_indicators_put": TEAM,
    # workbench/api/scoring_record.py: the indicator page's predicates
    "api.get_indicator_confirmation_get": TEAM,  # as indicators.index
    "api.confirm_indicators_post": MANAGE,  # as indicators.confirm
    "api.withdraw_indicator_confirmation_post": MANAGE,  # as indicators.unconfirm
    "api.get_scores_get": TEAM,
}


def params(db, demo) -> dict:
    """A leaf of the demo engagement (the demo imports the sample sheet)."""
    first = db.exec(
        select(Indicator)
        .where(Indicator.engagement_id == demo.engagement.id)
        .order_by(Indicator.position)
    ).first()
    return {"indicator_id": first.id}


def with_sheet(db, demo, title: str, *, confirmed: bool = False):
    """A fresh engagement with the demo's sample sheet imported by the lead (and confirmed)."""
    from workbench.indicators import services, transfer
    from workbench.indicators.demo import SAMPLE_SHEET

    engagement = fresh_engagement(db, demo, title)
    lead = demo.users["demo-lead"]
    transfer.import_sheet(
        db,
        actor=lead,
        engagement=engagement,
        filename=SAMPLE_SHEET.name,
        data=SAMPLE_SHEET.read_bytes(),
    )
    if confirmed:
        services.confirm(db, actor=lead, engagement=engagement)
    db.flush()
    return engagement


def endpoint_params(db, demo) -> dict:
    """Systems in the state each call needs (the demo's is confirmed and has its leaves)."""
    from workbench.indicators.tree import list_indicators

    # Not yet confirmed: every team member edits (an unchanged leaf), proposes a leaf of its own
    # to the library (a leaf goes there once) and deletes one (the demo's system is confirmed).
    unconfirmed = with_sheet(db, demo, "未确认的指标体系")
    leaves = list_indicators(db, unconfirmed)
    # Complete enough for the library: explained, and not 要素计分 (the sheet lists no 评价要点).
    complete = iter([i for i in leaves if i.definition.strip() and i.rule != "elements"])
    proposed = for_roles(TEAM, lambda _role: next(complete).id)
    rest = iter(leaves[::-1])
    deleted = for_roles(TEAM, lambda _role: next(rest).id)
    edited = leaves[0]
    # Each manager confirms a system of its own, then withdraws that confirmation.
    to_confirm = for_roles(MANAGE, lambda role: with_sheet(db, demo, f"{role}确认指标体系").id)
    # The common framework fills an empty tree: one engagement without indicators per member.
    empty = for_roles(TEAM, lambda role: fresh_engagement(db, demo, f"{role}共性框架").id)
    return {
        "indicators.edit": {"engagement_id": unconfirmed.id, "indicator_id": edited.id},
        "indicators.cite_benchmark": {"engagement_id": unconfirmed.id, "indicator_id": edited.id},
        "indicators.propose": {"engagement_id": unconfirmed.id, "indicator_id": proposed},
        "indicators.delete": {"engagement_id": unconfirmed.id, "indicator_id": deleted},
        "indicators.confirm": {"engagement_id": to_confirm},
        "indicators.unconfirm": {"engagement_id": to_confirm},
        # The API's confirmation runs before the pages' (its URLs sort first): systems of its own.
        "api.confirm_indicators_post": {
            "id": for_roles(MANAGE, lambda role: with_sheet(db, demo, f"{role}接口确认").id)
        },
        "indicators.framework": {"engagement_id": empty},
    }
