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
