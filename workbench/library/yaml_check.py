"""Checks of uploaded YAML text that the pack loader does not make (pure)."""

from __future__ import annotations

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BINARY_STARTS = (b"PK\x03\x04", b"%PDF", b"MZ", b"\x7fELF", b"\xd0\xcf\x11\xe0", b"\x89PNG")


def looks_like_text(data: bytes) -> str | None:
    """None when the bytes can be YAML text; else a Chinese reason."""
    head = data[:4096]
    if head.startswith(_BINARY_STARTS) or b"\x00" in head:
        return "内容是二进制文件，不是 YAML 文本"
    if head.lstrip().lower().startswith((b"<!doctype", b"<html", b"<script", b"<svg", b"<?xml")):
        return "内容是网页或 XML，不是 YAML 文本"
    try:
        data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "YAML 文件必须使用 UTF-8 编码"
    return None


def duplicate_keys(text: str) -> list[str]:
    """Keys repeated within one YAML mapping (PyYAML would silently keep the last one)."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.YAMLError:
        return []  # the loader reports syntax errors with their position
    problems: list[str] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
                if key is not None and key in seen:
                    line = key_node.start_mark.line + 1
                    problems.append(f"第{line}行：字段「{key}」在同一层级重复出现")
                if key is not None:
                    seen.add(key)
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return sorted(problems, key=lambda message: int(message[1 : message.index("行")]))
