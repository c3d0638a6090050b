"""An organisation's --rules files: a mistake in one is one clear line and exit 2, never a traceback."""

from __future__ import annotations

import pytest
from conftest import card, write_tree


def rules_with(tmp_path, kind: str, text: str | bytes):
    root = tmp_path / "org-rules"
    write_tree(root, {f"{kind}/entry.yaml": text})
    return root


@pytest.mark.parametrize(
    "kind, text, says",
    [
        ("licenses", b"id: acme\nspdx: LicenseRef-acme\nname: \xff\xfe Acme\n", "not UTF-8"),
        ("licenses", "id: acme\nspdx: LicenseRef-acme\nname: Acme\nobligations: 5\n", "'obligations' must be a list"),
        ("licenses", "id: acme\nspdx: LicenseRef-acme\nname: Acme\naliases: 5\n", "'aliases' must be a list"),
        (
            "licenses",
            "id: acme\nspdx: LicenseRef-acme\nname: Acme\nderivatives: [1]\n",
            "'derivatives' must be a mapping",
        ),
        ("licenses", "id: Acme License\nspdx: LicenseRef-acme\nname: Acme\n", "must be a lowercase key"),
        ("licenses", "id: acme\nspdx: LicenseRef-other\nname: Acme\n", "LicenseRef-acme"),
        ("licenses", "id: acme\nspdx: 'Acme License 1.0'\nname: Acme\n", "must be an SPDX identifier"),
        ("models", b"id: acme/m\nfamily: \xff\nlicense: mit\n", "not UTF-8"),
        ("models", "id: acme/m\nfamily: m\nlicense: mit\nsignature: 5\n", "'signature' must be a mapping"),
        ("models", "id: acme/m\nfamily: m\nlicense: mit\naliases: 5\n", "'aliases' must be a list"),
    ],
)
def test_bad_rules_file_is_one_line_exit_2(cli, make_repo, tmp_path, kind, text, says):
    repo = make_repo({"README.md": card("license: mit")})
    res = cli("audit", repo, "--rules", rules_with(tmp_path, kind, text), "--format", "json")
    assert res.exit_code == 2
    assert says in res.output and "Traceback" not in res.output and "internal error" not in res.output


def test_good_rules_file_is_used(cli, tmp_path):
    rules = rules_with(
        tmp_path,
        "licenses",
        "id: acme\nspdx: LicenseRef-acme\nname: Acme Model License\n"
        "identify:\n  phrases: [acme model license agreement]\n",
    )
    res = cli("rules", "show", "acme", "--rules", rules)
    assert res.exit_code == 0 and "Acme Model License" in res.output
