"""save_uploads: untrusted files reach the articles folder only when safe and readable."""

from __future__ import annotations

import os
import re

import pytest

from assistant import Settings
from assistant.uploads import safe_name, save_uploads, set_aside
from assistant.web.strings import reason as web_reason

from conftest import hexo, write

SETTINGS = Settings(max_upload_mb=0.01)  # 10 kB: the size check needs no big files
ARTICLE = hexo("上传测试", "<p>这是一篇用来测试上传的短文章，内容足够长。</p>")


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "articles"


def upload_dir(tmp_path, name="up"):
    return tmp_path / name


def test_saves_a_good_article(tmp_path, folder):
    src = write(upload_dir(tmp_path) / "news.md", ARTICLE)
    saved, rejected = save_uploads([src], folder, SETTINGS)
    assert rejected == []
    assert saved == [folder.resolve() / "news.md"]
    assert saved[0].read_bytes() == src.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["news.md"]  # no temporary file left behind


def test_collision_gets_a_numbered_name_and_same_content_is_not_duplicated(tmp_path, folder):
    first = write(upload_dir(tmp_path, "a") / "news.md", ARTICLE)
    other = write(upload_dir(tmp_path, "b") / "news.md", ARTICLE.replace("短文章", "另一篇文章"))
    saved1, _ = save_uploads([first], folder, SETTINGS)
    saved2, _ = save_uploads([other], folder, SETTINGS)
    saved3, _ = save_uploads([first, other], folder, SETTINGS)
    assert [p.name for p in saved2] == ["news-2.md"]
    assert saved3 == saved1 + saved2  # both already there: nothing new written
    assert sorted(p.name for p in folder.iterdir()) == ["news-2.md", "news.md"]
    assert (folder / "news.md").read_bytes() == first.read_bytes()  # never overwritten


@pytest.mark.parametrize("name, expected", [
    ("../../etc/evil.md", "evil.md"),
    ("..\\..\\evil.md", "evil.md"),
    (".hidden.md", "hidden.md"),
    ("..md", "article.md"),
    ("README.md", "upload-README.md"),
    ("_draft.md", "draft.md"),
    ('a<b>:c|d?.MD', "a_b_c_d.md"),
    ("前端 数字化\t报告.html", "前端 数字化_报告.html"),
])
def test_safe_name(name, expected):
    assert safe_name(name, SETTINGS) == expected


def test_long_names_are_shortened_to_fit_the_file_system():
    name = safe_name("数" * 300 + ".md", SETTINGS)
    assert name.endswith(".md") and len(name.encode("utf-8")) <= 200


def test_a_name_cannot_escape_the_folder(tmp_path, folder):
    src = write(upload_dir(tmp_path) / "x.md", ARTICLE)
    os.rename(src, src.with_name("..md"))  # the closest a real file name gets to "../"
    saved, rejected = save_uploads([src.with_name("..md")], folder, SETTINGS)
    assert rejected == [] and saved == [folder.resolve() / "article.md"]
    assert list(tmp_path.glob("*.md")) == []


def test_symlink_in_the_folder_is_never_written_through(tmp_path, folder):
    outside = write(tmp_path / "outside.md", "keep me")
    folder.mkdir()
    (folder / "news.md").symlink_to(outside)
    saved, _ = save_uploads([write(upload_dir(tmp_path) / "news.md", ARTICLE)], folder, SETTINGS)
    assert saved[0].name == "news-2.md"
    assert outside.read_text() == "keep me"


@pytest.mark.parametrize("name, content, reason", [
    ("photo.png", b"\x89PNG\r\n", "unsupported file type .png"),
    ("notes", b"text", "unsupported file type (none)"),
    ("big.md", b"x" * 20_000, "upload limit"),
    ("empty.md", b"", "empty"),
    ("binary.txt", b"\x00\x01\x02" * 100, "binary"),
    ("latin.md", "Ça coûte très cher, déjà vu.".encode("latin-1") * 3, "decode"),
    ("headings.md", "# only a heading\n".encode(), "no text"),
])
def test_rejects_with_a_reason_and_writes_nothing(tmp_path, folder, name, content, reason):
    src = upload_dir(tmp_path) / name
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_bytes(content)
    good = write(upload_dir(tmp_path) / "good.md", ARTICLE)
    saved, rejected = save_uploads([src, good], folder, SETTINGS)
    assert [p.name for p in saved] == ["good.md"]  # one bad file does not stop the others
    assert len(rejected) == 1 and rejected[0][0] == name and reason in rejected[0][1], rejected
    assert sorted(p.name for p in folder.iterdir()) == ["good.md"]
    # the Chinese page says why in Chinese (the English reason would otherwise be shown as it is)
    assert re.search(r"[\u4e00-\u9fff]", web_reason("zh", rejected[0][1])), rejected[0][1]
    assert web_reason("en", rejected[0][1]) == rejected[0][1]


def test_a_broken_front_matter_warning_is_said_in_chinese_on_the_chinese_page(tmp_path):
    from assistant.articles import read_article

    path = write(tmp_path / "broken.md", "---\ntitle: [unclosed\ndate: 2024-01-02\n---\n\n正文有一句话。\n")
    warning = read_article(path).warnings[0]
    assert "not valid YAML" in warning
    assert web_reason("zh", warning).startswith("文件头（front matter）") and "已忽略文件头收录正文" in web_reason("zh", warning)


def test_other_encodings_are_accepted_and_kept_as_uploaded(tmp_path, folder):
    src = upload_dir(tmp_path) / "gbk.txt"
    src.parent.mkdir(parents=True)
    src.write_bytes("前端数字化面向客户，后端数字化面向内部流程。".encode("gbk"))
    saved, rejected = save_uploads([src], folder, SETTINGS)
    assert rejected == [] and saved[0].read_bytes() == src.read_bytes()


def test_set_aside_moves_a_file_into_a_hidden_bin_and_never_overwrites(tmp_path, folder):
    first = write(folder / "news.md", "one")
    assert set_aside(first, folder) == folder.resolve() / ".deleted" / "news.md"
    write(folder / "news.md", "two")
    assert set_aside(folder / "news.md", folder).name == "news-2.md"
    assert sorted(p.read_text() for p in (folder / ".deleted").iterdir()) == ["one", "two"]
    assert not (folder / "news.md").exists()
    outside = write(tmp_path / "elsewhere.md", "keep")
    assert set_aside(outside, folder) is None and outside.exists()  # not ours to move
