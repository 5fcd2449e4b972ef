"""Reading and checking one reference data file, shared by the area modules."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from weerbaar.errors import ConfigError

__all__ = ["Strict", "checked", "load", "settings", "yaml_files"]


class Strict(BaseModel):
    """A data file's shape: unknown keys are an error, values do not change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def load(path: str) -> Any:
    """The parsed YAML of ``weerbaar/data/<path>``."""
    return yaml.safe_load(resources.files("weerbaar.data").joinpath(path).read_text("utf-8"))


def yaml_files(*folder: str) -> Iterator[tuple[str, str]]:
    """Per YAML file in a data folder, by name: its name and its path under the data."""
    found = resources.files("weerbaar.data").joinpath(*folder)
    for item in sorted(found.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            yield item.name, "/".join((*folder, item.name))


_M = TypeVar("_M", bound=BaseModel)


def checked(model: type[_M], path: str) -> _M:
    try:
        return model.model_validate(load(path))
    except ValidationError as exc:
        raise ConfigError(f"reference data file weerbaar/data/{path} is invalid:\n{exc}") from exc


_S = TypeVar("_S")


def settings(model: type[_M], path: str, build: Callable[..., _S]) -> _S:
    """A settings file's values (all but its source and verified flag) as ``build``'s
    arguments; the settings type's own checks name the file when they fail."""
    data = checked(model, path)
    try:
        return build(**data.model_dump(exclude={"source", "verified"}))
    except ValueError as exc:
        raise ConfigError(f"weerbaar/data/{path}: {exc}") from exc
