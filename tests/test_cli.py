"""The command line: index, search, stats, remove, with --help on each."""

import json
import subprocess
import sys

import pytest

from assistant import evaluate
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
    # --rebuild builds beside the live index and swaps it in (README); it said "drop the index"
    said = " ".join(result.stdout.split())
    assert "beside the live one and switch to it when it is complete" in said and "drop the index" not in said


def test_index_search_stats_remove(tmp_path, capsys):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "seed.md").write_bytes(SEED.read_bytes())
    write(articles / "bad.md", "")
    index = str(tmp_path / "index")

    code, out, _ = run(capsys, "index", str(articles), "--index-dir", index, "--quiet")
    assert code == 1  # done, but a file was left out
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
    missing.mkdir()  # there, but nothing indexed yet: the same error, and nothing is written into it
    for argv in (["ask", "换电是什么？"], ["search", "换电"], ["stats", "--files"], ["remove", "x.md"],
                 ["feedback", "export", str(tmp_path / "out.jsonl")], ["feeds", "list"], ["feeds", "remove", "x"],
                 ["feeds", "add", "http://127.0.0.1:9/feed.xml", "--no-sync"]):
        code, out, err = run(capsys, *argv, "--index-dir", str(missing))
        hint = "--articles-dir" if argv[0] == "feeds" and argv[1] == "add" else "assistant index"
        assert code == 2 and err.startswith(f"error: no index at {missing}") and hint in err, argv
        assert list(missing.iterdir()) == [], argv
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
    code, out, err = run(capsys, "stats", "--json", "--index-dir", str(tmp_path / "flag-index"))
    assert code == 2 and err.startswith(f"error: no index at {tmp_path / 'flag-index'}")
    monkeypatch.setenv("ASSISTANT_CHUNK_SIZE", "10")  # invalid: the one-line error names the variable's setting
    code, _, err = run(capsys, "stats")
    assert code == 2 and err.startswith("error: chunk_size must be at least 50")


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory):
    """One small index (the seed article, and an empty file that fails) built once for this module's tests:
    (articles folder, index folder). Tests that change an index copy it first."""
    root = tmp_path_factory.mktemp("seed")
    articles = root / "articles"
    articles.mkdir()
    (articles / "seed.md").write_bytes(SEED.read_bytes())
    write(articles / "bad.md", "")
    index = root / "index"
    assert main(["index", str(articles), "--index-dir", str(index), "--quiet"]) == 1
    return articles, index


def _copy_index(index, tmp_path):
    import shutil

    return shutil.copytree(index, tmp_path / "index")


def test_index_exit_codes_nothing_usable_some_failed_all_fine(seed_index, tmp_path, capsys):
    """0 all fine, 1 done with files left out (listed), 2 nothing could be done (and nothing written)."""
    articles, index = seed_index
    index = _copy_index(index, tmp_path)
    code, out, _ = run(capsys, "index", str(articles), str(tmp_path / "nonexistent"), "--index-dir", str(index), "-q")
    assert code == 1 and "unchanged 1" in out and "nonexistent: no such file or folder" in out
    for argv in ([str(tmp_path / "nonexistent")], [str(tmp_path / "nonexistent"), str(REPO / "pyproject.toml")]):
        code, _, err = run(capsys, "index", *argv, "--index-dir", str(tmp_path / "new-index"), "--rebuild", "-q")
        assert code == 2 and err.startswith("error: nothing to index:") and "no such file or folder" in err
        assert err.count("\n") == 1 and not (tmp_path / "new-index").exists()
    good = tmp_path / "good"
    write(good / "tea.md", hexo("茶", "<p>绿茶用八十度的水冲泡。</p>"))
    code, out, _ = run(capsys, "index", str(good), "--index-dir", str(index), "-q")
    assert code == 0 and "added 1" in out and "failed 0" in out


def test_remove_names_a_path_that_is_not_indexed(seed_index, tmp_path, capsys):
    articles, index = seed_index
    index = _copy_index(index, tmp_path)
    code, out, err = run(capsys, "remove", str(articles / "nothere.md"), "--index-dir", str(index))
    assert code == 1 and out == "" and err == f"not in the index: {articles / 'nothere.md'}\n"
    code, out, err = run(capsys, "remove", str(articles / "seed.md"), str(articles / "nothere.md"),
                         "--index-dir", str(index))
    assert code == 1 and "removed 1 article(s)" in out and "not in the index" in err


def test_stats_files_dir_limits_the_listing(seed_index, tmp_path, capsys):
    articles, index = seed_index
    other = tmp_path / "other"
    write(other / "new.md", hexo("新", "<p>还没有收录。</p>"))
    code, out, _ = run(capsys, "stats", "--files", str(other), "--json", "--index-dir", str(index))
    stats = json.loads(out)
    assert code == 0 and [f["path"] for f in stats["file_status"]] == [str(other / "new.md")]
    assert stats["files"] == {"indexed": 0, "pending": 1, "failed": 0}
    code, out, _ = run(capsys, "stats", "--files", "--json", "--index-dir", str(index))
    listed = {f["path"]: f["state"] for f in json.loads(out)["file_status"]}
    assert listed == {str(articles / "seed.md"): "indexed", str(articles / "bad.md"): "failed"}
    result = subprocess.run([sys.executable, "-m", "assistant", "stats", "--help"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert "only the files under the DIRs given" in " ".join(result.stdout.split())


def test_eval_refuses_history_pairs_with_the_line_and_reads_one_gold_string(seed_index, tmp_path, capsys):
    from assistant.evaluate import load_questions

    _, index = seed_index
    questions = write(tmp_path / "q.jsonl", "\n".join([
        json.dumps({"id": "a", "q": "换电需要多长时间？", "gold": "3 到 5 分钟"}, ensure_ascii=False),
        json.dumps({"id": "b", "q": "那充电呢？", "history": [["换电需要多长时间？", "3 到 5 分钟"]]},
                   ensure_ascii=False)]) + "\n")
    code, _, err = run(capsys, "eval", str(questions), "--index-dir", str(index))
    assert code == 2 and err == f"error: {questions}:2: history must be a list of earlier questions (strings)\n"
    questions.write_text(questions.read_text("utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert load_questions(questions)[0].gold == ["3 到 5 分钟"]  # one string, not its letters


def test_feeds_add_saves_beside_the_indexed_articles_not_in_the_working_folder(seed_index, tmp_path, capsys,
                                                                                monkeypatch):
    articles, index = seed_index
    index = _copy_index(index, tmp_path)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "feeds", "add", "http://127.0.0.1:9/one.xml", "--name", "one", "--no-sync",
                       "--index-dir", str(index))
    assert code == 0 and out.strip().endswith(f"-> {articles / 'feeds' / 'one'}")
    code, out, _ = run(capsys, "feeds", "add", "http://127.0.0.1:9/two.xml", "--name", "two", "--no-sync",
                       "--index-dir", str(index))  # where the index's other feeds are
    assert code == 0 and out.strip().endswith(f"-> {articles / 'feeds' / 'two'}")
    assert not (tmp_path / "examples").exists()
    code, _, err = run(capsys, "feeds", "add", "http://127.0.0.1:9/x.xml", "--index-dir", str(tmp_path / "fresh"))
    assert code == 2 and "--articles-dir" in err and not (tmp_path / "fresh").exists()


def test_feeds_sync_exit_code_when_a_feed_fails(seed_index, tmp_path, capsys):
    articles, index = seed_index
    index = _copy_index(index, tmp_path)
    code, out, _ = run(capsys, "feeds", "add", "http://127.0.0.1:9/down.xml", "--name", "down",
                       "--articles-dir", str(tmp_path / "articles"), "--index-dir", str(index))
    assert code == 1 and "added down" in out and "down: failed" in out  # subscribed; its sync failed
    code, out, _ = run(capsys, "feeds", "sync", "--index-dir", str(index))
    assert code == 1 and "down: failed" in out


def test_watch_refuses_a_negative_feed_interval(capsys):
    for value in ("-5", "nan", "soon"):
        with pytest.raises(SystemExit) as exit_:
            main(["watch", ".", "--feed-interval", value])
        assert exit_.value.code == 2 and "--feed-interval" in capsys.readouterr().err


def test_output_into_a_closed_pipe_ends_quietly(seed_index):
    """`assistant … | head -1`: no BrokenPipeError traceback, the exit status of a tool ended by SIGPIPE."""
    import os

    _, index = seed_index
    for argv in (["stats", "--files", "--json"], ["feeds", "list", "--json"]):
        read, written = os.pipe()
        os.close(read)  # the reader is gone before anything is written
        try:
            result = subprocess.run([sys.executable, "-m", "assistant", *argv, "--index-dir", str(index)],
                                    cwd=REPO, stdout=written, stderr=subprocess.PIPE, text=True, timeout=120)
        finally:
            os.close(written)
        assert result.returncode == 141 and result.stderr == "", (argv, result.stderr[-500:])


def _read_only(path):
    """Make a folder read-only for this process: chmod, or for root (whom chmod does not stop) the immutable
    flag. Returns the undo, or skips when neither is possible here."""
    import os

    if os.geteuid() != 0:
        path.chmod(0o555)
        return lambda: path.chmod(0o755)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("root without chattr +i: cannot make a folder read-only")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_an_index_folder_that_cannot_be_used_is_one_line_naming_it(seed_index, tmp_path, capsys):
    _, index = seed_index
    afile = write(tmp_path / "afile", "not a folder")
    for folder in (afile, afile / "sub"):  # a writer says what is wrong; a reader finds no index there
        code, _, err = run(capsys, "index", str(REPO / "examples" / "articles"), "--index-dir", str(folder))
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err, err
        assert f"{afile} is a file" in err and str(folder) in err
        for argv in (["ask", "换电？"], ["stats"]):
            code, _, err = run(capsys, *argv, "--index-dir", str(folder))
            assert code == 2 and err.startswith(f"error: no index at {folder}"), (argv, err)
    index = _copy_index(index, tmp_path)
    undo = _read_only(index)
    try:
        for argv in (["ask", "换电？"], ["stats"], ["index", str(REPO / "examples" / "articles")]):
            code, _, err = run(capsys, *argv, "--index-dir", str(index))
            assert code == 2 and err.count("\n") == 1 and f"{index} is not writable" in err, (argv, err)
    finally:
        undo()


def test_eval_counts_review_questions_apart_from_the_unanswerable(seed_index, tmp_path, capsys):
    """Disliked answers exported with --include-down (type review, no gold) are no unanswerable questions: eval
    asks them and counts them, and they are in neither the answerable nor the unanswerable rates."""
    _, index = seed_index
    questions = write(tmp_path / "fb.jsonl", "\n".join(json.dumps(row, ensure_ascii=False) for row in [
        {"id": "u", "q": "火星上一共有几只猫？", "lang": "zh", "file": None, "gold": [], "type": "unanswerable"},
        {"id": "r", "q": "Who won the 2022 World Cup?", "lang": "en", "file": None, "gold": [], "type": "review",
         "rating": "down", "answer": "The articles don't cover this.", "comment": ""}]) + "\n")
    code, out, _ = run(capsys, "eval", str(questions), "--index-dir", str(index), "--json")
    result = json.loads(out)
    metrics = result["metrics"]
    assert code == 0 and metrics["questions"] == 2 and metrics["answerable"] == 0
    assert metrics["unanswerable"] == 1 and metrics["review"] == 1
    assert metrics["abstain_unanswerable_95"] == evaluate.wilson(int(metrics["abstain_unanswerable"]), 1)
    assert metrics["by_type"]["review"] == {"questions": 1, "answerable": 0, "review": 1}
    assert metrics["by_lang"]["en"] == {"questions": 1, "answerable": 0, "review": 1}
    assert [r["review"] for r in result["questions"]] == [False, True] and result["questions"][1]["answer"]


def test_eval_refuses_question_fields_of_the_wrong_type_with_the_line(seed_index, tmp_path, capsys):
    """A number, null or list where a string belongs was a traceback mid-run (exit 1); now a one-line error
    naming the file and line (exit 2), as is a folder, another suffix or a malformed SQuAD file."""
    _, index = seed_index
    questions = tmp_path / "q.jsonl"
    for field, value, said in (("file", 42, "file must be the article's path (a string) or null, not 42"),
                               ("lang", ["zh"], 'lang must be a language code such as "zh" (a string) or null'),
                               ("type", {"a": 1}, "type must be the question's kind"),
                               ("id", [1], "id must be a string or a number, not [1]")):
        good = json.dumps({"id": "a", "q": "换电需要多长时间？", "lang": "zh", "gold": ["3 到 5 分钟"]},
                          ensure_ascii=False)
        write(questions, good + "\n" + json.dumps({"id": "b1", "q": "x", "gold": ["x"], field: value}) + "\n")
        code, out, err = run(capsys, "eval", str(questions), "--index-dir", str(index), "--no-answers")
        assert code == 2 and out == "" and err.startswith(f"error: {questions}:2: {said}"), err
        assert err.count("\n") == 1
    write(questions, json.dumps({"id": "b1", "q": "换电需要多长时间？", "lang": None, "type": None}) + "\n")
    code, out, err = run(capsys, "eval", str(questions), "--index-dir", str(index), "--no-answers")
    assert code == 0 and "lang=" in out, err  # null stands for absent, as it does for gold and key
    code, _, err = run(capsys, "eval", str(tmp_path), "--index-dir", str(index))
    assert code == 2 and err == (f"error: {tmp_path} is a folder: give a question file, JSON Lines (.jsonl or "
                                 ".ndjson) or SQuAD JSON (.json)\n")
    code, _, err = run(capsys, "eval", str(write(tmp_path / "q.txt", "x")), "--index-dir", str(index))
    assert code == 2 and "q.txt: not a question file" in err and "SQuAD files need" not in err
    squad = write(tmp_path / "squad.json", json.dumps({"data": [{"paragraphs": [{"context": "甲", "qas": [
        {"id": "1", "question": "问", "answers": [{"text": "甲"}]}]}]}, 1]}))
    code, _, err = run(capsys, "eval", str(squad), "--index-dir", str(tmp_path / "squad-index"))
    assert code == 2 and err.startswith(f"error: {squad}: data[1] is not a SQuAD entry") and err.count("\n") == 1
    assert not (tmp_path / "squad-index" / "eval-articles" / "squad" / "0000.md").exists()  # checked first


def test_stats_files_of_a_folder_that_does_not_exist_is_an_error(seed_index, tmp_path, capsys):
    """A mistyped --files DIR listed nothing with zero counts and exit 0; a folder deleted since it was indexed
    is still listed (its files are 'file is gone')."""
    _, index = seed_index
    code, out, err = run(capsys, "stats", "--files", str(tmp_path / "nonexistent"), "--index-dir", str(index))
    assert code == 2 and out == ""
    assert err == f"error: --files {tmp_path / 'nonexistent'}: no such file or folder, and nothing indexed from it\n"
    index = _copy_index(index, tmp_path)
    gone = tmp_path / "gone"
    write(gone / "tea.md", hexo("茶", "<p>绿茶用八十度的水冲泡。</p>"))
    assert run(capsys, "index", str(gone), "--index-dir", str(index), "-q")[0] == 0
    (gone / "tea.md").unlink()
    gone.rmdir()
    code, out, _ = run(capsys, "stats", "--files", str(gone), "--json", "--index-dir", str(index))
    rows = json.loads(out)["file_status"]
    assert code == 0 and [(r["path"], r["reason"]) for r in rows] == [(str(gone / "tea.md"), "file is gone")]


def test_a_file_indexed_with_a_warning_says_so_until_it_is_indexed_cleanly(seed_index, tmp_path, capsys):
    """Broken front matter is ignored and the body indexed (nothing lost), but the warning was only in that
    run's report: `stats --files` listed the file as plain `indexed` with no reason. It is kept per file now,
    and a clean re-index clears it."""
    _, index = seed_index
    index = _copy_index(index, tmp_path)
    folder = tmp_path / "dropped"
    broken = write(folder / "broken.md", "---\ntitle: [茶\ndate: 2021-07-15\n---\n\n绿茶用八十度的水冲泡。\n")
    write(folder / "unclosed.md", "---\ntitle: 红茶\n\n红茶用沸水冲泡三分钟。\n")
    yaml_warning = "front matter is not valid YAML at line 3 (expected ',' or ']', but got ':'); indexed without it"
    code, out, _ = run(capsys, "index", str(folder), "--index-dir", str(index), "-q")
    assert code == 0 and "added 2" in out and "with warnings 2" in out, out
    assert f"  warning: {broken}: {yaml_warning}" in out
    code, out, _ = run(capsys, "stats", "--files", str(folder), "--json", "--index-dir", str(index))
    rows = {r["path"]: r for r in json.loads(out)["file_status"]}
    assert rows[str(broken)]["state"] == "indexed" and rows[str(broken)]["warning"] == yaml_warning
    assert rows[str(broken)]["reason"] == yaml_warning
    unclosed = "front matter has no closing '---' line; read as part of the text"
    assert rows[str(folder / "unclosed.md")]["warning"] == unclosed
    code, out, _ = run(capsys, "stats", "--files", str(folder), "--index-dir", str(index))
    assert f"{broken} ({yaml_warning})" in out and "indexed" in out
    # the typo fixed: indexed again, cleanly, and the warning is gone
    write(broken, "---\ntitle: 茶\ndate: 2021-07-15\n---\n\n绿茶用八十度的水冲泡。\n")
    code, out, _ = run(capsys, "index", str(folder), "--index-dir", str(index), "-q")
    assert code == 0 and "updated 1" in out and "warning" not in out, out  # the run read only the fixed file
    code, out, _ = run(capsys, "stats", "--files", str(folder), "--json", "--index-dir", str(index))
    rows = {r["path"]: r for r in json.loads(out)["file_status"]}
    row = rows[str(broken)] | {"changed": 0, "indexed_at": 0}
    assert row == {"path": str(broken), "state": "indexed", "reason": "", "warning": "", "feed": "", "changed": 0,
                   "indexed_at": 0}
    assert rows[str(folder / "unclosed.md")]["warning"] == unclosed  # unchanged, still warned about
