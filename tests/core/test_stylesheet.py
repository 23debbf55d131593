"""The stylesheet keeps to its design system: colours only as tokens, each rule once.

A small reader of our own CSS (no nesting beyond at-rule blocks, no braces in strings)
turns site.css into rules; the tests then check that no raw colour stands outside
the ``:root`` token block, that every ``var()`` names a declared token, that no
selector or at-rule block is written twice and that no two rules carry the same
declarations, and that every class the stylesheet styles is used somewhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from participation import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "participation"
STYLESHEET = PACKAGE / "static" / "css" / "site.css"

#: The CSS named colours (CSS Color 4). ``transparent`` and ``currentColor`` are
#: left out: they name no colour of their own, so they need no token.
# A word list reads better than 148 quoted strings, hence split().
NAMED_COLOURS = frozenset(
    """aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond
    blue blueviolet brown burlywood cadetblue chartreuse chocolate coral
    cornflowerblue cornsilk crimson cyan darkblue darkcyan darkgoldenrod darkgray
    darkgreen darkgrey darkkhaki darkmagenta darkolivegreen darkorange darkorchid
    darkred darksalmon darkseagreen darkslateblue darkslategray darkslategrey
    darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey dodgerblue
    firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod
    gray green greenyellow grey honeydew hotpink indianred indigo ivory khaki
    lavender lavenderblush lawngreen lemonchiffon lightblue lightcoral lightcyan
    lightgoldenrodyellow lightgray lightgreen lightgrey lightpink lightsalmon
    lightseagreen lightskyblue lightslategray lightslategrey lightsteelblue
    lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue
    mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen
    mediumturquoise mediumvioletred midnightblue mintcream mistyrose moccasin
    navajowhite navy oldlace olive olivedrab orange orangered orchid palegoldenrod
    palegreen paleturquoise palevioletred papayawhip peachpuff peru pink plum
    powderblue purple rebeccapurple red rosybrown royalblue saddlebrown salmon
    sandybrown seagreen seashell sienna silver skyblue slateblue slategray
    slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet
    wheat white whitesmoke yellow yellowgreen""".split()  # noqa: SIM905
)
COLOUR_FUNCTION = re.compile(
    r"\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color|color-mix)\(", re.IGNORECASE
)
HEX_COLOUR = re.compile(r"#[0-9a-f]{3,8}\b", re.IGNORECASE)
WORD = re.compile(r"-?[a-z][a-z0-9-]*", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    """One style rule: where it stands (its at-rule blocks), selectors, declarations."""

    context: tuple[str, ...]
    selectors: tuple[str, ...]
    declarations: tuple[tuple[str, str], ...]
    line: int


@dataclass(frozen=True)
class Stylesheet:
    rules: tuple[Rule, ...]
    #: (context, prelude, line) of every at-rule block.
    blocks: tuple[tuple[tuple[str, ...], str, int], ...]


def _squash(text: str) -> str:
    return " ".join(text.split())


def _split_selectors(prelude: str) -> list[str]:
    """Split a selector list at its top-level commas (not those inside ``:is(...)``)."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(prelude):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(prelude[start:index])
            start = index + 1
    return [*parts, prelude[start:]]


def _declarations(body: str) -> tuple[tuple[str, str], ...]:
    pairs = []
    for part in body.split(";"):
        if part.strip():
            name, _, value = part.partition(":")
            pairs.append((name.strip().lower(), _squash(value)))
    return tuple(pairs)


def parse(css: str) -> Stylesheet:
    """Rules and at-rule blocks of *css*, comments dropped."""
    css = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group().count("\n"), css, flags=re.S)
    rules: list[Rule] = []
    blocks: list[tuple[tuple[str, ...], str, int]] = []
    context: list[str] = []
    position = 0
    while True:
        match = re.compile(r"[{}]").search(css, position)
        if match is None:
            assert not css[position:].strip(), "text after the last rule"
            break
        prelude = _squash(css[position : match.start()])
        line = css.count("\n", 0, match.start()) + 1
        if match.group() == "}":
            assert not prelude, f"declarations outside a rule at line {line}"
            assert context, f"stray '}}' at line {line}"
            context.pop()
            position = match.end()
        elif prelude.startswith("@"):
            blocks.append((tuple(context), prelude, line))
            context.append(prelude)
            position = match.end()
        else:
            end = css.index("}", match.end())
            selectors = tuple(_squash(s) for s in _split_selectors(prelude))
            body = _declarations(css[match.end() : end])
            rules.append(Rule(tuple(context), selectors, body, line))
            position = end + 1
    assert not context, "an at-rule block is not closed"
    return Stylesheet(tuple(rules), tuple(blocks))


def raw_colours(value: str) -> list[str]:
    """The literal colours written in a declaration's value."""
    value = re.sub(r"\"[^\"]*\"|'[^']*'", "", value)  # font names
    value = re.sub(r"var\(--[\w-]+", "var(", value)  # token names
    found = HEX_COLOUR.findall(value) + COLOUR_FUNCTION.findall(value)
    found += [w for w in WORD.findall(value) if w.lower() in NAMED_COLOURS]
    return found


@pytest.fixture(scope="module")
def sheet() -> Stylesheet:
    return parse(STYLESHEET.read_text(encoding="utf-8"))


def _root(sheet: Stylesheet) -> Rule:
    roots = [r for r in sheet.rules if r.selectors == (":root",) and not r.context]
    assert len(roots) == 1, "one :root block holds the tokens"
    return roots[0]


def test_reader_finds_raw_colours_and_skips_tokens_and_keywords():
    assert raw_colours("1px solid #c9ccd6") == ["#c9ccd6"]
    assert raw_colours("rgba(255,255,255,0.6)") == ["rgba("]
    assert raw_colours("2px dashed white") == ["white"]
    assert raw_colours("0 0 0 5px var(--ink)") == []
    assert raw_colours("var(--line-white) transparent currentColor") == []
    assert raw_colours('system-ui, "Noto Sans Arabic", sans-serif') == []


def test_reader_finds_a_selector_written_twice():
    sheet = parse("a { color: var(--x); }\n@media print { a { top: 0; } }\na {}")
    top = [s for r in sheet.rules if not r.context for s in r.selectors]
    assert top == ["a", "a"]
    assert sheet.rules[1].context == ("@media print",)


def test_stylesheet_has_no_raw_colour_outside_the_token_block(sheet):
    root = _root(sheet)
    offenders = [
        f"line {rule.line}: {', '.join(rule.selectors)} {{ {name}: {value} }}"
        for rule in sheet.rules
        if rule is not root
        for name, value in rule.declarations
        if raw_colours(value)
    ]
    assert offenders == []


def test_tokens_are_custom_properties_and_every_var_is_declared(sheet):
    root = _root(sheet)
    declared = {name for name, _ in root.declarations if name.startswith("--")}
    assert {"--space-1", "--step-0", "--radius", "--focus-ring"} <= declared
    used = {
        name
        for rule in sheet.rules
        for _, value in rule.declarations
        for name in re.findall(r"var\((--[\w-]+)", value)
    }
    # Component-scoped custom properties (set by a modifier, read by its component)
    # are declared in the stylesheet too, just not in :root.
    local = {
        name
        for rule in sheet.rules
        if rule is not root
        for name, _ in rule.declarations
        if name.startswith("--")
    }
    assert used - declared - local == set()
    assert declared - used == set(), "a token nobody uses"


def test_no_selector_is_declared_twice(sheet):
    """A selector has one rule of its own; it may also share a grouped rule
    (``h1, h2, h3 { ... }`` or a component's base), never a second rule of its own."""
    own: dict[object, int] = {}
    lists: dict[object, int] = {}
    twice = []
    for rule in sheet.rules:
        keys = [(lists, (rule.context, tuple(sorted(rule.selectors))))]
        if len(rule.selectors) == 1:
            keys.append((own, (rule.context, rule.selectors[0])))
        for seen, key in keys:
            if key in seen:
                where = f"lines {seen[key]} and {rule.line}"
                twice.append(f"{', '.join(rule.selectors)} ({where})")
            seen.setdefault(key, rule.line)
    assert twice == []


def test_no_at_rule_block_is_written_twice(sheet):
    preludes = [(context, prelude) for context, prelude, _ in sheet.blocks]
    assert len(preludes) == len(set(preludes))


def test_no_two_rules_carry_the_same_declarations(sheet):
    """Two rules with the same block of declarations are one component written twice.
    (A lone declaration such as ``margin: 0`` may recur: grouping unrelated selectors
    for one line would make the sheet harder to read.)"""
    seen: dict[tuple[object, ...], Rule] = {}
    same = []
    for rule in sheet.rules:
        key = (rule.context, tuple(sorted(rule.declarations)))
        if len(rule.declarations) > 1 and key in seen:
            same.append(f"{seen[key].selectors} and {rule.selectors}")
        seen.setdefault(key, rule)
    assert same == []


def _used_text() -> str:
    paths = [*PACKAGE.glob("templates/**/*.html"), *PACKAGE.glob("static/js/*.js")]
    paths += PACKAGE.glob("**/*.py")
    return "\n".join(Path(p).read_text(encoding="utf-8") for p in paths)


def test_every_styled_class_is_used(sheet):
    text = _used_text()
    # Classes built in a template, such as class="step-{{ step.outcome }}".
    prefixes = set(re.findall(r"([a-z][\w-]*-)\{\{", text))
    classes = {
        name
        for rule in sheet.rules
        for selector in rule.selectors
        for name in re.findall(r"\.([a-z][\w-]*)", selector)
    }
    unused = sorted(
        name
        for name in classes
        if not re.search(rf"(?<![\w-]){name}(?![\w-])", text)
        and not any(name.startswith(prefix) for prefix in prefixes)
    )
    assert unused == []
