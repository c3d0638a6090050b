"""Model card (README.md) parsing, lenient like huggingface_hub's repocard: keep every key, say what was wrong."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from license_audit.safeio import compose_yaml, load_yaml, yaml_error_line

# Same shape as huggingface_hub.repocard.REGEX_YAML_BLOCK: front matter must open the file.
FRONT_MATTER = re.compile(r"\A\ufeff?(\s*---[ \t]*\r?\n)([\s\S]*?)(\r?\n---[ \t]*(?:\r?\n|$))")

RELATIONS = ("finetune", "adapter", "merge", "quantized")

# A file of a Hub model repository: its `blob/`, `resolve/` and `raw/` addresses at any revision.
_HUB_FILE_LINK = re.compile(
    r"^<?(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?!datasets/|spaces/)([\w.-]+/[\w.-]+)/"
    r"(?:blob|resolve|raw)/[^/]+/([^?#>\s]+)",
    re.I,
)
# The first path parts of Hub pages that are not a model repository (`huggingface.co/datasets/...`, `/docs/...`).
HUB_NON_MODEL_PATHS = "datasets|spaces|docs|blog|papers|models|settings|join|login|api|collections|organizations|tasks"
# A Hub model repository's address: `https://huggingface.co/OWNER/NAME`, `hf.co/OWNER/NAME`, with or without
# a page within it (`/tree/main`, `/blob/main/README.md`, `?x=y`).
_HUB_MODEL_URL = re.compile(
    rf"^<?(?:https?://)?(?:www\.)?(?:huggingface\.co|hf\.co)/(?!(?:{HUB_NON_MODEL_PATHS})/)"
    r"([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*?)(?:\.git)?/?(?:[/?#][^\s>]*)?>?$",
    re.I,
)


def hub_model_id(value: str) -> str | None:
    """OWNER/NAME when `value` is the address of a Hub model repository or of a page in it; None otherwise."""
    m = _HUB_MODEL_URL.match(value.strip())
    return f"{m.group(1)}/{m.group(2)}" if m else None


def hub_file(link: str) -> tuple[str, str] | None:
    """(repository, path) when `link` is the address of a file of a Hub model repository
    (`https://huggingface.co/OWNER/NAME/blob/main/LICENSE`); None otherwise."""
    m = _HUB_FILE_LINK.match(link.strip())
    if m is None:
        return None
    path = _in_repository(m.group(2))
    return None if path is None else (m.group(1), path)


def _in_repository(link: str) -> str | None:
    """The repository path `link` names, normalised; None for one that leaves the repository."""
    path = posixpath.normpath(link)
    return None if path in (".", "..") or path.startswith(("../", "/")) else path


@dataclass
class ModelCard:
    """A model card: its front matter, its body, and what could not be read in it."""

    path: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    body_start_line: int = 1
    problems: list[tuple[int | None, str]] = field(default_factory=list)  # (line, what was wrong)
    # Why the front matter could not be read at all (never closed, not YAML, not a mapping): its keys are
    # unknown, so nothing may be written into the card without losing what its author meant.
    unreadable: str | None = None
    # (first, last) lines of the whole file holding front-matter values that quote terms rather than say
    # anything of the model: the gate's prompt, where Meta's cards (and their quantizations) copy the license.
    quoted_lines: list[tuple[int, int]] = field(default_factory=list)

    @property
    def location(self) -> str:
        """The file a finding about the card names: the card, or README.md where a card belongs."""
        return self.path or "README.md"

    @property
    def license(self) -> str | None:
        return _as_str(self.metadata.get("license"))

    @property
    def license_name(self) -> str | None:
        return _as_str(self.metadata.get("license_name"))

    @property
    def license_link(self) -> str | None:
        return _as_str(self.metadata.get("license_link"))

    @property
    def linked_file(self) -> str | None:
        """The repository file `license_link` names ("LICENSE", "./LICENSE.md"), from the repository's root;
        None for a link elsewhere (a web page) or one that leaves the repository ("../LICENSE", "/etc/x")."""
        link = (self.license_link or "").strip().replace("\\", "/")
        if not link or ":" in link or link.startswith("/") or link.lower().startswith("www."):
            return None
        return _in_repository(link)

    @property
    def linked_hub_file(self) -> tuple[str, str] | None:
        """(repository, path) when `license_link` is a file of a Hub model repository
        (`https://huggingface.co/OWNER/NAME/blob/main/LICENSE`), as cards link their own license file."""
        return hub_file(self.license_link or "")

    @property
    def model_name(self) -> str | None:
        return _as_str(self.metadata.get("model_name"))

    @property
    def index_name(self) -> str | None:
        """The name the card's `model-index` gives the model (the name the Hub shows its results under)."""
        index = self.metadata.get("model-index")
        if isinstance(index, list) and index and isinstance(index[0], dict):
            name = index[0].get("name")
            if isinstance(name, str) and name.strip():
                return name.strip()
        return None

    @property
    def title(self) -> str | None:
        """The card's first heading, which names the model in most hand-written cards; None for a template
        placeholder ("Model Card for Model ID") or a section's heading ("## Model Architecture": the card
        starts with its sections and has no title)."""
        m = _TITLE.search(self.body[:5000])
        if not m:
            return None
        text = (m.group(1) or m.group(2) or "").strip()
        heading = " ".join(re.findall(r"[^\W_]+", re.sub(r"\[optional\]", "", text, flags=re.I).lower()))
        if text.endswith(":") or heading in _SECTION_HEADINGS:
            return None
        if text.rstrip("*_` ").endswith(("!", "?")) and len(text.split()) >= _BANNER_WORDS:
            return None  # an exclamation or a question is a banner, no name ("Finetune your own model with Unsloth!")
        # "Poetry Fusion: A Creative Exploration" names "Poetry Fusion"; the rest describes it. A heading longer
        # than a name is cut at 120 characters (its start still names the model).
        title = re.sub(r"^model card for\s+", "", text[:120], flags=re.I).split(": ")[0].strip("`*_ ")
        return None if not title or title.lower() in _PLACEHOLDER_TITLES else title

    @property
    def base_models(self) -> list[str]:
        """The declared bases as Hub ids: a base written as its Hub address (`https://huggingface.co/OWNER/NAME`,
        as some cards do) is the id OWNER/NAME; any other value as written."""
        return [hub_model_id(s) or s for s in self.written_base_models]

    @property
    def written_base_models(self) -> list[str]:
        """`base_model` as the card writes it, one value each."""
        raw = self.metadata.get("base_model")
        if raw is None:
            return []
        items = raw if isinstance(raw, list) else [raw]
        out = []
        for item in items:
            if not _is_text(item):
                continue  # not a model id; parse_card reports it
            s = _as_str(item)
            if s:
                out.append(s.strip())
        return out

    @property
    def base_model_relation(self) -> str | None:
        """The declared relation when it is one the Hub knows; anything else is reported by parse_card."""
        rel = self._raw_relation
        return rel if rel in RELATIONS else None

    @property
    def _raw_relation(self) -> str | None:
        rel = _as_str(self.metadata.get("base_model_relation"))
        return rel.strip().lower() if rel else None

    @property
    def effective_license(self) -> str | None:
        """The catalog key the card means: `license_name` when `license: other`, else `license`."""
        lic = self.license
        if lic and lic.strip().lower() == "other" and self.license_name:
            return self.license_name.strip().lower()
        return lic.strip().lower() if lic else None


def _is_text(value: Any) -> bool:
    # YAML gives numbers for `license_name: 2.0` or `base_model: 1234`: text all the same. Mappings and
    # booleans are no name (`base_model: true` is not a model called "True").
    return isinstance(value, str) or (isinstance(value, (int, float)) and not isinstance(value, bool))


def _as_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        value = value[0] if value else None
        if value is None:
            return None
    return str(value) if _is_text(value) else None


# The first heading: a markdown `#`/`##` line, or an HTML <h1> (cards that center their title).
_TITLE = re.compile(
    r"^#{1,2}[ \t]+(\S[^\n]{0,400})$|<h1\b[^>\n]*>\s*([^<\n]{1,120}?)\s*</h1>", re.MULTILINE | re.IGNORECASE
)
_PLACEHOLDER_TITLES = frozenset({"model id", "model card", "{{ model_id }}", "model name", "[model name]"})
# Headings of a card's sections, not names of a model (lowercase words, "[optional]" dropped): those of
# huggingface_hub's templates/modelcard_template.md, and the first headings of widely copied cards (Meta's
# "Model Information", Microsoft's "Model Summary", NVIDIA's "Model Overview", mradermacher's "About",
# unsloth's "Uploaded model").
_SECTION_HEADINGS = frozenset(
    {
        "table of contents",
        "model details",
        "model description",
        "model sources",
        "uses",
        "direct use",
        "downstream use",
        "out of scope use",
        "bias risks and limitations",
        "recommendations",
        "training details",
        "training data",
        "training procedure",
        "evaluation",
        "results",
        "model examination",
        "environmental impact",
        "technical specifications",
        "model architecture and objective",
        "compute infrastructure",
        "citation",
        "glossary",
        "more information",
        "model card authors",
        "model card contact",
        "how to get started with the model",
        "model architecture",
        "model information",
        "model summary",
        "model overview",
        "introduction",
        "overview",
        "usage",
        "license",
        "about",
        "training",
        "uploaded model",
    }
)

# A heading of this many words or more that ends in "!" or "?" is a sentence, not a model's name ("Quants!" is one).
_BANNER_WORDS = 4

_TEXT_KEYS = ("license", "license_name", "license_link", "model_name", "base_model_relation")


def parse_card(text: str, path: str | None = "README.md") -> ModelCard:
    card = ModelCard(path=path)
    m = FRONT_MATTER.match(text)
    if not m:
        card.body = text
        if re.match(r"\A\ufeff?---[ \t]*\r?\n", text):
            card.unreadable = "front matter opened with '---' is never closed by a '---' line, so it is ignored"
            card.problems.append((1, card.unreadable))
        return card
    yaml_text = m.group(2)
    card.body = text[m.end() :]
    card.body_start_line = text[: m.end()].count("\n") + 1
    duplicates: list[tuple[int, str]] = []
    try:
        data = load_yaml(yaml_text, duplicates)
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc)
        # +1: the opening '---' line precedes the YAML block.
        card.unreadable = f"front matter is not valid YAML: {_one_line(exc)}"
        card.problems.append((line + 1 if line else None, card.unreadable))
        return card
    if data is None:
        return card
    if not isinstance(data, dict):
        card.unreadable = f"front matter is a {type(data).__name__}, not a mapping of keys"
        card.problems.append((2, card.unreadable))
        return card
    card.metadata = {str(k): v for k, v in data.items()}
    if any(k in card.metadata for k in _QUOTING_KEYS):
        card.quoted_lines = _value_lines(yaml_text, _QUOTING_KEYS, text[: m.start(2)].count("\n"))
    for line, key in duplicates:
        # +1: the opening '---' line precedes the YAML block.
        card.problems.append((line + 1, f"front matter sets '{key}' more than once; the last value is used"))
    rel = card._raw_relation
    if rel and rel not in RELATIONS:
        card.problems.append((None, f"base_model_relation '{rel}' is not one of {', '.join(RELATIONS)}"))
    raw_bases = card.metadata.get("base_model")
    if raw_bases is not None and not all(
        _is_text(b) for b in (raw_bases if isinstance(raw_bases, list) else [raw_bases])
    ):
        card.problems.append((None, "base_model must be a model id or a list of model ids"))
    for key in _TEXT_KEYS:
        value = card.metadata.get(key)
        if value is not None and not all(_is_text(v) for v in (value if isinstance(value, list) else [value])):
            card.problems.append((None, f"'{key}' must be text, not a {type(value).__name__}; it is ignored"))
    return card


# Front-matter keys whose value the Hub shows as the gate's text: a license copied there is quoted, not stated.
_QUOTING_KEYS = ("extra_gated_prompt",)


def _top_mapping(yaml_text: str) -> yaml.MappingNode | None:
    """The front matter's node tree when it is a mapping (keys keep their line numbers); None otherwise."""
    try:
        root = compose_yaml(yaml_text)
    except yaml.YAMLError:
        return None
    return root if isinstance(root, yaml.MappingNode) else None


def _value_lines(yaml_text: str, keys: tuple[str, ...], offset: int) -> list[tuple[int, int]]:
    """(first, last) lines of the file (the YAML starting after `offset` lines) of the top-level `keys`."""
    root = _top_mapping(yaml_text)
    if root is None:
        return []
    out = []
    for key, value in root.value:
        if key.value in keys:
            end = value.end_mark.line - (1 if value.end_mark.column == 0 else 0)
            out.append((offset + key.start_mark.line + 1, offset + max(end, key.start_mark.line) + 1))
    return out


@dataclass
class FrontMatterText:
    """A long text value of a card's front matter, its lines as they read once YAML's quoting is undone."""

    key: str
    text: str
    lines: list[int]  # the line of the file (1-based) each line of `text` stands on
    first: int  # the file lines the key and its value take
    last: int

    @property
    def quoting(self) -> bool:
        """Whether the Hub shows the value as the gate's text: terms quoted there, not the card's prose."""
        return self.key in _QUOTING_KEYS


# The escapes of a double-quoted YAML scalar; a backslash that ends a line joins it to the next.
_YAML_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.|$)")
_YAML_ESCAPED = {"n": "\n", "t": " ", "r": "", "0": "", "a": "", "b": "", "e": "", "f": "", "v": "", "_": " ", "N": " "}


def _unescaped(m: re.Match) -> str:
    code = m.group(1)
    if len(code) > 1:
        try:
            return chr(int(code[1:], 16))
        except ValueError:  # beyond Unicode
            return " "
    return _YAML_ESCAPED.get(code, code)


def front_matter_texts(text: str, min_words: int = 20) -> list[FrontMatterText]:
    """The top-level text values of `text`'s front matter of at least `min_words` words (a gated-access
    prompt quoting a license, a long description), each with its escapes decoded ("\\n" starts a line) and
    the file line of each of its lines; [] when the front matter is absent or cannot be read."""
    m = FRONT_MATTER.match(text)
    if not m:
        return []
    yaml_text = m.group(2)
    root = _top_mapping(yaml_text)
    if root is None:
        return []
    offset = text[: m.start(2)].count("\n") + 1  # the file line of the YAML's first line
    out = []
    for key, node in root.value:
        if not (
            isinstance(key, yaml.ScalarNode)
            and isinstance(node, yaml.ScalarNode)
            and node.tag == "tag:yaml.org,2002:str"
            and len(node.value.split()) >= min_words
        ):
            continue
        raw = yaml_text[node.start_mark.index : node.end_mark.index].split("\n")
        start = node.start_mark.line
        if node.style in ("|", ">"):
            raw, start = raw[1:], start + 1  # the block's indicator line holds none of its text
        elif node.style in ('"', "'"):
            raw[0], raw[-1] = (raw[0][1:], raw[-1]) if len(raw) > 1 else (raw[0][1:-1], raw[-1][1:-1])
            if len(raw) > 1:
                raw[-1] = raw[-1][:-1]
        lines: list[str] = []
        at: list[int] = []
        for j, line in enumerate(raw):
            if node.style == '"':
                line = _YAML_ESCAPE.sub(_unescaped, line.lstrip() if j else line)
            elif node.style == "'":
                line = line.replace("''", "'")
            parts = line.split("\n")
            lines.extend(parts)
            at.extend([offset + start + j] * len(parts))
        end = node.end_mark.line - (1 if node.end_mark.column == 0 else 0)
        last = offset + max(end, key.start_mark.line)
        out.append(FrontMatterText(str(key.value), "\n".join(lines), at, offset + key.start_mark.line, last))
    return out


def _one_line(exc: Exception) -> str:
    return " ".join(str(getattr(exc, "problem", None) or exc).split())
