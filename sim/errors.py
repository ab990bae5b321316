"""User-facing errors: one line naming the file, line, key path, what is allowed and the nearest key."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]


def dotted(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def nearest(word: str, choices: Iterable[str], cutoff: float = 0.5) -> str | None:
    found = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def nearest_key(key: str, model: type) -> str | None:
    """The key that replaced ``key`` in ``model`` (its ``replaced_keys``), else the nearest by spelling."""
    return getattr(model, "replaced_keys", {}).get(key) or nearest(key, model.model_fields)


@dataclass(frozen=True)
class Problem:
    file: str
    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {dotted(self.path)}: {self.message}" if self.path else f"{where}: {self.message}"


class ScenarioError(Exception):
    """A problem in a scenario (or parameter) file that the user can fix; never shown as a traceback."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(str(self))

    @classmethod
    def at(cls, file: str, path: Path, line: int | None, message: str) -> ScenarioError:
        return cls([Problem(file, path, line, message)])

    SHOWN = 20  # a file with thousands of mistakes gets the first ones and a count, not a flood

    def __str__(self) -> str:
        lines = [str(p) for p in self.problems[: self.SHOWN]]
        if len(self.problems) > self.SHOWN:
            lines.append(f"... and {len(self.problems) - self.SHOWN:,} more problems")
        return "\n".join(lines)


class RuleError(Exception):
    """A third-party decision rule broke its contract at run time (its output, or an error inside it).

    Shown as one line naming the rule and where it failed: the researcher fixes their module.
    """
