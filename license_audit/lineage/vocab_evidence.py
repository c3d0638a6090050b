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
from license_audit.lineage.hits import Hit, conventions, speaks, stands_in, tie_key
from license_audit.lineage.observed_vocab import observed, remember
from license_audit.lineage.shapes import ObservedShape
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


def _common_thetas(registry: Registry) -> set[Any]:
    """rope_theta values models with different vocabularies use (10000, 1e6, 500000 ...): a default or a popular
    setting, not a family trait. Built once per registry."""

    def build() -> set[Any]:
        users: dict[Any, set[str]] = {}
        for known in registry:
            theta = known.signature.get("rope_theta")
            if theta is not None and not isinstance(theta, (dict, list)):
                fp = known.tokenizer.get("vocab_sha256") if isinstance(known.tokenizer, dict) else None
                users.setdefault(theta, set()).add(str(fp) if fp else f"family {known.family}")
        return {theta for theta, who in users.items() if len(who) > 1} | {_DEFAULT_ROPE_THETA}

    return registry.derived("lineage.common-rope-thetas", build)


def _rope_fit(known: KnownModel, observed: dict[str, Any], common: set[Any]) -> list[str]:
    """The rope settings the repository repeats from the known model that tell its family apart: a rope
    scaling, or a rope_theta no model with another vocabulary uses."""
    sig = known.signature
    same = []
    if sig.get("rope_scaling") and observed.get("rope_scaling") == sig["rope_scaling"]:
        same.append("rope_scaling")
    theta = sig.get("rope_theta")
    if theta is not None and theta not in common and observed.get("rope_theta") == theta:
        same.append(f"rope_theta {theta}")
    return same


def _rope_and_width(known: KnownModel, observed: dict[str, Any], common: set[Any]) -> list[str]:
    """Family traits a pruned or searched model keeps: distinctive rope settings and the model width."""
    same = _rope_fit(known, observed, common)
    if not same:
        return []
    sig = known.signature
    width: list[str] = [
        k for k in ("hidden_size", "num_attention_heads", "head_dim") if k in sig and observed.get(k) == sig[k]
    ]
    return same + width if width else []


def _shape_changed(known: KnownModel, cfg: dict[str, Any] | None) -> bool:
    """Whether the repository does not show the known model's shape: nothing shows it, a shape field differs,
    or two or more of the known model's shape fields are missing (a per-block NAS config, weight headers of a
    few tensors)."""
    return _shape_verdict(known, cfg) != "same"


def _shape_verdict(known: KnownModel, cfg: dict[str, Any] | None) -> str:
    """`same`, `other` (a shape field differs), `partial` (none differs, but two or more are missing) or `none`
    (nothing shows the repository's shape)."""
    if not isinstance(cfg, dict) or not known.signature:
        return "none"
    if shape_differences(known.signature, cfg):
        return "other"
    seen = canonical(cfg)
    missing = [k for k in known.signature if k in SHAPE_FIELDS and k not in seen]
    return "partial" if len(missing) >= 2 else "same"


def _fits(known: KnownModel, observed: dict[str, Any]) -> bool:
    """Whether the repository shows the known model's shape in every shape field it shows of it."""
    differ, agree = _shape_distance(known, observed)
    return agree > 0 and differ == 0


def _shape_distance(known: KnownModel, observed: dict[str, Any]) -> tuple[int, int]:
    """(shape fields that differ, shape fields that agree) between the known model and what the repository
    shows: how near a size it is, where none fits exactly (a pruned model is nearest its source)."""
    keys = [k for k in known.signature if k in SHAPE_FIELDS and k in observed]
    differ = sum(1 for k in keys if observed[k] != known.signature[k])
    return differ, len(keys) - differ


# Pruning keeps its source's depth (width pruning) or width (depth pruning): a model that shares neither with
# the repository is no nearer a source than any other.
_KEPT_BY_PRUNING = ("num_hidden_layers", "hidden_size")


def _near(known: KnownModel, observed: dict[str, Any]) -> bool:
    sig = known.signature
    return any(k in sig and k in observed and observed[k] == sig[k] for k in _KEPT_BY_PRUNING)


def hits(
    ev: VocabEvidence | None,
    registry: Registry,
    named_hits: list[Hit],
    shape: ObservedShape | None,
    markers: list[str] | tuple[str, ...] = (),
) -> list[Hit]:
    """Hits from the vocabulary: for the models other evidence names, or else for the member of the models
    sharing it that the repository's shape (config.json, GGUF values or weight headers), rope settings and
    chat/special-token markers point at, the members they cannot tell apart as its alternatives."""
    out = _hits(ev, registry, named_hits, shape, markers)
    if ev is not None and ev.keep is not None:
        ev.keep()
    return out


@dataclass
class _Member:
    """A model sharing the observed vocabulary, with what the repository's other files say of it."""

    known: KnownModel
    relation: Relation
    fits: bool  # the repository shows its shape
    rope: int  # distinctive rope settings repeated
    distance: tuple[int, int]  # (shape fields that differ, that agree), for a member of the depth or width shown
    speaks: bool  # of a family the chat/special-token markers point at

    def evidence(self) -> tuple:
        """What tells members apart: the kind of relation, the shape (else the rope settings a pruned model
        keeps, then the nearest shape: pruning keeps the depth or the width of its source), the chat markers;
        not release order."""
        return (
            _STRENGTH[self.relation.kind],
            not self.fits,
            -self.rope,
            self.distance[0],
            -self.distance[1],
            not self.speaks,
        )


def _hits(
    ev: VocabEvidence | None,
    registry: Registry,
    named_hits: list[Hit],
    shape: ObservedShape | None,
    markers: list[str] | tuple[str, ...],
) -> list[Hit]:
    if ev is None or not ev.relations:
        return []
    observed = normalized(shape.values) if shape else {}
    # The models other evidence names (not their alternatives: a config-identical set stays one candidate).
    named: list[str] = []
    for h in named_hits:
        known = registry.get(h.model)
        if known and (h.score > 0 or h.declared) and known.id not in named:
            named.append(known.id)
    out: list[Hit] = []
    supported = False
    unheard: list[KnownModel] = []  # named models of the repository's shape whose vocabulary is not on file
    for mid in named:
        rel = ev.relations.get(mid)
        known = registry.get(mid)
        if known is None:
            continue
        if rel is None:
            if not known.tokenizer.get("vocab_sha256") and not _shape_changed(known, observed or None):
                unheard.append(known)
            continue
        if rel.positive:
            supported = True
            out += _positive(ev, known, rel, shape, observed, [], registry)
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
    members = _members(ev, registry, observed, markers)
    if not members:
        return out
    lead = members[0]
    others = [m.known.id for m in members[1:] if m.evidence() == lead.evidence()]
    if unheard:
        # The model the config names explains the files; the public vocabulary it ships names no second base.
        return out + [_reused_by(ev, unheard[0], lead, others)]
    return out + _positive(ev, lead.known, lead.relation, shape, observed, others, registry)


def _members(
    ev: VocabEvidence, registry: Registry, observed: dict[str, Any], markers: list[str] | tuple[str, ...]
) -> list[_Member]:
    """The models sharing the observed vocabulary, the one the other files point at first (_Member.evidence);
    then a base before its registered fine-tune, then release order."""
    common = _common_thetas(registry)
    names = conventions(list(markers))
    found = [(rel, registry.get(mid)) for mid, rel in ev.relations.items() if rel.positive]
    members = [
        _Member(
            known,
            rel,
            _fits(known, observed),
            len(_rope_fit(known, observed, common)),
            _shape_distance(known, observed) if _near(known, observed) else (len(SHAPE_FIELDS), 0),
            speaks(known, names),
        )
        for rel, known in found
        if known is not None
    ]
    ids = {m.known.id for m in members}
    members.sort(key=lambda m: (m.evidence(), stands_in(m.known, ids), tie_key(m.known)))
    return members


def _reused_by(ev: VocabEvidence, owner: KnownModel, lead: _Member, others: list[str]) -> Hit:
    """An evidence line for the model the config names, whose own vocabulary is not on file, when the
    repository's vocabulary is a public one registered for other models (MiMo ships Qwen's)."""
    more = f" and {len(others)} more" if others else ""
    return Hit(
        owner.id,
        0.0,
        f"{ev.where}: {lead.relation.sentence} as {lead.known.id}{more}; the registry holds no vocabulary of "
        f"{owner.id}, whose shape the repository has: a public vocabulary it may ship, not a base of its own",
    )


def _unlike(verdict: str, shape: ObservedShape | None) -> str:
    """What the repository's shape says against the known model's, in words that hold of what it has."""
    if shape is None or verdict == "none":
        return "no config or weight shapes to compare"
    if verdict == "partial":
        return f"{shape.says} too few of its shape values to compare"
    return f"{shape.says} another shape"


def _positive(
    ev: VocabEvidence,
    known: KnownModel,
    rel: Relation,
    shape: ObservedShape | None,
    observed: dict[str, Any],
    others: list[str],
    registry: Registry,
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
    verdict = _shape_verdict(known, observed or None)
    changed = verdict != "same"
    if changed:
        text += f"; {_unlike(verdict, shape)}, and a public vocabulary is reused by independent models: not proof on its own"
    hit = Hit(known.id, SCORES[rel.kind], text, cap=OTHER_SHAPE_CAP if changed else None)
    hit.alternatives = others[:MAX_LISTED]
    out = [hit]
    traits = _rope_and_width(known, observed, _common_thetas(registry)) if shape and changed else []
    if traits and shape is not None:
        out.append(
            Hit(
                known.id,
                FAMILY_LEVEL,
                f"{shape.where}: {', '.join(traits)} as in {known.family} models while the layer shape differs: "
                f"a pruned or searched (NAS) variant of the {known.family} family; which member it comes from "
                "is not established",
                cap=OTHER_SHAPE_CAP,
            )
        )
    return out
