"""The command line: index, search, stats, remove, with --help on each."""

import json
import subprocess
import sys

import pytest

from assistant.cli import main

from conftest import FLAGSHIP_ZH, REPO, SEED, hexo, write


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_for_every_command():
    for command in ([], ["index"], ["search"], ["stats"], ["remove"]):
        result = subprocess.run([sys.executable, "-m", "assistant", *command, "--help"], cwd=REPO,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0 and "usage: assistant" in result.stdout
    result = subprocess.run([sys.executable, "-m", "assistant", "index", "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    for flag in ("--index-dir", "--rebuild", "--quiet", "--json"):
        assert flag in result.stdout


def test_index_search_stats_remove(tmp_path, capsys):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "seed.md").write_bytes(SEED.read_bytes())
    write(articles / "bad.md", "")
    index = str(tmp_path / "index")

    code, out, _ = run(capsys, "index", str(articles), "--index-dir", index, "--quiet")
    assert code == 0
    assert "added 1" in out and "failed 1" in out and "bad.md" in out and "empty" in out

    code, out, _ = run(capsys, "index", str(articles), "--index-dir", index, "--quiet", "--json")
    report = json.loads(out)
    assert report["unchanged"] == 1 and report["chunks_embedded"] == 0

    code, out, _ = run(capsys, "search", FLAGSHIP_ZH, "-k", "3", "--json", "--index-dir", index)
    hits = json.loads(out)
    assert code == 0 and len(hits) == 3
    assert {"text", "title", "heading", "source", "date", "score", "chunk_id"} <= set(hits[0])

    code, out, _ = run(capsys, "search", FLAGSHIP_ZH, "--index-dir", index)
    assert "[1]" in out and "›" in out

    code, out, _ = run(capsys, "stats", "--check", "--json", "--index-dir", index)
    stats = json.loads(out)
    assert stats["articles"] == 1 and stats["problems"] == [] and code == 0

    code, out, _ = run(capsys, "remove", str(articles / "seed.md"), "--index-dir", index)
    assert "removed 1" in out
    code, out, _ = run(capsys, "search", FLAGSHIP_ZH, "--index-dir", index)
    assert "index is empty" in out


def test_errors_are_one_line_messages(tmp_path, capsys):
    code, _, err = run(capsys, "search", "x", "--index-dir", str(tmp_path), "--chroma-url", "ftp://nope")
    assert code == 2 and err.startswith("error: chroma_url")
    with pytest.raises(SystemExit):
        main(["search"])  # argparse: missing query


def test_a_mistyped_index_folder_or_an_empty_question_is_an_error_not_an_empty_answer(tmp_path, capsys):
    """Commands that only read an index must not create one where a path was mistyped, and say what to do."""
    missing = tmp_path / "typo-index"
    for argv in (["ask", "换电是什么？"], ["search", "换电"], ["stats"], ["remove", "x.md"],
                 ["eval", str(tmp_path / "q.jsonl"), "-k", "3"], ["feedback", "export", str(tmp_path / "out.jsonl")]):
        code, out, err = run(capsys, *argv, "--index-dir", str(missing))
        assert code == 2 and err.startswith(f"error: no index at {missing}") and "assistant index" in err, argv
        assert not missing.exists()
    missing.mkdir()  # there, but nothing indexed yet
    code, _, err = run(capsys, "ask", "换电是什么？", "--index-dir", str(missing))
    assert code == 2 and "is empty" in err and "assistant index" in err
    for argv in (["ask", "   "], ["search", ""]):
        code, _, err = run(capsys, *argv, "--index-dir", str(missing))
        assert code == 2 and err.startswith("error: the question is empty")


def test_environment_overrides(tmp_path, capsys, monkeypatch):
    """ASSISTANT_* variables reach the command (index folder, chunking), and a flag beats them."""
    articles = tmp_path / "articles"
    write(articles / "x.md", hexo("环境变量", "<p>设置来自环境变量。</p>"))
    monkeypatch.chdir(tmp_path)  # the default index folder (./vectorstore) would be created here
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(tmp_path / "env-index"))
    monkeypatch.setenv("ASSISTANT_CHUNK_SIZE", "321")
    code, out, _ = run(capsys, "index", str(articles), "--quiet")
    assert code == 0 and "added 1" in out
    code, out, _ = run(capsys, "stats", "--json")
    stats = json.loads(out)
    assert stats["index_dir"] == str(tmp_path / "env-index") and stats["articles"] == 1
    assert "size=321" in stats["chunking"]
    assert not (tmp_path / "vectorstore").exists()

    (tmp_path / "flag-index").mkdir()
    code, out, _ = run(capsys, "stats", "--json", "--index-dir", str(tmp_path / "flag-index"))
    assert json.loads(out)["articles"] == 0 and json.loads(out)["index_dir"] == str(tmp_path / "flag-index")
    monkeypatch.setenv("ASSISTANT_CHUNK_SIZE", "10")  # invalid: the one-line error names the variable's setting
    code, _, err = run(capsys, "stats")
    assert code == 2 and err.startswith("error: chunk_size must be at least 50")
