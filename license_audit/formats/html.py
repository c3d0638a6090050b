"""One self-contained HTML page: summary, findings, the lineage as an inline SVG diagram, license files.

Card text is untrusted: the template is autoescaped, and a Content-Security-Policy meta tag allows no
script at all, so even markup that slipped through could not run.
"""

from __future__ import annotations

from license_audit.report import Report

TEMPLATE = "report.html.j2"
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

# Diagram geometry (px): upstream boxes in a column on the left, the audited model on the right.
BOX_W, BOX_H, GAP, LEFT_X, RIGHT_X, PAD = 300, 58, 26, 10, 530, 10
MAX_LABEL = 38


def _short(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def diagram(report: Report) -> dict:
    """Boxes and edges of the lineage diagram, positioned here so the template only draws them."""
    ups = report.lineage
    rows = max(len(ups), 1)
    height = PAD * 2 + rows * BOX_H + (rows - 1) * GAP
    model_y = (height - BOX_H) / 2
    nodes, edges = [], []
    for i, c in enumerate(ups):
        y = PAD + i * (BOX_H + GAP)
        state = "declared" if c.declared else ("undeclared" if c.derived else "possible")
        nodes.append(
            {
                "x": LEFT_X,
                "y": y,
                "title": c.model,
                "label": _short(c.model),
                "sub": _short(f"license {c.license or 'unknown'}"),
                "state": state,
            }
        )
        x1, y1 = LEFT_X + BOX_W, y + BOX_H / 2
        x2, y2 = RIGHT_X, model_y + BOX_H / 2
        mid = (x1 + x2) / 2
        edges.append(
            {
                "d": f"M{x1:.0f},{y1:.0f} C{mid:.0f},{y1:.0f} {mid:.0f},{y2:.0f} {x2 - 6:.0f},{y2:.0f}",
                "state": state,
                "label": f"{c.relation} {round(c.confidence * 100)}%" + ("" if c.declared else " (undeclared)"),
                # Label just above where the edge leaves its upstream box: edges of several upstreams never share it.
                "lx": x1 + 10,
                "ly": y1 - 6,
            }
        )
    model = {
        "x": RIGHT_X,
        "y": model_y,
        "title": report.model.name,
        "label": _short(report.model.name),
        "sub": _short(
            f"declares {report.model.declared_license_name or report.model.declared_license or 'no license'}"
        ),
    }
    return {
        "width": RIGHT_X + BOX_W + LEFT_X,
        "height": height,
        "box_w": BOX_W,
        "box_h": BOX_H,
        "nodes": nodes,
        "edges": edges,
        "model": model,
    }


def render(report: Report, user_dir: str | None = None) -> str:
    from markupsafe import Markup

    from license_audit.render import environment

    template = environment(user_dir).get_template(TEMPLATE)
    if not template.environment.autoescape or (
        callable(template.environment.autoescape) and not template.environment.autoescape(TEMPLATE)
    ):
        raise RuntimeError("html template environment must autoescape")  # pragma: no cover - guard
    return template.render(
        report=report,
        r=report.to_dict(),
        csp=Markup(CSP),  # our constant, not card text
        diagram=diagram(report),
    )
