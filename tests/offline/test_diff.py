"""Three-way comparison of a record (pure): base, server, laptop."""

from workbench.offline import diff, tokens

IGNORE = {"version", "updated_at"}


def test_unchanged_offline_is_same_whatever_the_server_did():
    base = {"title": "甲", "version": 1}
    assert diff.compare(base, {"title": "乙", "version": 2}, dict(base), IGNORE).action == "same"


def test_bookkeeping_alone_is_no_change():
    base = {"title": "甲", "version": 1, "updated_at": "2026-01-01"}
    laptop = {"title": "甲", "version": 3, "updated_at": "2026-02-01"}
    assert diff.compare(base, base, laptop, IGNORE).action == "same"


def test_offline_change_on_an_untouched_record_applies():
    base = {"title": "甲", "note": ""}
    outcome = diff.compare(base, dict(base), {"title": "乙", "note": ""}, IGNORE)
    assert (outcome.action, outcome.fields) == ("apply", frozenset({"title"}))


def test_both_changed_is_a_conflict_on_the_differing_fields():
    base = {"title": "甲", "note": "", "actual": "1"}
    server = {"title": "甲", "note": "服务器", "actual": "2"}
    laptop = {"title": "乙", "note": "", "actual": "2"}
    outcome = diff.compare(base, server, laptop, IGNORE)
    assert outcome.action == "conflict"
    assert outcome.fields == {"title", "note"}  # actual: both wrote 2, no difference


def test_offline_values_already_on_the_server_are_already_applied():
    base = {"title": "甲"}
    assert diff.compare(base, {"title": "乙"}, {"title": "乙"}, IGNORE).action == "already"


def test_side_by_side_splits_a_papers_values_per_field_with_labels():
    lines = diff.side_by_side(
        {"values": {"site": "一小", "summary": "规范"}},
        {"values": {"site": "一小", "summary": "服务器"}},
        {"values": {"site": "一小", "summary": "离线"}},
        ["values"],
        labels={"values.summary": "检查情况"},
    )
    assert lines == [
        {
            "field": "values.summary",
            "label": "检查情况",
            "base": "规范",
            "server": "服务器",
            "offline": "离线",
        }
    ]


def test_side_by_side_names_plain_fields():
    lines = diff.side_by_side({"actual": "1"}, {"actual": "2"}, {"actual": "3"}, ["actual"])
    assert [(x["label"], x["base"], x["server"], x["offline"]) for x in lines] == [
        ("实际值", "1", "2", "3")
    ]


def test_a_token_verifies_only_with_the_same_key_and_fields():
    fields = {"checkout": "abc", "engagement_id": 7, "issued_at": "2026-12-01T00:00:00+00:00"}
    token = tokens.sign("server-one", fields)
    assert tokens.verify("server-one", fields, token)
    assert not tokens.verify("server-two", fields, token)
    assert not tokens.verify("server-one", {**fields, "engagement_id": 8}, token)
    assert not tokens.verify("server-one", fields, None)
