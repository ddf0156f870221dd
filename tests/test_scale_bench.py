"""benchmarks/scale.py builds big indexes for hours: a stopped build must resume into exactly the index an
uninterrupted build makes, and the benchmark must read an index folder the way the assistant does (the
live generation named by CURRENT after a rebuild), not only the flat layout."""

import shutil
import sys
from pathlib import Path

import numpy as np

from assistant import Assistant

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
import scale  # noqa: E402


def _vectors(index_dir: Path) -> dict[str, np.ndarray]:
    a = Assistant(index_dir=str(index_dir), quiet=True)
    ids = sorted(a.catalog.all_chunk_ids())
    got = a.vectors.collection.get(ids=ids, include=["embeddings"])
    out = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))
    return out


def test_a_stopped_build_resumes_into_the_uninterrupted_index(sliced_assistant, corpus_slice, tmp_path):
    base_dir = tmp_path / "base"
    shutil.copytree(sliced_assistant.settings.index_path, base_dir, ignore=shutil.ignore_patterns("index.lock"))
    b = Assistant(index_dir=str(base_dir), quiet=True)
    report = b.index([corpus_slice], rebuild=True)  # everything cached: nothing is embedded again
    assert report.chunks_embedded == 0 and (base_dir / "CURRENT").read_text().strip() == "gen-1"
    assert (base_dir / "gen-1" / "assistant.sqlite").exists()

    base, meta = scale.load_base(base_dir)
    n = sum(len(item["rows"]) for item in base)
    assert len(base) == 8 and n > 20
    size = 3 * n + 5  # three replicas and a few passages of a fourth
    full = scale.build_scaled(tmp_path / "full", size, base, meta, base_dir)
    assert full["passages"] == size and full["resumed_at"] == 0

    # a build stopped after two replicas: the same index without the articles of replicas 2 and 3
    part = tmp_path / "part"
    shutil.copytree(tmp_path / "full", part)
    a = Assistant(index_dir=str(part), quiet=True)
    later = [s for (s,) in a.catalog.db.execute("SELECT source FROM articles")
             if s.startswith(("/scale-replica/0002/", "/scale-replica/0003/"))]
    assert a.remove(later) == len(later) > 8
    assert a.catalog.counts()[1] == 2 * n

    resumed = scale.build_scaled(part, size, base, meta, base_dir, resume=True)
    assert resumed["resumed_at"] == 2 * n and resumed["added"] == size - 2 * n and resumed["passages"] == size
    want, got = _vectors(tmp_path / "full"), _vectors(part)
    assert set(got) == set(want) and len(got) == size
    assert all(np.allclose(got[i], want[i], atol=1e-6) for i in want)

    disk = scale.du(base_dir)  # the whole folder is counted, its parts named as the live generation's files
    assert disk["total_mb"] > 0 and not any(k.startswith("gen-") for k in disk)
