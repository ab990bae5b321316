"""The documents say what the code does.

The reference page is generated from the code; the README and the pages in docs/ are written by hand, so these
tests hold them to the code: links and anchors resolve, commands are ones the parser and the Makefile accept,
examples are the real files (quoted with ``...`` for the lines left out) or run, and the README stays a front page.
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from sim.reference_page import render
from tests.conftest import ROOT

README = ROOT / "README.md"
DOCUMENTS = [README, *sorted((ROOT / "docs").glob("*.md"))]

# Pages other branches are adding: a link to one is accepted while it is missing here. Remove its name once
# it is merged (test_pending_pages_are_still_missing fails as the reminder).

FENCE = re.compile(r"^(\s*)(`{3,})\s*(\S*)\s*$")
COPY = re.compile(r"^\s*<!-- copy of (\S+) -->\s*$")
ELISION = {"...", "# ..."}


@dataclass(frozen=True)
class Block:
    """A fenced code block: its page, first line, language, text (unindented) and the file it says it copies."""

    page: Path
    line: int
    lang: str
    text: str
    copy_of: str | None

    def __str__(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """The fenced code blocks of a Markdown page (also those indented inside list items)."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if not opening:
            i += 1
            continue
        indent, ticks, lang = opening.groups()
        end = next(j for j in range(i + 1, len(lines)) if lines[j].strip() == ticks)
        body = [line[len(indent) :] if line.startswith(indent) else line.lstrip() for line in lines[i + 1 : end]]
        marker = COPY.match(lines[i - 1]) if i else None
        found.append(Block(page, i + 1, lang, "\n".join(body), marker.group(1) if marker else None))
        i = end + 1
    return found


def prose(page: Path) -> list[str]:
    """The page's lines outside code blocks, inline code removed (a link in backticks is not a link)."""
    inside, kept = None, []
    for line in page.read_text(encoding="utf-8").splitlines():
        fence = FENCE.match(line)
        if inside is None and fence:
            inside = fence.group(2)
        elif inside is not None and line.strip() == inside:
            inside = None
        kept.append("" if inside is not None or fence else line)
    text = re.sub(r"`[^`]*`", lambda span: "\n" * span.group(0).count("\n"), "\n".join(kept))  # may span lines
    return text.split("\n")


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: its text as rendered, lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading).replace("`", "").strip().lower()
    return "".join(c for c in text if c.isalnum() or c in " -_").replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """Every heading's anchor on a page, numbered for repeats as GitHub does (name, name-1, name-2, ...)."""
    seen: dict[str, int] = {}
    for line in prose(page):
        heading = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
        if heading:
            name = slug(heading.group(1))
            seen[name] = seen.get(name, -1) + 1
            if seen[name]:
                seen[f"{name}-{seen[name]}"] = 0
    return set(seen)


def links(page: Path) -> list[tuple[int, str]]:
    """Every link and image target in a page's prose, with its line number."""
    return [
        (number, target)
        for number, line in enumerate(prose(page), 1)
        for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", line)
    ]


def make_targets() -> set[str]:
    return set(re.findall(r"^([\w.-]+)\s*:(?!=)", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M))


def test_reference_page_is_current(root):
    committed = (root / "docs" / "reference.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/reference.md is stale: run `migsim reference --out docs/reference.md`"


def test_readme_is_a_front_page_with_the_two_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines: move detail into docs/ (at most 250)"
    commands = [line.split("#")[0].strip() for b in blocks(README) if b.lang == "sh" for line in b.text.splitlines()]
    assert commands[:2] == ["make demo", "make test"], "the README opens with the two commands (CI runs `make test`)"


def test_slugs_follow_github():
    assert slug("What is data and what is assumed") == "what-is-data-and-what-is-assumed"
    assert slug("`border_enforcement`") == "border_enforcement"
    assert slug("Parameters (`parameters:` in a scenario; defaults in `sim/data/parameters.yaml`)") == (
        "parameters-parameters-in-a-scenario-defaults-in-simdataparametersyaml"
    )
    assert slug("Sweeps, and [their report](x.md)") == "sweeps-and-their-report"


def test_link_checker_catches_a_broken_link_and_anchor(tmp_path, monkeypatch):
    page = tmp_path / "page.md"
    page.write_text(
        "# Title\n\n## Two words\n\n[ok](#two-words) [gone](#three) [file](missing.md) `[no](x.md)`\n"
        "`a code span\nover two lines [no](y.md)` [yes](z.md)\n```\n# not a heading [no](w.md)\n```\n"
    )
    assert anchors(page) == {"title", "two-words"}
    assert links(page) == [(5, "#two-words"), (5, "#three"), (5, "missing.md"), (7, "z.md")]


@pytest.mark.parametrize("page", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_and_anchors_resolve(page):
    broken = []
    for number, target in links(page):
        if re.match(r"^[a-z]+:", target):  # https:, mailto: ...
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        where = f"{page.relative_to(ROOT)}:{number}: {target}"
        if not file.is_relative_to(ROOT):
            broken.append(f"{where} points outside the repository")
        elif not file.exists():
            broken.append(f"{where}: no such file")
        elif anchor and (file.suffix != ".md" or anchor not in anchors(file)):
            broken.append(f"{where}: no heading with this anchor in {file.relative_to(ROOT)}")
    assert not broken, "\n".join(broken)


def test_docs_index_lists_every_page():
    listed = {(ROOT / "docs" / target.partition("#")[0]).resolve() for _, target in links(ROOT / "docs" / "index.md")}
    pages = {p.resolve() for p in DOCUMENTS[1:] if p.name != "index.md"}
    assert not pages - listed, f"docs/index.md does not link {sorted(str(p) for p in pages - listed)}"
    assert (ROOT / "docs" / "index.md").resolve() in {
        (README.parent / t.partition("#")[0]).resolve() for _, t in links(README)
    }, "the README links docs/index.md"


def shell_lines(block: Block) -> list[list[str]]:
    """The commands of a shell block, as words, comments dropped."""
    return [words for line in block.text.splitlines() if (words := shlex.split(line, comments=True))]


SHELL_BLOCKS = [b for page in DOCUMENTS for b in blocks(page) if b.lang in ("sh", "bash", "shell")]


@pytest.mark.parametrize("block", SHELL_BLOCKS, ids=str)
def test_shell_commands_are_ones_migsim_and_make_accept(block, monkeypatch):
    from sim.cli import build_parser

    monkeypatch.chdir(ROOT)  # output folders are checked against what exists
    targets, problems = make_targets(), []
    for words in shell_lines(block):
        program, args = words[0], words[1:]
        if program == "migsim":
            stderr = io.StringIO()
            try:
                with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
                    build_parser().parse_args(args)
            except SystemExit as exc:
                if exc.code:
                    problems.append(f"{shlex.join(words)}: {stderr.getvalue().strip().splitlines()[-1]}")
            problems += [
                f"{shlex.join(words)}: no file {a}" for a in args if a.endswith(".yaml") and not Path(a).exists()
            ]
        elif program == "make":
            problems += [f"make {a}: no such target in the Makefile" for a in args if a not in targets]
        elif program == "python":
            problems += [f"{shlex.join(words)}: no such script" for a in args[:1] if not (ROOT / a).exists()]
    assert not problems, f"{block}: " + "\n".join(problems)


def test_shell_check_catches_a_wrong_option_and_target(monkeypatch):
    bad = Block(README, 1, "sh", "migsim compare --seed-count 3\nmake tests\nmigsim run scenarios/nowhere.yaml", None)
    with pytest.raises(AssertionError, match=r"(?s)unrecognized arguments: --seed-count.*make tests.*no file"):
        test_shell_commands_are_ones_migsim_and_make_accept(bad, monkeypatch)


def is_copy_of(quoted: str, source: str) -> bool:
    """Whether each stretch of ``quoted`` between elision lines (``...``) is whole lines of ``source``, in order."""
    stretches, current = [], []
    for line in quoted.splitlines():
        if line.strip() in ELISION:
            stretches.append(current)
            current = []
        else:
            current.append(line)
    stretches.append(current)
    text, at = "\n" + source + "\n", 0
    for stretch in stretches:
        part = "\n".join(stretch).strip("\n")
        if not part:
            continue
        at = text.find("\n" + part + "\n", at)
        if at < 0:
            return False
        at += len(part) + 1
    return True


def test_copy_check_allows_elisions_in_order_only():
    source = "a\nb\nc\nd\n"
    assert is_copy_of("a\n...\nc\nd", source) and is_copy_of("b\nc", source)
    assert not is_copy_of("c\n...\na", source) and not is_copy_of("a\nc", source) and not is_copy_of("b\nc x", source)


COPIES = [b for page in DOCUMENTS for b in blocks(page) if b.copy_of]


@pytest.mark.parametrize("block", COPIES, ids=str)
def test_quoted_files_are_the_real_ones(block):
    source = (ROOT / block.copy_of).read_text(encoding="utf-8")
    assert is_copy_of(block.text, source), f"{block} no longer matches {block.copy_of}: copy it again"


def test_readme_shows_the_worked_rule_as_it_is():
    rule = "examples/migsim-deprivation/migsim_deprivation/__init__.py"
    quoted = [b for b in COPIES if b.page == README and b.copy_of == rule]
    assert quoted and "class RelativeDeprivation(Rule):" in quoted[0].text


# docs/adding-to-the-step.md's example is a rule module and a parameters.yaml section: its own test runs them
OWN_TESTS = {"adding-to-the-step.md"}
CODE = [
    b
    for page in DOCUMENTS
    if page.name not in OWN_TESTS
    for b in blocks(page)
    if b.lang in ("python", "yaml", "toml") and not b.copy_of
]


@pytest.mark.parametrize("block", CODE, ids=str)
def test_examples_run_or_validate(block, tmp_path, monkeypatch):
    """A Python example runs; a YAML example is a valid scenario or experiment where scenarios/ would hold it."""
    from sim.experiment import load_experiment
    from sim.scenario import load_scenario

    monkeypatch.chdir(ROOT)
    if block.lang == "python":
        from sim.rules import RULES

        before = dict(RULES)  # an example that registers a rule must not leave it for the tests after it
        try:
            exec(compile(block.text, str(block), "exec"), {"__name__": "docs_example"})
        finally:
            RULES.clear()
            RULES.update(before)
        return
    assert block.lang == "yaml", f"{block}: a {block.lang} example must be marked `<!-- copy of FILE -->`"
    folder = shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    data = yaml.safe_load(block.text)
    if "factors" in data:
        (folder / "experiments" / "example.yaml").write_text(block.text, encoding="utf-8")
        load_experiment(folder / "experiments" / "example.yaml")
    else:
        (folder / "example.yaml").write_text(block.text, encoding="utf-8")
        load_scenario(folder / "example.yaml")


def sessions(block: Block) -> list[tuple[list[str], list[str]]]:
    """A console block's commands (after ``$``) with the lines each prints."""
    found: list[tuple[list[str], list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            found.append((shlex.split(line[2:]), []))
        else:
            found[-1][1].append(line)
    return found


CONSOLE = [b for page in DOCUMENTS for b in blocks(page) if b.lang == "console"]


@pytest.mark.parametrize("block", CONSOLE, ids=str)
def test_console_examples_print_what_they_show(block, monkeypatch, capsys):
    from sim.cli import main

    monkeypatch.chdir(ROOT)
    for words, shown in sessions(block):
        assert words[0] == "migsim", f"{block}: only migsim commands are run"
        main(words[1:])
        printed = capsys.readouterr()
        assert (printed.out + printed.err).splitlines() == shown, f"{block}: `{shlex.join(words)}` prints otherwise"
