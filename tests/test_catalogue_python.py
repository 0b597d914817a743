"""What the portal's Python says to people goes through the catalogue, as its templates do.

tests/test_interface_catalogue.py checks the templates; this checks the sentences built in
Python (form labels, errors raised by the domain, labels of choices) by reading the source: a
sentence-like string ("Sent on or after", "There is already a theme called ...") outside
`_()`, `_l()` or `ngettext()` fails, unless it is one of the records the portal keeps in English
on purpose (the audit log, exports, the command line, operators' settings).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

TRANSLATING = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
# Calls whose words are records or messages for the people who run the service, not pages.
RECORDS = {
    "add_audit_entry",
    "audit",
    # CSRFError's text is never shown: the error page says its own, translated words.
    "CSRFError",
    "SeedDataError",
    "ConfigurationError",
    "AssertionError",
    "RuntimeError",
    "echo",
    "secho",
    "ClickException",
    "BadParameter",
    "debug",
    "info",
    "warning",
    "error",
    "exception",
}
# Whole modules kept in English, and why.
KEPT_IN_ENGLISH = {
    "cli.py": "the command line's help and messages, for the people who run the service",
    "privacy/commands.py": "the command line's help and messages",
    "config.py": "operators' settings (the default help text is translated where it is shown)",
    "gunicorn_config.py": "the server's start-up checks",
    "reporting/export.py": "response exports: the council's records, in English",
    "reporting/spreadsheets.py": "response exports",
    "reporting/wave_export.py": "response exports",
    "reporting/indicator_export.py": "indicator exports",
}
# A capital, then at least two lower-case words: "Sent on or after", "Enter a title", and an
# f-string read whole, its values as {}: "Wave {} must open after {}". (Lower-case phrases are
# not judged: most are the audit log's details and errors for developers.)
SENTENCE = re.compile(r"^[A-Z][a-z'\u2019]*( (\{\}|[a-z'\u2019(),:;]+)){2,}")
# A line may say why its string stays English (an audit detail built before the call).
KEPT_ON_LINE = "# kept in English"


def _call_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else ""


def untranslated_sentences(source: str) -> list[tuple[int, str]]:
    tree = ast.parse(source)
    lines = source.splitlines()
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    docstrings = {
        node.body[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
    }
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if isinstance(parents.get(node), ast.JoinedStr):
                continue  # judged with its f-string
            text = node.value
        else:
            continue
        if node in docstrings or not SENTENCE.match(text):
            continue
        if KEPT_ON_LINE in lines[node.lineno - 1]:
            continue
        enclosing = node
        while enclosing in parents:
            enclosing = parents[enclosing]
            if isinstance(enclosing, ast.Call) and _call_name(enclosing) in (TRANSLATING | RECORDS):
                break
        else:
            found.append((node.lineno, text))
    return found


def test_the_checker_finds_a_sentence_left_outside_the_catalogue() -> None:
    source = (
        '"""A docstring is not said to anyone."""\n'
        'LABEL = "Sent on or after"\n'
        'KEPT = _l("Sent on or before")\n'
        "def f(x):\n"
        '    add_audit_entry(x, "Changed the answer to that")\n'
        '    raise ThemeError(f"There is already a theme called {x}")\n'
        '    raise ChangeRefused(f"Wave {x} must open after {x}")\n'
        '    return "Changed the answer here"  # kept in English: the log\n'
    )
    assert untranslated_sentences(source) == [
        (2, "Sent on or after"),
        (6, "There is already a theme called {}"),
        (7, "Wave {} must open after {}"),
    ]


def test_python_says_its_sentences_through_the_catalogue() -> None:
    problems = []
    for path in sorted(PORTAL.rglob("*.py")):
        relative = path.relative_to(PORTAL).as_posix()
        if relative in KEPT_IN_ENGLISH:
            continue
        for line, text in untranslated_sentences(path.read_text(encoding="utf-8")):
            problems.append(f"portal/{relative}:{line}: {text!r}")
    assert not problems, "\n".join(problems)
