"""The JSON records of output folders (``metadata.json``, ``experiment.json``), read back as checked data.

``migsim reproduce`` and a resumed sweep trust what a folder recorded; a damaged record (``{"broken``, or
``"seeds": "abc"``) used to end in a ``JSONDecodeError`` or ``TypeError`` traceback. Here each record is read
bounded (a regular file of at most :data:`MAX_BYTES`), parsed, and checked field by field against what the
code reading it needs; a problem is a :class:`sim.errors.ScenarioError` naming the file and the field (one
line, exit 2), like a mistake in a scenario file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim import COARSEST
from sim.errors import ScenarioError
from sim.files import FileProblem, read_regular
from sim.limits import MAX_SEED, MAX_SEEDS, MAX_WORLDS
from sim.parameters import Parameters, build_parameters, default_parameters, section_schemas

MAX_BYTES = 100_000_000  # a record holds scenarios and parameter draws: megabytes at most

Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]


class Record(BaseModel):
    """What every record holds: the code and package versions (other fields are kept, unchecked)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    code_version: str
    packages: dict[str, str] = {}


class RunRecord(Record):
    """``metadata.json`` of ``migsim run``."""

    scenario_resolved: dict[str, Any]
    scenario_digest: str
    seed: Seed
    households_per_agent: float = Field(ge=1, le=COARSEST)
    parameters: dict[str, dict[str, Any]]


class ScenarioEntry(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)

    file: str
    digest: str
    resolved: dict[str, Any]


class WorldsRecord(BaseModel):
    """The plausible worlds of a comparison (:meth:`sim.worlds.Worlds.record`): row ``i`` is world ``i``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    first_seed: Seed
    sampling_seed: int
    names: list[str] = Field(min_length=1)
    values: list[list[float]] = Field(min_length=1, max_length=MAX_WORLDS)

    @model_validator(mode="after")
    def _one_value_per_name(self) -> WorldsRecord:
        if any(len(row) != len(self.names) for row in self.values):
            raise ValueError(f"every world needs one value for each of the {len(self.names)} names")
        return self


class ComparisonRecord(Record):
    """``metadata.json`` of ``migsim compare``."""

    scenarios: list[ScenarioEntry] = Field(min_length=1)
    seeds: list[Seed] = Field(min_length=1, max_length=MAX_SEEDS)
    households_per_agent: float = Field(ge=1, le=COARSEST)
    years: tuple[int, int]
    parameters: dict[str, dict[str, Any]]
    parameter_draws: dict[Seed, dict[str, dict[str, float | int]]] = {}
    worlds: WorldsRecord | None = None  # with --worlds: each world's numbers, and its posterior draw below
    world_parameter_draws: dict[Seed, dict[str, dict[str, float | int]]] = {}


class SweepRecord(Record):
    """``experiment.json`` of ``migsim sweep``."""

    name: str
    source: str
    digest: str
    spec: dict[str, Any]
    factors: list[str]
    base_resolved: dict[str, Any] | None = None  # sweeps before it was recorded cannot be rerun
    codes: list[str] = []


def read_json(file: Path) -> dict:
    """A JSON object from ``file``, or a one-line :class:`ScenarioError` saying why not."""
    try:
        text = read_regular(file, MAX_BYTES).decode("utf-8")
        data = json.loads(text)
    except FileNotFoundError:
        raise ScenarioError.at(str(file), (), None, "file not found") from None
    except FileProblem as exc:
        raise ScenarioError.at(str(file), (), None, str(exc)) from None
    except OSError as exc:
        raise ScenarioError.at(str(file), (), None, f"cannot read the file ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ScenarioError.at(str(file), (), None, "damaged: not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ScenarioError.at(str(file), (), exc.lineno, f"damaged: not valid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:  # a number of 5,000 digits, nesting beyond Python's limit
        raise ScenarioError.at(str(file), (), None, f"damaged: {str(exc).split(';')[0]}") from None
    if not isinstance(data, dict):
        raise ScenarioError.at(str(file), (), None, "damaged: not a JSON object")
    return data


def read_record[R: Record](file: Path, kind: type[R], data: dict | None = None) -> R:
    """``file``'s record (or ``data`` already read from it) checked as ``kind``."""
    from sim.scenario import explain_validation  # scenario imports parameters, which this module needs first

    data = read_json(file) if data is None else data
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        problems = explain_validation(exc, kind, ())
        raise ScenarioError.at(str(file), problems[0][0], None, f"damaged: {problems[0][1]}") from None


def recorded_parameters(file: Path, values: dict[str, dict[str, Any]]) -> Parameters:
    """The parameter values a record holds, checked section by section against the model's schemas."""
    from sim.scenario import explain_validation

    for name, schema in section_schemas().items():
        if not isinstance(values.get(name), dict):
            raise ScenarioError.at(str(file), ("parameters", name), None, "damaged: the section is missing")
        try:
            schema.model_validate(values[name])
        except ValidationError as exc:
            path, message = explain_validation(exc, schema, ("parameters", name))[0]
            raise ScenarioError.at(str(file), path, None, f"damaged: {message}") from None
    return build_parameters(values, default_parameters().sources)
