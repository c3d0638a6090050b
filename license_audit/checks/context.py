"""Everything a check needs, computed once per audit."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from license_audit.catalog import Catalog, License
from license_audit.crawl import Snapshot
from license_audit.identify.normalize import words
from license_audit.registry import KnownModel, Registry
from license_audit.report import Candidate, LicenseFile, ModelInfo

PRIMARY_LICENSE_NAMES = ("license", "licence", "copying", "license.md", "license.txt", "licence.md", "licence.txt",
                         "copying.txt", "license.rst")


@dataclass
class Upstream:
    candidate: Candidate
    known: KnownModel | None
    licenses: list[License] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.candidate.model

    @property
    def derived(self) -> bool:
        return self.candidate.confidence >= 0.8


@dataclass
class AuditContext:
    snapshot: Snapshot
    catalog: Catalog
    registry: Registry
    license_files: list[LicenseFile]
    candidates: list[Candidate]
    model: ModelInfo
    revision: str | None = None
    # license_audit.history.History of the target, None when --no-history or without history (issue 5).
    history: object | None = None

    @cached_property
    def declared(self) -> License | None:
        return self.catalog.get(self.snapshot.card.effective_license)

    @cached_property
    def upstreams(self) -> list[Upstream]:
        out = []
        for cand in self.candidates:
            if cand.confidence < 0.5:
                continue
            known = self.registry.get(cand.model)
            lic_ids = known.all_licenses if known else ([cand.license] if cand.license else [])
            lics = [lic for lid in lic_ids if (lic := self.catalog.get(lid))]
            out.append(Upstream(cand, known, lics))
        return out

    @cached_property
    def primary_license_files(self) -> list[LicenseFile]:
        return [lf for lf in self.license_files if lf.path.lower() in PRIMARY_LICENSE_NAMES]

    def _corpus(self, without: str | None = None) -> str:
        """Every text a reader of the repo sees (card, license and notice files), normalised to words.

        With `without`, the lines of each full copy of that license are left out: the Llama license quotes
        its own Notice line and "Built with Llama", and a copy of the license does not fulfil either duty.
        """
        cache = self.__dict__.setdefault("_corpus_cache", {})
        if without in cache:
            return cache[without]
        spans: dict[str, list[tuple[int, int]]] = {}
        if without:
            for lf in self.license_files:
                for m in lf.licenses:
                    if m.id == without and m.kind == "text":
                        spans.setdefault(lf.path, []).append((m.start_line, m.end_line))
        parts = []
        for rel, text in sorted(self.snapshot.license_texts.items()):
            if rel in spans:
                lines = text.splitlines()
                text = "\n".join(ln for i, ln in enumerate(lines, 1) if not any(a <= i <= b for a, b in spans[rel]))
            parts.append(" ".join(words(text)))
        card_text = self.snapshot.text_of(self.snapshot.card.path) if self.snapshot.card.path else None
        if card_text:
            parts.append(" ".join(words(card_text)))
        corpus = " " + " \n ".join(parts) + " "
        cache[without] = corpus
        return corpus

    def mentions(self, phrase: str, outside_copies_of: str | None = None) -> bool:
        needle = " ".join(words(phrase))
        return bool(needle) and f" {needle} " in self._corpus(outside_copies_of)

    def has_license_text(self, lic_id: str) -> bool:
        return any(m.id == lic_id and m.kind == "text" for lf in self.license_files for m in lf.licenses)

    def files_named(self, *stems: str) -> list[str]:
        out = []
        for rel in self.snapshot.files:
            name = rel.rsplit("/", 1)[-1].lower()
            if any(name.startswith(s) for s in stems):
                out.append(rel)
        return out

    @property
    def card_path(self) -> str:
        return self.snapshot.card.path or "README.md"
