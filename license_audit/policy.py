"""The policy file (`.license-audit.yaml` in the audited repository, or `--policy FILE`).

An organisation's own rules on top of the licenses' duties:

    fail-on: warning                 # error | warning | never; the command line's --fail-on wins
    severity:                        # rule id -> error | warning | info
      usage-threshold: warning
    licenses:
      allow: [apache-2.0, mit, llama3.1]
      deny: [cc-by-nc-4.0]
    waivers:
      - rule: attribution-missing
        upstream: meta-llama/Llama-3.1-8B   # and/or `path:` (a glob); at least one
        reason: "Built with Llama is on the product page, legal review 2026-03"
        expires: 2026-12-31                  # optional; an expired waiver stops working

Waived findings stay in the report, marked waived with the reason; they no longer decide the exit code.
Every error names the file and line at fault, so a typo in a policy never passes silently.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import yaml

from license_audit import POLICY_FILE
from license_audit.errors import InputError
from license_audit.report import FAIL_ON, SEVERITIES, Finding, severity_rank
from license_audit.rule_ids import RULES
from license_audit.safeio import UnsafePath, compose_yaml, read_text, yaml_error_line


@dataclass
class Waiver:
    """A policy entry that accepts the findings of one rule, where it matches."""

    rule: str
    reason: str
    path: str | None = None
    upstream: str | None = None
    expires: date | None = None
    line: int | None = None

    def matches(self, f: Finding) -> bool:
        if f.rule != self.rule:
            return False
        if self.path is not None and not fnmatch.fnmatchcase(f.path or "", self.path):
            return False
        return not (
            self.upstream is not None and not fnmatch.fnmatchcase((f.upstream or "").lower(), self.upstream.lower())
        )

    def expired(self, today: date) -> bool:
        return self.expires is not None and self.expires < today


@dataclass
class Policy:
    """An organisation's policy file: gate threshold, severities, allowed and denied licenses, waivers."""

    source: str
    fail_on: str | None = None
    severity: dict[str, str] = field(default_factory=dict)
    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)


# --- loading -----------------------------------------------------------------------------------------

_MAX_POLICY_BYTES = 256 * 1024  # the same cap as a repository's own policy file


def load_policy(explicit: str | None, repo_root: Path | None) -> Policy | None:
    """The policy given with --policy, else the audited repository's own `.license-audit.yaml`, else None."""
    if explicit:
        path = Path(explicit)
        if path.exists() and not path.is_file():
            raise InputError(f"{explicit}: policy file is not a regular file")  # a FIFO would block
        try:
            with open(path, "rb") as fh:
                data = fh.read(_MAX_POLICY_BYTES + 1)
            if len(data) > _MAX_POLICY_BYTES:
                raise InputError(f"{explicit}: policy file is larger than {_MAX_POLICY_BYTES // 1024} KiB")
            text = data.decode("utf-8")
        except FileNotFoundError:
            raise InputError(f"{explicit}: policy file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(
                f"{explicit}: policy file cannot be read ({getattr(exc, 'strerror', None) or exc})"
            ) from None
        return parse_policy(text, explicit)
    if repo_root is None or not (repo_root / POLICY_FILE).is_file():
        return None
    try:
        text, _ = read_text(repo_root, POLICY_FILE, _MAX_POLICY_BYTES)
    except UnsafePath:
        raise InputError(f"{POLICY_FILE}: the policy file links outside the repository") from None
    except OSError as exc:
        raise InputError(f"{POLICY_FILE}: policy file cannot be read ({exc.strerror})") from None
    return parse_policy(text, POLICY_FILE)


def parse_policy(text: str, where: str) -> Policy:
    try:
        root = _compose(text)  # nodes keep the line of every key; values are read from the nodes, never constructed
    except yaml.YAMLError as exc:
        line = yaml_error_line(exc)
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise InputError(f"{where}{f':{line}' if line else ''}: not valid YAML ({problem})") from None
    policy = Policy(source=where)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null")):
        return policy
    p = _Parser(where)
    for key, knode, vnode in p.mapping(root, "the policy"):
        if key in ("fail-on", "fail_on"):
            policy.fail_on = p.choice(vnode, FAIL_ON, "fail-on")
        elif key == "version":
            if p.scalar(vnode, "version") != "1":
                p.fail(vnode, "only policy version 1 is known")
        elif key in ("severity", "severities"):
            for rule, rnode, snode in p.mapping(vnode, "severity"):
                p.rule_id(rule, rnode)
                policy.severity[rule] = p.choice(snode, SEVERITIES, f"severity of {rule}")
        elif key == "licenses":
            for sub, snode, lnode in p.mapping(vnode, "licenses"):
                if sub not in ("allow", "deny"):
                    p.fail(snode, f"unknown key '{sub}' under licenses (expected allow, deny)")
                (policy.allow if sub == "allow" else policy.deny).extend(p.strings(lnode, f"licenses.{sub}"))
        elif key == "waivers":
            policy.waivers.extend(p.waiver(w) for w in p.sequence(vnode, "waivers"))
        else:
            p.fail(knode, f"unknown key '{key}' (expected fail-on, severity, licenses, waivers)")
    return policy


def _compose(text: str):
    # libyaml composes many times faster than pure Python. Composing never expands aliases (an alias is the same
    # node object again) and _Parser reads a fixed, shallow shape, so an alias bomb costs no more than its text;
    # without libyaml the bounded loader of safeio is used.
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return compose_yaml(text)
    return yaml.compose(text, Loader=loader)


class _Parser:
    def __init__(self, where: str):
        self.where = where

    def fail(self, node: yaml.Node, message: str):
        raise InputError(f"{self.where}:{node.start_mark.line + 1}: {message}")

    def mapping(self, node: yaml.Node, what: str) -> Iterable[tuple[str, yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} must be a mapping of keys")
        seen: set[str] = set()
        for knode, vnode in node.value:
            key = self.scalar(knode, "a key")
            if key in seen:
                self.fail(knode, f"duplicate key '{key}'")
            seen.add(key)
            yield key, knode, vnode

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag.endswith(":null"):
            self.fail(node, f"{what} must be a single value")
        return str(node.value).strip()

    def strings(self, node: yaml.Node, what: str) -> list[str]:
        if isinstance(node, yaml.ScalarNode) and not node.tag.endswith(":null"):
            return [self.scalar(node, what)]
        return [self.scalar(n, f"each entry of {what}") for n in self.sequence(node, what)]

    def choice(self, node: yaml.Node, options: Iterable[str], what: str) -> str:
        value = self.scalar(node, what).lower()
        if value not in options:
            self.fail(node, f"{what} is '{value}'; expected one of {', '.join(options)}")
        return value

    def rule_id(self, rule: str, node: yaml.Node) -> None:
        if rule not in RULES:
            self.fail(node, f"unknown rule id '{rule}' (see `license-audit rules list`)")

    def waiver(self, node: yaml.Node) -> Waiver:
        values: dict[str, tuple[str, yaml.Node]] = {}
        for key, knode, vnode in self.mapping(node, "a waiver"):
            if key not in ("rule", "path", "upstream", "reason", "expires"):
                self.fail(knode, f"unknown key '{key}' in a waiver (expected rule, path, upstream, reason, expires)")
            values[key] = (self.scalar(vnode, f"waiver {key}"), vnode)
        line = node.start_mark.line + 1
        if "rule" not in values:
            self.fail(node, "a waiver needs `rule`")
        rule, rnode = values["rule"]
        self.rule_id(rule, rnode)
        if "path" not in values and "upstream" not in values:
            self.fail(node, f"the waiver of {rule} needs `path` or `upstream` to say which findings it covers")
        reason = values.get("reason", ("", node))[0]
        if not reason:
            self.fail(values.get("reason", (None, node))[1], f"the waiver of {rule} needs a `reason`")
        expires = None
        if "expires" in values:
            raw, enode = values["expires"]
            try:
                expires = date.fromisoformat(raw)
            except ValueError:
                self.fail(enode, f"expires '{raw}' is not a date (YYYY-MM-DD)")
        return Waiver(
            rule=rule,
            reason=reason,
            path=values.get("path", (None,))[0],
            upstream=values.get("upstream", (None,))[0],
            expires=expires,
            line=line,
        )


# --- applying ----------------------------------------------------------------------------------------


def today_utc() -> date:
    return datetime.now(timezone.utc).date()


def _overridden(f: Finding, policy: Policy) -> str:
    wanted = policy.severity.get(f.rule)
    if wanted is None or f.rule not in RULES:
        return f.severity
    # Findings reached through "possibly derived" lineage sit below the rule's default; keep that distance.
    lowered = max(0, severity_rank(RULES[f.rule].severity) - severity_rank(f.severity))
    return SEVERITIES[min(len(SEVERITIES) - 1, SEVERITIES.index(wanted) + lowered)]


def license_findings(policy: Policy, ctx) -> list[Finding]:
    """`license-denied` findings for the declared license, the license files and every upstream's licenses."""
    if not policy.allow and not policy.deny:
        return []
    cat = ctx.catalog

    def norm(key: str) -> str:
        return cat.resolve(key) or key.strip().lower()

    deny = {norm(x) for x in policy.deny}
    allow = {norm(x) for x in policy.allow}
    seen: set[tuple] = set()
    out: list[Finding] = []

    def judge(lic_key: str | None, where: str, path: str | None, upstream: str | None) -> None:
        if not lic_key or lic_key.lower() in ("other", "unknown"):
            return
        lic_id = norm(lic_key)
        if lic_id in deny:
            why = f"the policy ({policy.source}) denies `{lic_id}`"
        elif allow and lic_id not in allow:
            why = f"`{lic_id}` is not on the allowed list of the policy ({policy.source})"
        else:
            return
        key = (lic_id, path, upstream)
        if key in seen:
            return
        seen.add(key)
        out.append(
            Finding(
                rule="license-denied",
                severity=RULES["license-denied"].severity,
                message=f"{where} `{lic_id}`, and {why}.",
                path=path,
                commit=ctx.revision,
                upstream=upstream,
                fix=RULES["license-denied"].fix,
            )
        )

    judge(ctx.snapshot.card.effective_license, "The card declares", ctx.card_path, None)
    for lf in ctx.license_files:
        for m in lf.licenses:
            if m.kind == "text":
                judge(m.id, f"{lf.path} holds", lf.path, None)
    for up in ctx.upstreams:
        if up.derived:
            for lic in up.licenses:
                judge(lic.id, f"The model derives from {up.label}, which is under", ctx.card_path, up.id)
    return out


def apply_policy(
    findings: list[Finding], policy: Policy, ctx, today: date | None = None
) -> tuple[list[Finding], list[str]]:
    """Findings after the policy (added license findings, severities, waivers) and notes for the report."""
    today = today or today_utc()
    notes: list[str] = []
    out = list(findings) + license_findings(policy, ctx)
    for f in out:
        f.severity = _overridden(f, policy)
    active = []
    for w in policy.waivers:
        if w.expired(today):
            notes.append(
                f"The waiver of {w.rule} at {policy.source}:{w.line} expired on {w.expires}; its findings count again."
            )
        else:
            active.append(w)
    for f in out:
        waiver = next((w for w in active if w.matches(f)), None)
        if waiver is not None:
            f.waived = True
            f.waiver_reason = waiver.reason
    return out, notes
