"""The registry's lineage indexes: matching a config, weight shapes or a card's names reads only the entries
that can match, finds exactly what comparing every entry finds, and follows the registry when it changes."""

from __future__ import annotations

import copy
import json

from license_audit.lineage.declarations import _name_at, _name_ends, _norm_name, _short_names
from license_audit.lineage.evidence import (
    _INDEX_FIELDS,
    _plausible,
    _score_config,
    _shape_index,
    class_settings,
    inexpressible,
)
from license_audit.lineage.shapes import _by_width
from license_audit.lineage.signature import compare_normalized, normalized
from license_audit.registry import KnownModel, Registry, load_registry


def _grown(size: int = 500) -> Registry:
    """The shipped entries plus replicas: one in three keeps two of the indexed shape fields (a pruned or
    widened sibling), the others keep one."""
    shipped = list(load_registry())
    out = list(shipped)
    k = 0
    while len(out) < size:
        k += 1
        for m in shipped:
            if len(out) >= size:
                break
            r = copy.copy(m)
            r.id, r.aliases, r.signature = f"{m.id}-r{k}", [], dict(m.signature)
            if isinstance(r.signature.get("intermediate_size"), int):
                r.signature["intermediate_size"] += 64 * k
            if k % 3 and isinstance(r.signature.get("hidden_size"), int):
                r.signature["hidden_size"] += 128 * k
            out.append(r)
    return Registry(out)


def _every_entry(observed: dict, registry: Registry, texts: dict) -> list[tuple[str, float, list[str], list[str]]]:
    """What config scoring finds when it compares every entry sharing enough indexed shape values (two of
    three, or one when the config has fewer), each compared field by field. `texts`: each entry's indexed
    values as JSON."""
    obs = normalized(observed)
    keys = [k for k in _INDEX_FIELDS if k in obs]
    need = 2 if len(keys) == len(_INDEX_FIELDS) else 1
    seen = {k: json.dumps(obs[k], sort_keys=True) for k in keys}
    settings = class_settings(registry)
    out = []
    for known in registry:
        same = sum(1 for k in keys if texts[known.id].get(k) == seen[k])
        if (keys and same < need) or not known.signature or "denoiser" in known.signature:
            continue  # diffusers pipelines are compared with pipeline signatures only
        score, equal, differ = compare_normalized(
            known.signature, obs, known.variants, inexpressible(known, obs, settings)
        )
        if len(equal) >= 8:
            out.append((known.id, score, equal, differ, known.released or "9999"))
    out.sort(key=lambda t: (-t[1], t[4], t[0]))
    return [t[:4] for t in out]


def _configs(registry: Registry):
    """Every shipped signature, and the same pruned (fewer layers), widened and with one field dropped."""
    for known in load_registry():
        if "denoiser" in known.signature:  # a diffusers pipeline: scored by its own path (test_lineage_diffusers)
            continue
        sig = dict(known.signature)
        yield sig
        if isinstance(sig.get("num_hidden_layers"), int):
            yield {**sig, "num_hidden_layers": sig["num_hidden_layers"] - 4}
        if isinstance(sig.get("hidden_size"), int):
            yield {**sig, "hidden_size": sig["hidden_size"] + 128}
        yield {k: v for k, v in sig.items() if k != "intermediate_size"}


def test_indexed_scoring_finds_what_comparing_every_entry_finds():
    reg = _grown(400)
    texts = {
        k.id: {f: json.dumps(k.signature[f], sort_keys=True) for f in _INDEX_FIELDS if f in k.signature} for k in reg
    }
    checked = 0
    for cfg in _configs(reg):
        got = [(k.id, score, equal, differ) for k, score, equal, differ in _score_config(cfg, reg)]
        assert got == _every_entry(cfg, reg, texts), cfg
        checked += 1
    assert checked > 300


def test_scoring_reads_only_entries_sharing_shape_values():
    shipped, grown = load_registry(), _grown()
    for known in shipped:
        obs = normalized(known.signature)
        before = _plausible(obs, _shape_index(shipped))
        after = _plausible(obs, _shape_index(grown))
        if before is None:
            continue
        # Replicas keep at most two of the three fields: each one read shares two values with the config.
        extra = {k.id for k in after} - {k.id for k in before}
        for mid in extra:
            sig = grown.get(mid).signature
            shared = [f for f in _INDEX_FIELDS if f in obs and sig.get(f) == obs[f]]
            assert len(shared) >= 2 or len([f for f in _INDEX_FIELDS if f in obs]) < 3, (known.id, mid)
        if all(f in obs for f in _INDEX_FIELDS):
            assert len(after) < len(grown) / 10, known.id


def test_a_replaced_entry_is_scored_by_its_new_signature():
    reg = Registry(list(load_registry()))
    cfg = dict(reg.get("Qwen/Qwen3-8B").signature)
    assert _score_config(cfg, reg)[0][0].id == "Qwen/Qwen3-8B"
    widened = copy.copy(reg.get("Qwen/Qwen3-8B"))
    widened.signature = {**widened.signature, "hidden_size": 5120, "intermediate_size": 99999}
    reg.add(widened)  # the same id: a --rules folder's own version replaces the shipped entry
    assert all(k.id != "Qwen/Qwen3-8B" or score < 0.999 for k, score, _, _ in _score_config(cfg, reg))
    assert reg.get("Qwen/Qwen3-8B") in list(reg)


def test_width_index_keeps_entries_without_a_width_in_registry_order():
    wide = KnownModel("a/wide", "x", "mit", signature={"hidden_size": 4096, "num_hidden_layers": 32})
    narrow = KnownModel("b/narrow", "x", "mit", signature={"hidden_size": 2048})
    no_width = KnownModel("c/none", "x", "mit", signature={"d_model": 512})
    same = KnownModel("d/same", "x", "mit", signature={"hidden_size": 4096})
    reg = Registry([same, no_width, narrow, wide])
    assert [k.id for k in _by_width(reg, 4096)] == ["a/wide", "c/none", "d/same"]
    assert [k.id for k in _by_width(reg, None)] == ["a/wide", "b/narrow", "c/none", "d/same"]
    assert [k.id for k in _by_width(reg, 1)] == ["c/none"]


def test_short_names_by_first_character_match_what_the_whole_list_matches():
    reg = _grown(300)
    shorts = _short_names(reg)
    heads = ["Qwen2.5-7B-Instruct and more", "Llama-2-7b-hf weights", "Mistral-7B-v0.1", "gpt2 small", "", "xyz"]
    heads += [f"{k.id.split('/')[-1]} fine-tune" for k in list(reg)[::7]]
    matched = 0
    for head in heads:
        window = _norm_name(head[:80])
        expected = next(
            (mid for short, mid in shorts if window.startswith(short) and _name_ends(head[:80], len(short))), None
        )
        found, family = _name_at(head, reg, None)
        assert (found, family) == (expected, None), head
        matched += found is not None
    assert matched > len(heads) / 2
