"""license-audit lineage TARGET [--against BASE_DIR]"""

from __future__ import annotations

import click

from license_audit.cli.common import rules_option, write_output


@click.command("lineage")
@click.argument("target")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option(
    "--against",
    type=click.Path(file_okay=False),
    help="A base checkpoint folder: compare weights (sampled, bounded reads) with TARGET's.",
)
@click.option("--offline", is_flag=True, help="Never use the network.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write to this file instead of stdout.")
@rules_option
def command(target, fmt, against, offline, output, rules_dirs):
    """List the upstream models TARGET derives from, with evidence."""
    from license_audit.lineage import find_lineage, with_weights
    from license_audit.registry import load_registry
    from license_audit.render import printable, to_json
    from license_audit.sources import open_local, open_target

    registry = load_registry(tuple(rules_dirs))
    # history=False: lineage needs no commits; the Hub path then skips the commit listing.
    tgt = open_target(target, offline=offline, history=False)
    try:
        # Target.crawl, not crawl(root): a Hub target's weights are not on disk, their headers come with it.
        snapshot = tgt.crawl()
        from license_audit.catalog import load_catalog
        from license_audit.lineage.openworld import lineage_context

        context = lineage_context(
            registry,
            tuple(rules_dirs),
            offline,
            tgt.info.id if tgt.info.kind == "hub" else None,
            load_catalog(tuple(rules_dirs)),
            folder_name=tgt.name,
        )
        candidates = find_lineage(snapshot, registry, min_confidence=0.0, context=context)
        weights = None
        if against:
            base = open_local(against)
            candidates, weights = with_weights(snapshot, candidates, base.root, against, registry)
    finally:
        tgt.close()
    for c in candidates:
        c.confidence = round(c.confidence, 2)  # the thresholds apply to the confidence shown
    candidates = [c for c in candidates if c.confidence >= 0.5]
    if fmt == "json":
        doc = {"candidates": [c.to_dict() for c in candidates]}
        if weights is not None:
            doc["weights"] = weights.to_dict()
        write_output(to_json(doc), output)
        return
    lines = []
    for c in candidates:
        lines.append(
            f"{c.model} [{c.relation}, {'declared' if c.declared else 'undeclared'}, "
            f"{c.confidence:.2f}, license {c.license or 'unknown'}]"
        )
        if c.chain:
            lines.append(f"  chain: {' -> '.join(c.chain)}{f' ({c.license})' if c.license else ''}")
        lines += [f"  - {e}" for e in c.evidence]
    if not candidates:
        lines.append("no upstream model found")
    if weights is not None:
        lines.append("")
        lines.append(
            f"Weights against {weights.against}: {weights.verdict} "
            f"({weights.tensors_compared} of {weights.tensors_common} common tensors sampled, "
            f"{weights.bytes_read // 1024} KiB read)"
        )
        for layer in weights.layers:
            lines.append(f"  layer {layer['layer']}: similarity {layer['similarity']:.3f} ({layer['tensors']} tensors)")
    write_output("\n".join(map(printable, lines)) + "\n", output)
