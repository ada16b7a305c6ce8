"""The one error vocabulary (pure): a field error with its location and message, and `Invalid`.

Forms, the API and importers say what is wrong the same way: a `FieldError` names where (a form
field, or a sheet's row and column) and what, and `as_dict()` is the `{field|row, column, message}`
item of the API's 422 body. Pure modules raise `Invalid` (or a domain subclass: `SheetError`,
`PackError`, `ParamError`, `ImportRefused`); a service turns it into `ValidationFailed`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import astuple, dataclass
from enum import Enum
from typing import Any, Final


class _Unset(Enum):
    """A location an error does not have: left out of `as_dict`, unlike None (known unknown)."""

    UNSET = "unset"

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset.UNSET
# In the order the keys are read out: where first, then what.
_LOCATIONS = ("field", "sheet", "row", "column")


@dataclass(frozen=True)
class FieldError(Mapping[str, Any]):
    """One problem: its message and where it is (a form field, or a sheet's row and column).

    A location left out is not said; one given as None is said as null (an import's row that the
    file has no number for is still `{"row": null, ...}` in the API, as it always was). It also
    reads as the dict it replaces (`error["message"]`, `== {"field": ..., "message": ...}`), so
    code and tests written against that dict keep working while they move to the attributes.
    """

    message: str
    field: str | None | _Unset = UNSET
    sheet: str | None | _Unset = UNSET
    row: int | None | _Unset = UNSET
    column: str | None | _Unset = UNSET

    def as_dict(self) -> dict[str, Any]:
        """The error as the API and the pages show it: the given locations and the message."""
        said = {key: getattr(self, key) for key in _LOCATIONS if getattr(self, key) is not UNSET}
        return {**said, "message": self.message}

    def __getitem__(self, key: str) -> Any:
        return self.as_dict()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.as_dict())

    def __len__(self) -> int:
        return len(self.as_dict())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FieldError):
            return astuple(self) == astuple(other)
        if isinstance(other, Mapping):
            return self.as_dict() == dict(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(astuple(self))

    @classmethod
    def of(cls, item: FieldError | Mapping[str, Any] | str) -> FieldError:
        """An error from the shapes callers still pass: a `{field|row, column, message}` dict or
        a bare sentence (no location)."""
        if isinstance(item, FieldError):
            return item
        if isinstance(item, str):
            return cls(item)
        unknown = set(item) - {*_LOCATIONS, "message"}
        if unknown:
            raise TypeError(f"FieldError has no {sorted(unknown)}")
        return cls(**item)


def as_field_errors(items: Iterable[FieldError | Mapping[str, Any] | str]) -> list[FieldError]:
    """Each item as a FieldError (see `FieldError.of`)."""
    return [FieldError.of(item) for item in items]


def at_field(field: str, *messages: str) -> list[FieldError]:
    """The messages, each placed at one form field."""
    return [FieldError(message, field=field) for message in messages]


class Invalid(ValueError):
    """Input a pure module cannot accept: a headline and the field errors behind it."""

    def __init__(self, message: str, errors: Iterable[FieldError] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.errors: tuple[FieldError, ...] = tuple(errors)

    @property
    def messages(self) -> list[str]:
        """The errors' sentences, in order."""
        return [e.message for e in self.errors]
