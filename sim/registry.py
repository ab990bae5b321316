"""Name -> class registries for rules and levers: built-ins by name, third-party ones by entry point or path.

Built-in classes register themselves when their package is imported. A third-party class is found only
when a scenario names it: by the name it declares under the entry-point group (``migsim.rules``,
``migsim.levers``) of an installed package, or by an explicit dotted path ``package.module:Class``. Nothing
is imported that a scenario did not name. Unknown names are answered with the nearest valid ones.
"""

from __future__ import annotations

import difflib
import functools
import importlib
from importlib import metadata
from typing import Any


class Registry(dict[str, Any]):
    """Classes by their ``name`` attribute, plus what is installed or named by path."""

    def __init__(self, kind: str, group: str, base: type | None = None) -> None:
        super().__init__()
        self.kind = kind
        self.group = group
        self.base = base

    def register(self, cls: Any) -> Any:
        """Class decorator: make ``cls`` available as ``cls.name``."""
        self[cls.name] = cls
        return cls

    def installed(self) -> dict[str, metadata.EntryPoint]:
        """Third-party classes declared by installed packages (not imported until looked up)."""
        return {ep.name: ep for ep in _entry_points(self.group) if ep.name not in self}

    def lookup(self, name: str) -> Any:
        """The class for ``name``: built-in, installed entry point, or ``package.module:Class``."""
        if name in self:
            return self[name]
        installed = self.installed()
        if name in installed or ":" in name:
            try:
                if name in installed:
                    found = installed[name].load()
                else:
                    module, _, attribute = name.partition(":")
                    found = getattr(importlib.import_module(module), attribute)
            except Exception as exc:  # a third-party module that fails to import (even a SyntaxError) is one line
                raise KeyError(f"cannot load {self.kind} {name!r}: {type(exc).__name__}: {exc}") from None
            return self._checked(found, name)
        known = sorted({*self, *installed})
        near = difflib.get_close_matches(name, known, n=3)
        hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
        raise KeyError(
            f"unknown {self.kind} {name!r}{hint} (known: {', '.join(known)}; or give package.module:Class)"
        ) from None

    def _checked(self, cls: Any, name: str) -> Any:
        if self.base is not None and not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise KeyError(
                f"{name!r} is not a migsim {self.kind} (a subclass of {self.base.__module__}.{self.base.__name__})"
            )
        problem = getattr(cls, "definition_problem", lambda: None)()  # e.g. a rule's kind or method signatures
        if problem:
            raise KeyError(f"{self.kind} {name!r} ({cls.__module__}.{cls.__qualname__}): {problem}")
        return cls


@functools.cache
def _entry_points(group: str) -> tuple[metadata.EntryPoint, ...]:
    """Installed packages' entry points, read once per process (scanning them takes milliseconds each time)."""
    return tuple(metadata.entry_points(group=group))
