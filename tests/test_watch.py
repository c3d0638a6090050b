"""watch OWNER/NAME and the hf-derivatives:/hf-arch: sources against an in-memory Hub on 127.0.0.1.

The Hub holds over 2,000 repositories: the base, its declared derivatives through every relation,
undeclared look-alikes (its config, a card that does not name it), independent models with the same
architecture tag, gated (401/403) and removed (404) ones, truncated config.json files, and a crowd of
models of other architectures that the listings must leave out. Faults (429 storms, 503s, list pages cut
short) are switched on per test.
"""

from __future__ import annotations

import json

import pytest
from conftest import card, config_of, license_text
from fakehub import FakeHub, Repo

BASE = "deepseek-ai/DeepSeek-V3"
TYPE = "deepseek_v3"
RELATIONS = {"finetune": 12, "adapter": 6, "merge": 5, "quantized": 8}
LOOKALIKES = 20
INDEPENDENT = 20
OTHERS = 1950


def _cfg(**changes) -> bytes:
    return json.dumps(config_of(BASE, **changes), indent=2).encode()


def build_hub() -> tuple[FakeHub, dict[str, set[str]]]:
    hub = FakeHub(page_size=100)
    groups: dict[str, set[str]] = {k: set() for k in ("declared", "lookalike", "independent", "failed", "invalid")}
    same = _cfg()
    hub.add(
        Repo(BASE, {"README.md": card("license: other\nlicense_name: deepseek").encode(), "config.json": same}, [TYPE])
    )
    for rel, n in RELATIONS.items():
        for i in range(n):
            rid = f"fans-{rel}/v3-{rel}-{i:02d}"
            ok = i % 3 == 0  # some carry the base's license and notice
            front = f"license: other\nlicense_name: deepseek\nbase_model: {BASE}\nbase_model_relation: {rel}"
            files = {"README.md": card(front if ok else f"license: mit\nbase_model: {BASE}").encode()}
            if rel == "adapter":
                files["adapter_config.json"] = json.dumps(
                    {"base_model_name_or_path": BASE, "peft_type": "LORA"}
                ).encode()
            else:
                files["config.json"] = same
            if ok:
                files["LICENSE"] = license_text("mit").encode()
            hub.add(Repo(rid, files, [TYPE, f"base_model:{BASE}", f"base_model:{rel}:{BASE}"]))
            groups["declared"].add(f"hf:{rid}")
    for i in range(LOOKALIKES):
        rid = f"quiet-{i:02d}/Renamed-LM-{i:02d}"
        hub.add(Repo(rid, {"README.md": card("license: apache-2.0").encode(), "config.json": same}, [TYPE]))
        groups["lookalike"].add(f"hf:{rid}")
    for i in range(INDEPENDENT):
        rid = f"scratch-{i:02d}/tiny-moe-{i:02d}"
        cfg = _cfg(hidden_size=1024 + 64 * i, num_hidden_layers=8 + i, n_routed_experts=16, num_attention_heads=8)
        hub.add(Repo(rid, {"README.md": card("license: apache-2.0").encode(), "config.json": cfg}, [TYPE]))
        groups["independent"].add(f"hf:{rid}")
    for i, status in enumerate((401, 401, 403, 403)):
        rid = f"locked-{i}/gated-{i}"
        hub.add(
            Repo(rid, {"README.md": b"x", "config.json": same}, [TYPE, f"base_model:finetune:{BASE}"], gated=status)
        )
        groups["failed"].add(f"hf:{rid}")
    for i in range(3):
        rid = f"gone-{i}/removed-{i}"
        hub.add(Repo(rid, {"README.md": b"x", "config.json": same}, [TYPE], removed=True))
        groups["failed"].add(f"hf:{rid}")
    for i in range(3):
        rid = f"broken-{i}/cut-{i}"
        hub.add(Repo(rid, {"README.md": card("license: mit").encode(), "config.json": same[: len(same) // 2]}, [TYPE]))
        groups["invalid"].add(f"hf:{rid}")
    for i in range(OTHERS):
        rid = f"crowd-{i % 97}/llama-ft-{i:04d}"
        hub.add(
            Repo(
                rid, {"README.md": card("license: llama3.1").encode()}, ["llama", "base_model:meta-llama/Llama-3.1-8B"]
            )
        )
    assert len(hub.repos) >= 2000
    return hub, groups


@pytest.fixture
def hub(monkeypatch, tmp_path):
    import huggingface_hub.constants as c

    import license_audit.sources.hub_http as hub_http

    fake, groups = build_hub()
    fake.start()
    cache = tmp_path / "hf-cache"
    monkeypatch.setenv("HF_ENDPOINT", fake.endpoint)
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))  # for Ray workers, which import huggingface_hub afresh
    monkeypatch.setenv("LICENSE_AUDIT_CACHE", str(tmp_path / "la-cache"))  # watch keeps its fetches there
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(c, "HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(c, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(hub_http, "BASE_WAIT", 0.001)
    fake.groups = groups
    yield fake
    fake.stop()


def watch(out, jobs=1, engine="local", since=None):
    from license_audit.pipeline import AuditOptions
    from license_audit.watch.run import WatchSettings, parse_since, run_watch

    settings = WatchSettings(BASE, str(out), since=parse_since(since) if since else None, engine=engine, jobs=jobs)
    return run_watch(settings, AuditOptions(history=False))


def records(out) -> dict[str, dict]:
    return {r["target"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}


def test_watch_finds_declared_derivatives_and_undeclared_lookalikes(hub, tmp_path):
    out = tmp_path / "w"
    run = watch(out)
    g = hub.groups
    recs = records(out)
    # Every candidate of the base's listings, and nothing of the other architectures.
    assert set(recs) == g["declared"] | g["lookalike"] | g["independent"] | g["failed"] | g["invalid"]
    assert run.exit_code == 1
    report = run.report
    assert {r.target for r in report.declared} == g["declared"]
    assert {r.target for r in report.lookalikes} == g["lookalike"]
    assert all(r.confidence >= 0.8 for r in report.lookalikes)
    assert report.independent == len(g["independent"]) + len(g["invalid"])
    assert {t for t, _, _ in report.failed} == g["failed"]
    # Each declared derivative says through which relation; gated and removed ones say why they failed.
    for rel in RELATIONS:
        assert recs[f"hf:fans-{rel}/v3-{rel}-01"]["declares"] == [rel]
    assert "gated repository" in recs["hf:locked-0/gated-0"]["error"]
    assert "gated repository" in recs["hf:locked-2/gated-2"]["error"]
    assert "repository not found" in recs["hf:gone-0/removed-0"]["error"]
    # A config.json cut short is a finding of that model, not a failed audit.
    cut = recs["hf:broken-0/cut-0"]["report"]
    assert any(f["rule"] == "invalid-file" and f["path"] == "config.json" for f in cut["findings"])
    # Declared with mit instead of the base's terms: the finding names the base.
    bad = recs["hf:fans-finetune/v3-finetune-01"]["report"]
    assert any(f["rule"] == "license-incompatible" and f["upstream"] == BASE for f in bad["findings"])
    # Metadata only: no weights, no history, and the report says so.
    assert not [p for k, p in hub.log if k in ("get", "head") and p.endswith(".safetensors")]
    assert not hub.calls("commits") and not hub.calls("tree") and not hub.calls("info") and not hub.calls("head")
    # One request per file read: the card and the config (or adapter config), the license when there is one.
    from license_audit.watch.audit import metadata_file

    read = sum(sum(1 for f in hub.repos[t[3:]].files if metadata_file(f)) for t, r in recs.items() if "report" in r)
    assert hub.calls("get") == read + len(g["failed"])  # a gated or removed model: its first GET is refused
    assert any(
        n.startswith("watch: audited from metadata only") for n in recs["hf:quiet-00/Renamed-LM-00"]["report"]["notes"]
    )
    text = (out / "report.md").read_text()
    assert "## Undeclared look-alikes" in text and "quiet-00/Renamed-LM-00" in text
    assert "scratch-00/tiny-moe-00" not in text
    assert not (out / "listing.jsonl").exists()  # a complete run leaves no listing to resume


def test_rerun_and_since_audit_only_what_changed(hub, tmp_path):
    out = tmp_path / "w"
    watch(out)
    first = (out / "results.jsonl").read_bytes()
    again = watch(out)
    assert again.audited == 0 and again.unchanged == again.listed
    assert (out / "results.jsonl").read_bytes() == first
    # Two models change (a new commit), one appears: only those are audited.
    for rid in ("quiet-03/Renamed-LM-03", "fans-merge/v3-merge-02"):
        repo = hub.repos[rid]
        repo.files["README.md"] = card(f"license: mit\nbase_model: {BASE}").encode()
        repo.sha, repo.last_modified = "f" * 40, "2026-06-01T00:00:00.000Z"
    hub.add(
        Repo(
            "new-org/V3-Renamed",
            {"README.md": b"# hi\n", "config.json": _cfg()},
            [TYPE],
            last_modified="2026-06-02T00:00:00.000Z",
        )
    )
    before = hub.calls("get")
    third = watch(out)
    assert third.audited == 3
    assert hub.calls("get") - before <= 3 * 2  # README and config of the changed ones; the rest from the cache
    assert records(out)["hf:quiet-03/Renamed-LM-03"]["sha"] == "f" * 40
    # --since on a fresh folder: only what changed on or after the date.
    fresh = watch(tmp_path / "fresh", since="2026-01-01")
    assert fresh.audited == 3 and fresh.before_since == fresh.listed - 3


def test_killed_run_resumes_without_auditing_anything_twice(hub, tmp_path, monkeypatch):
    import license_audit.watch.audit as watch_audit
    from license_audit.batch.output import JsonlOutput
    from license_audit.errors import AuditError
    from license_audit.sources.hub_listing import ListingState

    opened: list[str] = []
    real_open = watch_audit.open_listed

    def counting(item):
        opened.append(item["target"])
        return real_open(item)

    monkeypatch.setattr(watch_audit, "open_listed", counting)
    out = tmp_path / "w"
    # Killed during the listing, after three pages...
    real_add = ListingState.add_page
    pages = []

    def add_then_die(self, key, page, nxt):
        real_add(self, key, page, nxt)
        pages.append(key)
        if len(pages) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(ListingState, "add_page", add_then_die)
    with pytest.raises(KeyboardInterrupt):
        watch(out)
    monkeypatch.setattr(ListingState, "add_page", real_add)
    # ...then during the audits, after 30 records.
    real_write = JsonlOutput.write
    written = []

    def write_then_die(self, record):
        real_write(self, record)
        written.append(record["target"])
        if len(written) == 30:
            raise KeyboardInterrupt

    monkeypatch.setattr(JsonlOutput, "write", write_then_die)
    lists_before = [p for k, p in hub.log if k == "list"]
    with pytest.raises(AuditError, match="run the same command again to resume"):
        watch(out)
    # The listing went on from the page where it stopped: no page was asked for twice.
    assert len([p for k, p in hub.log if k == "list"]) - len(lists_before) == _pages(hub) - 3
    monkeypatch.setattr(JsonlOutput, "write", real_write)
    run = watch(out)
    assert run.audited == run.listed - 30
    assert sorted(opened) == sorted(set(opened)) and len(opened) == run.listed
    assert len(records(out)) == run.listed


def _pages(hub: FakeHub) -> int:
    from license_audit.sources.hub_listing import derivative_filters

    n = 0
    for filters in [*derivative_filters(BASE), [TYPE]]:
        count = sum(1 for r in hub.repos.values() if filters[0] in r.tags)
        n += max(1, -(-count // hub.page_size))
    return n


def test_429_storms_5xx_and_cut_pages_change_nothing(hub, tmp_path, monkeypatch):
    calm = tmp_path / "calm"
    watch(calm)
    hub.storm_every, hub.error_every = 5, 11
    hub.truncate_pages.update({0, 100})
    for rid in ("quiet-01/Renamed-LM-01", "fans-adapter/v3-adapter-00"):
        hub.repos[rid].storm = 4
    stormy = tmp_path / "stormy"
    monkeypatch.setenv("LICENSE_AUDIT_CACHE", str(tmp_path / "empty-cache"))  # every file asked for again
    before = hub.calls("get")
    run = watch(stormy, jobs=2)
    assert hub.calls("get") - before > 100
    assert not [t for t, _, _ in run.report.failed if t not in hub.groups["failed"]]
    assert (stormy / "results.jsonl").read_bytes() == (calm / "results.jsonl").read_bytes()
    assert (stormy / "report.md").read_bytes() == (calm / "report.md").read_bytes()


def test_watch_cli_and_a_base_it_does_not_know(hub, tmp_path, cli):
    out = tmp_path / "w"
    res = cli("watch", BASE, "--output", out, "--jobs", 1)
    assert res.exit_code == 1, res.output
    assert f"license-audit watch {BASE}:" in res.output and "report in" in res.output
    assert (out / "report.md").is_file()
    res = cli("watch", "Qwen/Qwen2.5-7B", "--output", out)
    assert res.exit_code == 2 and f"holds the watch of {BASE}" in res.output
    res = cli("watch", "acme/not-a-known-model", "--output", tmp_path / "x")
    assert res.exit_code == 2 and "not a base model license-audit knows" in res.output
    res = cli("watch", "no-slash", "--output", tmp_path / "x")
    assert res.exit_code == 2 and "OWNER/NAME" in res.output
    res = cli("watch", BASE, "--since", "last tuesday", "--output", tmp_path / "x")
    assert res.exit_code == 2 and "--since" in res.output


def test_batch_listing_sources(hub, tmp_path):
    from license_audit.batch.sources import expand_sources

    g = hub.groups
    declared = set(expand_sources([f"hf-derivatives:{BASE}"]))
    gated_declared = {"hf:locked-0/gated-0", "hf:locked-1/gated-1", "hf:locked-2/gated-2", "hf:locked-3/gated-3"}
    assert declared == g["declared"] | gated_declared
    tagged = set(expand_sources([f"hf-arch:{TYPE}"]))
    assert tagged == g["declared"] | g["lookalike"] | g["independent"] | g["failed"] | g["invalid"] | {f"hf:{BASE}"}
    like = set(expand_sources([f"hf-arch:{TYPE}:{BASE}"]))
    # Config-identical ones and those whose config cannot be read stay; other configs of the tag go.
    assert g["lookalike"] <= like and not (like & g["independent"]) and not (like & g["invalid"])
    assert gated_declared <= like
    with pytest.raises(Exception, match="MODEL_TYPE"):
        expand_sources(["hf-arch:"])


def test_batch_listing_resumes_from_its_state(hub, tmp_path, monkeypatch):
    import license_audit.sources.hub_http as hub_http
    from license_audit.batch.sources import expand_sources
    from license_audit.errors import InputError
    from license_audit.sources.hub_listing import ListingState

    hub.page_size = 10
    tagged = sum(1 for r in hub.repos.values() if TYPE in r.tags)
    state_path = tmp_path / "o.jsonl.listing"
    # The Hub answers two pages, then only 503s (past the bounded retries): the listing stops there.
    monkeypatch.setattr(hub_http, "MAX_RETRIES", 1)
    real = ListingState.add_page

    def add_then_fail(self, key, page, nxt):
        real(self, key, page, nxt)
        if len(self.models[key]) == 20:
            hub.error_every = 1

    monkeypatch.setattr(ListingState, "add_page", add_then_fail)
    with pytest.raises(InputError, match="HTTP 503"):
        expand_sources([f"hf-arch:{TYPE}"], listing=ListingState(state_path))
    hub.error_every = 0
    before = hub.calls("list")
    specs = expand_sources([f"hf-arch:{TYPE}"], listing=ListingState(state_path))
    assert len(specs) == tagged
    assert hub.calls("list") - before == -(-tagged // 10) - 2  # the two pages listed are not asked for again


def test_ray_engine_gives_the_local_pool_s_bytes(hub, tmp_path):
    ray = pytest.importorskip("ray")
    local = tmp_path / "local"
    watch(local, jobs=2)
    # Started after the Hub fixture set HF_ENDPOINT and HF_HUB_CACHE, which Ray's workers inherit.
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        remote = tmp_path / "ray"
        watch(remote, jobs=2, engine="ray")
    finally:
        ray.shutdown()
    assert (remote / "results.jsonl").read_bytes() == (local / "results.jsonl").read_bytes()
    assert (remote / "report.md").read_bytes() == (local / "report.md").read_bytes()


def test_batch_arch_source_finds_its_base_in_the_batch_rules(hub, tmp_path):
    import yaml

    from license_audit.batch.sources import expand_sources
    from license_audit.errors import InputError
    from license_audit.resources import rules_dir

    entry = yaml.safe_load((rules_dir() / "models" / "deepseek-ai__DeepSeek-V3.yaml").read_text())
    own = {k: v for k, v in entry.items() if k not in ("aliases", "terms")}
    own["id"] = "acme/in-house-base"
    (tmp_path / "rules" / "models").mkdir(parents=True)
    (tmp_path / "rules" / "models" / "acme__in-house-base.yaml").write_text(yaml.safe_dump(own))
    source = f"hf-arch:{TYPE}:acme/in-house-base"
    with pytest.raises(InputError, match="acme/in-house-base"):
        expand_sources([source])
    assert set(expand_sources([source], rules_dirs=(str(tmp_path / "rules"),))) >= hub.groups["lookalike"]
