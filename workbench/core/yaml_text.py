"""YAML written by users (paper templates, rubrics, indicator packs), parsed safely.

libyaml's loader when installed (it also caps nesting); a value Python cannot hold — a number of
5,000 digits, nesting deeper than the pure-Python parser can recurse — becomes a YAMLError like
any other syntax problem, so every caller's existing error message applies.
"""

from __future__ import annotations

from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load(text: str) -> Any:
    """Parse YAML text; YAMLError (with a Chinese problem) for anything that cannot be read."""
    try:
        return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
    except (ValueError, RecursionError):
        raise yaml.YAMLError("内容无法读取：数字过长或嵌套过深") from None
