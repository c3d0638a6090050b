"""Rule ids (CONTRACT), their default severities, what they check and how to fix them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RuleInfo:
    """A rule: its id, default severity, what it checks and how to fix what it finds."""

    id: str
    severity: str
    summary: str
    fix: str


RULES: dict[str, RuleInfo] = {
    r.id: r
    for r in [
        RuleInfo(
            "license-missing",
            "error",
            "The model declares no license: no `license` in the card and no license file.",
            "Add `license:` to the model card front matter and the license text as LICENSE.",
        ),
        RuleInfo(
            "license-mismatch",
            "error",
            'The card\'s declared license differs from what the license file, a license badge or a "License:" line of the card says.',
            "Make the card's `license:` (or `license_name:`) and the LICENSE file name the same license.",
        ),
        RuleInfo(
            "license-unknown",
            "warning",
            "A license file whose text matches no known license, or a card license the catalog does not hold.",
            "Replace the file with the unmodified license text, or add the license to the catalog with --rules.",
        ),
        RuleInfo(
            "license-modified",
            "warning",
            "A license text matches a known license with clauses added, removed or changed; its terms are not the standard license's.",
            "Read the changed lines: declare the modified terms as `license: other` with a `license_name`, or restore the standard text.",
        ),
        RuleInfo(
            "base-model-undeclared",
            "error",
            "Evidence (config, tokenizer, weights, card text) says the model derives from an upstream the card's `base_model` does not name.",
            "Name the upstream model in the card's `base_model:` and carry its license duties.",
        ),
        RuleInfo(
            "base-model-mismatch",
            "warning",
            "The declared `base_model` contradicts the evidence.",
            "Correct `base_model:` to the model the weights were actually built from.",
        ),
        RuleInfo(
            "upstream-license-missing",
            "error",
            "The upstream license requires its text to travel with derivatives, and it is not in the repo.",
            "Add the upstream license text to the repository.",
        ),
        RuleInfo(
            "upstream-notice-missing",
            "error",
            'A required copyright line, NOTICE content or fixed "Notice" text of the upstream is missing.',
            "Add the upstream's copyright line and notice text to a NOTICE file (`license-audit notice --write`).",
        ),
        RuleInfo(
            "attribution-missing",
            "error",
            'A required attribution phrase is missing (e.g. "Built with Llama").',
            "Display the required phrase prominently in the model card.",
        ),
        RuleInfo(
            "name-prefix-required",
            "error",
            'The upstream license requires the model name to begin with a given word (e.g. "Llama").',
            "Rename the model so that its name begins with the required word.",
        ),
        RuleInfo(
            "license-incompatible",
            "error",
            "The declared license cannot be granted for a derivative of the upstream.",
            "Declare the upstream's license (or one its terms allow) for the derivative.",
        ),
        RuleInfo(
            "use-restrictions-missing",
            "error",
            "Use-based restrictions that must be passed on (OpenRAIL Attachment A, Gemma prohibited use, Llama AUP) are not passed on.",
            "Include the upstream's use restrictions (or a link to its use policy) as binding terms in the license or card.",
        ),
        RuleInfo(
            "license-file-removed",
            "error",
            "History shows a license or notice file deleted and not restored.",
            "Restore the deleted license or notice file.",
        ),
        RuleInfo(
            "license-changed",
            "warning",
            "History shows the card's declared license changed.",
            "Check that the new license is allowed by every upstream license.",
        ),
        RuleInfo(
            "base-model-removed",
            "warning",
            "History shows `base_model` removed from the card.",
            "Restore `base_model:` in the card if the model still derives from it.",
        ),
        RuleInfo(
            "usage-threshold",
            "info",
            "The upstream license limits use above a size (e.g. 700M monthly active users).",
            "Request a license from the upstream licensor before exceeding the threshold.",
        ),
        RuleInfo(
            "upstream-license-unknown",
            "warning",
            "A declared or inferred base model whose license could not be established (not in the registry, "
            "not resolved from the Hub or a cache, no family known); the finding says what was tried.",
            "Add the base to a `--rules DIR` models/ entry, run the audit online once so the base is resolved and "
            "cached, or state the base's license in the card (`license_name`).",
        ),
        RuleInfo(
            "regional-restriction",
            "warning",
            "The upstream license or use policy withholds its grant in a region (the Llama 3.2+ use policy for multimodal models in the EU) and the repository does not say so.",
            "Check that the publisher is not domiciled in the region, and state the restriction in the model card.",
        ),
        RuleInfo(
            "license-denied",
            "error",
            "The policy file denies a license the model is under or inherits (`licenses.deny`), or it is not on the allowed list (`licenses.allow`).",
            "Remove the dependency on the denied license, or change the policy (with the approval it needs).",
        ),
        RuleInfo(
            "invalid-file",
            "warning",
            "A repository file the audit reads (card front matter, config.json, ...) is malformed and was skipped.",
            "Fix the file's syntax so that the audit and the Hub can read it.",
        ),
    ]
}


# Which rule id reports a missing duty of each obligation kind in rules/licenses/*.yaml.
KIND_RULES: dict[str, str] = {
    "license-copy": "upstream-license-missing",
    "copyright": "upstream-notice-missing",
    "notice-file": "upstream-notice-missing",
    "notice-text": "upstream-notice-missing",
    "attribution": "attribution-missing",
    "name-prefix": "name-prefix-required",
    "use-restrictions": "use-restrictions-missing",
    "usage-threshold": "usage-threshold",
    "commercial-registration": "usage-threshold",
    "regional-restriction": "regional-restriction",
    # Not checked on their own: they decide `license-incompatible` (see checks/obligations.incompatibility).
    "noncommercial": "license-incompatible",
    "sharealike": "license-incompatible",
    "same-license": "license-incompatible",
    "no-derivatives": "license-incompatible",
}

# Duties kept as data (shown by `rules show`) that no check can verify from the files of a repository.
UNCHECKED_KINDS = (
    "modification-notice",
    "no-endorsement",
    "source-offer",
    "no-improving-other-models",
    "latest-version",
    "hosting-restriction",
    "guardrails",
    "acknowledge-in-publications",
)


def severity_of(rule: str) -> str:
    return RULES[rule].severity
