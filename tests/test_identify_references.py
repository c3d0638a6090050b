"""References of every form: identifier lines and expressions, names with or without version words,
links to license texts, and standard notices that give the license and nothing extra."""

from __future__ import annotations

import re

import pytest

from license_audit.catalog import load_catalog
from license_audit.identify import identify_text
from license_audit.identify.compiled import compile_catalog, required_literal

CAT = load_catalog()


def refs(text):
    found = identify_text(text, CAT)
    assert all(m.kind == "reference" for m in found), found
    return found


def assert_reference_ids(text: str, expected: list[str]) -> None:
    """The SPDX ids of the references a card's prose holds are `expected`."""
    found = identify_text(text, CAT, prose=True)
    assert sorted({m.spdx for m in found if m.kind == "reference"}) == expected, found


def ids_and_lines(found):
    return sorted((m.id, m.start_line) for m in found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# SPDX-License-Identifier: Apache-2.0\nimport os\n", ["apache-2.0"]),
        ("// SPDX-License-Identifier: MIT OR Apache-2.0\n", ["apache-2.0", "mit"]),
        ("/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */\n", ["gpl-2.0"]),
        (
            "<!-- SPDX-License-Identifier: (LGPL-2.1-or-later AND BSD-3-Clause) -->\n# Notes\n",
            ["bsd-3-clause", "lgpl-2.1"],
        ),
        ("SPDX-License-Identifier: Zlib\n", ["zlib"]),
        ("SPDX-License-Identifier: LicenseRef-llama3.1\n", ["llama3.1"]),
    ],
)
def test_spdx_identifier_lines_and_expressions(text, expected):
    found = refs(text)
    assert sorted(m.id for m in found) == expected
    assert all(m.start_line == 1 for m in found)


def test_identifier_line_number_is_its_own():
    found = refs("#!/usr/bin/env python\n# Copyright 2024 Example\n# SPDX-License-Identifier: BSD-2-Clause\n")
    assert ids_and_lines(found) == [("bsd-2-clause", 3)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This model is released under the LLAMA 2 Community License.", "llama2"),
        ("See the LLAMA2 License for the terms.", "llama2"),
        ("Use of the model is governed by the Llama 3.1 license.", "llama3.1"),
        ("Licensed under the GNU General Public License v2.0.", "gpl-2.0"),
        ("Released under the GNU General Public License,\nversion 3.", "gpl-3.0"),
        ("Apache License, Version 2.0", "apache-2.0"),
        ("Distributed under the Apache Licence 2.0", "apache-2.0"),
        ("This work is licensed under GPLv3.", "gpl-3.0"),
        ("License: GNU Affero GPL version 3", "agpl-3.0"),
        ("Creative Commons Attribution-NonCommercial 4.0 International", "cc-by-nc-4.0"),
        ("Attribution-ShareAlike 4.0 International", "cc-by-sa-4.0"),
        ("Mozilla Public License 2.0", "mpl-2.0"),
        ("licensed under the Gemma Terms of Use", "gemma"),
        ("This program may be used under the terms of version 2 of the GNU\nGeneral Public License.", "gpl-2.0"),
        ("distributed under GNU LGPL v2.1.", "lgpl-2.1"),
        ("The toolkit itself is licensed as Apache Software License 2.0.", "apache-2.0"),
        ("It's released under the GNU Affero GENERAL PUBLIC LICENSE, Version 3, 29 June 2007.", "agpl-3.0"),
        ("This software is distributed under the GPL v.2.", "gpl-2.0"),
        # Model licenses as derivatives' cards name them.
        ("This model is subject to the Gemma terms.", "gemma"),
        ("The use of these weights is subject to the DeepSeek Model License.", "deepseek"),
        ("This model is released under the TII Falcon-LLM License 2.0.", "falcon-llm-license"),
        ("The weights are released under the HAI-DEF terms.", "health-ai-developer-foundations"),
        ("The model is licensed under the EXAONE AI Model License Agreement 1.1 - NC.", "exaone-1.1-nc"),
        ("Licensed under the Apple Sample Code License.", "apple-ascl"),
        # An id inside another license's name is part of that name: Kimi K2's license, not MIT.
        ("This model is under Kimi K2's Modified MIT License.", "modified-mit"),
        ("CMU License MIT-CMU", "mit-cmu"),
        # The Llama licenses' names in Chinese, as Chinese cards write them.
        ("模型权重遵循 Llama 3 社区许可协议。", "llama3"),
        ("遵循 Meta Llama 3 社区许可协议", "llama3"),
        ("本模型遵循 Llama 3.1 社区许可协议。", "llama3.1"),
        ("Llama2社区许可协议", "llama2"),
        # Tongyi Qianwen's licenses in Chinese (通义千问 is Tongyi Qianwen).
        ("模型权重遵循通义千问许可协议。", "tongyi-qianwen"),
        ("模型权重遵循通义千问研究许可协议。", "tongyi-qianwen-research"),
        # The Creative Commons reading of "Attribution" leaves a name its license word.
        ("This dataset is under the Open Data Commons Attribution License.", "odc-by"),
    ],
)
def test_license_names_with_and_without_version_words(text, expected):
    found = refs(text)
    assert [m.id for m in found] == [expected], found


def test_a_name_in_chinese_beside_a_name_in_latin_letters_on_its_line_is_read_too():
    # A pattern that holds no Latin-script word stands between the line's words: it does not compete with the
    # reference those words hold.
    found = refs("MIT License。模型权重（Qwen2.5）遵循阿里通义千问许可协议。\n")
    assert sorted(m.id for m in found) == ["mit", "tongyi-qianwen"], found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Names rules/spdx/names.yaml records, and "N-Clause BSD" for "BSD N-Clause".
        ("Licensing: 3-clause BSD.", "bsd-3-clause"),
        ("licensed under the 2-clause BSD License", "bsd-2-clause"),
        ("licence: Simplified BSD Licence", "bsd-2-clause"),
        ('licensed under 3-Clause BSD License - "New BSD License" or "Modified BSD License".', "bsd-3-clause"),
        ("License: ASL 2.0", "apache-2.0"),
        ("made available under the terms of the Eclipse Distribution License v1.0", "bsd-3-clause"),
        ("University of Illinois Open Source License", "ncsa"),
        ("Adaptive Public License", "apl-1.0"),
    ],
)
def test_names_a_license_is_called_by_beside_its_spdx_name(text, expected):
    found = refs(text)
    assert [m.id for m in found] == [expected], found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("License Agreement for Baichuan-7B Model", ["baichuan"]),
        ("使用本模型须遵守 Baichuan-7B 模型许可协议。", ["baichuan"]),
        ("请遵守《Baichuan 2模型社区许可协议》", ["baichuan2"]),
        # A title beside another license on its line stands where it is written, not at the line's start.
        ("本项目遵循 Apache-2.0 开源协议，模型权重遵循 Llama 3.1 社区许可协议。", ["apache-2.0", "llama3.1"]),
        ("The weights: Baichuan 2模型社区许可协议; the code: MIT License.", ["baichuan2", "mit"]),
        # The model names alone name no license (the titles' Chinese words are not words to the tokenizer).
        ("This model is fine-tuned from Baichuan-7B.", []),
        ("We start from the Baichuan 2 weights.", []),
    ],
)
def test_a_license_title_in_chinese_is_matched_whole_not_as_its_model_name(text, expected):
    for prose in (False, True):
        assert [m.id for m in identify_text(text, CAT, prose=prose)] == expected, (text, prose)


def test_no_catalog_phrase_holds_characters_its_words_drop():
    # A phrase is matched by its words; one in Chinese would be matched by its Latin words alone.
    for lic in CAT:
        for kind in ("phrases", "references"):
            for p in lic.identify.get(kind) or []:
                assert str(p).isascii() or not any("\u3040" <= ch <= "\u9fff" for ch in str(p)), (lic.id, p)


def test_a_gnu_license_named_without_a_version_is_any_version():
    # The GPL lets the recipient of a program that names no version choose any version: GPL-1.0-or-later,
    # never a guess at one version.
    for text in ("GNU General Public License", "released under the GPL", "This file is under the GNU LGPL."):
        found = refs(text)
        assert [m.spdx for m in found] in (["GPL-1.0-or-later"], ["LGPL-2.0-or-later"]), (text, found)
    # ... unless a version is named elsewhere in the same text.
    found = refs("Licensed under the GPL.\nSee the GNU General Public License v3.0 for details.\n")
    assert [m.id for m in found] == ["gpl-3.0"]
    # The LGPL named without a version beside the GNU Lesser GPL named as such is that one (2.1 on).
    for text in (
        "http://www.gnu.org/copyleft/lesser.html LGPL\n",
        "<name>GNU LESSER GENERAL PUBLIC LICENSE</name> LGPL\n",
    ):
        assert [m.spdx for m in refs(text)] == ["LGPL-2.1-or-later"], text
    # "GPL-compatible" is about the license, not under it.
    assert not identify_text("This license is GPL-compatible.", CAT)
    # "GPL licensed" names the GPL: the "license" of "GPL license" is a whole word, not part of "licensed".
    assert [m.spdx for m in refs("Open-Source GPL licensed\n")] == ["GPL-1.0-or-later"]
    assert [m.spdx for m in refs("GNU/LGPL licensed source code\n")] == ["LGPL-2.0-or-later"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.apache.org/licenses/LICENSE-2.0", "apache-2.0"),
        ("http://www.apache.org/licenses/LICENSE-2.0.txt", "apache-2.0"),
        ("https://opensource.org/licenses/MIT", "mit"),
        ("https://spdx.org/licenses/BSD-3-Clause.html", "bsd-3-clause"),
        ("https://www.gnu.org/licenses/gpl-3.0.html", "gpl-3.0"),
        ("https://www.gnu.org/licenses/agpl-3.0.fr.html", "agpl-3.0"),
        ("https://creativecommons.org/licenses/by-nc/4.0/", "cc-by-nc-4.0"),
        ("https://creativecommons.org/licenses/by-sa/4.0/deed.en", "cc-by-sa-4.0"),
        ("https://creativecommons.org/licenses/by/4.0/legalcode", "cc-by-4.0"),
        ("https://creativecommons.org/publicdomain/zero/1.0/", "cc0-1.0"),
        ("https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/LICENSE", "llama3.1"),
        ("https://ai.google.dev/gemma/terms", "gemma"),
        ("https://github.com/MoonshotAI/Kimi-K2/blob/main/LICENSE", "modified-mit"),
        ("https://huggingface.co/Qwen/Qwen2.5-72B-Instruct/blob/main/LICENSE", "qwen"),
        (
            "https://github.com/vivo-ai-lab/BlueLM/blob/main/OpenAtom%20Model%20License.pdf",
            "openatom-model-license-1.0",
        ),
    ],
)
def test_license_links(url, expected):
    found = refs(f"Terms: {url}\n")
    assert [m.id for m in found] == [expected], found


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The registry's terms for the checkpoint name its license file's license.
        ("https://huggingface.co/google/gemma-2-9b/blob/main/LICENSE", ["gemma"]),
        ("https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/resolve/main/LICENSE", ["apache-2.0"]),
        ("https://hf.co/Qwen/Qwen2.5-3B/blob/main/LICENSE", ["qwen-research"]),
        # A model the registry does not know, or a file that is not a license file, names nothing.
        ("https://huggingface.co/acme/unknown-model/blob/main/LICENSE", []),
        ("https://huggingface.co/google/gemma-2-9b/blob/main/config.json", []),
        ("https://huggingface.co/datasets/google/gemma-2-9b/blob/main/LICENSE", []),
    ],
)
def test_a_link_to_a_known_models_license_file_names_its_license(url, expected):
    assert [m.id for m in identify_text(f"License: {url}\n", CAT)] == expected


def test_a_link_to_a_checkpoint_under_another_license_is_not_this_one():
    # Qwen2.5-7B-Instruct's LICENSE file is Apache-2.0; Qwen2.5-72B-Instruct's is the Qwen License.
    found = identify_text("https://huggingface.co/Qwen/Qwen2.5-7B-Instruct/blob/main/LICENSE\n", CAT)
    assert "qwen" not in {m.id for m in found}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # One file of a repository, by its page, its download and its raw address.
        ("https://huggingface.co/meta-llama/Llama-2-7b/raw/main/LICENSE.txt", "llama2"),
        (
            "https://huggingface.co/baichuan-inc/Baichuan2-13B-Chat/resolve/main/"
            "Community%20License%20for%20Baichuan2%20Model.pdf",
            "baichuan2",
        ),
        ("https://raw.githubusercontent.com/meta-llama/llama-models/main/models/llama3_1/LICENSE", "llama3.1"),
        (
            "https://raw.githubusercontent.com/meta-llama/llama-models/refs/heads/main/models/llama3_1/LICENSE",
            "llama3.1",
        ),
        ("https://github.com/meta-llama/llama-models/raw/main/models/llama3_1/LICENSE", "llama3.1"),
        (
            "https://huggingface.co/spaces/CompVis/stable-diffusion-license/resolve/main/license.txt",
            "creativeml-openrail-m",
        ),
        # Meta's Llama pages, at their old and their current address.
        ("https://www.llama.com/llama3_1/license/", "llama3.1"),
        ("https://llama.meta.com/llama3_2/license/", "llama3.2"),
        ("https://www.llama.com/llama3/use-policy/", "llama3-acceptable-use-policy"),
        ("https://www.llama.com/llama2/license/", "llama2"),
        # A DeepSeek repository's LICENSE-MODEL is the DeepSeek License Agreement.
        ("https://github.com/deepseek-ai/deepseek-coder/blob/main/LICENSE-MODEL", "deepseek"),
        ("https://github.com/deepseek-ai/DeepSeek-LLM/blob/main/LICENSE-MODEL", "deepseek"),
        ("https://huggingface.co/stabilityai/stable-diffusion-2/blob/main/LICENSE-MODEL", "openrail++"),
        # A license's page on a site named for it.
        ("https://cdla.dev/permissive-2-0/", "cdla-permissive-2.0"),
        ("http://www.sugarcrm.com/crm/SPL", "sugarcrm-1.1.3"),
    ],
)
def test_license_file_links_in_every_form(url, expected):
    assert [m.id for m in refs(f"{url}\n")] == [expected]


def test_a_link_to_a_models_front_page_names_no_license():
    # InternLM's terms are in its model card, whose page is the catalog's address for them: a link to the
    # model is not a reference to its license.
    assert identify_text("https://huggingface.co/internlm/internlm2_5-7b-chat\n", CAT) == []


def test_a_page_of_two_versions_names_neither_alone():
    # joinup's "eupl-text-11-12" holds EUPL 1.1 and 1.2: a 1.2 notice linking it is 1.2 only.
    text = "licensed under European Union Public License, version 1.2\nhttps://joinup.ec.europa.eu/collection/eupl/eupl-text-11-12\n"
    assert [m.id for m in refs(text)] == ["eupl-1.2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A "License:" label with the catalog's id or Hub key after it, as cards and READMEs copy their front matter.
        ("License: qwen\n", ["qwen"]),
        ("**License:** tongyi-qianwen\n", ["tongyi-qianwen"]),
        ("license_name: deepseek\n", ["deepseek"]),
        ("| License | qwen |\n", ["qwen"]),
        ("Model card\n\nLicense: glm-4 (see LICENSE)\n", ["glm-4"]),
        # Not a label's value: a word in a sentence, or the Hub's placeholder.
        ("License: qwen models are great\n", []),
        ("License: other\n", []),
    ],
)
def test_a_license_label_with_a_catalog_key(text, expected):
    assert [m.id for m in identify_text(text, CAT)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A text of markup and links only: its words go with the markup, its links and badges stay.
        ("![](https://img.shields.io/badge/license-CC--BY--NC--4.0-lightgrey)\n", ["cc-by-nc-4.0"]),
        ('<cc:license rdf:resource="http://creativecommons.org/licenses/by-sa/2.0/" />\n', ["cc-by-sa-2.0"]),
        # A license badge whose message is the catalog's id or Hub key.
        ("![license](https://img.shields.io/badge/license-qwen-green)\n", ["qwen"]),
        ('<img src="https://img.shields.io/badge/license-deepseek-blue">\n', ["deepseek"]),
        # Another badge's label does not speak for the model's license.
        ("![](https://img.shields.io/badge/code%20license-qwen-green)\n", []),
    ],
)
def test_links_and_badges_alone(text, expected):
    assert [m.id for m in identify_text(text, CAT)] == expected


def test_a_link_to_another_version_is_not_this_one():
    found = identify_text("https://creativecommons.org/licenses/by-nc/2.1/legalcode\n", CAT)
    assert not any(m.id == "cc-by-nc-4.0" for m in found)


FSF_GPL2 = """Copyright (C) 2020 Jane Doe

This program is free software; you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation; either version 2 of the License, or
(at your option) any later version.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
GNU General Public License for more details.

You should have received a copy of the GNU General Public License along
with this program; if not, write to the Free Software Foundation, Inc.,
51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA.
"""

FSF_GPL3 = """This program is free software: you can redistribute it and/or modify
it under the terms of the GNU General Public License as published by
the Free Software Foundation, either version 3 of the License, or
(at your option) any later version.

This program is distributed in the hope that it will be useful,
but WITHOUT ANY WARRANTY; without even the implied warranty of
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
GNU General Public License for more details.

You should have received a copy of the GNU General Public License
along with this program.  If not, see <https://www.gnu.org/licenses/>.
"""

MPL = """This Source Code Form is subject to the terms of the Mozilla Public
License, v. 2.0. If a copy of the MPL was not distributed with this
file, You can obtain one at http://mozilla.org/MPL/2.0/.
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FSF_GPL2, "gpl-2.0"),
        (FSF_GPL3, "gpl-3.0"),
        (FSF_GPL3.replace("GNU General Public License", "GNU Affero General Public License"), "agpl-3.0"),
        (
            FSF_GPL2.replace("GNU General Public License", "GNU Lesser General Public License")
            .replace("either version 2 of", "either version 2.1 of")
            .replace("this program", "this library"),
            "lgpl-2.1",
        ),
        (MPL, "mpl-2.0"),
    ],
)
def test_standard_notices_give_the_license_and_nothing_extra(text, expected):
    found = identify_text(text, CAT)
    assert [(m.id, m.kind) for m in found] == [(expected, "reference")], found


def test_a_notice_with_terms_of_its_own_keeps_them():
    text = FSF_GPL3 + (
        "\nAdditional terms: commercial use of this program is prohibited without a written license agreement"
        " with the authors, and redistribution of modified versions is not permitted.\n"
    )
    found = identify_text(text, CAT)
    assert "gpl-3.0" in [m.id for m in found]
    assert "other" in [m.id for m in found]


def test_references_inside_a_full_copy_are_part_of_it():
    from conftest import license_text

    found = identify_text(license_text("apache-2.0"), CAT)
    assert [m.id for m in found] == ["apache-2.0"]
    found = identify_text(license_text("lgpl-2.1"), CAT)
    assert [m.id for m in found] == ["lgpl-2.1"]


def test_a_badge_label_is_read_but_not_a_model_name_in_a_link():
    badge = "# Model\n[![License](https://img.shields.io/badge/License-Apache_2.0-green.svg)](LICENSE)\nText.\n"
    assert [m.id for m in identify_text(badge, CAT, prose=True)] == ["apache-2.0"]
    link = "# Model\nWeights: https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct (license terms apply)\n"
    assert not identify_text(link, CAT, prose=True)


def test_a_model_name_is_not_a_license_name():
    table = "| Llama-3.1-8B-Instruct | 58.9 | 25.8 |\n| Meta-Llama-3-8B | 50.1 | 20.0 |\n"
    assert not identify_text(table, CAT, prose=True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The license a license is based on, a derived license, a negation, an example and a section's
        # title put nothing under the name.
        (
            "The contents of this file are subject to the Common Public Attribution License Version 1.0 (the\n"
            "License). The License is based on the Mozilla Public License Version 1.1 but Sections 14 and 15\n"
            "have been added.\n",
            ["CPAL-1.0"],
        ),
        ("GPL'd code cannot be licensed under the MIT licence\n", ["GPL-1.0-or-later"]),
        (
            "This project is licensed under the Mozilla Public License Version 2.0.\n"
            "Changed files must be published under the MPL 2.0 itself or a compatible license (e.g. GPL 3.0\n"
            "or Apache License 2.0).\n",
            ["MPL-2.0"],
        ),
        (
            "Permission is granted to copy, distribute and/or modify this document under the terms of the\n"
            "GNU Free Documentation License, Version 1.3 or any later version published by the Free Software\n"
            "Foundation; with the Invariant Sections being ``GNU General Public License'', with the\n"
            "Front-Cover Texts being ``A GNU Manual''.\n",
            ["GFDL-1.3-or-later"],
        ),
    ],
)
def test_a_name_that_puts_nothing_under_it_is_no_reference(text, expected):
    assert sorted(m.spdx for m in identify_text(text, CAT)) == expected


def test_a_derived_license_is_not_the_license_it_derives_from():
    text = (
        "ImageMagick is free software that you may use, copy, modify, and distribute in both open and\n"
        "proprietary applications. It is distributed under a derived Apache 2.0 license.\n"
    )
    assert "Apache-2.0" not in {m.spdx for m in identify_text(text, CAT)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The Lesser name is the LGPL's from 2.1 on; version 2 of the LGPL is the Library GPL's.
        ("distributed under the LESSER GNU GPL.\n", ["LGPL-2.1-or-later"]),
        (
            "modify it under the terms of the GNU Lesser General Public License\n"
            "as published by the Free Software Foundation; either version 2\n"
            "of the License, or (at your option) any later version.\n",
            ["LGPL-2.0-or-later"],
        ),
        ("licensed under the Lesser GPL v2.1\n", ["LGPL-2.1-only"]),
        # The GNU GPL with a version, written without "GNU".
        ("licensed under General Public License version 2.\n", ["GPL-2.0-only"]),
        # "License; either version 2" across the quotes of a C string.
        (
            'you are welcome to redistribute it under "\n'
            '    "the terms of the GNU General Public License; either "\n'
            '    "version 2, or (at your option) any later version. "\n',
            ["GPL-2.0-or-later"],
        ),
        # A versionless family page gives way to the version named beside it.
        (
            "subject to the terms and conditions set forth in the GNU Free Documentation License (GFDL), V1.2"
            " or later (the latest version is at https://www.gnu.org/licenses/fdl.txt).\n",
            ["GFDL-1.2-or-later"],
        ),
        # An id that is a word of another license's name is part of that name.
        ("zlib-acknowledgement zlib/libpng License with Acknowledgement\n", ["zlib-acknowledgement"]),
        # An id and a name of the same license on one line, either way round: one reference.
        ("Sendmail-8.23 Sendmail License 8.23\n", ["Sendmail-8.23"]),
        ("Sendmail License 8.23 Sendmail-8.23\n", ["Sendmail-8.23"]),
    ],
)
def test_gnu_names_and_versions_as_written(text, expected):
    assert sorted(m.spdx for m in identify_text(text, CAT)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "On Debian systems, the complete text of the GNU General Public License\n"
            "can be found at '/usr/share/common-licenses/LGPL-3'.\n",
            ["LGPL-3.0-only"],
        ),
        (
            "License: LGPL-2.1+\n On Debian systems, the complete text of the LGPL-2.1 can be found in\n"
            " /usr/share/common-licenses/LGPL-2.\n",
            ["LGPL-2.1-or-later"],
        ),
        (
            "On Debian systems, the complete text of the GNU General Public License version 2 can be found\n"
            "in `/usr/share/common-licenses/GPL-2'.\n",
            ["GPL-2.0-only"],
        ),
    ],
)
def test_a_debian_pointer_names_one_license(text, expected):
    assert sorted({m.spdx for m in identify_text(text, CAT)}) == expected


_GPL3_PLUS_NOTICE = (
    "This program is free software: you can redistribute it and/or modify\n"
    "it under the terms of the GNU General Public License as published by\n"
    "the Free Software Foundation, either version 3 of the License, or\n"
    "(at your option) any later version.\n\n"
    "This package is distributed in the hope that it will be useful,\n"
    "but WITHOUT ANY WARRANTY; without even the implied warranty of\n"
    "MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the\n"
    "GNU General Public License for more details.\n\n"
    "You should have received a copy of the GNU General Public License\n"
    "along with this program.  If not, see <https://www.gnu.org/licenses/>.\n\n"
)


@pytest.mark.parametrize(
    "pointers",
    [
        "On Debian systems, the complete text of the GNU General Public License\n"
        "version 2 can be found in `/usr/share/common-licenses/GPL-2'.  the\n"
        "complete text of the GNU General Public License version 3 can be found\n"
        "in `/usr/share/common-licenses/GPL-3'.\n",
        "On Debian GNU/Linux systems, the complete text of the GNU General\n"
        "Public License can be found in `/usr/share/common-licenses/GPL-1'.\n",
    ],
)
def test_a_debian_pointer_to_another_version_of_the_license_a_notice_names_names_nothing(pointers):
    # Where GPL-2's text is says nothing of what a GPL-3 notice's file is under, and is no unknown terms.
    found = identify_text(_GPL3_PLUS_NOTICE + pointers, CAT)
    assert [(m.id, m.kind) for m in found] == [("gpl-3.0", "reference")], found


def test_a_name_inside_a_piece_of_another_license_text_is_that_text():
    # GPL-2.0's preamble in its 1991 edition names the Library GPL: part of the GPL's words.
    text = (
        'static char license_txt[] =\n"                   GNU GENERAL PUBLIC LICENSE\n'
        "                       Version 2, June 1991\n\n"
        "  The licenses for most software are designed to take away your\n"
        "freedom to share and change it.  By contrast, the GNU General Public\n"
        "License is intended to guarantee your freedom to share and change free\n"
        "software--to make sure the software is free for all its users.  This\n"
        "General Public License applies to most of the Free Software\n"
        "Foundation's software and to any other program whose authors commit to\n"
        "using it.  (Some other Free Software Foundation software is covered by\n"
        "the GNU Library General Public License instead.)  You can apply it to\n"
        'your programs, too.";\n'
    )
    assert [m.spdx for m in identify_text(text, CAT)] == ["GPL-2.0-only"]


def test_the_lines_of_a_notice_for_two_licenses_name_both():
    text = (
        " * it under the terms of the GNU General Public License version 2 or\n"
        " * the GNU Lesser General Public License version 2.1 as published by\n"
        " * the Free Software Foundation (your choice between the two).\n"
    )
    assert sorted(m.spdx for m in identify_text(text, CAT)) == ["GPL-2.0-only", "LGPL-2.1-only"]


def test_the_gnu_affero_gpl_without_a_version():
    assert [m.spdx for m in identify_text("See the GNU Affero General Public License for details.\n", CAT)] == [
        "AGPL-3.0-or-later"
    ]


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        ("ab?c", "a"),
        ("abc|def", ""),
        ("(abc|def)ghi", "ghi"),
        ("[]a]xyz", "xyz"),
        ("[^]a]xyz", "xyz"),
        ("x{2}yy", "yy"),
        (r"\bfoo\d+bar", "foo"),
        ("ab+", "ab"),
        (r"licen[cs]e[ds]?\W{0,6}(?:under\W+)?apache\b", "apache"),
        ("(?:mit)?", ""),
    ],
)
def test_the_letters_every_match_of_a_pattern_holds(pattern, needs):
    assert required_literal(pattern) == needs


def test_every_catalog_pattern_match_holds_the_letters_it_is_skipped_without():
    # A pattern is not searched in a text without its letters: each match it makes must hold them.
    compiled = compile_catalog(CAT)
    samples = [
        "\n".join([cl.lic.name, *cl.lic.aliases, *(nd.text for nd in cl.references)]) for cl in compiled.licenses
    ]
    samples += [
        "Licensed under the Apache license.",
        "Released under the (MIT) license.",
        "The DeepSeek weights are subject to the Model License.",
        "Baichuan 2 模型社区许可协议",
    ]
    seen = 0
    for cl in compiled.licenses:
        for pat, needs in zip(cl.patterns, cl.pattern_needs):
            assert needs, pat.pattern
            for text in samples:
                for m in pat.finditer(text.lower()):
                    seen += 1
                    assert needs in m.group(0), (pat.pattern, m.group(0))
    assert seen


@pytest.mark.parametrize(
    "text",
    [
        "it under the terms of the gnu general public license as published by\nthe free software foundation; either version 2",
        " * the GNU Lesser General Public License as published by the Free Software\n * Foundation, either version 3",
        "// license//as published by the free software foundation\n//, version 2",
        "licensed ///as published by the free software foundation",
        "has published by the free software foundation",
        "as published by the free software foundation at the start",
        "gpl as published by the free software foundation as published by the free software foundation twice",
        "x\u00a0as published by the free software foundation (a no-break space)",
    ],
)
def test_the_fsf_publisher_phrase_goes_with_the_separators_before_it(text):
    # What one regular expression that starts with the separators removes, line breaks kept in number.
    from license_audit.identify import references

    sep = references._SEP
    whole = re.compile(
        rf"{sep}as{sep}published{sep}by{sep}the{sep}free{sep}software{sep}foundation[;,.]?(?:{sep})?(?:either{sep})?"
    )
    low = text.lower()
    assert references._without_as_published(low, lines=True) == whole.sub(
        lambda m: " " + "\n" * m.group(0).count("\n"), low
    )
    assert references._without_as_published(low, lines=False) == whole.sub(" ", low)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("// SPDX-License-Identifier: GPL-2.0-or-later\n", [("gpl-2.0", "GPL-2.0-or-later")]),
        ("/* SPDX-License-Identifier: GPL-2.0+ */\n", [("gpl-2.0", "GPL-2.0-or-later")]),
        ("# SPDX-License-Identifier: GPL-2.0-only\n", [("gpl-2.0", "GPL-2.0-only")]),
        ("License: LGPL-2.1-or-later\n", [("lgpl-2.1", "LGPL-2.1-or-later")]),
        (
            "# SPDX-License-Identifier: AGPL-3.0-or-later OR MIT\nimport os\n",
            [("agpl-3.0", "AGPL-3.0-or-later"), ("mit", "MIT")],
        ),
        # The identifier is the catalog's license with its later versions, not the LGPL named without one.
        (
            "SPDX-License-Identifier: LGPL-2.1-or-later\nThis library is under the GNU Lesser General Public License.\n",
            [("lgpl-2.1", "LGPL-2.1-or-later")],
        ),
    ],
)
def test_an_identifier_of_later_versions_keeps_its_spdx_id_with_the_catalog_license(text, expected):
    assert sorted((m.id, m.spdx) for m in identify_text(text, CAT)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "it under the terms of the GNU General Public License as published by\n"
            "the Free Software Foundation, either version 3 of the License, or\n"
            "(at your option) any later version.\n",
            [("gpl-3.0", "GPL-3.0-or-later")],
        ),
        ("Licensed under the GNU GPL v3 or later.\n", [("gpl-3.0", "GPL-3.0-or-later")]),
        ("Released under the GNU Lesser General Public License v2.1 or later.\n", [("lgpl-2.1", "LGPL-2.1-or-later")]),
        ("Licensed under the GNU GPL version 2 only, not any later version.\n", [("gpl-2.0", "GPL-2.0-only")]),
        ("Licensed under the GNU GPL v2.\n", [("gpl-2.0", "GPL-2.0-only")]),
        # "or later" belongs to the version just before it.
        (
            "under the GNU GPL version 2 or the GNU LGPL version 3 or later\n",
            [("gpl-2.0", "GPL-2.0-only"), ("lgpl-3.0", "LGPL-3.0-or-later")],
        ),
    ],
)
def test_a_notice_for_a_version_or_any_later_one_names_the_later_versions(text, expected):
    assert sorted((m.id, m.spdx) for m in identify_text(text, CAT)) == expected


LLAMA_EDITIONS = ["llama-license", "llama2", "llama3", "llama3.1", "llama3.2", "llama3.3", "llama4"]


@pytest.mark.parametrize(
    ("text", "editions"),
    [
        ("This model is released under the Llama license.", LLAMA_EDITIONS),
        ("Use of the weights is governed by the Meta Llama License Agreement.", LLAMA_EDITIONS),
        # LLaMA 1's agreement was never a community license.
        ("Subject to the Llama Community License.", LLAMA_EDITIONS[1:]),
        (
            "This model follows the Tencent Hunyuan Community License Agreement.",
            [
                "tencent-hunyuan-3d-2",
                "tencent-hunyuan-a13b",
                "tencent-hunyuan-dit",
                "tencent-hunyuan-large",
                "tencent-hunyuan-video",
            ],
        ),
        ("Licensed under the EXAONE AI Model License Agreement.", ["exaone-1.1-nc", "exaone-1.2-nc"]),
        (
            "The weights are under the ChatGLM license.",
            ["chatglm-6b-license", "chatglm2-6b-license", "chatglm3-6b-license"],
        ),
        ("Commercial use follows the Baichuan license.", ["baichuan", "baichuan2"]),
        # Falcon 2 11B's card calls its license the "TII Falcon License 2.0"; Falcon 3's is the "TII Falcon-LLM
        # License 2.0", its text titled "TII Falcon License".
        ("- **License:** TII Falcon License 2.0", ["falcon-2-11b-license", "falcon-llm-license"]),
    ],
)
def test_a_name_every_edition_goes_by_names_each_edition_as_ambiguous(text, editions):
    found = refs(text)
    assert sorted(m.id for m in found) == editions, found
    # Never one edition alone: each is reported with every other one as its alternatives.
    spdx = {m.spdx for m in found}
    assert all(set(m.alternatives) == spdx - {m.spdx} for m in found), found
    assert {m.start_line for m in found} == {1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An edition the text names as such is what the shared name beside it means.
        ("Built on Llama 3.1. Licensed under the Llama 3.1 Community License.\nSee the Llama license.", "llama3.1"),
        ("Meta Llama 3 license; the Llama license applies to the weights.", "llama3"),
        ("Llama 3 license", "llama3"),
        # LLaMA 1's attribution notice names LLaMA 1's agreement, the only one it is the notice of.
        (
            "LLaMA is licensed under the LLaMA License, Copyright (c) Meta Platforms, Inc. All Rights Reserved.",
            "llama-license",
        ),
        ("Released under the Llama 1 license.", "llama-license"),
        # The line names the model whose edition it means (Tencent-Hunyuan-Large's Notice).
        (
            "Tencent-Hunyuan-Large is licensed under the TENCENT HUNYUAN COMMUNITY LICENSE AGREEMENT except for the"
            " third-party components listed below.",
            "tencent-hunyuan-large",
        ),
        ("HunyuanVideo is released under the Tencent Hunyuan Community License Agreement.", "tencent-hunyuan-video"),
        # An edition's version after the name without "Agreement".
        ("This model is released under the EXAONE AI Model License 1.1-NC.", "exaone-1.1-nc"),
    ],
)
def test_an_edition_named_as_such_is_that_edition_alone(text, expected):
    found = refs(text)
    assert [(m.id, m.alternatives) for m in found] == [(expected, ())], found


def test_a_reference_after_words_with_plus_signs_is_on_its_own_line():
    # "C++17" is one word ("cpp17") to the tokenizer: a pattern match after such words stands where it is.
    text = "Use c++17 or c++20 with g++11 and clang++14 a++b x++y\nLicensed under Apache.\nSee the docs.\nMore lines.\n"
    assert [(m.id, m.start_line) for m in refs(text)] == [("apache-2.0", 2)]
    assert [(m.id, m.start_line) for m in refs("c++17 c++20 g++11 clang++14 a++b x++y c++2a c++1z (MIT)\n")] == [
        ("mit", 1)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A catalog reference claims its line; another license named on the same line is still read.
        ("Apache 2.0 for code. See the Llama 2 Community license for weights.\n", ["apache-2.0", "llama2"]),
        ("The code is Apache 2.0 and the weights follow the Llama 2 Community License.\n", ["apache-2.0", "llama2"]),
        # Chinese cards put both on one line.
        ("模型代码采用 Apache-2.0 协议，模型权重遵循 Llama 2 Community License。\n", ["apache-2.0", "llama2"]),
        # A link the cleaned text would drop ("[GPL](…gpl-3.0.html)") names its version.
        (
            " is dual licensed under the terms of the MIT license (below) and the"
            " [GPL](http://www.gnu.org/licenses/gpl-3.0.html).\n",
            ["gpl-3.0", "mit"],
        ),
        # A link whose text names nothing, which cleaning would drop with the link.
        (
            "Apache 2.0; see [here](https://creativecommons.org/licenses/by-nc/4.0/) for weights\n",
            ["apache-2.0", "cc-by-nc-4.0"],
        ),
        # Markup inside a name: read on the cleaned line.
        ("Code: Apache 2.0; weights: Llama&nbsp;2 Community License\n", ["apache-2.0", "llama2"]),
        ("Code: Apache 2.0; weights: <b>Llama 2</b> Community License\n", ["apache-2.0", "llama2"]),
        ("Code: Apache 2.0; weights: CC&nbsp;BY-NC&nbsp;4.0\n", ["apache-2.0", "cc-by-nc-4.0"]),
        # A name running on into the next line keeps the version written there.
        (
            "may be used under the conditions of either of two licenses,\nthe Apache License (version 2.0 or later)"
            " or the GNU General Public License,\nversion 2.0 or later.\n",
            ["apache-2.0", "gpl-2.0"],
        ),
    ],
)
def test_another_license_named_on_a_catalog_references_line_is_read(text, expected):
    assert sorted({m.id for m in refs(text)}) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A name inside another license's name is part of it, not a license of its own: "Modified MIT License" is
        # the title of Kimi K2's license and of GPT-2's, each MIT with changes of its own.
        ("This model is released under the Modified MIT License.\n", ["gpt2-modified-mit", "modified-mit"]),
        (
            "licensed under the Apache License, Version 2.0 (http://www.apache.org/licenses/LICENSE-2.0)\n",
            ["apache-2.0"],
        ),
        # Another version named after "Apache Software License" is that version, not Apache-2.0.
        ("The distribution is licensed under the Apache Software License, Version 1.1.\n", ["apache-1.1"]),
        ("This copy is licensed under the\nApache (Software) License, version 2.0.\n", ["apache-2.0"]),
    ],
)
def test_a_catalog_reference_line_names_no_license_beside_it_that_it_does_not_hold(text, expected):
    assert sorted({m.id for m in refs(text)}) == expected


def test_a_name_every_edition_goes_by_with_one_catalog_edition_names_none():
    # Hunyuan-Large's cards say "tencent-license", which Tencent's other editions go by too: not that edition.
    assert identify_text("This model is released under the Tencent License.\n", CAT) == []


def test_a_line_break_written_as_an_entity_keeps_the_lines_as_written():
    # "&#10;" inside an attribute is no line of the file: a reference's line is the file's own.
    text = (
        '<p title="a&#10;b&#10;c">Model</p>\nLicensed under Apache 2.0; weights under the Llama 2 Community License.\n'
    )
    assert ids_and_lines(refs(text)) == [("apache-2.0", 2), ("llama2", 2)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Apache 2.0 license, compatible with the GPL v3.\n", ["apache-2.0"]),
        ("Released under the MIT License, unlike the GPL-licensed original.\n", ["mit"]),
        (
            "Boost is licensed under the Boost license, which is functionally equivalent to the MIT license.\n",
            ["bsl-1.0"],
        ),
        ("The license changed from CC-BY-NC-4.0 to CC-BY-4.0 on May 12th 2021.\n", ["cc-by-4.0"]),
        ("The weights were relicensed from CC BY-NC 4.0 to Apache 2.0.\n", ["apache-2.0"]),
        ("The MIT license is compatible with both the GPL and commercial software.\n", ["mit"]),
        # Terms put under the comparison are the license's: a restriction never disappears with it.
        ("The model weights are made available under terms equivalent to CC BY-NC 4.0.\n", ["cc-by-nc-4.0"]),
        ("Licensed under terms compatible with the GPL v3.\n", ["gpl-3.0"]),
        ("This model is licensed under a license similar to MIT.\n", ["mit"]),
        ("The model is released under a license compatible with the Llama 2 Community License.\n", ["llama2"]),
        ("License: equivalent to Apache 2.0\n", ["apache-2.0"]),
        # A comparison puts aside the name after it, not a list it would open.
        (
            "double-licensed under the CeCILL-C license (French equivalent to LGPL) and the MIT license.\n",
            ["cecill-c", "mit"],
        ),
    ],
)
def test_a_name_compared_with_or_left_behind_is_no_license_of_the_text(text, expected):
    assert sorted({m.id for m in refs(text)}) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "Apache" without a version after a verb that puts a work under it is the Hub's Apache-2.0.
        ("The code is published under an Apache license.\n", ["apache-2.0"]),
        ("Weights are released under the Apache License.\n", ["apache-2.0"]),
        ("distributed under the Apache Software License, Version 1.1\n", ["apache-1.1"]),
        ("Released under Apache 2\n", ["apache-2.0"]),
        ("redistributed under the Apache Software\n License v2.0\n", ["apache-2.0"]),
        # In the style of a license is no license, nor is another Apache project's or the foundation's.
        ("Released under an Apache-style license.\n", []),
        ("Made available under an Apache-compatible license.\n", []),
        ("The dataset is available under the Apache Software Foundation's CLA.\n", []),
        ("Our connector is provided under Apache Spark's license.\n", []),
        ("Available under Apache Arrow format on the Hub.\n", []),
        ("Subversion is released under a Apache/BSD-style license\n", []),
        # Lua's license page is the MIT license's.
        (
            'Freely available under the terms of the <a href="http://www.lua.org/license.html">Lua license</a>.\n',
            ["mit"],
        ),
        # The Library GPL by a short name, with and without its version.
        ("It is covered by the GNU library license version 2, see the file 'COPYING.LIB'.\n", ["lgpl-2.0-only"]),
        ("It is covered by the GNU library license.\n", ["lgpl-2.0-or-later"]),
        # A short name's words without "GNU" are another license's ("PNG Reference Library License version 2").
        ("PNG Reference Library License version 2\n", []),
    ],
)
def test_common_names_of_licenses_without_their_full_name(text, expected):
    assert sorted({m.id for m in identify_text(text, CAT) if m.id != "other"}) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Put under terms, an id without a version names its license as license words do.
        ("The code is released under MIT.\n", ["MIT"]),
        ("This model is released under Apache, and the code under MIT.\n", ["Apache-2.0", "MIT"]),
        ("Released under ISC.\n", ["ISC"]),
        ("Released under WTFPL.\n", ["WTFPL"]),
        (
            "The code in this repo is under MIT, the model weights under Llama 3 license.\n",
            ["LicenseRef-llama3", "MIT"],
        ),
        ("Released under MIT/Apache-2.0.\n", ["Apache-2.0", "MIT"]),
        ("Project is bound by MIT AND BSD-3-Clause licenses.\n", ["BSD-3-Clause", "MIT"]),
        ("Licensed under the JSON license.\n", ["JSON"]),
        ("You can redistribute and/or modify it under the same terms as Ruby.\n", ["Ruby"]),
        ("Same license as vim.\n", ["Vim"]),
        # Only the ids after the putting-under phrase: a word before it is not put under anything.
        ('The documentation, supplied in the "doc" directory, is distributed under the same terms.\n', []),
        # Where nothing is put under terms, an id that is also a word is that word.
        ("Work done under MIT supervision.\n", []),
    ],
)
def test_an_id_without_a_version_put_under_terms_is_a_reference(text, expected):
    assert sorted(m.spdx for m in identify_text(text, CAT, prose=True)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An institution, a company, a format or a program of the same name, on a line that speaks of licenses.
        ("Copyright (c) 2019 MIT CSAIL. Licensed under the Apache License 2.0.\n", ["Apache-2.0"]),
        ("Copyright 2020 MIT. Licensed under Apache-2.0.\n", ["Apache-2.0"]),
        ("This model was trained by researchers at MIT and is licensed under CC-BY-4.0.\n", ["CC-BY-4.0"]),
        ("Made with love at MIT, under the Apache license.\n", []),
        ("Licensed by MIT to you under the terms below.\n", []),
        ("Model developed by Intel. License: Apache 2.0\n", ["Apache-2.0"]),
        (
            "This model was fine-tuned by Intel on Intel Gaudi 2 processors; licensed under Apache 2.0.\n",
            ["Apache-2.0"],
        ),
        ("Trained on Intel Xeon; license: MIT\n", ["MIT"]),
        ("Developed by W3C; licensed under CC-BY-4.0.\n", ["CC-BY-4.0"]),
        ("The dataset is provided in JSON format under the CC-BY-4.0 license.\n", ["CC-BY-4.0"]),
        ("This model outputs JSON and is licensed under Apache 2.0.\n", ["Apache-2.0"]),
        ("Trained on ICU patient notes; license: cc-by-nc-4.0\n", ["CC-BY-NC-4.0"]),
        ("Licensed under the Apache 2.0 license. Uses OpenSSL for TLS.\n", ["Apache-2.0"]),
        ("License: MIT. Requires Python and Ruby.\n", ["MIT"]),
        ("Qt is released under GPL for X11.\n", ["GPL-1.0-or-later"]),
        (
            "Sie sollten ein Exemplar der GNU General Public License zusammen mit PyChess erhalten haben.\n",
            ["GPL-1.0-or-later"],
        ),
        ("The Debian packaging is licensed under the same terms as MIT Kerberos.\n", []),
        # A license word that names a body, not terms.
        ("For commercial licensing, contact the MIT Technology Licensing Office.\n", []),
        ("Copyright 2020 Massachusetts Institute of Technology; contact the MIT Licensing Office.\n", []),
        ("Intel licensing department approval is required.\n", []),
        ("Desarrollado en el MIT, con licencia Apache 2.0.\n", ["Apache-2.0"]),
        # The same names where a license's name stands.
        ("license: mit\n", ["MIT"]),
        ("MIT\n", ["MIT"]),
        ('licensed under the "MIT Expat" license.\n', ["MIT"]),
        ("It is licensed under the standard MIT terms.\n", ["MIT"]),
        ("License: JSON\n", ["JSON"]),
        ("See W3C License http://www.w3.org/Consortium/Legal/ for more details.\n", ["W3C"]),
    ],
)
def test_an_id_that_is_also_a_name_is_the_name_where_it_is_used_as_one(text, expected):
    found = identify_text(text, CAT, prose=True)
    named = sorted({m.spdx for m in found if m.kind == "reference"})
    assert named == expected, found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A code fence's language, a word beside text _TOKEN does not read and a file's name are no license.
        ('Call the tool:\n\n```json\n{"name": "search"}\n```\n', []),
        ("+ 使用Curl进行测试\n", []),
        ("|-- $MODEL_PATH\n|   |-- config.json\n|   |-- generation_config.json\n|   |-- LICENSE\n", []),
        ("data/\n├── json\n└── videos\n", []),
        ("### cURL\n", []),
        ("curl http://localhost:3000/v1/chat/completions \\\n", []),
        ("| 7B | 0087155d6df07106c1d9<br/>461bc5e50200db7813ff99cc0b9316c48ccbd6aaaa31bf8cf7bee0b64bc3eda3 |\n", []),
        # A model of a size is no license, "in terms of" no license words.
        ("For Llama 3.1 405B, our study measured uplift in terms of skill level and speed.\n", []),
        # The id as a link's text, a comment's line: still alone.
        ("[MS-RL](https://wixtoolset.org/about/license/)\n", ["MS-RL"]),
        ("MIT https://github.com/foo/bar/blob/main/LICENSE\n", ["MIT"]),
        ("# MIT\n", ["MIT"]),
        # A path's folder, a folder's name and a part of a code's identifier are no license.
        ("The GPL is contained in /usr/doc/copyright/GPL on a Debian system.\n", ["GPL-1.0-or-later"]),
        ('The text of the licenses lies in the "doc" directory.\n', []),
        ("%%%LICENSE_START(GPLv2+_DOC_FULL)\n", ["GPL-2.0-or-later"]),
        # Chinese license words make an id a reference as English ones do.
        ("这个软件的免费使用是在MIT许可条款授予的\n", ["MIT"]),
    ],
)
def test_what_only_looks_like_an_id_alone_on_its_line(text, expected):
    assert sorted(m.spdx for m in identify_text(text, CAT, prose=True)) == expected


BADGE_ROW = (
    '<div align="center">\n'
    '  <a href="https://github.com/example/model/blob/main/LICENSE">\n'
    '    <img alt="License" src="https://img.shields.io/badge/{badge}?style=flat-square"/>\n'
    "  </a>\n"
    "</div>\n\n"
    "# Example-M1\n\n"
    "We introduce Example-M1, an open-weight reasoning model trained with large-scale reinforcement learning on\n"
    "diverse problems, from mathematical reasoning to software engineering in sandboxed environments.\n"
)


@pytest.mark.parametrize(
    ("badge", "expected"),
    [
        ("⚖️_License-Apache_2.0-FF4040", ["Apache-2.0"]),
        ("License-Apache_2.0-blue", ["Apache-2.0"]),
        # Kimi K2's badge: its modified MIT, never the MIT License as such.
        ("License-Modified_MIT-f5de53", ["LicenseRef-modified-mit"]),
    ],
)
def test_a_badge_row_above_a_readmes_first_words_is_read(badge, expected):
    text = BADGE_ROW.format(badge=badge)
    found = identify_text(text, CAT, prose=True)
    assert sorted(m.spdx for m in found) == expected
    assert all(m.start_line == 3 for m in found)


@pytest.mark.parametrize(
    "text",
    [
        "We report perplexity (PPL) on the held-out set; the model is licensed under Apache 2.0.\n",
        "Transcripts use IPA symbols. License: CC-BY-4.0\n",
    ],
)
def test_an_abbreviation_machine_learning_uses_for_something_else_is_no_license(text):
    assert [m.spdx for m in identify_text(text, CAT, prose=True)] in (["Apache-2.0"], ["CC-BY-4.0"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("License: GPLv2+\n", ["GPL-2.0-or-later"]),
        ("Licensed under LGPLv2.1+\n", ["LGPL-2.1-or-later"]),
        ("GNU AGPL v3+\n", ["AGPL-3.0-or-later"]),
        ("License: GPL-3+ or Custom\n", ["GPL-3.0-or-later"]),
        ("gnu lgpl 2.1 plus\n", ["LGPL-2.1-or-later"]),
        ("available under the terms of the GNU GPL v3 or above\n", ["GPL-3.0-or-later"]),
        # A plus that adds an exception is no later version.
        ("GPLv2 + Classpath Exception\n", ["GPL-2.0-only"]),
        ("licensed exactly like libstdc++ (GPLv3 + GCC Runtime Library Exception)\n", ["GPL-3.0-only"]),
    ],
)
def test_a_gnu_version_with_a_plus_names_the_later_versions(text, expected):
    found = identify_text(text, CAT)
    assert sorted(m.spdx for m in found if m.kind == "reference") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Upgrade license from LGPLv2+ to LGPLv2.1+\n", ["LGPL-2.1-or-later"]),
        ("changed the license from LGPL to MIT\n", ["MIT"]),
        (
            "Upgraded the project license from the [Community License for BlueLM Model](MODEL_LICENSE.pdf) to the "
            "[OpenAtom Model License](https://github.com/vivo-ai-lab/BlueLM/blob/main/OpenAtom%20Model%20License.pdf).\n",
            ["LicenseRef-openatom-model-license-1.0"],
        ),
        (
            "本项目的大模型开源许可证进行了一次重要更新，由 [原vivo_BlueLM模型许可协议](MODEL_LICENSE.pdf) 变更为 "
            "[开放原子模型许可证](https://github.com/vivo-ai-lab/BlueLM/blob/main/OpenAtom%20Model%20License.pdf)。\n",
            ["LicenseRef-openatom-model-license-1.0"],
        ),
    ],
)
def test_the_license_a_text_changed_from_is_not_its_license(text, expected):
    assert sorted(m.spdx for m in identify_text(text, CAT, prose=True)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "is under" and a putting-under phrase govern the id right after "under", not every later one.
        ("This model is under active development and uses MIPS for retrieval.\n", []),
        ("The project is under development; we train with GD and SL.\n", []),
        ("Our code is released under MIT; retrieval uses MIPS.\n", ["MIT"]),
        ("Released under GPL3+/GPLv2+/MIT.\n", ["GPL-2.0-or-later", "GPL-3.0-or-later", "MIT"]),
        # A thing's name after "under" and other words, or before more words, is that thing.
        ("The dataset is under review at MIT.\n", []),
        ("The annotations are available under JSON and CSV formats.\n", []),
        ("Results are under PPL and accuracy metrics.\n", []),
        ("The server is under curl control.\n", []),
        ("The documentation is under doc/ and is released under CC-BY-4.0.\n", ["CC-BY-4.0"]),
        # Two things' names do not make a list of licenses; an SPDX operator does.
        ("Thanks to MIT and Intel for compute. Licensed under Apache 2.0.\n", ["Apache-2.0"]),
        ("Tokenizer: ICU, license: Apache-2.0\n", ["Apache-2.0"]),
        ("- Format: JSON, License: CC-BY-4.0\n", ["CC-BY-4.0"]),
        ("| Format | JSON | License | CC-BY-4.0 |\n", ["CC-BY-4.0"]),
        ("Quantized with Intel Neural Compressor (license: Apache-2.0).\n", ["Apache-2.0"]),
        ("The source code is disjunctively dual licensed (NCSA OR MIT).\n", ["MIT", "NCSA"]),
        ("License: Ruby's or LGPL\n", ["LGPL-2.0-or-later", "Ruby"]),
        # A list item that starts with a label does not continue the name before it.
        ("- **Developed by:** MIT\n- **License:** apache-2.0\n", ["Apache-2.0"]),
        # License words in other languages.
        ("ライセンス: MIT\n", ["MIT"]),
        ("Лицензия: MIT\n", ["MIT"]),
        ("開源協議：MIT\n", ["MIT"]),
        ("Mit dieser Lizenz werden Rechte eingeräumt.\n", []),
        ("Das Modell steht unter der MIT-Lizenz.\n", ["MIT"]),
        ("Das Modell ist mit MIT Lizenz veröffentlicht.\n", ["MIT"]),
        ("Veröffentlicht unter der Apache-2.0-Lizenz.\n", ["Apache-2.0"]),
        ("Entwickelt mit MIT und Stanford.\n", []),
        ("Wir veröffentlichen das Modell mit Lizenz.\n", []),
        ("SIE ERKLÄREN SICH MIT DEN LIZENZBEDINGUNGEN EINVERSTANDEN.\n", []),
        ("Modello rilasciato con licenza MIT.\n", ["MIT"]),
        ("Distribuito con MIT Licenza.\n", ["MIT"]),
        ("Licentie: MIT\n", ["MIT"]),
        ("Este modelo se distribuye bajo la licencia del MIT.\n", ["MIT"]),
        ("Codice rilasciato con licenza del MIT.\n", ["MIT"]),
        ("Ce projet est sous licence du MIT.\n", ["MIT"]),
        ("Modellen är licensierad under MIT-licensen.\n", ["MIT"]),
        ("Es gelten die MIT-Lizenzbedingungen.\n", ["MIT"]),
        ("Modellen er udgivet under MIT-licens.\n", ["MIT"]),
        ("Modellen er lisensiert under MIT-lisensen.\n", ["MIT"]),
        ("License: Modified MIT\n", []),
        (
            "- **License:** [Modified MIT License](https://github.com/openai/gpt-2/blob/master/LICENSE)\n",
            ["LicenseRef-gpt2-modified-mit"],
        ),
        # Ids written as words are those words beside a license named elsewhere on the line; where a license's
        # name stands, they are licenses.
        ("We fine-tuned on 10k video clips; license: cc-by-4.0\n", ["CC-BY-4.0"]),
        ("We use video clips. License: MIT\n", ["MIT"]),
        ("The training loop is in train.py; license MIT.\n", ["MIT"]),
        ("A blessing for the community. License: Apache-2.0\n", ["Apache-2.0"]),
        ("Synonyms from WordNet are used; the license is MIT.\n", ["MIT"]),
        ("Images in the style of Pixar; license: openrail\n", ["LicenseRef-openrail"]),
        ("License: Blessing\n", ["blessing"]),
        ("Released under the WordNet license.\n", ["WordNet"]),
        ("Licenses: MIT, ISC\n", ["ISC", "MIT"]),
        ("Apache License; Version 2.0\n", ["Apache-2.0"]),
    ],
)
def test_an_id_that_is_also_a_word_in_real_sentences(text, expected):
    assert_reference_ids(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # An item of a list of other things: a card's languages, programming languages, tags.
        ("language:\n- en\n- fr\n- mit\n- sl\n- de\n", []),
        ("## Programming languages\n\n- Python\n- Ruby\n- Rust\n- Go\n", []),
        ("Tags:\n* Intel\n* NVIDIA\n* AMD\n", []),
        # Code.
        ("response = requests.post(\n        url,\n        json={\n", []),
        # A list of licenses: led in by a license word, or of license ids.
        ("## License\n\n- MIT\n", ["MIT"]),
        ("Licenses:\n- MIT\n- Zlib\n", ["MIT", "Zlib"]),
        ("- MIT\n", ["MIT"]),
        ("- MIT\n- Apache-2.0\n", ["Apache-2.0", "MIT"]),
        ("MIT\n", ["MIT"]),
    ],
)
def test_an_id_alone_on_a_line_of_a_list_of_other_things_names_nothing(text, expected):
    assert_reference_ids(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A license said to be modified is not that license as such, nor a license whose name is a part of its.
        ("This model is licensed under a modified CreativeML OpenRAIL-M license.\n", []),
        ("Modified Apache 2.0 License\n", []),
        ("This software may be redistributed under a modified GNU Lesser General Public Licence version 3.\n", []),
        # "modified" as a verb, and "modified BSD" as BSD's own name for its three-clause form.
        (
            "This program may be distributed and/or modified under the terms of the GNU General Public License "
            "version 2.\n",
            ["GPL-2.0-only"],
        ),
        ("Distributed under the Modified BSD License.\n", ["BSD-3-Clause"]),
    ],
)
def test_a_license_said_to_be_modified_is_not_that_license(text, expected):
    assert_reference_ids(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Licensed under GPL v2 plus Classpath Exception.\n", ["GPL-2.0-only"]),
        ("Licensed under GPLv3 plus additional permissions.\n", ["GPL-3.0-only"]),
        ("Licensed under GPLv2 and LGPLv2+.\n", ["GPL-2.0-only", "LGPL-2.0-or-later"]),
        ("AGPLv3+ for the server and GPLv3 for the client.\n", ["AGPL-3.0-or-later", "GPL-3.0-only"]),
        ("License: GPLv3. Requires Python 3 or higher.\n", ["GPL-3.0-only"]),
        ("Licensed under GPL v2; tested with gcc 2 or newer\n", ["GPL-2.0-only"]),
        ("License: GPL‑2+ https://spdx.org/licenses/GPL‑2.0‑or‑later.html\n", ["GPL-2.0-or-later"]),
        ("GNUGPL3+\n", ["GPL-3.0-or-later"]),
    ],
)
def test_a_later_version_is_the_licenses_own(text, expected):
    assert_reference_ids(text, expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("许可证由 CC BY-NC 4.0 变更为 CC BY 4.0。\n", ["CC-BY-4.0"]),
        ("本项目的许可证由 Apache 2.0 变更为 MIT。\n", ["MIT"]),
        ("许可证由 Apache-2.0 变更为 MIT\n", ["MIT"]),
        ("由于数据采用 CC BY-NC 4.0 许可，模型许可也改为非商用。\n", ["CC-BY-NC-4.0"]),
    ],
)
def test_the_license_a_chinese_text_changed_from(text, expected):
    assert sorted({m.spdx for m in identify_text(text, CAT, prose=True)}) == expected


def test_a_links_checksum_or_host_is_not_read_as_words():
    text = (
        "Licensed under MIT. Upstream: https://github.com/foo/bar/tree/0e9e39f249a16976918f6564b8830bc894c89659/"
        "gpl-3.0/src and https://mirrors.up.pt/pub/gnu/gpl-3.0/index.html\n"
    )
    assert [m.spdx for m in identify_text(text, CAT, prose=True)] == ["MIT"]


@pytest.mark.parametrize(
    "text",
    [
        "由 GPL v2 " * 3000,
        "MIT. " * 8000 + "license",
        "released under MIT " * 10000,
        "Intel " * 1000 + "license " + "Intel " * 30000,
        '{"license":"MIT"},' * 10000,
        "Licensed under GPLv2 license" + "-" * 50000 + "+",
        "x.json " + "a." * 25000,
    ],
)
def test_a_long_line_of_repeated_names_is_read_once_per_name(text):
    # One reference per license and line, whatever the number of times the line names it (each name read once
    # and every pattern bounded: these lines took seconds to minutes when each name re-read the whole line).
    found = identify_text(text, CAT)
    assert len({(m.spdx, m.start_line) for m in found}) == len(found)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The dataset is released under the ODC-BY license.\n", ["ODC-By-1.0"]),
        ("The dataset is available under ODC-By.\n", ["ODC-By-1.0"]),
        (
            "This model is released under the terms of the BigScience BLOOM RAIL License v1.0.\n",
            ["LicenseRef-bigscience-bloom-rail-1.0"],
        ),
        ("The code is MIT-licensed; the model weights are CC-BY-NC-4.0.\n", ["CC-BY-NC-4.0", "MIT"]),
        ("模型权重遵循 Qwen 许可协议。\n", ["LicenseRef-qwen"]),
    ],
)
def test_short_names_cards_use(text, expected):
    assert sorted(m.spdx for m in identify_text(text, CAT, prose=True)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Licensed under the GNU Affero GPL v3+.\n", ["AGPL-3.0-or-later"]),
        ("Licensed under the GNU Lesser GPL v2.1+.\n", ["LGPL-2.1-or-later"]),
        # Only the license named inside "由 … 变更为" is left behind; the same license named elsewhere stays.
        (
            "代码采用 Apache License 2.0 许可，权重许可证由 Apache License 2.0 变更为 MIT License。\n",
            ["Apache-2.0", "MIT"],
        ),
        ("代码采用 CC BY-NC 4.0 许可；权重许可由 CC BY-NC 4.0 变更为 Apache 2.0。\n", ["Apache-2.0", "CC-BY-NC-4.0"]),
        # A link to a license's text beside a word written in lower case does not make the word an id.
        ("json https://github.com/foo/bar/blob/main/LICENSE.md\n", []),
    ],
)
def test_second_reading_of_real_lines(text, expected):
    assert sorted({m.spdx for m in identify_text(text, CAT, prose=True)}) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The checkpoints are released under " + " ".join(f"step{i}" for i in range(1000)) + " MIT",
        "Qwen 许可协议 " * 19000,
        "许可证由 Apache-2.0 变更为 MIT，" * 8000,
        "由 " + "Apache-2.0 " * 17000,
    ],
)
def test_long_lines_of_names_or_changes_are_read(text):
    # Each of these raised RecursionError or took from 20 s to minutes when a line was read again for each
    # name on it; one reference per license and line either way.
    found = identify_text(text, CAT)
    assert len({(m.spdx, m.start_line) for m in found}) == len(found)


def test_a_markdown_tables_license_column_names_each_rows_license():
    text = (
        "| **Model** | **Base Model** | **License** |\n"
        "| :---: | :---: | :---: |\n"
        "| R1-Distill-Qwen-1.5B | Qwen2.5-Math-1.5B | Apache 2.0 |\n"
        "| R1-Distill-Llama-8B | Llama-3.1-8B | Llama 3.1 |\n"
        "| tiny | none | MIT |\n"
    )
    found = identify_text(text, CAT, prose=True)
    assert sorted((m.spdx, m.start_line) for m in found) == [("Apache-2.0", 3), ("LicenseRef-llama3.1", 4), ("MIT", 5)]
    # Without such a column the same cells name nothing.
    assert identify_text("| Name | Value |\n|---|---|\n| MIT | yes |\n", CAT, prose=True) == []
