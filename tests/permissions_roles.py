"""Role sets for the route × role matrix (tests/<domain>/permissions.py import these)."""

ROLES = [
    "anonymous",
    "admin",
    "lead",
    "evaluator",
    "reviewer",
    "expert",
    "bureau",
    "bureau2",
    "unit",
    "admin2",  # the admin of another agency
    "staff2",  # a staff member of another agency
]
PUBLIC = set(ROLES)
AUTH = set(ROLES) - {"anonymous"}
AGENCY = {"admin", "lead", "evaluator", "reviewer"}
VIEW = {"admin", "lead", "evaluator", "reviewer", "expert", "bureau", "unit"}
INTERNAL = {"admin", "lead", "evaluator", "reviewer", "expert"}
TEAM = {"admin", "lead", "evaluator", "reviewer"}
MANAGE = {"admin", "lead"}
DECLARE = {"lead", "evaluator", "reviewer", "expert"}
ADMIN = {"admin"}
# Another agency's people reach firm-wide pages of their own agency, never the demo agency's things.
OTHER_AGENCY = {"admin2", "staff2"}
ANY_AGENCY = AGENCY | OTHER_AGENCY
ANY_ADMIN = ADMIN | {"admin2"}


def each_role(make):
    """One fresh object per role, made now (ids are fixed before any call deletes a row)."""
    made = {role: make(role) for role in ROLES}
    return made.__getitem__


def for_roles(roles, make):
    """A fresh object for each role of `roles` (the allowed ones), made now; the other roles,
    which are refused before they touch anything, name the first of them."""
    made = {role: make(role) for role in ROLES if role in roles}
    first = next(iter(made.values()))
    return lambda role: made.get(role, first)


def fresh_engagement(db, demo, title: str):
    """Another engagement of the demo agency for the demo bureau and unit, with the demo's team
    (lead, evaluator, reviewer, expert, unit contact), every declaration signed; nothing else.

    For a call that needs the engagement in a state the demo's is not in (a gate met, an open
    consultation round, an unconfirmed indicator system …): the caller adds that through the
    domain's services.
    """
    from decimal import Decimal

    from workbench.engagements import services as engagements
    from workbench.engagements.models import DeclarationKind

    lead = demo.users["demo-lead"]
    engagement = engagements.create(
        db,
        actor=lead,
        data=engagements.EngagementInput(
            title=f"矩阵测试：{title}",
            type=demo.engagement.type,
            bureau_id=demo.engagement.bureau_id,
            unit_id=demo.engagement.unit_id,
            budget_year=demo.engagement.budget_year,
            budget_amount=Decimal("1000000.00"),
        ),
    )
    for role in ("evaluator", "reviewer", "expert", "unit"):
        engagements.add_member(
            db, actor=lead, engagement=engagement, user_id=demo.users[f"demo-{role}"].id, role=role
        )
    for role in ("lead", "evaluator", "reviewer", "expert"):
        for kind in DeclarationKind:
            engagements.sign_declaration(
                db, actor=demo.users[f"demo-{role}"], engagement=engagement, kind=kind
            )
    db.flush()
    return engagement
