"""A package's names imported from their modules when first used (PEP 562 `__getattr__`), so
importing the package stays cheap: the heavy libraries load with the module that needs them."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from typing import Any


def attributes(package: str, modules: dict[str, str]) -> Callable[[str], Any]:
    """The `__getattr__` of `package`, finding each name in its module (`modules[name]`, relative)."""

    def __getattr__(name: str) -> Any:
        if name not in modules:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{modules[name]}", package), name)
        setattr(sys.modules[package], name, value)  # found once
        return value

    return __getattr__
