"""Which registered checkpoint a Hub id names: the one place a name found in a repository (a declared base, an
adapter's base, a config's `_name_or_path`, a name or link in the card) is resolved against the registry.

A checkpoint goes by more names than the registry lists: quantizers publish its weights under its own name
with the format appended (`TheBloke/Llama-2-13B-chat-GPTQ`, `unsloth/DeepSeek-R1-Distill-Llama-8B-unsloth-bnb-4bit`),
and other owners re-upload it under its own name (`unsloth/DeepSeek-R1-Distill-Llama-8B`). Both name the
registered checkpoint. A name that merely contains a registered name with other words ("X-finetuned-on-Y",
"X-Instruct-v2") is another model.
"""

from __future__ import annotations

import re

from license_audit.registry import KnownModel, Registry

# How a quantized re-upload's repository name ends: its format, appended to the checkpoint's own name. These are
# names of formats, not of models: GPTQ, AWQ and GGUF (TheBloke's and others' re-uploads,
# huggingface.co/TheBloke/Llama-2-13B-chat-GPTQ, -AWQ, -GGUF), bitsandbytes 4-bit (Unsloth's `-bnb-4bit` and
# `-unsloth-bnb-4bit`: huggingface.co/unsloth/DeepSeek-R1-Distill-Llama-8B-unsloth-bnb-4bit, whose config.json
# `_name_or_path` is deepseek-ai/DeepSeek-R1-Distill-Llama-8B and carries a bitsandbytes quantization_config),
# a bit width (MLX community's `-4bit`), integer and FP8 weights (`-int4`, `-fp8`). Compared without case; a
# compound ending is listed before its tail so the whole ending goes.
QUANTIZED_SUFFIXES = ("-unsloth-bnb-4bit", "-bnb-4bit", "-gptq", "-awq", "-gguf", "-4bit", "-int4", "-fp8")
# How a converted re-upload's name ends: the precision its weights were saved in, not a quantization. TheBloke's
# `Llama-2-13B-fp16` (huggingface.co/TheBloke/Llama-2-13B-fp16: Meta's Llama 2 13B weights converted to the
# transformers format in float16), the base of hundreds of Llama 2 merges, is meta-llama/Llama-2-13b.
CONVERTED_SUFFIXES = ("-fp16",)
_OWNER_NAME = re.compile(r"^([A-Za-z0-9][\w.-]*)/([A-Za-z0-9][\w.-]*)$")


def without_quantization(repo_name: str) -> str:
    """A repository name without the quantization format or conversion precision it ends with
    (`Llama-2-13B-chat-GPTQ` -> `Llama-2-13B-chat`, `Llama-2-13B-fp16` -> `Llama-2-13B`); the name itself when
    it ends with none, or when nothing would be left."""
    name = repo_name
    for _ in range(3):  # `X-GPTQ-4bit`: one format after another
        low = name.lower()
        tail = next(
            (s for s in (*QUANTIZED_SUFFIXES, *CONVERTED_SUFFIXES) if low.endswith(s) and len(low) > len(s)), None
        )
        if tail is None:
            break
        name = name[: -len(tail)]
    return name


def registered_name(name: str, registry: Registry, same_name: bool = True) -> str | None:
    """The registered checkpoint (the entry's id or alias, spelled as the entry spells it) the Hub id `name`
    is: itself, its name without a quantization format under the same owner, or that name under another
    owner (a re-upload). None when it is none of them. With `same_name` False, another owner's repository
    under the registered name itself is not taken for it (only a quantized one is)."""
    known = registry.get(name)
    if known is not None:
        return known.name_for(name)
    m = _OWNER_NAME.match(name.strip())
    if m is None:
        return None
    owner, repo = m.group(1), m.group(2)
    bare = without_quantization(repo)
    if bare != repo:
        known = registry.get(f"{owner}/{bare}")
        if known is not None:
            return known.name_for(f"{owner}/{bare}")
    if bare == repo and not same_name:
        return None
    short = bare.lower()
    return next((mid for s, mid in names_by_first(registry)[1].get(short[:1], ()) if s == short), None)


def resolve(name: str | None, registry: Registry, same_name: bool = True) -> KnownModel | None:
    """The registry entry answering for the checkpoint `name` names (see registered_name)."""
    if not name:
        return None
    found = registered_name(name, registry, same_name)
    return registry.get(found) if found else None


def declared_model(name: str, registry: Registry) -> KnownModel | None:
    """The registry entry a card's declared `base_model` names: as registered, or a quantized re-upload of a
    registered checkpoint. Another owner's repository under a registered name is followed as declared (the
    Hub or a cache says what it is), not taken for the registered checkpoint."""
    return resolve(name, registry, same_name=False)


def reupload_note(name: str, registered: str) -> str:
    """How evidence says that `name` is the registered checkpoint under another name."""
    repo = name.rsplit("/", 1)[-1]
    if repo.lower().endswith(CONVERTED_SUFFIXES) and without_quantization(repo) != repo:
        return f"{name} is a re-upload of {registered} converted to {repo.rsplit('-', 1)[-1]}"
    if without_quantization(repo) != repo:
        return f"{name} is a quantized re-upload of {registered}"
    return f"{name} is a re-upload of {registered} under another owner"


def checkpoint_key(name: str) -> str:
    """One key for the names of one checkpoint outside the registry: an OWNER/NAME id without case and without
    a quantization format (`unsloth/deepseek-r1-distill-llama-8b-unsloth-bnb-4bit` and
    `unsloth/DeepSeek-R1-Distill-Llama-8B` are one key); any other name without case."""
    m = _OWNER_NAME.match(name.strip())
    if m is None:
        return name.strip().lower()
    return f"{m.group(1)}/{without_quantization(m.group(2))}".lower()


def short_names(registry: Registry) -> list[tuple[str, str]]:
    """(short name, model id) of every registered name, longest first: built once per registry."""
    return names_by_first(registry)[0]


def names_by_first(registry: Registry) -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
    """The short names, and the same by first character (an empty name under ""), each list longest first."""

    def build() -> tuple[list[tuple[str, str]], dict[str, list[tuple[str, str]]]]:
        out = []
        for m in registry:
            for name in [m.id, *m.aliases]:
                short = name.split("/")[-1].lower()
                out.append((short, name))  # the checkpoint named, which registry.get finds the entry by
        out.sort(key=lambda t: (-len(t[0]), t[0]))
        by_first: dict[str, list[tuple[str, str]]] = {}
        for short, mid in out:
            by_first.setdefault(short[:1], []).append((short, mid))
        return out, by_first

    return registry.derived("lineage.short-names", build)
