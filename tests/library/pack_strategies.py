"""Hypothesis strategies that build packs as the loaders return them (stripped text, Decimal)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from workbench.library.packs import (
    ENGAGEMENT_TYPES,
    KINDS,
    RULES,
    STANDARDS,
    Benchmark,
    Indicator,
    Level1,
    Level2,
    Pack,
)

# Chinese text with the punctuation the exchange formats treat specially (| ; = % : 、 …).
ALPHABET = "教育卫生健康指标率达标核实资金项目（）%％|;；:：=<>≥≤.,，、/ -abcXYZ019"
SEPARATORS = set("、,，;；")


def _clean(text: str) -> bool:
    return text == text.strip()


def line(*, min_size: int = 0, forbidden: str = "") -> st.SearchStrategy[str]:
    """One line of stripped text without the forbidden characters."""
    alphabet = "".join(char for char in ALPHABET if char not in forbidden)
    return (
        st.text(alphabet, min_size=min_size, max_size=12)
        .filter(_clean)
        .filter(lambda text: len(text) >= min_size)
    )


def paragraph() -> st.SearchStrategy[str]:
    """Stripped text that may span lines."""
    return st.text(ALPHABET + "\n", max_size=30).map(str.strip)


def slug() -> st.SearchStrategy[str]:
    return st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)


def weights() -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal("0.01"), max_value=Decimal(100), places=2).map(
        lambda value: value.normalize() if value == value.to_integral_value() else value
    )


def benchmarks() -> st.SearchStrategy[Benchmark]:
    return st.builds(
        Benchmark,
        value=line(min_size=1, forbidden="|;；"),
        year=st.integers(min_value=1949, max_value=2100),
        source=line(min_size=1, forbidden=";；"),
    )


def indicators(key: str, name: str) -> st.SearchStrategy[Indicator]:
    return st.builds(
        Indicator,
        key=st.just(key),
        name=st.just(name),
        definition=paragraph(),
        points=st.lists(line(min_size=1), max_size=3),
        evidence=st.lists(line(min_size=1), max_size=3),
        standard=st.sampled_from(STANDARDS),
        rule=st.sampled_from(list(RULES)),
        params=line(),
        weight=weights(),
        target=line(),
        scoring=paragraph(),
        tags=st.lists(line(min_size=1, forbidden="".join(SEPARATORS)), max_size=2),
        benchmarks=st.lists(benchmarks(), max_size=2),
        notes=paragraph(),
    )


@st.composite
def packs(draw: st.DrawFn) -> Pack:
    """A pack of up to 2 × 2 × 2 leaves with unique sibling names and unique leaf keys."""
    keys = iter(draw(st.lists(slug(), min_size=8, max_size=8, unique=True)))
    names = st.lists(line(min_size=1), min_size=1, max_size=2, unique=True)
    tree = []
    for name1 in draw(names):
        level2 = []
        for name2 in draw(names):
            leaves = [draw(indicators(next(keys), leaf)) for leaf in draw(names)]
            level2.append(Level2(name=name2, children=leaves))
        tree.append(Level1(name=name1, children=level2))
    return Pack(
        key=draw(slug()),
        name=draw(line(min_size=1)),
        kind=draw(st.sampled_from(list(KINDS))),
        engagement_types=draw(
            st.lists(st.sampled_from(list(ENGAGEMENT_TYPES)), min_size=1, max_size=2, unique=True)
        ),
        sector=draw(st.none() | line(min_size=1)),
        version=draw(line(min_size=1)),
        source=draw(paragraph()),
        notes=draw(paragraph()),
        indicators=tree,
    )
