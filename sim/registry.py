"""Name -> class registries for rules and levers: one way to register, one way to look up."""

from __future__ import annotations

import difflib
from typing import Any


class Registry(dict[str, Any]):
    """Classes by their ``name`` attribute; unknown names are answered with the nearest valid ones."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def register(self, cls: Any) -> Any:
        """Class decorator: make ``cls`` available as ``cls.name``."""
        self[cls.name] = cls
        return cls

    def lookup(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            near = difflib.get_close_matches(name, self, n=3)
            hint = f"; did you mean {', '.join(repr(n) for n in near)}?" if near else ""
            raise KeyError(f"unknown {self.kind} {name!r}{hint} (known: {', '.join(sorted(self))})") from None
