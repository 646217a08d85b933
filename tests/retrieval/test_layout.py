from __future__ import annotations

import json

import pytest

from retrieval.engine import IndexMissingError
from retrieval.layout import (
    CURRENT_FILE, building_location, current_index, generations, is_old_format, location, next_generation_number,
    switch_current,
)


def test_a_missing_index_says_to_run_scout_index(tmp_path):
    with pytest.raises(IndexMissingError, match=r"no search index in .*run `scout index` first"):
        current_index(tmp_path / "index")


def test_an_index_from_before_generations_is_named_as_such(tmp_path):
    (tmp_path / "_MAIN_3.toc").write_bytes(b"")
    (tmp_path / "embeddings.npz").write_bytes(b"")
    assert is_old_format(tmp_path)
    with pytest.raises(IndexMissingError, match=r"made by an older Scout: run `scout index` \(it rebuilds\)"):
        current_index(tmp_path)


def test_current_follows_each_switch(tmp_path):
    for number, backend in ((1, "whoosh"), (2, "tantivy")):
        (tmp_path / f"gen-{number:06d}").mkdir()
        switch_current(tmp_path, f"gen-{number:06d}", backend)
        found = current_index(tmp_path)
        assert (found.generation, found.backend, found.number) == (f"gen-{number:06d}", backend, number)
        assert found.engine_dir == tmp_path / f"gen-{number:06d}" / "engine"
        assert found.vectors_dir == tmp_path / f"gen-{number:06d}" / "vectors"
    assert json.loads((tmp_path / CURRENT_FILE).read_text()) == {"generation": "gen-000002", "backend": "tantivy"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [CURRENT_FILE, "gen-000001", "gen-000002"]


@pytest.mark.parametrize("content", ["{", '{"generation": "../etc", "backend": "whoosh"}',
                                     '{"generation": "gen-000001", "backend": "lucene"}',
                                     '{"generation": "gen-000009", "backend": "whoosh"}'])
def test_a_broken_pointer_asks_for_a_rebuild(tmp_path, content):
    (tmp_path / "gen-000001").mkdir()
    (tmp_path / CURRENT_FILE).write_text(content)
    with pytest.raises(IndexMissingError, match=r"run `scout index --rebuild`"):
        current_index(tmp_path)


def test_new_generations_number_past_every_one_present_even_unfinished(tmp_path):
    assert next_generation_number(tmp_path) == 1
    location(tmp_path, "gen-000002", "whoosh").engine_dir.mkdir(parents=True)
    building_location(tmp_path, 5, "whoosh").engine_dir.mkdir(parents=True)
    (tmp_path / "notes").mkdir()
    assert [path.name for path in generations(tmp_path)] == ["gen-000002", "gen-000005.building"]
    assert next_generation_number(tmp_path) == 6
