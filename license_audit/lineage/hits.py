"""One piece of lineage evidence (a Hit) and the order within a set of equally good matches."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from license_audit.registry import KnownModel


@dataclass
class Hit:
    """One piece of evidence that the repository derives from a model."""

    model: str
    score: float
    text: str
    relation: str | None = None
    declared: bool = False
    cap: float | None = None
    alternatives: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # unscored evidence lines listed after the scored ones
    family: str | None = None  # a family id (rules/families.yaml) when the hit names a family, not a checkpoint
    exact: bool = False  # a config signature equal in every field (whatever cap the shape puts on the score)
    # The repository the evidence names when `model` is the registered checkpoint it re-uploads (a quantized or
    # other owner's copy): the checkpoint the repository's weights attach to.
    named: str | None = None
    # The card says the repository's weights were converted from `model` ("converted to MLX format from X").
    converted: bool = False
    # The card says the repository's weights were trained from `model` ("fine-tuned from X", "trained on top of X").
    trained: bool = False
    # The sentence says it of this model ("This model is fine-tuned from X"), not of a model it names.
    about_self: bool = False


def conventions(markers: list[str] | tuple[str, ...]) -> set[str]:
    """The families the repository's chat/special-token markers point at (tokenizer.MARKERS: `<｜Assistant｜>`
    is DeepSeek's, `[INST]` Llama 2's or Mistral's); a convention many families share (ChatML) names none."""
    from license_audit.tokenizer import MARKERS

    out: set[str] = set()
    for m in markers:
        convention = MARKERS.get(m, "")
        if convention and "others" not in convention:
            out.update(c.strip().lower() for c in convention.split(" (")[0].split("/") if c.strip())
    return out


def speaks(known: KnownModel, names: set[str]) -> bool:
    """Whether the model is of a family the markers point at (`deepseek` for deepseek-r1-distill-qwen)."""
    family = known.family.lower()
    return any(family == n or family.startswith((n + "-", n + ".")) for n in names)


def stands_in(known: KnownModel, others: set[str]) -> bool:
    """Whether the model is a fine-tune of another member of a set (Vicuna v1.5 of Llama-2-7B): where both fit
    the evidence alike, the fine-tune's entry does not stand in for its base."""
    lowered = {o.lower() for o in others}
    return any(b.lower() in lowered for b in known.base_model)


def tie_key(known: KnownModel) -> tuple:
    # Within a set of config-identical models: the first released (the architecture's origin), then base
    # checkpoints before chat/instruct ones.
    chatty = bool(re.search(r"(instruct|chat|-it$)", known.id, re.IGNORECASE))
    return (known.released or "9999", chatty, known.id)


_SIBLING_WORDS = {"instruct", "chat", "it", "base", "hf", "pt", "sft", "dpo", "rlhf", "original"}


def _sibling_key(model_id: str) -> str:
    short = model_id.rsplit("/", 1)[-1].lower()
    return "-".join(p for p in re.split(r"[-_\s]+", short) if p and p not in _SIBLING_WORDS)


def siblings(a: str, b: str) -> bool:
    """Base/instruct pairs and other near-identical checkpoints: the same name once the variant words
    (instruct, chat, it, base, hf ...) are set aside (Mistral-7B-v0.1 and Mistral-7B-Instruct-v0.1)."""
    return a.lower() != b.lower() and bool(_sibling_key(a)) and _sibling_key(a) == _sibling_key(b)
