"""The base every page form derives from, and helpers shared by forms of every domain."""

from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm
from wtforms import DecimalField, HiddenField, SelectMultipleField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from workbench import db
from workbench.core.errors import DomainError, ValidationFailed
from workbench.core.hygiene import find_problems, parse_int
from workbench.core.money import parse_decimal

STALE_PAGE = "页面数据已失效，请刷新页面后重试"


def _refuse_unstorable(form, field) -> None:
    """First validator of every field: what the database cannot hold stops the field's checks."""
    found = find_problems([list(getattr(field, "raw_data", None) or []), field.data])
    if found:
        raise StopValidation(found[0][1])


class BaseForm(FlaskForm):
    """A page form whose fields refuse control characters and numbers beyond the columns."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            field.validators = [_refuse_unstorable, *field.validators]
            return field

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        for field in self:
            # A hidden field's error has no place on the page: say it at the top instead.
            if (
                field.errors
                and isinstance(field.widget, HiddenInput)
                and field.name != "csrf_token"
            ):
                for message in field.errors:
                    flash(message, "danger")
        return valid


class HiddenIntegerField(HiddenField):
    """A hidden id or number the page wrote: an int, None when blank, or a field error."""

    def process_formdata(self, valuelist) -> None:
        text = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if text:
            self.data = parse_int(text)
            if self.data is None:
                raise ValueError(STALE_PAGE)

    def _value(self) -> str:
        return "" if self.data is None else str(self.data)


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes (several engagement types, the events a webhook follows)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form) -> None:
        """A value the page never offered is named, in Chinese (WTForms says it in English)."""
        offered = {str(option.data) for option in self}
        unknown = [value for value in self.data or [] if str(value) not in offered]
        if unknown:
            raise StopValidation(f"没有这些选项：{'、'.join(map(str, unknown))}")


class DecimalInput(DecimalField):
    """A number as people type it: 3,000,000 or 3，000，000.50, ¥1200, 1200元, full-width digits.

    Text that is no number gets one message ("“3百万”不是有效的数字") and stops the field's other
    checks, which would otherwise add a second, wrong one (a range check sees no number at all).
    """

    def process_formdata(self, valuelist) -> None:
        if not valuelist:
            return
        self.data = None
        try:
            self.data = parse_decimal(valuelist[0])
        except ValueError as error:
            raise ValueError(str(error)) from None

    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()


class VersionField(HiddenIntegerField):
    """The version a page was drawn from (optimistic locking)."""


def flash_errors(form) -> None:
    """Say every field error of a refused form at the top of the page it redirects to."""
    for errors in form.errors.values():
        for message in errors:
            flash(message, "danger")


def refused(error: DomainError, *, message: str | None = None) -> None:
    """A view caught a service's refusal: nothing of the request is kept, and the page says why.

    The request rolls back at once (a page drawn after this shows what is stored, and nothing is
    committed even when the view redirects); the message is flashed, `message` instead when given.
    Every view that catches a domain error calls this or `attach_errors`, or raises again
    (tests/test_view_refusals.py reads the views to hold them to it).
    """
    db.mark_rollback()
    flash(message or error.message, "danger")


def attach_errors(form, error: ValidationFailed) -> None:
    """Show a service's field-level errors next to the form fields; nothing is saved."""
    db.mark_rollback()
    shown = False
    for item in error.details:
        field = getattr(form, item.field, None) if item.field else None
        # A hidden field (the version) has no place on the page: say it at the top instead.
        if field is not None and not isinstance(field.widget, HiddenInput):
            field.errors = list(field.errors) + [item.message]
            shown = True
        else:
            flash(item.message, "danger")
    if not shown or not error.details:
        flash(error.message, "danger")


def choices(pairs) -> list:
    """(value, label) pairs as WTForms SelectChoice objects (tuples are deprecated)."""
    from wtforms.fields.choices import SelectChoice

    return [SelectChoice(str(value), label) for value, label in pairs]
