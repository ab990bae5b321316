"""Reading allowed ranges back out of pydantic fields, for messages and listings; and a stricter base model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationInfo, field_validator


class NumbersNotBooleans(BaseModel):
    """A settings model where YAML's true/false never counts as 1/0 in a numeric setting."""

    @field_validator("*", mode="before")
    @classmethod
    def _no_true_for_a_number(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name].annotation
        if isinstance(value, bool) and annotation in (int, float, int | None, float | None):
            raise ValueError(f"expected a number, got {str(value).lower()}")
        return value


def field_range(info: Any) -> tuple[float | None, float | None]:
    """(low, high) bounds declared on a field with ge/gt/le/lt, or None where there is none."""
    low = high = None
    for meta in getattr(info, "metadata", ()):
        low = getattr(meta, "ge", getattr(meta, "gt", low))
        high = getattr(meta, "le", getattr(meta, "lt", high))
    return low, high


def allowed_text(info: Any, with_meaning: bool = True) -> str:
    """E.g. '1 to 3 (factor on the probability ...)'."""
    if info is None:
        return ""
    low, high = field_range(info)
    span = f"{low:g} to {high:g}" if low is not None and high is not None else ""
    if not with_meaning or not info.description:
        return span
    return f"{span} ({info.description})" if span else info.description
