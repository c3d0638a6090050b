"""--engine ray against a local Ray instance that the test starts (skipped when Ray is not installed)."""

from __future__ import annotations

import pytest
from conftest import card, config_of, license_text, write_tree

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    ray.shutdown()


def test_ray_engine_gives_the_local_pool_s_bytes(cli, tmp_path, local_ray):
    root = tmp_path / "catalogue"
    repos = [
        {"README.md": card("license: mit"), "LICENSE": license_text("mit")},
        {"README.md": card("license: apache-2.0"), "config.json": config_of("deepseek-ai/DeepSeek-V3")},
        {"README.md": card("license: mit"), "LICENSE": "Some home-made terms nobody knows.\n"},
    ]
    for i in range(9):
        write_tree(root / f"m{i}", repos[i % 3])
    local_out, ray_out = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    local = cli("batch", root, "-o", local_out, "--jobs", 2)
    remote = cli("batch", root, "-o", ray_out, "--engine", "ray", "--jobs", 2, "--chunk-size", 2)
    assert remote.exit_code == local.exit_code == 1, remote.output
    assert ray_out.read_bytes() == local_out.read_bytes()
    assert remote.stdout == local.stdout
    # A target that cannot be read is recorded by the Ray engine too, and the batch goes on.
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{root / 'm0'}\n{root / 'gone'}\n", encoding="utf-8")
    res = cli("batch", bad, "-o", tmp_path / "bad.jsonl", "--engine", "ray")
    assert res.exit_code == 1 and "1 could not be audited" in res.stdout and "no such folder" in res.stdout


def test_address_joins_a_running_cluster(tmp_path, local_ray):
    """A separate driver (the CLI in a subprocess) joins the instance this test started."""
    import subprocess
    import sys

    write_tree(tmp_path / "cat" / "a", {"README.md": card("license: mit"), "LICENSE": license_text("mit")})
    address = local_ray.get_runtime_context().gcs_address
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "license_audit",
            "batch",
            str(tmp_path / "cat"),
            "-o",
            str(tmp_path / "o.jsonl"),
            "--engine",
            "ray",
            "--address",
            address,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "1 target(s): 1 audited, 0 failing" in proc.stdout
    assert '"report":' in (tmp_path / "o.jsonl").read_text()


def test_address_nobody_answers_at_is_exit_2(tmp_path):
    import socket
    import subprocess
    import sys

    write_tree(tmp_path / "cat" / "a", {"README.md": card("license: mit")})
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    # In a subprocess: this one must not reuse the Ray instance another test of this module started.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "license_audit",
            "batch",
            str(tmp_path / "cat"),
            "--engine",
            "ray",
            "--address",
            f"127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "no Ray cluster answers there" in proc.stderr and proc.stderr.count("\n") == 1


def test_a_ray_worker_that_dies_costs_only_its_target(tmp_path, local_ray):
    from license_audit.batch.engines import run_ray
    from license_audit.pipeline import AuditOptions

    for name in ("a", "b", "crash", "d"):
        write_tree(tmp_path / name, {"README.md": card("license: mit"), "LICENSE": license_text("mit")})

    def audit_or_die(specs, options):  # shipped to the workers by value
        import os

        from license_audit.batch.engines import audit_chunk

        if any(s.endswith("crash") for s in specs):
            os._exit(1)
        return audit_chunk(specs, options)

    targets = [str(tmp_path / n) for n in ("a", "b", "crash", "d")]
    records = {r["target"]: r for r in run_ray(targets, AuditOptions(), 2, chunk_size=2, audit=audit_or_die)}
    assert set(records) == set(targets)
    assert records[targets[2]]["error"].startswith("the Ray task auditing this target failed")
    assert all("report" in records[t] for t in targets if t != targets[2])
