"""ScanCode's license rules and license DB, read in place from a snapshot of scancode-toolkit.

The snapshot is a bare git repository (SCANCODE_REPO, or the workplace mirror); nothing is copied.
Cases by form, each (name, text, {expected SPDX id}):
- text: rules marked is_license_text, and the license DB's own texts;
- notice: is_license_notice rules;
- reference: is_license_reference and is_license_tag rules (names, "License: MIT");
- identifier: `SPDX-License-Identifier: <id>` for every SPDX id the DB knows (the SPDX list);
- url: a rule whose whole text is one link, and the DB's `text_urls` of each license.
Only rules of one license with an SPDX id (or a model license the catalog names) are scored: a
LicenseRef-scancode key is ScanCode's own and no other tool can name it.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

MIRRORS = [
    Path(os.environ["SCANCODE_REPO"]) if os.environ.get("SCANCODE_REPO") else None,
    Path("/work/.mirror/aboutcode-org+scancode-toolkit/repo"),
]
_DATA = "src/licensedcode/data"
_URL_ONLY = re.compile(r"^\s*<?(https?://\S+?)>?\s*$")


def repo() -> Path | None:
    for p in MIRRORS:
        if p is not None and ((p / "HEAD").is_file() or (p / ".git").is_dir()):
            return p
    return None


def _blobs(git_dir: Path, folder: str, suffix: str) -> dict[str, str]:
    listing = subprocess.run(
        ["git", f"--git-dir={git_dir}", "ls-tree", "-r", "HEAD", f"{_DATA}/{folder}/"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    entries = [(ln.split()[2], ln.split("\t", 1)[1]) for ln in listing if ln.endswith(suffix)]
    proc = subprocess.run(
        ["git", f"--git-dir={git_dir}", "cat-file", "--batch"],
        input="".join(f"{sha}\n" for sha, _ in entries).encode(),
        capture_output=True,
        check=True,
    )
    out: dict[str, str] = {}
    data, at = proc.stdout, 0
    for _, path in entries:
        header_end = data.index(b"\n", at)
        size = int(data[at:header_end].split()[2])
        body = data[header_end + 1 : header_end + 1 + size]
        at = header_end + 1 + size + 1
        out[path.rsplit("/", 1)[1]] = body.decode("utf-8", errors="replace")
    return out


def all_texts() -> list[tuple[str, str]]:
    """(name, text) of every rule and license text of the ScanCode snapshot, in name order; [] without one."""
    git_dir = repo()
    if git_dir is None:
        return []
    items = sorted(_blobs(git_dir, "rules", ".RULE").items()) + sorted(_blobs(git_dir, "licenses", ".LICENSE").items())
    return [(name, _front(raw)[1]) for name, raw in items]


def _front(raw: str) -> tuple[dict[str, object], str]:
    if not raw.startswith("---"):
        return {}, raw
    head, _, body = raw[3:].partition("\n---\n")
    meta: dict[str, object] = {}
    key = None
    for line in head.splitlines():
        if line.startswith(("    - ", "  - ")):
            if key:
                meta.setdefault(key, [])
                lst = meta[key]
                if isinstance(lst, list):
                    lst.append(line.split("- ", 1)[1].strip())
            continue
        if ":" in line and not line.startswith(" "):
            key, _, value = line.partition(":")
            key = key.strip()
            if value.strip():
                meta[key] = value.strip()
    return meta, body


# Files whose ScanCode key is not the license their own words are by the SPDX list's texts: scored by
# what the text holds, each with the reason (the bench prints them).
TEXT_IS: dict[str, tuple[set[str], str]] = {
    "rule:osf-1990_3.RULE": (
        {"HP-1986"},
        "HP-1986 word for word ('the name of Hewlett-Packard Company'); HP-1989 names OSF, HP, Microsoft and DEC",
    ),
    "rule:standard-ml-nj.RULE": (
        {"HPND"},
        "HPND word for word, no name; SMLNJ adds 'and warranty disclaimer' and names Lucent",
    ),
    "rule:mit-modern_2.RULE": (
        {"Cornell-Lossless-JPEG"},
        "the Cornell-Lossless-JPEG grant ('Permission to use, copy, modify ... without written agreement is hereby granted'), not MIT-Modern-Variant's",
    ),
    "rule:python_39.RULE": (
        {"PSF-2.0"},
        "only the PSF License Agreement; Python-2.0 is that plus the BeOpen, CNRI and CWI agreements",
    ),
    "rule:bzip2-libbzip-2010_13.RULE": (
        {"GPL-2.0-only"},
        "a notice that puts the rest of Valgrind under GPL-2.0 and holds no bzip2 terms",
    ),
    "license:python-2.0.1": (
        {"Python-2.0.1", "0BSD"},
        "the PSF's LICENSE puts the code in Python's documentation under 0BSD, whose text it holds",
    ),
    "license:brian-gladman-dual": (
        {"Brian-Gladman-3-Clause", "GPL-1.0-or-later"},
        "offers the GNU GPL as the alternative",
    ),
    "rule:cc-by-3.0_92.RULE": (
        {"CC-BY-3.0-IGO"},
        "the legal code of the IGO port (licenses/by/3.0/igo/legalcode), a license of the SPDX list of its own",
    ),
    "rule:cc-by-sa-3.0_66.RULE": (
        {"CC-BY-SA-3.0-IGO"},
        "the legal code of the IGO port (licenses/by-sa/3.0/igo/legalcode), a license of the SPDX list of its own",
    ),
    "rule:lgpl-2.1-plus_90.RULE": (
        {"GPL-2.0-only", "LGPL-2.1-only"},
        "'the GNU General Public License version 2 or the GNU Lesser General Public License version 2.1 ... (your"
        " choice between the two)': both, each that version",
    ),
    "rule:gpl-2.0-plus_516.RULE": (
        {"GPL-1.0-or-later"},
        "'GNU/GPL' and 'the GNU General Public License' with no version ('This version' is the program's):"
        " the GPL lets a recipient choose any version then",
    ),
    "rule:gpl-2.0_1101.RULE": (
        {"GPL-1.0-or-later"},
        "'under the terms of the GNU General Public License' with no version: any version, by the GPL's own terms",
    ),
    "rule:gpl-2.0_1137.RULE": (
        {"GPL-1.0-or-later"},
        "'protected by the GNU General Public License' with no version: any version, by the GPL's own terms",
    ),
    "rule:gpl-2.0-plus_185.RULE": (
        {"GPL-1.0-or-later"},
        "'MOD_LICENSE \"GPL\"' names no version: any version, by the GPL's own terms",
    ),
    "rule:gpl-2.0_991.RULE": (
        {"GPL-1.0-or-later"},
        "fsf.org/licensing/licenses/gpl.txt is the FSF's page of the GPL without a version (it serves the"
        " current one): the family",
    ),
    "rule:agpl-3.0-plus_254.RULE": (
        {"GPL-3.0-or-later", "AGPL-3.0-or-later"},
        "the grant names 'the GNU GPL, version 3 or later' twice and links gnu.org/licenses/gpl.html; only"
        " 'See the GNU Affero General Public License for more details' names the AGPL",
    ),
    "rule:bsd-original-uc_28.RULE": (
        {"BSD-4-Clause"},
        "UC's acknowledgement and name clause but the copyright holders' disclaimer ('PROVIDED BY THE COPYRIGHT"
        " HOLDERS AND CONTRIBUTORS'), not BSD-4-Clause-UC's 'THE REGENTS': BSD-4-Clause's template, filled in",
    ),
    "rule:historical_medusa_1.RULE": (
        {"MIT-CMU"},
        "the permission notice with 'DISCLAIMS ALL WARRANTIES' (MIT-CMU's template); HPND's says 'makes no"
        " representations about the suitability of this software'",
    ),
    "rule:sun-bsd-no-nuclear_3.RULE": (
        {"BSD-3-Clause-Sun"},
        "BSD-3-Clause-Sun word for word (its 'must reproduct', 'ANY DAMAGES OR LIABILITIES SUFFERED BY LICENSEE AS A"
        " RESULT OF OR RELATING TO USE, MODIFICATION OR DISTRIBUTION OF THE SOFTWARE') and the nuclear-facility"
        " sentence added; BSD-3-Clause-No-Nuclear-License's disclaimer reads 'AS A RESULT OF USING, MODIFYING OR"
        " DISTRIBUTING THIS SOFTWARE': BSD-3-Clause-Sun modified",
    ),
    "rule:cddl-1.0_46.RULE": (
        {"CDDL-1.0", "CDDL-1.1"},
        "titled 'Version 1.0' with Sun Microsystems as license steward (CDDL-1.0), but holds section 6.3 'If You"
        " assert a patent infringement claim ... the reasonable value of the licenses' and 6.4, which only CDDL-1.1"
        " has: either, modified",
    ),
    "rule:bsd-original_21.RULE": (
        {"Caldera-no-preamble"},
        "Caldera's terms ('USE OF THE SOFTWARE PROVIDED FOR UNDER THIS LICENSE BY CALDERA INTERNATIONAL, INC. AND"
        " CONTRIBUTORS', 'developed or owned by ... International, Inc.'): 241 of its 242 words stand in runs of the"
        " SPDX list's Caldera-no-preamble text",
    ),
    "rule:x11-fsf_3.RULE": (
        {"X11"},
        "'Licence: X11' names X11; the FSF's variant is what ScanCode read in the file the line came from",
    ),
}


def cases(equiv: dict[str, str], per_form: int) -> dict[str, list[tuple[str, str, set[str]]]]:
    """Up to `per_form` cases of each form, spread evenly over the data (every k-th, in name order)."""
    git_dir = repo()
    if git_dir is None:
        return {}
    licenses = _blobs(git_dir, "licenses", ".LICENSE")
    spdx_of: dict[str, str] = {}
    out: dict[str, list[tuple[str, str, set[str]]]] = {
        f: [] for f in ("text", "notice", "reference", "identifier", "url")
    }
    url_seen: dict[str, set[str]] = {}
    for name, raw in sorted(licenses.items()):
        meta, body = _front(raw)
        key = str(meta.get("key", name[: -len(".LICENSE")]))
        spdx = str(meta.get("spdx_license_key", ""))
        if meta.get("is_deprecated") == "yes" or meta.get("is_exception") == "yes":
            continue
        if spdx and not spdx.startswith("LicenseRef"):
            spdx_of[key] = spdx
        elif f"scancode:{key}" in equiv:
            spdx_of[key] = equiv[f"scancode:{key}"]
        else:
            continue
        if len(body.split()) >= 60:
            out["text"].append((f"license:{key}", body.strip() + "\n", {spdx_of[key]}))
        if spdx and not spdx.startswith("LicenseRef"):
            out["identifier"].append((f"id:{spdx}", f"SPDX-License-Identifier: {spdx}\n", {spdx}))
        for u in meta.get("text_urls", []) if isinstance(meta.get("text_urls"), list) else []:
            url_seen.setdefault(u, set()).add(spdx_of[key])
    for u, keys in sorted(url_seen.items()):
        # One license's link only (a few `text_urls` entries are names, not links).
        if len(keys) == 1 and _URL_ONLY.match(u):
            out["url"].append((f"url:{u}", u + "\n", set(keys)))
    rules = _blobs(git_dir, "rules", ".RULE")
    for name, raw in sorted(rules.items()):
        meta, body = _front(raw)
        expr = str(meta.get("license_expression", ""))
        if not body.strip() or meta.get("is_false_positive") == "yes" or " " in expr or expr not in spdx_of:
            continue
        expected = {spdx_of[expr]}
        if _URL_ONLY.match(body):
            form = "url"
        elif "spdx-license-identifier" in body.lower():
            form = "identifier"
        elif meta.get("is_license_text") == "yes":
            form = "text"
        elif meta.get("is_license_notice") == "yes":
            form = "notice"
        elif meta.get("is_license_reference") == "yes" or meta.get("is_license_tag") == "yes":
            form = "reference"
        else:
            continue
        out[form].append((f"rule:{name}", body.strip() + "\n", expected))
    for form, items in out.items():
        out[form] = [(n, t, TEXT_IS[n][0] if n in TEXT_IS else e) for n, t, e in items]
    for form, items in out.items():
        if len(items) > per_form:
            step = len(items) / per_form
            out[form] = [items[int(i * step)] for i in range(per_form)]
    return out
