"""Expert services: the pool (pool.py) and assignments with fees (assignments.py).

Other domains import from here, e.g. `experts.services.for_engagement(db, engagement)`.
"""

from workbench.experts import (
    permissions,  # noqa: F401 - registers the experts' predicates
    plan_reviews,
)
from workbench.experts.assignments import (
    AssignmentRow,
    active_assignment,
    add_fee,
    assign,
    assignment_counts,
    candidates,
    conflict_map,
    delete_fee,
    end_assignment,
    for_engagement,
    history,
)
from workbench.experts.pool import (
    ExpertInput,
    all_tags,
    conflicts_of,
    create_expert,
    decide_withdrawal,
    declare_conflict,
    expert_for_user,
    get_expert,
    profile_input,
    remove_conflict,
    search,
    search_query,
    update_expert,
)
from workbench.experts.team import join_team, leave_team

__all__ = [
    "AssignmentRow",
    "ExpertInput",
    "active_assignment",
    "add_fee",
    "all_tags",
    "assign",
    "assignment_counts",
    "candidates",
    "conflict_map",
    "conflicts_of",
    "create_expert",
    "decide_withdrawal",
    "declare_conflict",
    "delete_fee",
    "end_assignment",
    "expert_for_user",
    "for_engagement",
    "get_expert",
    "history",
    "join_team",
    "leave_team",
    "plan_reviews",
    "profile_input",
    "remove_conflict",
    "search",
    "search_query",
    "update_expert",
]
