"""Line-preserving edits of a model card: front matter keys set or added, and one marked block in the body.

A YAML re-dump would reorder keys, drop comments and respell values the publisher wrote; here only the
lines of the keys being set are replaced (or new key lines appended before the closing `---`), and
every other byte of the file is kept. Each edit is checked by parsing the result: the keys set must read
back as set and every other key must read back unchanged, else the edit is refused, not guessed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from license_audit.card import FRONT_MATTER
from license_audit.errors import InputError
from license_audit.safeio import load_yaml

BLOCK_MARKERS = ("<!-- BEGIN license-audit -->", "<!-- END license-audit -->")

# A top-level key line: `key:`, `"key":` or `'key':`, followed by a space, a comment or the end of line.
_KEY_LINE = re.compile(r"""^(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<plain>[^\s#:'"\-?][^:#]*?))[ \t]*:(?=[ \t]|\r?$)""")
_PLAIN_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/+@-]*")
_HEADING = re.compile(r"^#[ \t]+\S")


class CardEditError(InputError):
    """The card cannot be edited by lines without risking what the publisher wrote."""


@dataclass
class _Line:
    """One line of the front matter, as written."""

    text: str  # without its line ending

    @property
    def key(self) -> str | None:
        m = _KEY_LINE.match(self.text)
        if not m:
            return None
        return m.group("dq") if m.group("dq") is not None else (m.group("sq") or m.group("plain") or "").strip()

    @property
    def continues(self) -> bool:
        """Part of the value of the key above: indented, or a block-sequence item at column 0."""
        return self.text[:1] in (" ", "\t") or self.text.startswith("- ") or self.text == "-"


def scalar(value: Any) -> str:
    """A YAML scalar for a string the card should hold, plain when that reads back as the same string."""
    s = str(value)
    if _PLAIN_SAFE.fullmatch(s):
        try:
            if yaml.safe_load(s) == s:
                return s
        except yaml.YAMLError:
            pass
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _value_lines(key: str, value: Any) -> list[str]:
    k = key if _PLAIN_SAFE.fullmatch(key) else json.dumps(key, ensure_ascii=False)
    if isinstance(value, list):
        return [f"{k}:", *(f"- {scalar(v)}" for v in value)]
    return [f"{k}: {scalar(value)}"]


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def _parse(yaml_text: str) -> dict[str, Any]:
    try:
        data = load_yaml(yaml_text, [])
    except yaml.YAMLError:
        raise CardEditError("the card's front matter is not valid YAML; fix it first") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CardEditError("the card's front matter is not a mapping of keys; fix it first")
    return {str(k): v for k, v in data.items()}


def set_front_matter(text: str, changes: dict[str, Any]) -> str:
    """`text` (a whole model card) with each key of `changes` set to its value (None: the key removed).

    Keys already present keep their place; new keys are appended at the end of the front matter. A card
    without front matter gets one at its top.
    """
    if not changes:
        return text
    nl = _newline(text)
    m = FRONT_MATTER.match(text)
    if not m:
        if re.match(r"\A\ufeff?---[ \t]*\r?\n", text):
            raise CardEditError("the card's front matter is opened by '---' and never closed; fix it first")
        bom = "\ufeff" if text.startswith("\ufeff") else ""
        body = text[len(bom) :]
        keys = [ln for k, v in changes.items() if v is not None for ln in _value_lines(k, v)]
        head = nl.join(["---", *keys, "---"]) + nl
        return bom + head + (nl if body and not body.startswith(("\n", "\r\n")) else "") + body
    yaml_text = m.group(2)
    before = _parse(yaml_text)
    lines = [_Line(t) for t in yaml_text.split(nl)] if yaml_text else []
    for key, value in changes.items():
        lines = _set_key(lines, key, value)
    new_yaml = nl.join(ln.text for ln in lines)
    expected = {k: v for k, v in before.items() if k not in changes}
    expected.update({k: v for k, v in changes.items() if v is not None})
    try:
        after = _parse(new_yaml)
    except CardEditError:  # the edit broke the YAML (a key line inside a value spread over lines)
        after = None
    if after != expected:
        names = ", ".join(sorted(changes))
        raise CardEditError(f"the card's front matter cannot be edited line by line ({names}); set it by hand")
    return text[: m.start(2)] + new_yaml + text[m.end(2) :]


def _set_key(lines: list[_Line], key: str, value: Any) -> list[_Line]:
    starts = [i for i, ln in enumerate(lines) if ln.key == key]
    if not starts:
        if value is None:
            return lines
        # After the last line that holds YAML (a trailing comment block or blank lines stay last).
        end = len(lines)
        while end > 0 and (not lines[end - 1].text.strip() or lines[end - 1].text.lstrip().startswith("#")):
            if lines[end - 1].continues:  # an indented comment belongs to the value above it
                break
            end -= 1
        return lines[:end] + [_Line(t) for t in _value_lines(key, value)] + lines[end:]
    # Set the last occurrence (the one YAML readers keep); earlier duplicates are left as written.
    start = starts[-1]
    stop = start + 1
    while stop < len(lines) and (lines[stop].continues or not lines[stop].text.strip()):
        stop += 1
    while stop > start + 1 and not lines[stop - 1].text.strip():  # blank lines after the value stay
        stop -= 1
    new = [] if value is None else [_Line(t) for t in _value_lines(key, value)]
    return lines[:start] + new + lines[stop:]


def body_span(text: str) -> int:
    """Offset where the card's body starts (after the front matter)."""
    m = FRONT_MATTER.match(text)
    return m.end() if m else (1 if text.startswith("\ufeff") else 0)


def set_block(text: str, content: list[str]) -> str:
    """`text` with the license-audit block of the body holding `content` (no lines: the block removed).

    An existing block is replaced where it is; a new one goes after the body's first heading (where a
    reader looks first), or at the top of the body when there is none.
    """
    nl = _newline(text)
    begin, end = BLOCK_MARKERS
    block = nl.join([begin, *content, end]) if content else ""
    start = text.find(begin)
    if start >= 0:
        stop = text.find(end, start)
        if stop < 0:
            raise CardEditError(f"the card has a '{begin}' line without its END line; fix the markers by hand")
        if not block:
            tail = text[stop + len(end) :]
            for sep in (nl + nl, nl):
                if tail.startswith(sep):
                    tail = tail[len(sep) :]
                    break
            return text[:start] + tail
        return text[:start] + block + text[stop + len(end) :]
    if end in text:
        raise CardEditError(f"the card has an '{end}' line without its BEGIN line; fix the markers by hand")
    if not block:
        return text
    at = body_span(text)
    body = text[at:]
    pos = _after_heading(body, nl)
    if pos is None:
        lead = len(body) - len(body.lstrip("\r\n"))
        insert_at = at + lead
        return text[:insert_at] + block + nl + nl + text[insert_at:]
    insert_at = at + pos
    rest = text[insert_at:]
    if not rest:
        return text + (nl if not text.endswith(nl) else "") + nl + block + nl
    # A blank line on each side, so that the block is a paragraph of its own whatever follows the heading.
    after = nl if rest.startswith(("\n", "\r\n")) else nl + nl
    return text[:insert_at] + nl + block + after + rest


def _after_heading(body: str, nl: str) -> int | None:
    """Offset just past the line ending of the body's first `# ` heading, outside code fences."""
    offset = 0
    fenced = False
    for line in body.splitlines(keepends=True):
        stripped = line.rstrip("\r\n")
        if stripped.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and _HEADING.match(stripped):
            return offset + len(line) if line.endswith(("\n", "\r")) else None
        offset += len(line)
    return None
