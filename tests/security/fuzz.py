"""Hostile values and the plumbing the fuzz tests share: routes, roles, URLs, harvested forms.

Routes and roles come from the route × role matrix (tests/test_permission_matrix.py): every
endpoint is called as a role allowed to use it — the demo lead where it may, the demo admin for
admin routes, the bureau for the bureau's decisions — so the hostile value reaches the view and
its service instead of bouncing off the permission layer.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from tests.test_permission_matrix import EXPECTED, USERNAMES
from tests.test_permission_matrix import _params as matrix_params

HUGE = "99999999999999999999"  # beyond any integer column
INT32 = str(2**31)  # the first id PostgreSQL's INTEGER cannot hold (SQLite's can)
HOSTILE: dict[str, str] = {
    "huge": HUGE,
    "int32": INT32,
    "huge_negative": "-" + HUGE,
    "digits_5000": "9" * 5000,  # beyond Python's int-from-text limit
    "nan": "NaN",
    "snan": "sNaN",
    "infinity": "Infinity",
    "exponent": "1e999999999",
    "controls": "甲\x00乙\ufffe丙\uffff\x1b[31m\x0b",  # NUL, U+FFFE/U+FFFF, C0 controls
    "long_100k": "x" * 100_000,  # 100 KB
    "rtl_zero_width": "\u202e\u200b\u200d\ufeff甲\u2066乙\u2069",
    "deep_json": "[" * 5000 + "]" * 5000,  # also deep YAML, where a field holds YAML
}
# JSON has what a form cannot send: a lone surrogate, numbers, nesting.
DEEP_JSON = HOSTILE["deep_json"]
JSON_HOSTILE: list[object] = [
    *HOSTILE.values(),
    "\ud800 lone surrogate",
    2**70,
    2**31,
    -(2**70),
    1e300,
    [[[[[[[["deep"]]]]]]]],
]
ROLE_ORDER = ["lead", "admin", "evaluator", "reviewer", "bureau", "expert", "unit", "anonymous"]
SKIPPED = {"static", "accounts.logout"}  # a logout ends the client's session for what follows


# Names some views read from request.form themselves, beside their forms' fields.
RAW_FIELD_NAMES = ["content", "number", "comment_id", "user_id", "paper_no", "started", "mapping"]


def form_field_names() -> list[str]:
    """Every field name of every page form, and the names views read themselves."""
    from wtforms.fields.core import UnboundField

    from workbench.core.forms import BaseForm

    names, classes = set(RAW_FIELD_NAMES), [BaseForm]
    while classes:
        cls = classes.pop()
        classes.extend(cls.__subclasses__())
        names.update(n for n in dir(cls) if isinstance(getattr(cls, n, None), UnboundField))
    return sorted(names)


def role_for(endpoint: str) -> str:
    """The first allowed role in ROLE_ORDER: the lead where it may, else admin, else who can."""
    allowed = EXPECTED[endpoint]
    return next(role for role in ROLE_ORDER if role in allowed)


def username(role: str) -> str | None:
    return USERNAMES.get(role)


def params(db, demo, target_user) -> dict[str, object]:
    """URL values naming demo objects every route can reach (the matrix's own)."""
    return matrix_params(db, demo, target_user)


def url(rule, values: dict[str, object], override: dict[str, str] | None = None) -> str:
    """The rule's URL with its variables filled in (override wins)."""
    merged = {**values, **(override or {})}
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(merged[m.group(1)]), rule.rule)


def int_arguments(rule) -> list[str]:
    return [name for name, conv in rule._converters.items() if "Integer" in type(conv).__name__]


@dataclass
class Tally:
    """Hostile requests sent and the answers of 500 or above."""

    sent: int = 0
    failures: list[str] = field(default_factory=list)

    def check(self, label: str, response) -> None:
        self.sent += 1
        if response.status_code >= 500:
            self.failures.append(f"{label}: {response.status_code}")
        response.close()

    def call(self, label: str, send) -> None:
        """Send one request; an exception escaping the app (TESTING propagates them) is a 500."""
        try:
            response = send()
        except Exception as error:  # every exception escaping the app is a finding
            self.sent += 1
            self.failures.append(f"{label}: {type(error).__name__}: {str(error)[:200]}")
            return
        self.check(label, response)


def forget_flashes(client) -> None:
    """Drop the messages the requests flashed: a browser shows them on the page it is redirected
    to, these requests never go there, and thousands of them in the session cookie made every
    later request of the run parse and write it again (most of the run's time)."""
    with client.session_transaction() as session:
        session.pop("_flashes", None)


WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|COPY)\s+"?(\w+)"?', re.IGNORECASE)


@contextmanager
def rolled_back(app):
    """Undo whatever the requests inside changed (each endpoint starts from the demo).

    Yields the set of tables the requests wrote to (INSERT, UPDATE, COPY), filled as they run:
    only those can hold a cell the requests stored (`stored_illegal_text(db, written)`).
    """
    from sqlalchemy import event

    from workbench.db import BIND_KEY

    written: set[str] = set()

    def _seen(conn, cursor, statement, parameters, context, executemany):
        match = WRITE.match(statement)
        if match:
            written.add(match.group(1))

    bind = app.extensions[BIND_KEY]  # the test's connection, in its outer transaction
    event.listen(bind, "before_cursor_execute", _seen)
    savepoint = bind.begin_nested()
    try:
        yield written
    finally:
        event.remove(bind, "before_cursor_execute", _seen)
        if savepoint.is_active:
            savepoint.rollback()


def stored_illegal_text(db, tables: set[str] | None = None) -> list[str]:
    """Every text cell holding a character no stored text may hold (there should be none), in
    `tables` (the names of the tables written), or in every table when None."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from workbench.core.hygiene import has_illegal
    from workbench.core.text_guard import is_text

    found = []
    for table in SQLModel.metadata.sorted_tables:
        if tables is not None and table.name not in tables:
            continue
        columns = [column for column in table.columns if is_text(column.type)]
        if not columns:
            continue
        for row in db.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if isinstance(value, str) and has_illegal(value):
                    found.append(f"{table.name}.{column.name}: {value[:40]!r}")
    return found


class _Forms(HTMLParser):
    """Every <form method=post> of a page: its action and the values a browser would send."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, str]]] = []
        self._form: dict[str, str] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "").lower() == "post":
            self._form = {}
            self.forms.append((a.get("action", ""), self._form))
        if tag == "option" and self._form is not None and self._select:  # options have no name
            # A browser sends the selected option, or else the first one.
            if "selected" in a or self._select not in self._form:
                self._form[self._select] = a.get("value", "")
            return
        if self._form is None or not a.get("name"):
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in {"file", "submit", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._form[name] = a.get("value", "on")
                elif kind == "radio":  # the first option, so a required question is answered
                    self._form.setdefault(name, a.get("value", "on"))
                return
            self._form[name] = a.get("value", "")
        elif tag == "button" and name not in self._form:
            self._form[name] = a.get("value", "")
        elif tag == "select":
            self._select = name
            self._form.pop(name, None)
        elif tag == "textarea":
            self._textarea = name
            self._form[name] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str, page_url: str) -> list[tuple[str, dict[str, str]]]:
    """(path posted to, field values) of every POST form on the page."""
    parser = _Forms()
    parser.feed(html)
    found = []
    for action, values in parser.forms:
        target = urlsplit(action or page_url).path
        found.append((target, {k: v for k, v in values.items() if k != "csrf_token"}))
    return found
