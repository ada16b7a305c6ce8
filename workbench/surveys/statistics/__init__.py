"""Survey statistics: validity filters and verdicts, figures, breakdowns, report summary, exports."""
