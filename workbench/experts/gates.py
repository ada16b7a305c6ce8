"""Flowchart conditions this domain derives: the expert review of the plan."""

from workbench.experts import plan_reviews  # noqa: F401  (registers the plan condition)
