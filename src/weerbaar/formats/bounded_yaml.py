"""YAML read and written within the register's limits.

The loader refuses aliases (``*name``): a register document needs none, and they are
how a "billion laughs" file makes a few kilobytes into gigabytes. It also stops at
:data:`~weerbaar.formats.bounds.MAX_DEPTH` levels of nesting, before PyYAML's
recursive composer would overflow, and refuses numbers longer than
:data:`~weerbaar.formats.bounds.MAX_DIGITS` digits. The writer never emits aliases.
"""

from __future__ import annotations

from typing import IO, Any

import yaml

from weerbaar.errors import FileFormatError, said
from weerbaar.formats.bounds import MAX_DEPTH, MAX_DIGITS, too_deep, too_long
from weerbaar.formats.common import line_at

_COLLECTION_STARTS = (yaml.SequenceStartEvent, yaml.MappingStartEvent)


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str, name: str) -> None:
        super().__init__(stream)
        self.file_name = name
        self.depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise FileFormatError(
                said(
                    "%(name)s line %(line)s: an alias (*%(anchor)s); register files use "
                    "no anchors and aliases",
                    name=self.file_name,
                    line=line,
                    anchor=event.anchor,
                )
            )
        if not isinstance(event, _COLLECTION_STARTS):
            return super().compose_node(parent, index)
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise too_deep(self.file_name, line)
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _checked_scalar(tag: str, digits_count: bool) -> Any:
    """PyYAML's constructor for ``tag``, refusing long numbers and turning what it
    raises on a bad explicit ``!!int``, ``!!bool`` or ``!!timestamp`` value (or a
    date such as 2020-13-45) into a message with the line."""
    plain = yaml.SafeLoader.yaml_constructors[tag]
    kind = tag.rsplit(":", 1)[-1]

    def construct(loader: _BoundedLoader, node: yaml.ScalarNode) -> Any:
        line = node.start_mark.line + 1
        if digits_count:
            digits = sum(ch.isdigit() for ch in node.value)
            if digits > MAX_DIGITS:
                raise too_long(loader.file_name, line, digits)
        try:
            return plain(loader, node)
        except (ValueError, KeyError, AttributeError):
            raise FileFormatError(
                said(
                    "%(name)s line %(line)s: %(node)s is not a valid %(kind)s",
                    name=loader.file_name,
                    line=line,
                    node=repr(str(node.value)[:40]),
                    kind=kind,
                )
            ) from None

    return construct


for _tag, _digits in (("int", True), ("float", True), ("bool", False), ("timestamp", False)):
    _full_tag = f"tag:yaml.org,2002:{_tag}"
    _BoundedLoader.add_constructor(_full_tag, _checked_scalar(_full_tag, _digits))


def load_yaml(text: str, name: str) -> object:
    try:
        loader = _BoundedLoader(text, name)
    except yaml.reader.ReaderError as exc:  # the reader checks every character at once
        raise FileFormatError(
            said(
                "%(name)s line %(line)s: character U+%(character)s is not allowed in YAML",
                name=name,
                line=line_at(text, exc.position),
                character=format(exc.character, "04X"),
            )
        ) from None
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise FileFormatError(
            said(
                "%(name)s%(where)s: not valid YAML: %(problem)s",
                name=name,
                where=where,
                problem=exc.problem,
            )
        ) from None
    except yaml.YAMLError as exc:
        raise FileFormatError(
            said("%(name)s: not valid YAML: %(error)s", name=name, error=exc)
        ) from None
    finally:
        loader.dispose()


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_yaml(data: Any, handle: IO[str]) -> None:
    yaml.dump(data, handle, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False, width=100)
