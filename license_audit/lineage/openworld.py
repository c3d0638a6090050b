"""Open-world lineage: every base a repository declares or names is resolved to a license, inferred from
its family, or left marked as unresolved with what was tried, so the checks can name it.

Runs after evidence collection (lineage.evidence) on its candidates:
1. a declared or named base outside the registry is followed through its chain (lineage.resolve);
2. an id that cannot be resolved, and the audited model's own names, tags, architecture and license,
   point to a family (rules/families.yaml), whose license is inferred at "possibly derived" level unless
   the card's own license confirms it;
3. a look-alike sibling of a declared base (base/instruct pairs share a config) gives way to the declared
   one, and near-identical candidates with the same license become one candidate naming both;
4. a repository that is a registered base itself (its publisher's release, or a copy of it) is marked
   as such, so its own license's duties towards others are not asked of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from license_audit.crawl import Snapshot
from license_audit.lineage.evidence import guesses_as_alternatives, relation_from_files, relation_line, relation_of
from license_audit.lineage.families import Families, Family, FamilyMatch, family_label
from license_audit.lineage.hits import siblings
from license_audit.lineage.identity import name_key, own_identity
from license_audit.lineage.names import declared_model
from license_audit.lineage.resolve import Link, Resolver
from license_audit.lineage.shapes import observed_shape
from license_audit.lineage.signature import shape_differences
from license_audit.registry import Registry
from license_audit.report import Candidate

FAMILY_NAME_SCORE = 0.6  # the model's own name names a family
FAMILY_GGUF_NAME_SCORE = 0.65  # GGUF general.basename / general.name
FAMILY_TAG_SCORE = 0.5  # a card tag
FAMILY_TYPE_SCORE = 0.5  # config model_type / GGUF general.architecture used by one family only
FAMILY_CAP = 0.79  # a family inference stays "possibly derived" (warning level) ...
CONFIRMED = 0.85  # ... unless the card's own license is that family's license
SOURCE_FAMILY = "family name"  # inferred: warning level
SOURCE_FAMILY_CONFIRMED = "family name, confirmed by the card's license"
SOURCE_FAMILY_PUBLISHED = "family name, a release of the family's publisher"


@dataclass
class LineageContext:
    """What open-world lineage needs beyond the snapshot: how to resolve ids, the family data, the
    audited repository's own Hub id (when it is a Hub target) and the catalog (which licenses are a
    vendor's own model license)."""

    resolver: Resolver | None = None
    families: Families | None = None
    repo_id: str | None = None
    catalog: Any = None
    notes: list[str] = field(default_factory=list)
    # The folder (or repository) name the target goes by: a clone of a registered base is named like it.
    # Only used to recognise a self-release, never as lineage evidence (a folder can be named anything).
    folder_name: str | None = None

    def own_names(self) -> tuple[tuple[str, str], ...]:
        """(where, name) of the repository id and the folder name, those known: they may name a quantization
        (evidence.card_relation), never a base."""
        out = []
        if self.repo_id:
            out.append(("the repository id", self.repo_id))
        if self.folder_name:
            out.append(("the folder name", self.folder_name))
        return tuple(out)


def lineage_context(
    registry: Registry,
    rules_dirs: tuple[str, ...] = (),
    offline: bool = False,
    repo_id: str | None = None,
    catalog: Any = None,
    folder_name: str | None = None,
) -> LineageContext:
    """The context an audit or `lineage` command resolves with: the Hub unless offline (or HF_HUB_OFFLINE)."""
    from license_audit.lineage.families import load_families

    return LineageContext(
        resolver=Resolver(registry, offline=offline),
        families=load_families(tuple(rules_dirs)),
        repo_id=repo_id,
        catalog=catalog,
        folder_name=folder_name,
    )


def own_names(snapshot: Snapshot, repo_id: str | None) -> list[tuple[str, str, float]]:
    """(where, name, score) for each name the audited model goes by."""
    card = snapshot.card
    where = card.path or "README.md"
    out: list[tuple[str, str, float]] = []
    if repo_id:
        out.append(("the repository id", repo_id, FAMILY_NAME_SCORE))
    if card.model_name:
        out.append((f"{where} model_name", card.model_name, FAMILY_NAME_SCORE))
    index = card.metadata.get("model-index")
    if isinstance(index, list) and index and isinstance(index[0], dict) and isinstance(index[0].get("name"), str):
        out.append((f"{where} model-index name", index[0]["name"], FAMILY_NAME_SCORE))
    if card.title:  # the card's first heading
        out.append((f"{where} title", card.title, FAMILY_TAG_SCORE))
    art = snapshot.artifacts
    for rel, meta in sorted((art.gguf if art is not None else {}).items()):
        for key in ("general.basename", "general.name"):
            if isinstance(meta.get(key), str):
                out.append((f"{rel} {key}", meta[key], FAMILY_GGUF_NAME_SCORE))
    return out


@dataclass(frozen=True)
class CardLicense:
    """The card's license as a vendor's model license: the key the card writes and the catalog licenses it
    stands for (one; or each edition a name the publisher gives every edition covers, `exaone`)."""

    key: str
    ids: tuple[str, ...]
    shared: bool = False

    @property
    def one(self) -> str | None:
        """The single license it names, else None. A shared name names none alone, even with one edition in
        the catalog ("tencent-license"): which edition, and whether any, is the base's to say."""
        return self.ids[0] if len(self.ids) == 1 and not self.shared else None


def _vendor_license(ctx: LineageContext, snapshot: Snapshot) -> CardLicense | None:
    """The card's license when it is a vendor's own model license (catalog `family`: Llama, Gemma, Qwen,
    DeepSeek, ...): granted only for that vendor's materials, so it says what the model derives from."""
    key = snapshot.card.effective_license
    if not key or ctx.catalog is None:
        return None
    lic = ctx.catalog.get(key)
    if lic is not None:
        return CardLicense(key, (lic.id,)) if lic.family else None
    shared = tuple(x.id for x in ctx.catalog if x.goes_by(key) and x.family)
    return CardLicense(key, shared, shared=True) if shared else None


def _family_links(
    fm: FamilyMatch,
    via: tuple[str, ...],
    card_license: CardLicense | None,
    model: str | None = None,
    published: bool = False,
) -> tuple[list[Link], str, bool]:
    """Links for `model` (an id, else the family itself) whose family is known from its name;
    (links, evidence sentence, confirmed). `published`: `model` is a release of the family's publisher whose
    name settles its license (_publishers_release)."""
    lics = list(fm.licenses)
    held = [lic for lic in fm.family.known_licenses(fm.size) if card_license is not None and lic in card_license.ids]
    key = card_license.key if card_license is not None else ""
    confirmed = bool(held)
    if confirmed:
        lics = held[:1]
    source = SOURCE_FAMILY_CONFIRMED if confirmed else SOURCE_FAMILY_PUBLISHED if published else SOURCE_FAMILY
    links = [Link(model or family_label(fm.family, fm.size), lic, source, via) for lic in lics]
    size = f" ({fm.size})" if fm.size else ""
    owner = (model or "").split("/", 1)[0]
    said = (
        f"confirmed by the card's license `{key}`"
        if confirmed
        else f"{owner} publishes that family, so the name settles the license"
        if published
        else "inferred from the name, not confirmed (warning level)"
    )
    note = f" ({fm.family.license_note})" if fm.family.license_note else ""
    under = f"published under {', '.join(fm.licenses)}{note}"
    return links, f"the {fm.family.name} family{size}, {under}; {said}", confirmed


def _publishers_release(fm: FamilyMatch, model_id: str, families: Families | None) -> bool:
    """Whether `model_id` is a release of the family its name names, under the family's publisher (the owner is one
    of its `publishers`), whose name settles the license: the family has one license for every checkpoint, or
    the name gives the size that says which, and no relicensing makes it depend on when the copy was taken."""
    owner = model_id.split("/", 1)[0] if "/" in model_id else None
    if families is None or not families.is_publisher(fm.family, owner) or fm.family.former_licenses:
        return False
    return not fm.family.by_size or fm.size is not None


def _resolve_chain(cand: Candidate, ctx: LineageContext, resolver: Resolver, card_license: CardLicense | None) -> None:
    chain = resolver.chain(cand.model)
    if len(chain.path) > 1:
        cand.chain = list(chain.path)
    cand.links = list(chain.links)
    cand.chain_problem = chain.problem
    for link in chain.links:
        if link.registered:
            continue
        whose = f", base of {link.via[-1]}" if link.via else ""
        cand.evidence.append(f"{link.model}: license {link.license or 'not stated'} (from the {link.source}{whose})")
    unresolved = []
    for model_id, tried in chain.unresolved:
        fm = ctx.families.match_name(model_id) if ctx.families else None
        via = next((lk.via + (lk.model,) for lk in chain.links if model_id in _bases_of(resolver, lk.model)), ())
        if fm is not None:
            published = cand.declared and _publishers_release(fm, model_id, ctx.families)
            links, sentence, _confirmed = _family_links(fm, via, card_license, model_id, published)
            cand.links += links
            cand.family = cand.family or fm.family.id
            cand.evidence.append(f"{model_id}: not resolved ({'; '.join(tried)}); its name names {sentence}")
        else:
            unresolved.append((model_id, tried))
            cand.evidence.append(f"{model_id}: license not established ({'; '.join(tried)})")
    # A model resolved without a license and without a base of its own: its name may still say its family.
    for link in list(chain.links):
        if link.license or link.registered or _bases_of(resolver, link.model):
            continue
        fm = ctx.families.match_name(link.model) if ctx.families else None
        if fm is None:
            unresolved.append((link.model, [f"its card ({link.source}) states no license"]))
            continue
        links, sentence, _confirmed = _family_links(fm, link.via, card_license, link.model)
        cand.links += links
        cand.family = cand.family or fm.family.id
        cand.evidence.append(f"{link.model}: its card states no license; its name names {sentence}")
    cand.unresolved = unresolved
    if chain.problem:
        cand.evidence.append(f"base chain not followed to its end: {chain.problem}")
    licensed = [lk for lk in cand.links if lk.license]
    if cand.license is None and licensed:
        cand.license = licensed[0].license


def _bases_of(resolver: Resolver, model_id: str) -> list[str]:
    info, _ = resolver.lookup(model_id)
    return info.base_models if info is not None and info.source != "registry" else []


@dataclass
class FamilyHits:
    """What the audited model's own names, tags and architecture say of its family: family id ->
    [(evidence, score)], family id -> the size named, and the families only a tag names."""

    lines: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    sizes: dict[str, str] = field(default_factory=dict)
    tag_only: set[str] = field(default_factory=set)


def _family_hits(snapshot: Snapshot, ctx: LineageContext) -> FamilyHits:
    """The families the audited model's own names, tags and architecture name (see FamilyHits)."""
    fams = ctx.families
    found = FamilyHits()
    out, sizes = found.lines, found.sizes
    if fams is None or from_scratch(snapshot):
        # A model trained from scratch, or a re-implementation of an architecture, is named after the
        # architecture it follows ("DeepSeek-V3-Lite"): its names say nothing of weights it was built on.
        return found

    def add(fm: FamilyMatch | None, fam: Family | None, text: str, score: float) -> None:
        f = fm.family if fm else fam
        if f is None:
            return
        found.tag_only.discard(f.id)
        if fm is not None and fm.size:
            sizes.setdefault(f.id, fm.size)
        lst = out.setdefault(f.id, [])
        if text not in (t for t, _ in lst):
            lst.append((text, score))

    for where, name, score in own_names(snapshot, ctx.repo_id):
        fm = fams.match_name(name)
        # A title may list models ("Finetune Mistral, Gemma, Llama 2 faster"); a name names one.
        if fm is not None and not (where.endswith(" title") and fams.names_several(name)):
            add(fm, None, f'{where} "{name[:80]}" names the {fm.family.name} family', score)
    tags = snapshot.card.metadata.get("tags")
    where = snapshot.card.path or "README.md"
    for tag in (tags if isinstance(tags, list) else [])[:64]:
        fm = fams.match_name(tag) if isinstance(tag, str) else None
        if fm is not None:
            named = fm.family.id in out
            add(fm, None, f'{where} tag "{tag[:60]}" names the {fm.family.name} family', FAMILY_TAG_SCORE)
            if not named:
                found.tag_only.add(fm.family.id)
            break
    cfg = snapshot.configs.get("config.json")
    if isinstance(cfg, dict):
        fam = fams.by_model_type(cfg.get("model_type"))
        if fam is not None:
            add(
                None,
                fam,
                f"config.json model_type {cfg.get('model_type')} is the {fam.name} architecture",
                FAMILY_TYPE_SCORE,
            )
    index = snapshot.configs.get("model_index.json")
    if isinstance(index, dict):
        pad = _pad_token(snapshot.configs.get("tokenizer/special_tokens_map.json"))
        fam = fams.by_pipeline(index.get("_class_name"), pad)
        if fam is not None:
            with_pad = f' with a tokenizer padding with "{pad}"' if pad else ""
            add(
                None,
                fam,
                f"model_index.json pipeline {index['_class_name']}{with_pad} is the {fam.name} architecture",
                FAMILY_TYPE_SCORE,
            )
    art = snapshot.artifacts
    for rel, meta in sorted((art.gguf if art is not None else {}).items()):
        fam = fams.by_model_type(meta.get("general.architecture"))
        if fam is not None:
            add(
                None,
                fam,
                f"{rel}: general.architecture {meta['general.architecture']} is the {fam.name} architecture",
                FAMILY_TYPE_SCORE,
            )
    return found


def _pad_token(special_tokens: Any) -> str | None:
    """The pad token a tokenizer's special_tokens_map.json names (a string, or an added token's content)."""
    pad = special_tokens.get("pad_token") if isinstance(special_tokens, dict) else None
    if isinstance(pad, dict):
        pad = pad.get("content")
    return pad if isinstance(pad, str) and pad else None


def _registry_ancestor_licenses(cands: list[Candidate], registry: Registry) -> set[str]:
    """Licenses of the registered models the candidates reach through registry `base_model` entries."""
    from license_audit.checks.context import registered_ancestors

    starts = [registry.get(c.model) for c in cands]
    starts += [registry.get(lk.model) for c in cands for lk in c.links if lk.registered]
    return {lic for known in registered_ancestors(registry, starts) for lic in known.all_licenses}


def _own_family_candidates(
    snapshot: Snapshot,
    ctx: LineageContext,
    cands: list[Candidate],
    card_license: CardLicense | None,
    registry: Registry,
    guesses: list[Candidate],
) -> tuple[list[Candidate], list[Candidate]]:
    """The families the audited model's own names, tags, architecture and license name, that no candidate
    covers, and the `guesses` (other_size_guesses) they take in: a guess of another size than the one the names
    give covers no family; it becomes a line of the family candidate's evidence."""
    fams = ctx.families
    assert fams is not None
    where = snapshot.card.path or "README.md"
    found = _family_hits(snapshot, ctx)
    hits, sizes = found.lines, found.sizes
    ids = set(card_license.ids) if card_license else set()
    one = card_license.one if card_license else None
    card_key = card_license.key if card_license else ""
    live = [c for c in cands if c.confidence >= 0.5 and not c.same_model]
    taken: list[Candidate] = []
    if one and not any((f := fams.get(fid)) and one in f.known_licenses(None) for fid in hits):
        # The family whose own license it is, its usual one or one of its vendor's (not one that carries it from
        # its base: DeepSeek's Llama distills carry Llama 3.1's). A license the publisher puts on other model lines too names none of them; nor does
        # one of the publisher of a declared base's family (`license: llama3.1` on a Llama 4 quantization): the
        # card mislabels that base's license, which the checks say, rather than naming a second parent.
        declared = {p.lower() for c in live if c.declared and (f := fams.get(c.family or "")) for p in f.publishers}
        vendor = (lic.family or "") if ctx.catalog is not None and (lic := ctx.catalog.get(one)) else ""
        by_lic = [
            f
            for f in fams.by_license(one)
            if (one == f.licenses[0] or one in f.former_licenses or (vendor and f.id.startswith(vendor)))
            and not f.shared_license
            and not declared & {p.lower() for p in f.publishers}
        ]
        if by_lic:
            hits.setdefault(by_lic[0].id, [])
    carried = {c.license for c in live if c.license} | {lk.license for c in live for lk in c.links if lk.license}
    carried |= _registry_ancestor_licenses(live, registry)
    # A derived base the registry does not know, with no license resolved: the card's vendor license is
    # taken as its license by the checks, so a family candidate would only repeat it.
    if one and any(
        c.confidence >= 0.8 and registry.get(c.model) is None and not any(lk.license for lk in c.links) for c in live
    ):
        carried.add(one)
    # The families evidenced otherwise than by a tag: a tag naming only their line ("llama-3", which Meta puts on
    # every Llama 3.x card) says nothing a Llama 3.1 license or base has not said more precisely.
    evidenced = {fid for fid in hits if fid not in found.tag_only} | {c.family for c in live if c.family}
    evidenced |= {f.id for lic in carried for f in fams.by_license(lic)}
    out = []
    for fid, lines in sorted(hits.items()):
        fam = fams.get(fid)
        if fam is None or (fid in found.tag_only and fams.narrows(fid, evidenced)):
            continue
        if ctx.repo_id and fams.is_publisher(fam, ctx.repo_id.split("/", 1)[0]):
            continue  # the family's own publisher: a release, not a derivative
        if any(c.same_model and (c.family or "").startswith(fid) for c in cands):
            continue
        lics = fam.known_licenses(sizes.get(fid))
        sized = [g for g in guesses if (g.family or "").startswith(fid) and _other_size(g, sizes.get(fid), registry)]
        if any((c.family or "").startswith(fid) and all(c is not g for g in sized) for c in live) or any(
            lic in carried for lic in lics
        ):
            continue  # a candidate of that family, or one carrying its license, already raises its duties
        confirmed = bool(ids & set(lics))
        if not lines and not confirmed:
            continue
        miss = 1.0
        for _text, score in lines:
            miss *= 1.0 - score
        conf = min(1.0 - miss, FAMILY_CAP)
        evidence = [t for t, _ in lines]
        if confirmed:
            conf = max(conf, CONFIRMED)
            evidence.append(
                f"{where}: license `{card_key}` is the {fam.name} family's license, granted only for its materials"
            )
        # One label for the candidate and its links: the size its names give ("Mixtral 8x7B (family)").
        label = family_label(fam, sizes.get(fid))
        links, sentence, _ = _family_links(FamilyMatch(fam, fam.name, sizes.get(fid)), (), card_license)
        evidence.append(f"{label}: {sentence}")
        basis = relation_of(snapshot, None, ctx.own_names())
        if basis.why:
            evidence.append(relation_line(basis))
        cand = Candidate(
            model=label,
            family=fam.id,
            relation=basis.kind,
            declared=False,
            confidence=round(conf, 4),
            license=links[0].license,
            evidence=evidence,
            family_only=True,
        )
        cand.links = links
        release = _family_release(snapshot, ctx, fam) if confirmed else None
        if release is not None:
            # The title is the name of a release of the family's publisher, linked in the card: the repository
            # is that release (a mirror or copy of it), not a derivative of the family.
            model_id, why = release
            cand.model = model_id
            cand.links = [Link(model_id, lk.license, lk.source, lk.via, lk.registered) for lk in links]
            _as_copy(cand, why, ctx)
        for g in sized:
            cand.evidence.append(
                f"{g.evidence[0] if g.evidence else g.model} ({g.model} is {_size_of(g, registry)}, the names say "
                f"{sizes.get(fid)}: the vocabulary is the family's, not that model's)"
            )
            taken.append(g)
        out.append(cand)
    return out, taken


_FROM_SCRATCH = re.compile(
    r"\b(?:trained|pre-?trained|training|built|written|implemented)\s+(?:\w+\s+){0,3}from\s+scratch\b"
    r"|\bfrom[- ]scratch\s+(?:re-?)?implementation\b|\bre-?implementation\s+of\b"
    r"|从零(?:开始)?(?:训练|预训练|实现|搭建)|从头(?:开始)?(?:训练|预训练)",
    re.IGNORECASE,
)


def from_scratch(snapshot: Snapshot) -> bool:
    """Whether the card says the model was trained from scratch or re-implements an architecture."""
    return bool(_FROM_SCRATCH.search(snapshot.card.body[:20_000]))


def _family_release(snapshot: Snapshot, ctx: LineageContext, fam: Family) -> tuple[str, str] | None:
    """(Hub id, why) when the card's title names a release of `fam` and the card links that release under a
    publisher of the family (a mirror's card keeps the original's gated-access prompt and links)."""
    if relation_from_files(snapshot) in ("adapter", "merge") or ctx.families is None:
        return None
    ident = own_identity(snapshot, None, None)
    for where, name in ident.names:
        if " link to " not in where or "/" not in name:
            continue
        fm = ctx.families.match_name(snapshot.card.title)
        if fm is not None and fm.family.id == fam.id and ctx.families.is_publisher(fam, name.split("/", 1)[0]):
            return name, f'the title "{snapshot.card.title}" is the name of {name}, which the card links'
    return None


COPY_CONFIDENCE = 0.9  # a repository recognised as a copy of a model: its license travels with it


def _as_copy(c: Candidate, why: str, ctx: LineageContext) -> None:
    c.copy = True
    c.confidence = max(c.confidence, COPY_CONFIDENCE)
    c.evidence.append(f"recognised as a copy of {c.model} ({why}): not a derivative of it")
    ctx.notes.append(
        f"lineage: the model was recognised as {c.model} itself, in a copy not shown to be its publisher's (a mirror, "
        "fork or re-upload, or a folder): not a derivative of it, but a redistribution, so the duties its license "
        "places on copies (its text, notices, use restrictions) still apply"
    )


def _mark_same_model(cands: list[Candidate], snapshot: Snapshot, ctx: LineageContext, registry: Registry) -> None:
    """Candidates the audited repository is itself. Its own names (Hub id, `model_name`, `model-index` name,
    title, a Hub link named like the title, folder name) name the candidate or one of its registered aliases,
    the card does not declare it as a base, the files are not an adapter or merge, and they match it (an exact
    config, a config match of 0.9 or more, `license_link` at its LICENSE); or the config is exactly a registered
    model's whose registered base is the card's declared base and whose family the model's name opens with.

    With a Hub id under the candidate's owner (or a publisher of its family) it is the publisher's release
    (`same_model`: no duties towards itself); otherwise it is a copy (relation `copy`): not a derivative, but
    a redistribution that owes the duties its license places on copies."""
    from license_audit.checks.context import base_models_of

    ident = own_identity(snapshot, ctx.repo_id, ctx.folder_name)
    if ctx.families is not None:
        # A title listing models ("Finetune Mistral, Gemma, Llama 2 faster") names none of them.
        ident.names = [(w, n) for w, n in ident.names if not (w.endswith(" title") and ctx.families.names_several(n))]
    link = (snapshot.card.license_link or "").lower()
    # A relative license_link ("LICENSE") points at the repository's own license file.
    own_link = bool(link) and "://" not in link and link.rsplit("/", 1)[-1].startswith(("license", "licence"))
    files = relation_from_files(snapshot)
    declared = {(k.id if (k := declared_model(b, registry)) else b).lower() for b in snapshot.card.base_models}
    marked: list[Candidate] = []
    for c in cands:
        if c.family_only:
            continue
        known = registry.get(c.model)
        ids = {c.model.lower(), *(a.lower() for a in (known.aliases if known else []))}
        if known is not None:
            ids.add(known.id.lower())
        why = None
        if ctx.repo_id and ctx.repo_id.lower() in ids:
            why = f"the repository id {ctx.repo_id} is {c.model}"
        elif not c.declared and not c.trained_from and files not in ("adapter", "merge"):
            # A model the card says the weights were trained from is a base, whatever the names share.
            named = next((n for i in sorted(ids) if (n := ident.naming(i))), None)
            # A model outside the registry that the card itself names under the model's own name ("Pygmalion 7B
            # ... converted from PygmalionAI's release hf.co/PygmalionAI/pygmalion-7b") is the original release.
            unknown_named = known is None and not c.shape_only
            matches = _what_matches(c, own_link, any(i in link for i in ids))
            if named and matches:
                why = f'{named[0]} "{named[1]}" is {c.model}\'s name and {matches}'
            elif named and unknown_named:
                why = f'{named[0]} "{named[1]}" is the name of {c.model}, which the card names'
            elif (
                known is not None
                and c.config_exact
                and known.family
                and {b.lower() for b in base_models_of(known)} & declared
                and any(
                    name_key(n).startswith(name_key(known.family))
                    for w, n in ident.names
                    if "title" in w or "model_name" in w
                )
            ):
                why = (
                    f"its config is exactly {c.model}'s, its card declares {c.model}'s own base, and its name "
                    f"is a {known.family} name"
                )
        if why is None:
            continue
        owner = c.model.split("/", 1)[0].lower() if "/" in c.model else None
        repo_owner = ctx.repo_id.split("/", 1)[0].lower() if ctx.repo_id else None
        fam = ctx.families.get(c.family) if ctx.families and c.family else None
        publisher = repo_owner is not None and (
            repo_owner == owner
            or (fam is not None and ctx.families is not None and ctx.families.is_publisher(fam, repo_owner))
        )
        marked.append(c)
        if publisher:
            c.same_model = True
            c.evidence.append(f"recognised as the registered base {c.model} itself ({why})")
            ctx.notes.append(
                f"lineage: the model was recognised as the registered base {c.model} itself (its publisher's "
                "release), not a derivative of it; its license's duties towards derivatives are not asked of it"
            )
        else:
            _as_copy(c, why, ctx)
    _fold_publisher_bases(cands, marked)


def _what_matches(c: Candidate, own_link: bool, links_it: bool) -> str | None:
    """What, beside its name, says the repository is `c`, as the report says it: its files when they match
    `c` in every field, else its license_link, else the strength of the evidence listed (a config match, a card's
    words, GGUF metadata)."""
    if c.config_exact:
        return "its files match it (its configuration is the same in every field)"
    if links_it:
        return f"its license_link points at {c.model}'s license"
    if own_link:
        return "its license_link points at its own license file"
    if c.confidence >= 0.9:
        return f"the evidence listed names it at {c.confidence:.2f}"
    return None


def _fold_publisher_bases(cands: list[Candidate], marked: list[Candidate]) -> None:
    """A model the copied card names as its own base, under the same owner (stable-diffusion-2-1's card:
    "fine-tuned from stable-diffusion-2"): that is the publisher's lineage of its own release, not a base the
    repository was built on. It moves into the copied model's evidence."""
    for m in marked:
        owner = m.model.split("/", 1)[0].lower() if "/" in m.model else None
        if owner is None:
            continue
        for c in list(cands):
            if c is m or c.declared or c.shape_only or c.family_only or c.same_model or c.copy:
                continue
            if "/" in c.model and c.model.split("/", 1)[0].lower() == owner:
                cands.remove(c)
                m.evidence.append(
                    f"{c.model}, named in the card, is {m.model}'s own base (its publisher's): {c.evidence[0] if c.evidence else ''}"
                )


def other_size_guesses(cands: list[Candidate], snapshot: Snapshot, registry: Registry) -> list[Candidate]:
    """Candidates found by shape alone (a shared vocabulary), below "derived", whose registered shape the
    repository's config, GGUF values or weight headers contradict: a guess at a member of another size (Falcon's
    vocabulary names falcon-40b for a Falcon-180B config), which a family its own names give with the size does
    not yield to."""
    shape = observed_shape(snapshot, snapshot.configs.get("config.json"))
    if shape is None:
        return []
    out = []
    for c in cands:
        known = registry.get(c.model)
        if known is None or not c.shape_only or c.declared or c.confidence >= 0.8:
            continue
        if shape_differences(known.signature, shape.values):
            out.append(c)
    return out


def _size_of(c: Candidate, registry: Registry) -> str | None:
    known = registry.get(c.model)
    return known.size if known is not None else None


def _other_size(c: Candidate, size: str | None, registry: Registry) -> bool:
    """Whether the candidate's registered size is not the size the model's own names give."""
    mine = _size_of(c, registry)
    return bool(size and mine and size.lower() != mine.lower())


def _drop_covered_families(cands: list[Candidate]) -> list[Candidate]:
    """A family named in prose when a checkpoint of that family (or one carrying its licenses) is already a
    candidate: the family adds nothing but a second name for the same duties. Its evidence moves over."""
    out = []
    for c in cands:
        if c.family_only:
            lics = {lk.license for lk in c.links if lk.license}
            cover = next(
                (
                    o
                    for o in cands
                    if not o.family_only
                    and o.confidence >= 0.5
                    and ((o.family or "").startswith(c.family or "\0") or (lics and lics <= _licenses_of(o)))
                ),
                None,
            )
            if cover is not None:
                cover.evidence += [e for e in c.evidence[:1] if e not in cover.evidence]
                continue
        out.append(c)
    return out


def _licenses_of(c: Candidate) -> set[str]:
    return {lk.license for lk in c.links if lk.license} | ({c.license} if c.license else set())


def _same_checkpoint(declared: Candidate, c: Candidate) -> bool:
    """Whether the declared base and `c` name one checkpoint: the same id, the name `c` was given, or the same
    repository name under another owner (a re-upload)."""
    ids = {c.model.lower(), (c.checkpoint or "").lower()}
    return declared.model.lower() in ids or declared.model.rsplit("/", 1)[-1].lower() in {
        i.rsplit("/", 1)[-1] for i in ids if i
    }


def _declared_wins(cands: list[Candidate], registry: Registry) -> list[Candidate]:
    """A declared base and an undeclared look-alike sibling (base/instruct pairs share a config): the
    declared one is the candidate, the sibling's evidence and license become its own. Undeclared siblings
    with the same license become one candidate naming both."""
    declared = [c for c in cands if c.declared]
    out: list[Candidate] = []
    for c in cands:
        if c.declared or c.family_only:
            out.append(c)
            continue
        # The checkpoint the card says the weights were converted from is not a look-alike: it is the one; and
        # each model a merge names is a parent of its own. Either is the declared base only when it is the same
        # checkpoint (a re-upload of it under another owner), not a base/instruct sibling.
        named = c.converted_from or c.merged_in
        twin = next((d for d in declared if (_same_checkpoint(d, c) if named else siblings(d.model, c.model))), None)
        if twin is None:
            out.append(c)
            continue
        # The look-alike's own evidence, said to be its (base and instruct checkpoints share a config).
        twin.evidence += [f"{e} (evidence for the registered sibling {c.model})" for e in c.evidence[:1]]
        if c.model not in twin.alternatives and twin.model != c.model:
            twin.alternatives.append(c.model)
        family = (SOURCE_FAMILY, SOURCE_FAMILY_CONFIRMED, SOURCE_FAMILY_PUBLISHED)
        if c.license and not any(lk.license and lk.source not in family for lk in twin.links):
            # The sibling's registered license is better evidence than a family name.
            twin.license = c.license
            twin.links = [lk for lk in twin.links if lk.source not in family]
            twin.links.append(Link(c.model, c.license, "registered sibling", (), True))
            twin.unresolved = []
    merged: list[Candidate] = []
    for c in out:
        other = next(
            (
                m
                for m in merged
                if not m.declared
                and not c.declared
                and not (m.merged_in and c.merged_in)
                and siblings(m.model, c.model)
                and m.license == c.license
            ),
            None,
        )
        if other is None:
            merged.append(c)
            continue
        if c.model not in other.alternatives:
            other.alternatives.append(c.model)
        other.evidence += [e for e in c.evidence if e not in other.evidence][:3]
    return merged


def _own_page(c: Candidate, ctx: LineageContext, registry: Registry) -> bool:
    """Whether `c` is the audited repository's own Hub id, found in its own files rather than declared: a card
    links its own page and files. Outside the registry that says nothing of where the model comes from (a
    registered id is the publisher's release: _mark_same_model)."""
    return (
        ctx.repo_id is not None
        and not c.declared
        and c.model.lower() == ctx.repo_id.lower()
        and registry.get(c.model) is None
    )


def open_world(snapshot: Snapshot, registry: Registry, cands: list[Candidate], ctx: LineageContext) -> list[Candidate]:
    resolver = ctx.resolver or Resolver(registry, offline=True)
    card_license = _vendor_license(ctx, snapshot)
    where = snapshot.card.path or "README.md"
    cands = [c for c in cands if not _own_page(c, ctx, registry)]
    _mark_same_model(cands, snapshot, ctx, registry)
    for c in cands:
        if c.same_model:
            continue
        if c.family_only:
            fam = ctx.families.get(c.family) if ctx.families else None
            if fam is not None:
                fm = ctx.families.match_name(c.model) if ctx.families else None
                links, sentence, confirmed = _family_links(
                    fm if fm is not None else FamilyMatch(fam, fam.name, None), (), card_license
                )
                c.links = links
                c.license = c.license or links[0].license
                c.evidence.append(f"{c.model}: {sentence}")
                if confirmed:
                    c.confidence = max(c.confidence, CONFIRMED)
            continue
        if registry.get(c.model) is None:
            _resolve_chain(c, ctx, resolver, card_license)
        elif card_license and c.license in card_license.ids and 0.5 <= c.confidence < 0.8 and not c.declared:
            # The card's license is granted only for this vendor's models: with a config of that family it
            # says the model is built on it.
            c.confidence = CONFIRMED
            c.evidence.append(f"{where}: license `{card_license.key}` is granted only for this model's family")

    cands = _declared_wins(cands, registry)
    cands = guesses_as_alternatives(cands, registry)
    cands = _drop_covered_families(cands)
    if resolver.hub_down:
        ctx.notes.append(f"lineage: {resolver.hub_down}; bases outside the registry were looked up in the caches only")
    # The audited model's own names, tags, architecture and license, for a family no candidate covers.
    if ctx.families is not None:
        guesses = other_size_guesses([c for c in cands if c.confidence >= 0.5 and not c.same_model], snapshot, registry)
        found, taken = _own_family_candidates(snapshot, ctx, cands, card_license, registry, guesses)
        cands = [c for c in cands if all(c is not t for t in taken)] + found
    return sorted(cands, key=lambda c: (-c.confidence, c.model))
