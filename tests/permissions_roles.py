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
