"""Helpers shared by forms of every domain."""

from __future__ import annotations

from flask import flash

from workbench import db
from workbench.core.errors import ValidationFailed


def attach_errors(form, error: ValidationFailed) -> None:
    """Show a service's field-level errors next to the form fields; nothing is saved."""
    db.mark_rollback()
    shown = False
    for item in error.details:
        field = getattr(form, item.get("field", "") or "", None)
        if field is not None:
            field.errors = list(field.errors) + [item["message"]]
            shown = True
        else:
            flash(item.get("message", str(item)), "danger")
    if not shown or not error.details:
        flash(error.message, "danger")


def choices(pairs) -> list:
    """(value, label) pairs as WTForms SelectChoice objects (tuples are deprecated)."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(str(value), label) for value, label in pairs]
