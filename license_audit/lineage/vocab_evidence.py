"""Lineage evidence from a repository's vocabulary, compared with the registry's tokenizer fingerprints.

The vocabulary tells apart what a config cannot: a base vocabulary kept whole (identical, or extended by
appended pieces) on the base's shape is derivation work; the same shape with a vocabulary of its own is what
independent models look like (LLaMA-2-shaped models with their own tokenizers). A vocabulary alone says less:
many models reuse a public tokenizer on shapes of their own, so without a matching shape it is at most
"possibly derived", reported once for the models that share it. A pruned or searched (NAS) model keeps its
family's vocabulary and rope settings while its layers change: that is reported at family level.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from license_audit.crawl import Snapshot
from license_audit.lineage.hits import Hit, tie_key
from license_audit.lineage.observed_vocab import observed, remember
from license_audit.lineage.signature import SHAPE_FIELDS, canonical, normalized, shape_differences
from license_audit.registry import KnownModel, Registry
from license_audit.tokenizer import (
    RELATED_SHARE,
    Relation,
    VocabDigest,
    Vocabulary,
    cuts_of,
    relate_vocabulary,
    sketch_values,
)

SCORES = {"identical": 0.6, "extended": 0.7, "contains": 0.4}
# A vocabulary shared with a known model on a shape that model does not have: at most "possibly derived".
OTHER_SHAPE_CAP = 0.79
# An own vocabulary on a known shape: an independent model that reuses the shape.
OWN_VOCABULARY_CAP = 0.45
FAMILY_LEVEL = 0.5
MAX_LISTED = 8
_STRENGTH = {"identical": 0, "extended": 1, "contains": 2}
_DEFAULT_ROPE_THETA = 10000


@dataclass
class VocabEvidence:
    where: str
    size: int
    relations: dict[str, Relation] = field(default_factory=dict)  # model id -> relation
    vocab: Vocabulary | VocabDigest | None = None
    keep: Callable[[], None] | None = field(default=None, repr=False)


def groups(registry: Registry) -> list[tuple[dict[str, Any], list[KnownModel]]]:
    """Registry entries by tokenizer fingerprint (many entries share one vocabulary), built once per registry."""

    def build() -> list[tuple[dict[str, Any], list[KnownModel]]]:
        by_hash: dict[str, tuple[dict[str, Any], list[KnownModel]]] = {}
        for known in registry:
            fp = known.tokenizer
            if isinstance(fp, dict) and isinstance(fp.get("vocab_sha256"), str):
                by_hash.setdefault(fp["vocab_sha256"], (fp, []))[1].append(known)
        return list(by_hash.values())

    return registry.derived("lineage.vocab-groups", build)


def _needs(registry: Registry) -> tuple[set[int], set[int]]:
    """(prefix sizes, sampled token CRCs) the registry's fingerprints compare, worked out once per registry."""

    def build() -> tuple[set[int], set[int]]:
        fps = groups(registry)
        values: set[int] = set()
        for fp, _ in fps:
            values.update(sketch_values(fp.get("sample")))
        return cuts_of([fp for fp, _ in fps]), values

    return registry.derived("lineage.vocab-needs", build)


def has_vocabulary(snapshot: Snapshot) -> bool:
    art = snapshot.artifacts
    return art is not None and (art.load_vocab is not None or art.load_tokenizer is not None or bool(art.gguf_tokens))


def relations(snapshot: Snapshot, registry: Registry) -> VocabEvidence | None:
    """The observed vocabulary against every known fingerprint; None without a vocabulary or fingerprints."""
    fps = groups(registry)
    art = snapshot.artifacts
    if not fps or art is None or not has_vocabulary(snapshot):
        return None
    cuts, values = _needs(registry)
    vocab = observed(art, cuts, values)
    if vocab is None:
        return None
    ev = VocabEvidence(vocab.where, vocab.count, vocab=vocab)
    # Order-preserving relations first (hash lookups); the sampled-token test (hashing every observed token)
    # only when none holds, to find a vocabulary reordered, and later for the models other evidence names.
    found = [(fp, members, relate_vocabulary(fp, vocab, sample=False)) for fp, members in fps]
    if not any(rel is not None and rel.positive for _, _, rel in found):
        found = [(fp, members, relate_vocabulary(fp, vocab)) for fp, members in fps]
    for _fp, members, rel in found:
        if rel is None:
            continue
        for known in members:
            ev.relations[known.id] = rel
    # The digest is kept once the comparisons are done (hits() may still hash the sampled tokens).
    ev.keep = lambda: remember(art, vocab, cuts, values)
    return ev


def _rope_and_width(known: KnownModel, observed: dict[str, Any]) -> list[str]:
    """Family traits a pruned or searched model keeps: distinctive rope settings and the model width."""
    sig = known.signature
    same = []
    if sig.get("rope_scaling") and observed.get("rope_scaling") == sig["rope_scaling"]:
        same.append("rope_scaling")
    theta = sig.get("rope_theta")
    if theta not in (None, _DEFAULT_ROPE_THETA) and observed.get("rope_theta") == theta:
        same.append(f"rope_theta {theta}")
    if not same:
        return []
    width: list[str] = [
        k for k in ("hidden_size", "num_attention_heads", "head_dim") if k in sig and observed.get(k) == sig[k]
    ]
    return same + width if width else []


def _shape_changed(known: KnownModel, cfg: dict[str, Any] | None) -> bool:
    """Whether the config has another shape than the known model (fields changed, or the layer shape missing
    as in per-block NAS configs)."""
    if not isinstance(cfg, dict) or not known.signature:
        return True
    if shape_differences(known.signature, cfg):
        return True
    seen = canonical(cfg)
    missing = [k for k in known.signature if k in SHAPE_FIELDS and k not in seen]
    return len(missing) >= 2


def hits(ev: VocabEvidence | None, registry: Registry, named_hits: list[Hit], cfg: Any) -> list[Hit]:
    out = _hits(ev, registry, named_hits, cfg)
    if ev is not None and ev.keep is not None:
        ev.keep()
    return out


def _hits(ev: VocabEvidence | None, registry: Registry, named_hits: list[Hit], cfg: Any) -> list[Hit]:
    if ev is None or not ev.relations:
        return []
    cfg = cfg if isinstance(cfg, dict) else None
    observed = normalized(cfg) if cfg else {}
    # The models other evidence names (not their alternatives: a config-identical set stays one candidate).
    named: list[str] = []
    for h in named_hits:
        known = registry.get(h.model)
        if known and (h.score > 0 or h.declared) and known.id not in named:
            named.append(known.id)
    out: list[Hit] = []
    supported = False
    for mid in named:
        rel = ev.relations.get(mid)
        known = registry.get(mid)
        if rel is None or known is None:
            continue
        if rel.positive:
            supported = True
            out += _positive(ev, known, rel, cfg, observed, [])
            continue
        if rel.share is None and ev.vocab is not None:
            rel = relate_vocabulary(known.tokenizer, ev.vocab) or rel
        if rel.share is not None and rel.share < RELATED_SHARE:
            out.append(
                Hit(
                    mid,
                    0.0,
                    f"{ev.where}: {rel.sentence} than {mid}: an own vocabulary, not derived from it",
                    cap=OWN_VOCABULARY_CAP,
                )
            )
    if supported:
        return out
    positive = [(rel, registry.get(mid)) for mid, rel in ev.relations.items() if rel.positive]
    members = [(rel, k) for rel, k in positive if k is not None]
    if not members:
        return out
    members.sort(key=lambda t: (_STRENGTH[t[0].kind], _family_fit(t[1], observed), tie_key(t[1])))
    rel, best = members[0]
    others = [k.id for _, k in members[1:]]
    return out + _positive(ev, best, rel, cfg, observed, others)


def _family_fit(known: KnownModel, observed: dict[str, Any]) -> int:
    """Fewer is better: models whose rope settings and width the config repeats come first."""
    return -len(_rope_and_width(known, observed)) if observed else 0


def _positive(
    ev: VocabEvidence,
    known: KnownModel,
    rel: Relation,
    cfg: dict[str, Any] | None,
    observed: dict[str, Any],
    others: list[str],
) -> list[Hit]:
    text = (
        f"{ev.where}: {rel.sentence} of {known.id}"
        if rel.kind == "extended"
        else f"{ev.where}: {rel.sentence} as {known.id}"
    )
    if others:
        shown = ", ".join(others[:MAX_LISTED]) + (
            f" and {len(others) - MAX_LISTED} more" if len(others) > MAX_LISTED else ""
        )
        text += f" (the same vocabulary as {shown})"
    changed = _shape_changed(known, cfg)
    if changed:
        text += (
            "; the config has another shape, and a public vocabulary is reused by independent models: "
            "not proof on its own"
        )
    hit = Hit(known.id, SCORES[rel.kind], text, cap=OTHER_SHAPE_CAP if changed else None)
    hit.alternatives = others[:MAX_LISTED]
    out = [hit]
    traits = _rope_and_width(known, observed) if cfg and changed else []
    if traits:
        out.append(
            Hit(
                known.id,
                FAMILY_LEVEL,
                f"config.json: {', '.join(traits)} as in {known.family} models while the layer shape differs: "
                f"a pruned or searched (NAS) variant of the {known.family} family; which member it comes from "
                "is not established",
                cap=OTHER_SHAPE_CAP,
            )
        )
    return out
