"""Near-identical licenses: a copy of one known license is never reported as a different known license
alone. Each test is one way that went wrong: a license of the SPDX list that holds what a shorter one
holds and more, a catalog license whose SPDX variant a copy is, a clause only a few words of which
another license shares, a license id that is also an English word inside a license text."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import license_text

from license_audit.catalog import load_catalog
from license_audit.identify import identify_text

CAT = load_catalog()

pytest.importorskip("licenseclassifier")

# The clause MITNFA adds to the MIT License (the SPDX list's MITNFA text).
MITNFA_CLAUSE = """
Distributions of all or part of the Software intended to be used by the
recipients as they would use the unmodified Software, containing modifications
that substantially alter, remove, or disable functionality of the Software,
outside of the documented configuration mechanisms provided by the Software,
shall be modified such that the Original Author's bug reporting email addresses
and urls are either replaced with the contact information of the parties
responsible for the changes, or removed entirely.
"""

# The X Consortium's no-endorsement clause, which makes the MIT License the X11 License.
X11_CLAUSE = """
Except as contained in this notice, the name of the X Consortium shall not be
used in advertising or otherwise to promote the sale, use or other dealings in
this Software without prior written authorization from the X Consortium.
"""

# The paragraph that makes BSD-2-Clause the BSD-2-Clause-Views license.
VIEWS_PARAGRAPH = """
The views and conclusions contained in the software and documentation are those
of the authors and should not be interpreted as representing official policies,
either expressed or implied, of the FreeBSD Project.
"""


# SSLeay's terms (the SPDX list's SSLeay-standalone): a paragraph of terms, then BSD-style clauses.
SSLEAY = """This package is an SSL implementation written by Eric Young (eay@cryptsoft.com).
The implementation was written so as to conform with Netscapes SSL.

This library is free for commercial and non-commercial use as long as
the following conditions are aheared to.  The following conditions
apply to all code found in this distribution, be it the RC4, RSA,
lhash, DES, etc., code; not just the SSL code.  The SSL documentation
included with this distribution is covered by the same copyright terms
except that the holder is Tim Hudson (tjh@cryptsoft.com).

Copyright remains Eric Young's, and as such any Copyright notices in
the code are not to be removed.
If this package is used in a product, Eric Young should be given attribution
as the author of the parts of the library used.
This can be in the form of a textual message at program startup or
in documentation (online or textual) provided with the package.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:
1. Redistributions of source code must retain the copyright
   notice, this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright
   notice, this list of conditions and the following disclaimer in the
   documentation and/or other materials provided with the distribution.
3. All advertising materials mentioning features or use of this software
   must display the following acknowledgement:
   "This product includes cryptographic software written by
    Eric Young (eay@cryptsoft.com)"
   The word 'cryptographic' can be left out if the rouines from the library
   being used are not cryptographic related :-).
4. If you include any Windows specific code (or a derivative thereof) from
   the apps directory (application code) you must include an acknowledgement:
   "This product includes software written by Tim Hudson (tjh@cryptsoft.com)"

THIS SOFTWARE IS PROVIDED BY ERIC YOUNG ``AS IS'' AND
ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
ARE DISCLAIMED.  IN NO EVENT SHALL THE AUTHOR OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT
LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY
OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF
SUCH DAMAGE.

The licence and distribution terms for any publically available version or
derivative of this code cannot be changed.  i.e. this code cannot simply be
copied and put under another distribution licence
[including the GNU Public Licence.]
"""


def mit_copy() -> str:
    return license_text("mit").replace("<year> <copyright holders>", "2025 Example Corp.")


def spdx_ids(found) -> set[str]:
    return {m.spdx for m in found}


def plain(found, spdx: str) -> bool:
    """`spdx` reported as a copy of the license as such: not modified, not one of an ambiguous pair."""
    return any(m.spdx == spdx and m.kind == "text" and not m.modified and not m.alternatives for m in found)


def test_a_license_holding_a_shorter_ones_text_and_a_clause_more_is_not_the_shorter_one():
    # MIT-0's every phrase is in MITNFA: the phrase index once ranked it first at a full share.
    parts = mit_copy().split("\n\n")
    text = "\n\n".join(parts[:4] + [MITNFA_CLAUSE.strip()] + parts[4:])
    found = identify_text(text, CAT)
    assert not plain(found, "MIT-0"), found
    assert not plain(found, "MIT"), found
    assert "MITNFA" in spdx_ids(found) or any(m.spdx == "MIT" and m.modified for m in found), found


def test_a_clause_sharing_a_few_words_with_a_shorter_license_does_not_make_the_copy_that_license():
    # "or other dealings in" is MIT-0's as much as the no-endorsement clause's: no reason to read the
    # MIT License plus that clause as MIT-0.
    text = mit_copy().rstrip() + "\n\n" + X11_CLAUSE.strip() + "\n"
    found = identify_text(text, CAT)
    assert "MIT-0" not in spdx_ids(found), found
    assert not plain(found, "MIT"), found
    assert "X11" in spdx_ids(found) or any(m.spdx == "MIT" and m.modified for m in found), found


def test_a_catalog_license_copy_that_is_word_for_word_its_spdx_variant_is_the_variant():
    text = license_text("bsd-2-clause").rstrip() + "\n\n" + VIEWS_PARAGRAPH.strip() + "\n"
    found = identify_text(text, CAT)
    assert not plain(found, "BSD-2-Clause"), found
    assert "BSD-2-Clause-Views" in spdx_ids(found), found


def test_a_bsd_3_clause_copy_with_its_own_names_is_bsd_3_clause_not_bsd_2_clause_modified():
    # The no-endorsement clause names the author where the reference has "the copyright holder", and the
    # disclaimer names "the Regents": BSD-3-Clause's variables, not a clause added to BSD-2-Clause.
    text = (
        license_text("bsd-3-clause")
        .replace(
            "Neither the name of the ORGANIZATION nor the names of its contributors may be\nused",
            "The names of the authors may not be used",
        )
        .replace("PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS\n", "PROVIDED BY THE REGENTS AND CONTRIBUTORS\n")
        .replace("SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS", "SHALL THE REGENTS OR CONTRIBUTORS")
    )
    assert "The names of the authors" in text and "THE REGENTS AND" in text
    found = identify_text(text, CAT)
    assert plain(found, "BSD-3-Clause"), found
    assert "BSD-2-Clause" not in spdx_ids(found), found


def test_a_plain_catalog_copy_stays_that_license():
    # The second opinion asked of a copy that differs from the reference must not rename a plain one.
    for lic in ("mit", "bsd-2-clause", "bsd-3-clause", "apache-2.0"):
        text = license_text(lic).replace("<year> <copyright holders>", "2025 Example Corp.")
        text = "Copyright (c) 2025 Example Corp.\n\n" + text
        found = identify_text(text, CAT)
        assert [m.id for m in found if m.kind == "text"] == [lic], (lic, found)
        assert not any(m.modified for m in found), (lic, found)


def test_a_license_of_the_spdx_list_with_an_added_restriction_is_that_license_modified():
    # ISC (not in the catalog: found through the SPDX list) with a non-commercial clause added.
    isc = (
        "ISC License\n\nCopyright (c) 2025 Example Corp.\n\n"
        "Permission to use, copy, modify, and/or distribute this software for any\n"
        "purpose with or without fee is hereby granted, provided that the above\n"
        "copyright notice and this permission notice appear in all copies.\n\n"
        "The software shall not be used for any commercial purpose, and it must not be\n"
        "sold or offered as part of any paid product or service whatsoever.\n\n"
        'THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES\n'
        "WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF\n"
        "MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR\n"
        "ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES\n"
        "WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN\n"
        "ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF\n"
        "OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.\n"
    )
    found = identify_text(isc, CAT)
    assert not plain(found, "ISC"), found
    isc_found = [m for m in found if m.spdx == "ISC"]
    if isc_found:
        (m,) = isc_found
        assert m.modified and m.changes, m
        assert any(c.change == "added" and "commercial" in c.text for c in m.changes), m.changes
        assert m.to_dict()["modified"] is True


def test_a_license_id_that_is_a_word_is_not_a_reference_inside_license_text():
    # "Fair" is an SPDX id; the Creative Commons "Fair Use Rights" section names no license.
    text = (
        "2. Fair Use Rights. Nothing in this license is intended to reduce, limit, or restrict any rights\n"
        "arising from fair use, first sale or other limitations on the exclusive rights of the copyright\n"
        "owner under copyright law or other applicable laws.\n"
    )
    assert "Fair" not in spdx_ids(identify_text(text, CAT))
    # Written as an id or as the license's name, it still is one.
    assert "Fair" in spdx_ids(identify_text("SPDX-License-Identifier: Fair\n", CAT))


def test_a_notice_beside_a_gfdl_or_ofl_text_makes_it_the_spdx_variant_it_names():
    # The GNU FDL's and the SIL OFL's SPDX variants share the license text: the notice tells them apart.
    from license_audit.identify.matchers import _notice_variants
    from license_audit.report import LicenseMatch

    notice = (
        "Permission is granted to copy, distribute and/or modify this document under the terms of the\n"
        "GNU Free Documentation License, Version 1.3 or any later version published by the Free Software\n"
        "Foundation; with no Invariant Sections, no Front-Cover Texts, and no Back-Cover Texts.\n\n"
    )
    body = "GNU Free Documentation License\nVersion 1.3, 3 November 2008\n" + "terms\n" * 50
    found = [LicenseMatch("gfdl-1.3", "GFDL-1.3", 0.9, 5, 56, "text", "GFDL-1.3")]
    (m,) = _notice_variants(found, notice + body)
    assert (m.spdx, m.start_line, m.end_line) == ("GFDL-1.3-no-invariants-or-later", 1, 56)
    # Without a notice the copy stays the license the text is.
    assert _notice_variants(found, "\n" * 4 + body) == found
    ofl = "Copyright (c) 2025 Example, with Reserved Font Name Example Sans.\n\n" + "terms\n" * 40
    (m,) = _notice_variants([LicenseMatch("ofl-1.1", "OFL-1.1", 0.9, 3, 42, "text", "OFL-1.1")], ofl)
    assert m.spdx == "OFL-1.1-RFN"
    # The SPDX list's own OFL-1.0-RFN text declares the name instead: "<Font Name> is a Reserved Font Name".
    ofl = "<Font Name> is a Reserved Font Name for this Font Software.\n\n" + "terms\n" * 40
    (m,) = _notice_variants([LicenseMatch("ofl-1.0", "OFL-1.0", 0.9, 3, 42, "text", "OFL-1.0")], ofl)
    assert m.spdx == "OFL-1.0-RFN"


def test_a_copy_whose_title_names_a_variant_of_its_license_is_that_variant():
    from license_audit.identify.matchers import _title_variants
    from license_audit.report import LicenseMatch

    found = [LicenseMatch("cal-1.0", "CAL-1.0", 0.9, 1, 60, "text", "CAL-1.0")]
    titled = "# The Cryptographic Autonomy License, v. 1.0, with Combined Work Exception\n\n" + "terms\n" * 58
    (m,) = _title_variants(found, titled)
    assert m.spdx == "CAL-1.0-Combined-Work-Exception"
    # The license's own title, or the variant's words far from the title, leave it the license it is.
    plain = "# The Cryptographic Autonomy License, v. 1.0\n\n" + "terms\n" * 50 + "combined work exception\n"
    assert _title_variants(found, plain) == found


def test_an_ambiguous_answer_names_every_license_and_says_so():
    from license_audit.report import LicenseMatch

    m = LicenseMatch("hpnd", "HPND", 0.7, 1, 9, "text", "HPND", alternatives=("NTP",))
    d = m.to_dict()
    assert d["ambiguous"] is True and d["alternatives"] == ["NTP"]
    assert "ambiguous" not in LicenseMatch("mit", "MIT", 0.99, 1, 21).to_dict()


# The Apache Software License 1.1 (the SPDX list's Apache-1.1; ScanCode's license database copy).
APACHE_1_1 = """
The Apache Software License, Version 1.1

Copyright (c) 2000 The Apache Software Foundation.  All rights
reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:

1. Redistributions of source code must retain the above copyright
   notice, this list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright
   notice, this list of conditions and the following disclaimer in
   the documentation and/or other materials provided with the
   distribution.

3. The end-user documentation included with the redistribution,
   if any, must include the following acknowledgment:
      "This product includes software developed by the
       Apache Software Foundation (http://www.apache.org/)."
   Alternately, this acknowledgment may appear in the software itself,
   if and wherever such third-party acknowledgments normally appear.

4. The names "Apache" and "Apache Software Foundation" must
   not be used to endorse or promote products derived from this
   software without prior written permission. For written
   permission, please contact apache@apache.org.

5. Products derived from this software may not be called "Apache",
   nor may "Apache" appear in their name, without prior written
   permission of the Apache Software Foundation.

THIS SOFTWARE IS PROVIDED ``AS IS'' AND ANY EXPRESSED OR IMPLIED
WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES
OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED.  IN NO EVENT SHALL THE APACHE SOFTWARE FOUNDATION OR
ITS CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT
LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF
USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND
ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT
OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF
SUCH DAMAGE.
"""


def test_a_misspelt_word_in_a_copy_is_not_a_modification_but_an_added_restriction_is():
    # Copies of the Apache License 1.1 often spell "acknowlegement": a phrase of the license missed for a
    # word, whose words all stand in the license's own text, adds no terms.
    typo = APACHE_1_1.replace("acknowledgment:", "acknowlegement:")
    assert "acknowlegement" in typo
    found = identify_text(typo, CAT)
    assert plain(found, "Apache-1.1"), found
    assert not any(m.modified for m in found), found
    # A clause the license does not hold is still added terms: never the license as such.
    restricted = APACHE_1_1.replace(
        "4. The names", "4. This software may not be used for any commercial purpose.\n\n5. The names"
    )
    found = identify_text(restricted, CAT)
    assert not plain(found, "Apache-1.1"), found
    assert any(m.modified for m in found), found
    # So is a word of the license left out: "must not be used to endorse" read as "must be used".
    dropped = APACHE_1_1.replace("must\n   not be used to endorse", "must\n   be used to endorse")
    assert dropped != APACHE_1_1
    found = identify_text(dropped, CAT)
    assert not plain(found, "Apache-1.1"), found


def test_words_of_the_license_left_out_of_a_phrase_are_found_where_they_were():
    from license_audit.identify.longtail import _falls, _junctions, _runs_held

    phrase = (
        "the end user documentation included with the redistribution if any must include the "
        "following acknowledgment this product includes software developed by"
    )
    whole = phrase.split(" ")
    # Every word of a phrase stands in the license's text: nothing added, nothing left out.
    held, ok = _runs_held(whole, "Apache-1.1")
    assert _falls(held) == [] and _junctions(held, ok) == []
    # "if any" left out: each word still stands in a run of the text, but no run across the place does.
    cut = [w for w in whole if w not in ("if", "any")]
    held, ok = _runs_held(cut, "Apache-1.1")
    assert _falls(held) == []
    at = _junctions(held, ok)
    assert len(at) == 1 and [cut[i] for i in at[0]] == ["redistribution", "must"], at


@pytest.mark.parametrize(
    "old, new",
    [
        (  # a clause reworded, with a restriction added to it
            'may not be called "Apache",\n   nor may "Apache" appear in their name,',
            'may not be called "Apache"\n   nor may "Apache" appear in their names, nor be used for a commercial purpose,',
        ),
        (  # a restriction of its own
            "distribution.\n\n3.",
            "distribution.\n\n   The software may not be used for any commercial purpose.\n\n3.",
        ),
    ],
)
def test_a_modified_copy_of_a_license_holding_bsd_2_clause_is_that_license_modified_not_bsd_2_clause(old, new):
    # BSD-2-Clause with three clauses added is further from this copy than Apache-1.1 with one change.
    assert old in APACHE_1_1
    found = identify_text(APACHE_1_1.replace(old, new), CAT)
    assert "BSD-2-Clause" not in spdx_ids(found), found
    (m,) = [m for m in found if m.spdx == "Apache-1.1"]
    assert m.modified and any("commercial" in c.text for c in m.changes), m
    assert plain(identify_text(APACHE_1_1, CAT), "Apache-1.1")


def test_a_variant_whose_terms_open_with_a_long_preamble_is_read_with_it():
    # The BSD-style clauses alone read as BSD-2-Clause with clauses added; with the paragraph of terms
    # before them they are SSLeay's license.
    found = identify_text(SSLEAY, CAT)
    assert "BSD-2-Clause" not in spdx_ids(found), found
    assert "SSLeay-standalone" in spdx_ids(found), found
    assert not any(m.id == "other" for m in found), found


# The OpenSSL License proper (the SPDX list's OpenSSL-standalone), as OpenSSL's LICENSE file gives it before
# the SSLeay License (ScanCode's rule openssl-ssleay_9).
OPENSSL_PART = """
Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:

1. Redistributions of source code must retain the above copyright
   notice, this list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright
   notice, this list of conditions and the following disclaimer in
   the documentation and/or other materials provided with the
   distribution.

3. All advertising materials mentioning features or use of this
   software must display the following acknowledgment:
   "This product includes software developed by the OpenSSL Project
   for use in the OpenSSL Toolkit. (http://www.openssl.org/)"

4. The names "OpenSSL Toolkit" and "OpenSSL Project" must not be used to
   endorse or promote products derived from this software without
   prior written permission. For written permission, please contact
   openssl-core@openssl.org.

5. Products derived from this software may not be called "OpenSSL"
   nor may "OpenSSL" appear in their names without prior written
   permission of the OpenSSL Project.

6. Redistributions of any form whatsoever must retain the following
   acknowledgment:
   "This product includes software developed by the OpenSSL Project
   for use in the OpenSSL Toolkit (http://www.openssl.org/)"

THIS SOFTWARE IS PROVIDED BY THE OpenSSL PROJECT ``AS IS'' AND ANY
EXPRESSED OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR
PURPOSE ARE DISCLAIMED.  IN NO EVENT SHALL THE OpenSSL PROJECT OR
ITS CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL,
SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT
NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT,
STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE)
ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED
OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def test_the_openssl_license_and_ssleays_license_together_are_openssl_alone():
    # The OpenSSL half alone reads as OpenSSL-standalone with SSLeay's paragraph of terms added; the whole
    # text, read with that paragraph, is OpenSSL: one license, not that one besides OpenSSL-standalone modified.
    text = (
        "LICENSE ISSUES\n==============\n\n"
        "The OpenSSL toolkit stays under a double license, i.e. both the conditions of\n"
        "the OpenSSL License and the original SSLeay license apply to the toolkit.\n"
        "See below for the actual license texts.\n\n"
        "OpenSSL License\n---------------\n\nCopyright (c) 1998 The OpenSSL Project.  All rights reserved.\n"
        + OPENSSL_PART
        + "\nThis product includes cryptographic software written by Eric Young\n(eay@cryptsoft.com).  This product includes software written by Tim\nHudson (tjh@cryptsoft.com).\n\n"
        + "Original SSLeay License\n-----------------------\n\n"
        + "Copyright (C) 1995-1998 Eric Young (eay@cryptsoft.com)\nAll rights reserved.\n\n"
        + SSLEAY
    )
    found = identify_text(text, CAT)
    assert plain(found, "OpenSSL"), found
    assert [m.spdx for m in found if m.kind == "text"] == ["OpenSSL"], found


# CDDL-1.1's section 6.3 (the SPDX list's CDDL-1.1), which CDDL-1.0 does not hold.
CDDL_1_1_PATENT_CLAIM = (
    "6.3. If You assert a patent infringement claim against Participant alleging that the Participant Software\n"
    "directly or indirectly infringes any patent where such claim is resolved (such as by license or settlement)\n"
    "prior to the initiation of patent infringement litigation, then the reasonable value of the licenses granted\n"
    "by such Participant under Sections 2.1 or 2.2 shall be taken into account in determining the amount or value\n"
    "of any payment or license.\n\n"
)


def test_a_copy_between_two_versions_of_a_license_names_both():
    # The CDDL 1.0 (ScanCode's license database copy, titled "Version 1.0", Sun Microsystems its steward) with
    # CDDL-1.1's section 6.3 put in: CDDL-1.1 holds more of its words, CDDL-1.0 holds its title and steward.
    # Neither is the copy as such: both are named, each modified, each the other's alternative.
    cddl = (Path(__file__).parent / "data" / "cddl-1.0.txt").read_text(encoding="utf-8")
    assert plain(identify_text(cddl, CAT), "CDDL-1.0")
    text = cddl.replace("6.3. In the event of termination", CDDL_1_1_PATENT_CLAIM + "6.4. In the event of termination")
    assert "reasonable value" in text
    found = [m for m in identify_text(text, CAT) if m.kind == "text"]
    assert {(m.spdx, m.alternatives) for m in found} == {("CDDL-1.0", ("CDDL-1.1",)), ("CDDL-1.1", ("CDDL-1.0",))}, (
        found
    )
    (m,) = [m for m in found if m.spdx == "CDDL-1.0"]
    assert m.modified and any("reasonable value" in c.text for c in m.changes), m.changes


# 4.4BSD's license as the University of California left it after rescinding the advertising clause in 1999
# (FreeBSD's copies; ScanCode's rule bsd-new_101): the clause's place kept with a note in it.
REGENTS_RESCINDED = """Copyright (c) 1990, 1993
\tThe Regents of the University of California.  All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions
are met:
1. Redistributions of source code must retain the above copyright
   notice, this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright
   notice, this list of conditions and the following disclaimer in the
   documentation and/or other materials provided with the distribution.
3. [rescinded 22 July 1999]
4. Neither the name of the University nor the names of its contributors
   may be used to endorse or promote products derived from this software
   without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE REGENTS AND CONTRIBUTORS ``AS IS'' AND
ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE
ARE DISCLAIMED.  IN NO EVENT SHALL THE REGENTS OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS
OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION)
HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT
LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY
OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF
SUCH DAMAGE.
"""


def test_a_bsd_3_clause_copy_with_a_note_among_its_clauses_is_not_bsd_2_clause_modified():
    # The note lowers BSD-3-Clause's precision inside its phrase run; BSD-2-Clause's shorter run ends before
    # it, and once reported the no-endorsement clause, BSD-3-Clause's own, as a clause added to it.
    found = identify_text(REGENTS_RESCINDED, CAT)
    assert "BSD-2-Clause" not in spdx_ids(found), found
    (m,) = [m for m in found if m.kind == "text"]
    assert m.spdx == "BSD-3-Clause", found
    # What the copy adds to BSD-3-Clause is the note, not the no-endorsement clause.
    assert all("endorse" not in c.text for c in m.changes), m.changes


# BSD-Source-Code as Mentalis.org's files carry it (ScanCode's rule mentalis_4, its names left out): the
# BSD-3-Clause clauses less the binary one.
SOURCE_CODE_ONLY = """Redistribution and use of this software in source and binary forms,
with or without modification, are permitted provided that the following conditions are met:

* Redistributions of source code must retain the above
  copyright notice, this list of conditions and the
  following disclaimer.

* Neither the name of  nor the names of its
  contributors may be used to endorse or promote products
  derived from this software without specific prior
  written permission of.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED \
WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR \
PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, \
INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE \
GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF \
LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY \
OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def test_a_copy_without_a_clause_of_its_license_may_be_a_variant_of_fewer_clauses():
    # BSD-3-Clause without its binary clause: BSD-Source-Code, whose template the phrase index does not reach
    # (most of its phrases are alternative disclaimers), so the exact matcher is asked.
    found = identify_text(SOURCE_CODE_ONLY, CAT)
    assert plain(found, "BSD-Source-Code"), found
    assert "BSD-3-Clause" not in spdx_ids(found), found


# The X11 License as the X Consortium's files carry it (ScanCode's rule x11-xconsortium_10): the SPDX list's
# X11 text without its closing "X Window System is a trademark of X Consortium, Inc.".
X11_COPY = """Permission is hereby granted, free of charge, to any person obtaining
a copy of this software and associated documentation files (the
"Software"), to deal in the Software without restriction, including
without limitation the rights to use, copy, modify, merge, publish,
distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in
all copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.  IN NO EVENT SHALL THE
X CONSORTIUM BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN
AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

Except as contained in this notice, the name of the X Consortium shall not be
used in advertising or otherwise to promote the sale, use or other dealings
in this Software without prior written authorization from the X Consortium.
"""


def test_a_copy_of_a_license_whose_template_is_one_phrase_is_that_license():
    # X11's template has no markup: one phrase, which a copy without the trademark line never holds, so the
    # phrase index never proposed it and the copy was MIT with the no-endorsement clause added.
    found = identify_text("Copyright (C) 1996 X Consortium\n\n" + X11_COPY, CAT)
    assert plain(found, "X11"), found
    assert "MIT" not in spdx_ids(found), found
    # The same copy with a restriction of its own added is not X11 as such.
    restricted = X11_COPY.replace(
        "Except as contained", "The Software shall not be used for any commercial purpose.\n\nExcept as contained"
    )
    assert not plain(identify_text(restricted, CAT), "X11")


def test_the_ids_a_title_may_name_are_every_listed_id_that_extends_another_by_two_words_or_more():
    from license_audit.identify.matchers import _variants
    from license_audit.identify.normalize import words
    from license_audit.identify.references import _spdx_ids

    listed = set(_spdx_ids().values())
    every: dict[str, list[tuple[str, str]]] = {}
    for v in listed:
        for base in listed:
            if v != base and v.lower().startswith(base.lower() + "-"):
                suffix = words(v[len(base) + 1 :])
                if len(suffix) >= 2 and suffix[-1] not in ("only", "later"):
                    every.setdefault(base.lower(), []).append((v, " " + " ".join(suffix) + " "))
    for vs in every.values():
        vs.sort(key=lambda x: (-len(x[1]), x[0]))
    assert _variants() == every
    assert ("CAL-1.0-Combined-Work-Exception", " combined work exception ") in every["cal-1.0"]
