"""Links to license texts in every form they are written, and the reference and notice spellings that
give a version in words or in compact form: the license they name, never another one, and no guess
for a link or a name that names no license."""

from __future__ import annotations

import pytest

from license_audit.catalog import load_catalog
from license_audit.identify import identify_text
from license_audit.identify.references import normalize_url

CAT = load_catalog()


def spdx_of(text: str) -> list[str]:
    found = identify_text(text, CAT)
    assert all(m.kind == "reference" for m in found), found
    return sorted(m.spdx for m in found)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The SPDX list's seeAlso links, written with or without scheme, www, trailing slash or suffix.
        ("http://www.latex-project.org/lppl/lppl-1-3c.txt", "LPPL-1.3c"),
        ("https://latex-project.org/lppl/lppl-1-3c", "LPPL-1.3c"),
        ("http://www.mozilla.org/MPL/2.0/index.txt", "MPL-2.0"),
        ("https://mozilla.org/MPL/2.0/", "MPL-2.0"),
        ("http://www.apache.org/licenses/LICENSE-2.0.html", "Apache-2.0"),
        ("https://www.apache.org/licences/LICENCE-2.0", "Apache-2.0"),
        # Sites that name their pages by SPDX id.
        ("https://opensource.org/licenses/MIT", "MIT"),
        ("https://opensource.org/license/bsd-3-clause/", "BSD-3-Clause"),
        ("https://spdx.org/licenses/Apache-2.0.html", "Apache-2.0"),
        ("https://choosealicense.com//licenses/mit/", "MIT"),
        ("http://opensource.org/licenses/cpal_1.0", "CPAL-1.0"),  # "_" for "-"
        # gnu.org: current, old-licenses and standalone pages, fsf.org's old address, translations.
        ("https://www.gnu.org/licenses/gpl-2.0-standalone.html", "GPL-2.0-only"),
        ("http://www.gnu.org/licenses/old-licenses/lgpl-2.1.txt", "LGPL-2.1-only"),
        ("http://www.gnu.org/licenses/old-licenses/fdl-1.2.txt", "GFDL-1.2-only"),
        ("http://www.fsf.org/licensing/licenses/agpl-3.0.html", "AGPL-3.0-only"),
        ("https://www.gnu.org/licenses/lgpl-3.0.fr.html", "LGPL-3.0-only"),
        # A page archived by the Wayback Machine is the page it archives.
        ("http://web.archive.org/web/20060924134536/http://www.opensource.org/licenses/MIT", "MIT"),
        # Creative Commons deeds, legal codes and badges, per terms, version and jurisdiction port.
        ("https://creativecommons.org/licenses/by-nc-sa/4.0/deed.en", "CC-BY-NC-SA-4.0"),
        ("http://creativecommons.org/licenses/by/3.0/legalcode", "CC-BY-3.0"),
        ("https://creativecommons.org/licenses/by/3.0/igo/legalcode", "CC-BY-3.0-IGO"),
        ("https://creativecommons.org/licenses/by-sa/3.0/de/", "CC-BY-SA-3.0-DE"),
        ("https://licensebuttons.net/l/by-nd/4.0/88x31.png", "CC-BY-ND-4.0"),
        ("https://i.creativecommons.org/l/by/4.0/88x31.png", "CC-BY-4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0"),
        # A section of a page that covers many licenses names the one it is about.
        ("https://fedoraproject.org/wiki/Licensing/MIT#Modern_Variants", "MIT-Modern-Variant"),
        ("https://fedoraproject.org/wiki/Licensing:MIT?rd=Licensing/MIT#CMU_Style", "MIT-CMU"),
    ],
)
def test_license_links_in_every_form(url, expected):
    assert spdx_of(url + "\n") == [expected]


def test_a_link_in_angle_brackets_and_a_license_name_in_a_links_path():
    assert spdx_of("<https://creativecommons.org/licenses/by-sa/4.0/>\n") == ["CC-BY-SA-4.0"]
    assert spdx_of("https://opensource.org/licenses/mit-license.php\n") == ["MIT"]


def test_identifier_lines_in_comment_marks():
    assert spdx_of("/* SPDX-License-Identifier: BSD-2-Clause-Patent */\n") == ["BSD-2-Clause-Patent"]
    assert spdx_of("\n\n# SPDX-License-Identifier: MIT OR Apache-2.0\n") == ["Apache-2.0", "MIT"]
    assert [m.start_line for m in identify_text("\n\n# SPDX-License-Identifier: MIT\n", CAT)] == [3]


@pytest.mark.parametrize(
    ("url", "family"),
    [
        ("http://www.gnu.org/licenses/gpl.html", "GPL-1.0-or-later"),
        ("https://www.gnu.org/copyleft/lesser.html", "LGPL-2.1-or-later"),
    ],
)
def test_a_gnu_page_without_a_version_is_the_family(url, family):
    assert spdx_of(url + "\n") == [family]


def test_the_model_licenses_hub_links():
    checked = 0
    for lic in CAT:
        for url in [lic.url, *(lic.identify.get("urls") or [])]:
            # A model's home page is not its license; its LICENSE file is.
            if url and "huggingface.co" in str(url) and "licen" in str(url).lower():
                found = identify_text(f"{url}\n", CAT)
                assert [m.id for m in found] == [lic.id], (url, found)
                checked += 1
    assert checked >= 10


def test_a_link_inside_prose():
    found = identify_text(
        "The weights are released under the terms at https://www.apache.org/licenses/LICENSE-2.0, see there.\n",
        CAT,
    )
    assert [m.id for m in found] == ["apache-2.0"]


@pytest.mark.parametrize(
    "url",
    [
        # Pages that name no license, or sections no license is known by: not guessed.
        "https://fedoraproject.org/wiki/Licensing:MIT#Old_Style_with_legal_disclaimer_2",
        "https://fedoraproject.org/wiki/Licensing:MIT",
        "https://www.gnu.org/licenses/gpl-faq.html",
        "https://www.gnu.org/licenses/",
        "https://example.com/docs/license.html",
        "https://github.com/example/project/blob/main/LICENSE",
        "https://opensource.org/licenses/not-a-license",
        # Creative Commons 1.0 licenses without attribution are none of the SPDX list's CC-BY ones.
        "https://creativecommons.org/licenses/nc/1.0/",
        "https://licensebuttons.net/l/nd-nc/1.0/",
    ],
)
def test_a_link_that_names_no_known_license_is_not_guessed(url):
    assert identify_text(url + "\n", CAT) == []


def test_no_identifier_is_read_from_a_links_path():
    # "doc" is an SPDX id; a path segment of a link is not one.
    assert identify_text("see https://dev.example.org/doc/license-regex.html\n", CAT) == []


def test_normalize_url_keeps_a_fragment_and_drops_the_rest():
    assert normalize_url("HTTPS://www.Example.org/Licensing/MIT/index.html?x=1#Variant") == (
        "example.org/licensing/mit#variant"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Compact versions.
        ("LGPLv21+\n", ["LGPL-2.1-only"]),
        ("GNULGPL21\n", ["LGPL-2.1-only"]),
        ("gpl v20+\n", ["GPL-2.0-only"]),
        # "version N of the ..." after the name, across comment marks and an abbreviation in quotes.
        (
            " * This program is free software; you can redistribute it and/or modify it\n"
            " * under the terms of the GNU General Public License as published by the\n"
            " * Free Software Foundation; version 2 of the License.\n",
            ["GPL-2.0-only"],
        ),
        (
            'This software is distributed under the terms of the GNU General\nPublic License ("GPL") as published by'
            " the Free Software Foundation,\nversion 2 of that License.\n",
            ["GPL-2.0-only"],
        ),
        ("This code is released under version 2 of the GNU GPL.\n", ["GPL-2.0-only"]),
        (
            "This program may be distributed and/or modified\n under the terms of the GNU General Public License\n"
            ' as published by the Free Software Foundation (the "GPL");\n'
            " either version 2 of the GPL, or (at your option) any later version.\n",
            None,
        ),
    ],
)
def test_versions_written_in_words_or_compact(text, expected):
    got = spdx_of(text)
    if expected is None:
        assert got and all(s.startswith("GPL-2.0") for s in got), got
    else:
        assert [s.replace("-or-later", "-only") for s in got] == expected


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("LGPL21\n", "LGPL-2.0"),
        ("Creative Commons Attribution-ShareAlike 3.0 https://creativecommons.org/licenses/by-sa/3.0/\n", "CC-BY-3.0"),
    ],
)
def test_a_wrong_id_is_never_returned(text, wrong):
    assert not any(s.startswith(wrong) for s in spdx_of(text))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # opensource.org's pages before they were named by SPDX id, choosealicense.com's older names.
        ("http://www.opensource.org/licenses/apache2.0.php", "Apache-2.0"),
        ("http://opensource.org/licenses/ecl2.php", "ECL-2.0"),
        ("http://www.opensource.org/licenses/rpl1.5.txt", "RPL-1.5"),
        ("http://choosealicense.com/licenses/gpl-v3", "GPL-3.0-only"),
        # A version in the last part of a link is no manual page ("afl3.0"); a port is the same site.
        ("http://www.rosenlaw.com/AFL3.0.htm", "AFL-3.0"),
        ("https://web.archive.org/web/20120101081418/http://rosenlaw.com:80/OSL3.0.htm", "OSL-3.0"),
        # A site under another of its names, a license's folder, a wiki page named by the license's name.
        ("http://www.mozilla.com/MPL/2.0/", "MPL-2.0"),
        ("http://sam.zoy.org/wtfpl/", "WTFPL"),
        ("https://fedoraproject.org/wiki/Licensing/Apple_Public_Source_License_1.1", "APSL-1.1"),
        # The Library GPL's page, CC0's first address.
        ("http://www.gnu.org/licenses/old-licenses/library.txt", "LGPL-2.0-only"),
        ("http://creativecommons.org/licenses/zero/1.0/legalcode", "CC0-1.0"),
        # rules/spdx/links.yaml
        ("http://opensource.org/licenses/sybase.php", "Watcom-1.0"),
        ("http://www.mozilla.org/MPL/NPL-1.0.html", "NPL-1.0"),
        ("http://www.cecill.info/licences/Licence_CeCILL_V2.1-fr.txt", "CECILL-2.1"),
        ("https://ohwr.org/cern_ohl_p_v2.txt", "CERN-OHL-P-2.0"),
    ],
)
def test_older_and_moved_license_links(url, expected):
    assert spdx_of(url + "\n") == [expected]


def test_a_link_to_another_version_or_an_unknown_page_names_none():
    assert spdx_of("http://fedoraproject.org/wiki/Licensing/Unknown_License_1.0\n") == []
    assert spdx_of("https://opensource.org/licenses/nosuch2.0\n") == []


def test_every_added_link_names_a_listed_license_with_its_source():
    import yaml

    from license_audit.identify.references import _data_file, spdx_key

    rows = yaml.safe_load(_data_file("links.yaml").read_text(encoding="utf-8"))["links"]
    assert rows
    for row in rows:
        assert spdx_key(row["spdx"]) == row["spdx"] and row["source"].strip(), row
        assert spdx_of(row["url"] + "\n") == [row["spdx"]], row
