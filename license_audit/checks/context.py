"""Everything a check needs, computed once per audit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from license_audit.catalog import Catalog, License
from license_audit.crawl import Snapshot
from license_audit.identify.normalize import words
from license_audit.lineage.families import Families
from license_audit.lineage.names import registered_name
from license_audit.lineage.openworld import SOURCE_FAMILY
from license_audit.lineage.signature import takes_other_input
from license_audit.registry import KnownModel, Registry, Terms, split_revision
from license_audit.report import Candidate, LicenseFile, ModelInfo, TermsOption, Upstream

# A web link, as a markdown link's target or written out; how much of each text is read for links, and how many.
_LINK = re.compile(r"https?://[^\s<>()\[\]\"'`]+")
_LINKS_READ = 200_000
_MAX_LINKS = 200

if TYPE_CHECKING:
    from license_audit.history import History

MULTIMODAL_PIPELINES = frozenset(
    {"image-text-to-text", "visual-question-answering", "image-to-text", "video-text-to-text", "any-to-any"}
)

PRIMARY_LICENSE_NAMES = (
    "license",
    "licence",
    "copying",
    "license.md",
    "license.txt",
    "licence.md",
    "licence.txt",
    "copying.txt",
    "license.rst",
)


MAX_CHAIN = 8  # registry base_model hops followed upward (a quantization of a merge of a fine-tune ...)


def base_models_of(known: KnownModel) -> list[str]:
    """The registry entry's own `base_model` (a string or a list, as in a model card)."""
    return list(known.base_model)


def registered_ancestors(registry: Registry, starts: list[KnownModel | None]) -> list[KnownModel]:
    """The registry entries `starts` (None left out) and every entry they reach upward through `base_model`
    entries, each once, at most MAX_CHAIN hops above its start."""
    out: list[KnownModel] = []
    todo = [(known, 0) for known in starts]
    seen: set[str] = set()
    while todo:
        known, depth = todo.pop()
        if known is None or known.id in seen or depth > MAX_CHAIN:
            continue
        seen.add(known.id)
        out.append(known)
        todo += [(registry.get(b), depth + 1) for b in base_models_of(known)]
    return out


@dataclass
class AuditContext:
    """What every check reads, resolved once per audit."""

    snapshot: Snapshot
    catalog: Catalog
    registry: Registry
    license_files: list[LicenseFile]
    candidates: list[Candidate]
    model: ModelInfo
    revision: str | None = None
    # The target's history; None with --no-history or for a target without one (a plain folder).
    history: History | None = None
    # (where it comes from, name) for each name the model may be published under: the card's `model_name`
    # or the Hub repository's name when known, else the folder's name and the card's title.
    names: list[tuple[str, str]] = field(default_factory=list)
    # The Hub repository audited (OWNER/NAME), None for a folder: its owner tells a licensor's own release.
    repo_id: str | None = None
    families: Families | None = None

    @cached_property
    def declared(self) -> License | None:
        card = self.snapshot.card
        lic = self.catalog.get(card.effective_license)
        if lic is not None or not card.license_name or (card.license or "").strip().lower() != "other":
            return lic
        # `license: other` under a name the catalog does not hold, linking the repository's own license file
        # (EXAONE's cards: `license_name: exaone`, `license_link: LICENSE`): the terms are that file's, when it
        # is one catalog license, unmodified; linking a license's page (`license_link:
        # https://www.llama.com/llama3_1/license/`), they are that license.
        link = (card.license_link or "").strip()
        linked: License | None = None
        path = self.linked_file
        if path is not None:
            texts = [m for lf in self.license_files if lf.path == path for m in lf.licenses if m.kind == "text"]
            if len(texts) == 1 and not texts[0].modified:
                linked = self.catalog.get(texts[0].id)
        elif link.lower().startswith(("http://", "https://", "www.")):
            from license_audit.identify.references import bare_reference

            keys = {r.key for r in bare_reference(link, self.catalog) or []}
            linked = self.catalog.get(keys.pop()) if len(keys) == 1 else None
        # A use policy is rules a license carries, not a grant: it declares no license.
        return linked if linked is not None and linked.category != "use-policy" else None

    @cached_property
    def linked_file(self) -> str | None:
        """The repository file the card's `license_link` names: a path in the repository, or a link to a
        file of this model's own Hub repository (`https://huggingface.co/ORG/NAME/blob/main/LICENSE`, NAME
        one of the model's names) that the repository holds. A link to another repository's file is that
        repository's, whatever this one holds under the same path."""
        card = self.snapshot.card
        if card.linked_file is not None:
            return card.linked_file
        hub = card.linked_hub_file
        if hub is None or hub[1] not in self.snapshot.files:
            return None
        repo = hub[0].lower()
        # A base model's repository (declared, or one the registry knows) holds that model's file, whatever
        # this one holds under the same path: a quantization that keeps its base's card and title links it.
        if repo in {b.lower() for b in card.base_models} or self.registry.get(hub[0]) is not None:
            return None
        names = {name.strip().lower() for _, name in self.names}
        full = {n for n in names if "/" in n}
        if full:
            return hub[1] if repo in full else None  # the model's OWNER/NAME is known: the link is to it or not
        return hub[1] if repo.rsplit("/", 1)[-1] in names else None

    @cached_property
    def upstreams(self) -> list[Upstream]:
        """Every model whose duties travel to this one: the lineage candidates and, through the registry's
        `base_model` entries, their own upstreams (a GGUF of a fine-tune of Llama 3.1 owes Llama 3.1's duties);
        not those the audited repository's owner publishes itself (own_releases)."""
        return [up for up in self._all_upstreams if self.licensor_of(up) is None]

    @cached_property
    def own_releases(self) -> list[Upstream]:
        """The upstreams the audited repository's owner publishes itself (see licensor_of)."""
        return [up for up in self._all_upstreams if self.licensor_of(up) is not None]

    @cached_property
    def _all_upstreams(self) -> list[Upstream]:
        out: list[Upstream] = []
        seen: set[str] = set()
        for cand in self.candidates:
            if cand.confidence < 0.5 or cand.same_model:
                continue
            known = self.registry.get(cand.model)
            if known is None and any(link.license for link in cand.links):
                out += self._chain_upstreams(cand, seen)
                continue
            lic_ids = known.all_licenses if known else ([cand.license] if cand.license else [])
            options: list[TermsOption] = []
            if known is not None:
                options = self._options(cand, known)
                lic_ids = list(dict.fromkeys(lic.id for o in options for lic in o.licenses)) or lic_ids
                if len({o.license_ids for o in options}) <= 1:
                    options = []  # every checkpoint that fits is under the same terms: nothing to tell apart
            vendor = None if lic_ids else self._card_vendor_license(cand)
            from_card = vendor is not None
            if vendor is not None:
                lic_ids = [vendor.id]
            # Config-identical checkpoints under the same license: the duty names both, once.
            main = lic_ids[0] if lic_ids else None
            also = tuple(a for a in cand.alternatives if (k := self.registry.get(a)) is not None and k.license == main)
            out.append(
                Upstream(cand, known, self._licenses(lic_ids), license_from_card=from_card, options=options, also=also)
            )
            seen.add((known.id if known else cand.model).lower())
        for up in list(out):
            self._ancestors(up, up.known, (), seen, out)
        return out

    def licensor_of(self, up: Upstream) -> str | None:
        """The owner of the audited Hub repository when it is `up`'s own publisher (the owner of `up`'s
        repository, or a publisher of its family in rules/families.yaml), else None. A licensor is not its
        own licensee: Qwen's AWQ release of Qwen2.5-72B-Instruct owes no "Built with Qwen". A folder's owner
        is not known: a card naming the licensor's repository may be a copy of it, which owes the duties."""
        if not self.repo_id or "/" not in self.repo_id:
            return None
        owner = self.repo_id.split("/", 1)[0]
        # The model's own id, not a re-upload's (a checkpoint under the uploader's name is not its licensor's).
        model = up.known.id if up.known is not None else (up.model or up.candidate.model)
        if "/" in model and model.split("/", 1)[0].lower() == owner.lower():
            return owner
        family_id = up.known.family if up.known is not None else up.candidate.family
        fam = self.families.get(family_id) if self.families is not None and family_id else None
        return (
            owner if fam is not None and self.families is not None and self.families.is_publisher(fam, owner) else None
        )

    def _options(self, cand: Candidate, known: KnownModel) -> list[TermsOption]:
        """The checkpoints the evidence for `cand` fits, each with its terms: the declared repository's
        terms when the card names it; otherwise every checkpoint of the entry and of the config-identical
        alternatives."""

        def of(entry: KnownModel, terms: list[Terms], name: str | None) -> list[TermsOption]:
            return [
                TermsOption(
                    name if len(terms) == 1 and name else (t.checkpoints[0] if t.checkpoints else entry.id),
                    t.name,
                    tuple(self._licenses(list(t.licenses))),
                    entry,
                )
                for t in terms
            ]

        if cand.declared:
            named = cand.checkpoint or cand.model
            base, rev = split_revision(named)
            # A re-upload of the entry's checkpoint (a quantized copy) is under that checkpoint's terms, and the
            # checkpoint is the one named (the re-upload is only the route).
            base = registered_name(base, self.registry) or base
            return of(known, known.terms_for(base, rev), base)
        out = of(known, known.terms_for(), None)
        for alt in cand.alternatives:
            other = self.registry.get(alt)
            if other is not None:
                out += of(other, other.terms_for(alt), alt)
        return out

    def _chain_upstreams(self, cand: Candidate, seen: set[str]) -> list[Upstream]:
        """One upstream per licensed model on the candidate's resolved chain: the license at the root of
        each path and each license an intermediate model adds."""
        out = []
        for link in cand.links:
            if not link.license:
                continue
            known = self.registry.get(link.model) if link.registered else None
            lic_ids = known.all_licenses if known else [link.license]
            inferred = link.source == SOURCE_FAMILY
            # A registered sibling lends its license to the declared base: the duty names the declared one.
            model = None if link.model == cand.model or link.source == "registered sibling" else link.model
            key = f"{link.model.lower()}\0{link.license}"
            if key in seen:
                continue
            seen.add(key)
            if known is not None:
                seen.add(known.id.lower())
            out.append(
                Upstream(cand, known, self._licenses(lic_ids), via=tuple(link.via), model=model, inferred=inferred)
            )
        return out

    def _card_vendor_license(self, cand: Candidate) -> License | None:
        """For a base the registry does not know (declared, or named by adapter_config.json): the card's license
        when it is a vendor model license.

        A Llama, Qwen, Gemma, Mistral or DeepSeek license (catalog entries with a `family`) is only ever the
        license of that vendor's weights, so a card declaring it for a derivative says what its base is under.
        """
        lic = self.declared
        if cand.confidence >= 0.8 and lic is not None and lic.family and lic.obligations:
            return lic
        return None

    def _licenses(self, lic_ids: list[str]) -> list[License]:
        return [lic for lid in lic_ids if (lic := self.catalog.get(lid))]

    def _ancestors(
        self, up: Upstream, known: KnownModel | None, via: tuple[str, ...], seen: set[str], out: list[Upstream]
    ) -> None:
        if known is None or len(via) >= MAX_CHAIN:
            return
        for parent_id in base_models_of(known):
            parent = self.registry.get(parent_id)
            key = (parent.id if parent else parent_id).lower()
            if key in seen:
                continue
            seen.add(key)
            path = (*via, known.id)
            if parent is None:
                continue
            # Named as the entry's own base_model names it: the registry entry answering for it may be another
            # checkpoint (Mistral-7B-v0.1 is an alias of the Mistral-7B-Instruct-v0.1 entry).
            named = parent.name_for(parent_id)
            anc = Upstream(
                up.candidate,
                parent,
                self._licenses(parent.all_licenses),
                via=path,
                named=named if named != parent.id else None,
            )
            out.append(anc)
            self._ancestors(up, parent, path, seen, out)

    @property
    def is_multimodal(self) -> bool:
        """Whether the audited model takes images (or other non-text input): Llama 3.2+ use policies restrict those."""
        cfg = self.snapshot.configs.get("config.json")
        if isinstance(cfg, dict) and takes_other_input(cfg):
            return True
        tag = str(self.snapshot.card.metadata.get("pipeline_tag") or "").lower()
        return tag in MULTIMODAL_PIPELINES

    @cached_property
    def primary_license_files(self) -> list[LicenseFile]:
        return [lf for lf in self.license_files if lf.path.lower() in PRIMARY_LICENSE_NAMES]

    def _texts(self, with_card: bool = True) -> list[tuple[str, str]]:
        """(path, text) of every text a reader of the repo sees: license and notice files, and the card."""
        out = sorted(self.snapshot.license_texts.items())
        card = self.snapshot.card
        if card.path and with_card and card.path not in self.snapshot.license_texts:
            card_text = self.snapshot.text_of(card.path)
            if card_text:
                out.append((card.path, card_text))
        return out

    def _corpus(self, with_card: bool = True) -> str:
        """Every text a reader of the repo sees (card, license and notice files), normalised to words."""
        cache = self.__dict__.setdefault("_corpus_cache", {})
        if with_card not in cache:
            cache[with_card] = " " + " \n ".join(" ".join(words(text)) for _, text in self._texts(with_card)) + " "
        return cache[with_card]

    @cached_property
    def _copies(self) -> dict[str, list[tuple[int, int, str | None]]]:
        """(first, last, license id) of each license copy, by file: the spans identification reads as a
        license's text, wherever they stand, and the card's front-matter values that quote terms (no id: the
        whole value is a quotation)."""
        spans: dict[str, list[tuple[int, int, str | None]]] = {}
        for lf in self.license_files:
            for m in lf.licenses:
                if m.kind == "text":
                    spans.setdefault(lf.path, []).append((m.start_line, m.end_line, m.id))
        card = self.snapshot.card
        if card.path:
            spans.setdefault(card.path, []).extend((a, b, None) for a, b in card.quoted_lines)
        return spans

    def _quoted(self, needle: str, with_card: bool) -> int:
        """How many times the license copies the repository holds quote `needle` (words): per copy, as many
        times as the license's own text does (a span may take in a few lines around the copy, and a line
        there is the model's own), and every time inside a quoting front-matter value."""
        total = 0
        for rel, text in self._texts(with_card):
            copies = self._copies.get(rel)
            if not copies:
                continue
            lines = text.splitlines()
            quoted = 0
            for a, b, lic_id in copies:
                here = _count(" ".join(words("\n".join(lines[a - 1 : b]))), needle)
                own = self._reference_count(lic_id, needle) if lic_id else None
                quoted += here if own is None else min(here, own)
            inside = " ".join(
                words("\n".join(ln for i, ln in enumerate(lines, 1) if any(a <= i <= b for a, b, _ in copies)))
            )
            total += min(quoted, _count(inside, needle))  # overlapping spans quote a line once
        return total

    def _reference_count(self, lic_id: str, needle: str) -> int | None:
        """How many times the catalog's reference text of `lic_id` holds `needle`; None without one."""
        cache = self.__dict__.setdefault("_reference_words", {})
        if lic_id not in cache:
            lic = self.catalog.get(lic_id)
            text = lic.reference_copy() if lic is not None else None
            cache[lic_id] = None if text is None else " ".join(words(text))
        ref = cache[lic_id]
        return None if ref is None else _count(ref, needle)

    def mentions(self, phrase: str, outside_copies: bool = False, in_files: bool = False) -> bool:
        """Whether a reader of the repository sees `phrase`; with `in_files`, in a license or notice file (the
        card left out). With `outside_copies`, not counting where a license copy quotes it: the Llama license
        quotes its own Notice line and "Built with Llama" in the clauses that require them, and quoting a duty
        does not fulfil it."""
        needle = " ".join(words(phrase))
        if not needle:
            return False
        corpus = self._corpus(with_card=not in_files)
        if not outside_copies:
            return f" {needle} " in corpus
        return _count(corpus, needle) > self._quoted(needle, with_card=not in_files)

    def links_to(self, lic: License) -> bool:
        """Whether a reader of the repository is given a link to `lic`'s text: the card's `license_link` or a link
        in the card or a license or notice file (a markdown link's target included) that names that license."""
        from license_audit.identify.references import bare_reference

        urls = set(_LINK.findall(self.snapshot.card.license_link or ""))
        for _, text in self._texts():
            urls.update(_LINK.findall(text[:_LINKS_READ]))
        for url in sorted(urls)[:_MAX_LINKS]:
            refs = bare_reference(url, self.catalog) or []
            if any((found := self.catalog.get(r.key)) is not None and found.id == lic.id for r in refs):
                return True
        return False

    def has_license_text(self, lic_id: str) -> bool:
        lic = self.catalog.get(lic_id)
        ids = set(lic.copy_ids) if lic is not None else {lic_id}
        # A copy adopted under another name is the adopter's license, not a copy of this one.
        return any(m.id in ids and m.kind == "text" and not m.renamed for lf in self.license_files for m in lf.licenses)

    def files_named(self, *stems: str) -> list[str]:
        out = []
        for rel in self.snapshot.files:
            name = rel.rsplit("/", 1)[-1].lower()
            if any(name.startswith(s) for s in stems):
                out.append(rel)
        return out

    @property
    def card_path(self) -> str:
        return self.snapshot.card.location


def _count(text: str, needle: str) -> int:
    """How many times the words `needle` stand in the words `text`, as whole words."""
    return len(re.findall(rf"(?<!\S){re.escape(needle)}(?!\S)", text))
