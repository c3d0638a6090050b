"""License files in every form a publisher ships: PDF, markdown, HTML, UTF-16 and GBK texts. None of
them is ever "no license"."""

from __future__ import annotations

import json

import pytest
from conftest import SHARED, card, license_text, write_tree

from license_audit.catalog import load_catalog
from license_audit.crawl import crawl, is_license_file
from license_audit.documents import pdf_text, read_document
from license_audit.identify import identify_file, identify_text
from license_audit.safeio import decode_text, looks_binary

CAT = load_catalog()

CHINESE_LICENSE = """模型许可协议

1. 定义
本协议中的模型是指由发布方公开发布的模型。本协议适用于开发者学习与非商业使用；商业使用需另行取得书面授权。

2. 许可授予
在遵守本协议条款的前提下，您获得一项非独占、全球范围、不可转让、不可再许可、可撤销的免费版权许可，
可以使用、复制、分发本模型。上述版权声明和本许可声明应包含在本模型的所有副本中。

3. 责任限制
本模型按“原样”提供，发布方不承担任何明示或暗示的担保责任。
"""


def make_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF whose text layer holds `lines` (ASCII), built by hand."""
    esc = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
    ops = ["BT", "/F1 9 Tf", "11 TL", "40 800 Td"] + [f"({ln}) Tj T*" for ln in esc] + ["ET"]
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def mit_lines() -> list[str]:
    text = license_text("mit").replace("<year> <copyright holders>", "2024 Example Corp.")
    return list(text.splitlines())


# ---- PDF ---------------------------------------------------------------------------------------------


def test_pdf_license_text_is_read_and_identified():
    pytest.importorskip("pypdf")
    doc = read_document("MODEL_LICENSE.pdf", make_pdf(mit_lines()))
    assert doc.problem is None and "Permission is hereby granted" in doc.text
    assert [m.id for m in identify_file("MODEL_LICENSE.pdf", doc.text, CAT)] == ["mit"]


def test_pdf_problems_are_one_sentence_not_a_traceback():
    pytest.importorskip("pypdf")
    assert pdf_text(b"%PDF-1.4 not really a pdf").problem
    assert pdf_text(b"x" * (17 * 1024 * 1024)).problem.startswith("is a PDF larger than")


def test_a_repo_with_only_a_pdf_license_is_not_unlicensed(cli, tmp_path):
    pytest.importorskip("pypdf")
    root = write_tree(
        tmp_path / "repo", {"README.md": card("license: mit"), "MODEL_LICENSE.pdf": make_pdf(mit_lines())}
    )
    assert is_license_file("MODEL_LICENSE.pdf") and not is_license_file("technical_report.pdf")
    snap = crawl(root)
    assert "Permission is hereby granted" in snap.license_texts["MODEL_LICENSE.pdf"]
    report = json.loads(cli("audit", str(root), "--format", "json", "--no-history").output)
    assert report["license_files"][0]["licenses"][0]["id"] == "mit"
    assert not {f["rule"] for f in report["findings"]} & {"license-missing", "license-unknown", "license-mismatch"}


def test_cli_identify_reads_a_pdf(cli, tmp_path):
    pytest.importorskip("pypdf")
    path = tmp_path / "LICENSE.pdf"
    path.write_bytes(make_pdf(mit_lines()))
    res = cli("identify", str(path), "--format", "json")
    assert res.exit_code == 0 and json.loads(res.output)[0]["licenses"][0]["id"] == "mit"
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n garbage")
    res = cli("identify", str(broken))
    assert res.exit_code == 2 and "cannot" in res.output and "Traceback" not in res.output


@pytest.mark.skipif(
    not (SHARED / "data" / "model-repos" / "bluelm-7b-publisher-pdf-licenses").is_dir(), reason="shared data absent"
)
def test_publisher_pdf_licenses_are_never_no_license():
    pytest.importorskip("pypdf")
    folder = SHARED / "data" / "model-repos" / "bluelm-7b-publisher-pdf-licenses"
    for pdf in sorted(folder.glob("*.pdf")):
        doc = read_document(pdf.name, pdf.read_bytes())
        assert doc.text, (pdf.name, doc.problem)
        assert identify_file(pdf.name, doc.text, CAT), pdf.name


# ---- encodings ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_texts_with_and_without_byte_order_mark(encoding):
    data = license_text("apache-2.0").encode(encoding)
    assert not looks_binary(data)
    assert [m.id for m in identify_file("LICENSE", decode_text(data), CAT)] == ["apache-2.0"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-8"])
def test_chinese_license_terms_are_never_no_license(encoding):
    text = decode_text(CHINESE_LICENSE.encode(encoding))
    assert "许可" in text
    found = identify_file("MODEL_LICENSE", text, CAT)
    assert [m.id for m in found] == ["other"]


JAPANESE_LICENSE = """本モデルの使用許諾契約

1. 許諾者は、本契約の条件に従い、利用者に対し、本モデルを研究目的に限り使用する非独占的なライセンスを許諾します。
2. 利用者は、許諾者の書面による事前の承諾なく、本モデルを商用の目的で使用し、または第三者に頒布してはなりません。
3. 本モデルは現状のまま提供され、許諾者はいかなる保証も行わず、その使用から生じる損害について責任を負いません。
"""

KOREAN_LICENSE = """모델 라이선스 계약

1. 라이선스 허가: 라이선스 제공자는 본 계약의 조건에 따라 귀하에게 연구 목적으로만 모델을 사용할 수 있는 비독점적 라이선스를 부여합니다.
2. 제한: 귀하는 라이선스 제공자의 사전 서면 동의 없이 모델을 상업적 목적으로 사용하거나 제3자에게 배포할 수 없습니다.
3. 보증의 부인: 모델은 있는 그대로 제공되며, 라이선스 제공자는 어떠한 보증도 하지 않고 그 사용으로 인한 손해에 대해 책임을 지지 않습니다.
"""


@pytest.mark.parametrize("text", [JAPANESE_LICENSE, KOREAN_LICENSE], ids=["japanese", "korean"])
def test_japanese_and_korean_license_terms_are_never_no_license(text):
    found = identify_file("LICENSE", text, CAT)
    assert [m.id for m in found] == ["other"], found


def test_a_latin1_text_is_not_read_as_chinese():
    text = decode_text("Copyright \xa9 2024 Caf\xe9 Corp.\n".encode("latin-1"))
    assert "Caf" in text and not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_crawl_reads_a_utf16_license_file(tmp_path):
    root = write_tree(tmp_path / "repo", {"LICENSE": license_text("mit").encode("utf-16")})
    snap = crawl(root)
    assert "Permission is hereby granted" in snap.license_texts["LICENSE"] and not snap.problems


# ---- markup ------------------------------------------------------------------------------------------


def test_markdown_license_file():
    md = "# MIT License\n\n" + "\n\n".join(
        f"**{p}**" if len(p) < 60 else p for p in license_text("mit").split("\n\n")[1:]
    )
    md = md.replace("Permission is hereby granted", "Permission is *hereby* granted").replace(
        "the Software", "the [Software](#software)"
    )
    found = identify_file("LICENSE.md", md, CAT)
    assert [m.id for m in found] == ["mit"] and not found[0].modified


def test_html_license_file():
    import html

    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in license_text("apache-2.0").split("\n\n"))
    page = f"<!DOCTYPE html><html><head><title>License</title></head><body>\n{body}</body></html>\n"
    found = identify_file("LICENSE.html", page, CAT)
    assert [m.id for m in found] == ["apache-2.0"] and not found[0].modified


def test_a_committed_pdf_license_reads_the_same_from_history(cli, tmp_path):
    pytest.importorskip("pypdf")
    import subprocess

    root = write_tree(
        tmp_path / "repo", {"README.md": card("license: mit"), "MODEL_LICENSE.pdf": make_pdf(mit_lines())}
    )
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    import os

    run = {"cwd": root, "check": True, "capture_output": True, "env": {**os.environ, **env}}
    subprocess.run(["git", "init", "-q"], **run)
    subprocess.run(["git", "add", "-A"], **run)
    subprocess.run(["git", "commit", "-qm", "license as PDF"], **run)
    report = json.loads(cli("audit", str(root), "--format", "json").output)
    assert not any("differs from HEAD" in n for n in report.get("notes", [])), report.get("notes")
    assert not {f["rule"] for f in report["findings"]} & {"license-changed", "license-file-removed"}


# The Hub writes a card's front matter with yaml.dump; a long value with quotes and trailing spaces comes out
# double-quoted, its line breaks as "\n" escapes and each continuation line opening with "\ ".
def _gated_card(prompt: str, style: str | None, body: str = "") -> str:
    import yaml

    if style == '"':
        value = yaml.dump({"extra_gated_prompt": prompt}, allow_unicode=True, default_style='"', width=90)
        front = "license: llama3.1\n" + value.replace('"extra_gated_prompt":', "extra_gated_prompt:", 1)
    else:  # as a block scalar, the way Meta's own cards hold it
        indented = "\n".join("  " + ln if ln.strip() else "" for ln in prompt.splitlines())
        front = f"license: llama3.1\nextra_gated_prompt: >-\n{indented}\n"
    return f"---\n{front}extra_gated_fields:\n  First Name: text\n  I accept the terms: checkbox\n---\n\n{body}"


_BODY = "# Llama 3.1 8B GGUF\n\nQuantized with llama.cpp. The prompt format and the download table follow.\n" * 20


@pytest.mark.parametrize("style", ['"', None])
def test_a_license_quoted_in_front_matter_is_read_as_yaml_gives_it(style):
    prompt = license_text("llama3.1") + "\n" + license_text("llama3.1-acceptable-use-policy")
    text = _gated_card(prompt, style, _BODY)
    if style == '"':
        assert "\\n\\\n" in text and "\n  \\ " in text  # the escapes a reader has to undo
    found = {m.id: m for m in identify_file("README.md", text, CAT)}
    lic, policy = found["llama3.1"], found["llama3.1-acceptable-use-policy"]
    assert lic.kind == policy.kind == "text"
    assert not lic.modified and not policy.modified, (lic.changes, policy.changes)
    fields = text.splitlines().index("extra_gated_fields:") + 1
    # Each copy ends where the value does, never in the card's body or the gate's form fields.
    assert 2 <= lic.start_line <= policy.start_line <= policy.end_line < fields
    assert lic.end_line <= policy.start_line


def test_the_gate_edition_of_llama_3_without_its_sentence_of_acceptance_is_the_license():
    # Meta's cards quote the Llama 3 license without "By using or distributing any portion or element of the
    # Llama Materials, you agree to be bound by this Agreement.": the gate takes the acceptance.
    sentence = "By using or distributing any portion or element of the Llama Materials, you agree to be bound by this Agreement."
    full = license_text("llama3")
    assert sentence in full
    text = _gated_card(full.replace(sentence, ""), None).replace("llama3.1", "llama3")
    [lic] = [m for m in identify_file("README.md", text, CAT) if m.id == "llama3"]
    assert lic.kind == "text" and not lic.modified, lic.changes
    # A clause of the terms left out is still a change.
    cut = full.replace("greater than 700 million monthly active users", "")
    [lic] = [m for m in identify_file("README.md", _gated_card(cut, None), CAT) if m.id == "llama3"]
    assert lic.modified


def test_front_matter_without_a_license_copy_reads_as_before():
    # A gate that only names the license: the file reads whole, each reference once.
    text = (
        "---\nlicense: creativeml-openrail-m\nextra_gated_prompt: |-\n"
        "  One more step before getting this model. This model is open access and available to all, with a\n"
        "  CreativeML OpenRAIL-M license further specifying rights and usage. Please read the full license here.\n"
        "---\n\n# Model\n\nLicensed under the CreativeML OpenRAIL-M license.\n"
    )
    found = identify_file("README.md", text, CAT)
    assert found == identify_text(text, CAT, prose=True)
    assert [m.id for m in found] == ["creativeml-openrail-m"]


def test_unreadable_front_matter_reads_the_file_whole():
    text = "---\nlicense: [mit\nextra_gated_prompt: x\n---\n" + license_text("mit")
    found = identify_file("README.md", text, CAT)
    assert [m.id for m in found if m.kind == "text"] == ["mit"]


def _falcon_note() -> list[str]:
    path = SHARED / "data" / "license-texts" / "falcon-180b-tii-license-bilingual-note" / "falcon170BTOU.md"
    if not path.exists():
        pytest.skip("shared data absent")
    return path.read_text(encoding="utf-8").split("\n")


@pytest.mark.parametrize("order", ["original first", "translation first"])
def test_a_translation_beside_the_original_is_no_change_to_it(order):
    # A note that reproduces the Falcon 180B license and then a Chinese translation of it; swapped, the
    # translation comes first (the Stability AI license's Japanese translation before "# 原文" and the text).
    lines = _falcon_note()
    cut = lines.index("## 中文")
    english, chinese = lines[:cut], lines[cut:]
    text = "\n".join(english + chinese if order == "original first" else chinese + english)
    found = identify_file("LICENSE.md", text, CAT)
    # The translation's "based on the Apache License Version 2.0" is the copy's own mention, translated.
    [m] = found
    assert m.id == "falcon-180b-license" and m.kind == "text" and not m.modified, m.changes
    first = 1 if order == "original first" else len(chinese) + 1
    # The copy is the original's lines: of the translation's thousands of ideographs (and its few Latin-script
    # words) it takes in a title's or a list of sources' worth at most.
    taken = "".join(ln for k, ln in enumerate(text.split("\n"), 1) if m.start_line <= k <= m.end_line)
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in "".join(chinese)) > 2000
    assert sum("\u4e00" <= ch <= "\u9fff" for ch in taken) < 100
    assert m.start_line <= first + 12 and m.end_line >= first + len(english) - 12
