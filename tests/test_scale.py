"""Beyond one process: `run --shard K/N` + `merge`, and `run --engine ray`, against a local run.

Every run here is a real CLI subprocess over the shared corpus with the tiny models; the
sharded and Ray outputs must hold the local run's records exactly (but `timing_s`). The runs
take the first LIMIT articles (`--limit`, which shards and merge honour too) to keep CI quick.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from arabic_digest.pipeline.shards import Shard, shard_of, shard_output, unsharded_output
from tests.test_run import ROOT, cli, corpus_args, expected_ids, records

N = 3
LIMIT = 6  # sha1 puts 2, 1 and 3 of the first six ids in shards 0, 1 and 2


def subset_args(data: Path, out: Path, marian: Path, bart: Path) -> list[str]:
    return [*corpus_args(data, out, marian, bart), "--limit", str(LIMIT), "--quiet"]


def subset_ids(shared_data: Path) -> list[str]:
    return expected_ids(shared_data)[:LIMIT]


def without_timing(recs: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "timing_s"} for r in recs]


@pytest.fixture(scope="module")
def local_run(tmp_path_factory, shared_data: Path, marian_dir: Path, bart_dir: Path) -> Path:
    """The reference: one local run over both shared files."""
    out = tmp_path_factory.mktemp("local") / "news.jsonl"
    proc = cli(*subset_args(shared_data, out, marian_dir, bart_dir))
    assert proc.returncode == 0, proc.stderr
    return out


@pytest.fixture(scope="module")
def shard_runs(tmp_path_factory, shared_data: Path, marian_dir: Path, bart_dir: Path) -> Path:
    """N shard runs with their default output names, in a fresh working folder."""
    work = tmp_path_factory.mktemp("shards")
    args = subset_args(shared_data, work / "unused.jsonl", marian_dir, bart_dir)
    del args[args.index("-o"):args.index("-o") + 2]  # default names: they carry the shard
    for k in range(N):
        proc = cli(*args, "--shard", f"{k}/{N}", cwd=work)
        assert proc.returncode == 0, proc.stderr
    return work / "outputs"


# --- shard selection -------------------------------------------------------------------------

def test_shard_of_is_sha1_of_the_id_and_partitions_ids() -> None:
    digest = hashlib.sha1(b"seed-article").digest()
    assert shard_of("seed-article", 7) == int.from_bytes(digest[:8], "big") % 7
    ids = [f"article-{i}" for i in range(300)] + ["خبر", "seed-article"]
    owners = [[k for k in range(N) if Shard(k, N).contains(i)] for i in ids]
    assert all(len(o) == 1 for o in owners)
    sizes = [sum(o == [k] for o in owners) for k in range(N)]
    assert min(sizes) > 70  # balanced enough: 302 ids over 3 shards


@pytest.mark.parametrize("text, expected", [("0/3", Shard(0, 3)), ("2/3", Shard(2, 3)),
                                            (" 0 / 1 ", Shard(0, 1))])
def test_shard_parse(text: str, expected: Shard) -> None:
    assert Shard.parse(text) == expected


@pytest.mark.parametrize("text", ["3/3", "1/0", "-1/3", "1", "a/b", "1/3/5"])
def test_shard_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="K/N|0 <= K < N"):
        Shard.parse(text)


def test_shard_names() -> None:
    out = shard_output(Path("outputs/news-articles.jsonl"), Shard(0, 3))
    assert out == Path("outputs/news-articles.shard-0-of-3.jsonl")
    assert unsharded_output(out) == Path("outputs/news-articles.jsonl")


def test_bad_shard_exits_2(shared_data: Path, tmp_path: Path) -> None:
    proc = cli("run", str(shared_data / "seed-article.txt"), "--shard", "3/3",
               "-o", str(tmp_path / "o.jsonl"))
    assert proc.returncode == 2 and "0 <= K < N" in proc.stderr
    assert not (tmp_path / "o.jsonl").exists()


# --- sharded runs and merge ------------------------------------------------------------------

@pytest.mark.slow
def test_shards_hold_their_ids_only(shard_runs: Path, shared_data: Path) -> None:
    ids = subset_ids(shared_data)
    seen = []
    for k in range(N):
        out = shard_runs / f"news-articles.shard-{k}-of-{N}.jsonl"
        got = [r["id"] for r in records(out)]
        assert got == [i for i in ids if shard_of(i, N) == k]  # input order within a shard
        assert got, f"shard {k} is empty"
        manifest = json.loads(out.with_name(out.name[:-6] + ".run.json").read_text("utf-8"))
        assert manifest["shard"]["index"] == k and manifest["shard"]["count"] == N
        seen += got
    assert sorted(seen) == sorted(ids)


@pytest.mark.slow
def test_three_shards_merged_equal_one_local_run(shard_runs: Path, local_run: Path,
                                                 shared_data: Path) -> None:
    shards = [str(shard_runs / f"news-articles.shard-{k}-of-{N}.jsonl") for k in range(N)]
    proc = cli("merge", *reversed(shards))  # any order of shard files
    assert proc.returncode == 0, proc.stderr
    merged = shard_runs / "news-articles.jsonl"
    assert f"merged 6 articles: 6 ok, 0 error, 0 skipped -> {merged}" in proc.stderr
    assert [r["id"] for r in records(merged)] == subset_ids(shared_data)
    assert without_timing(records(merged)) == without_timing(records(local_run))

    manifest = json.loads((shard_runs / "news-articles.run.json").read_text("utf-8"))
    local = json.loads(local_run.with_name("news.run.json").read_text("utf-8"))
    assert manifest["status"] == "merged" and manifest["shard"] is None
    assert manifest["counts"]["ok"] == LIMIT == manifest["counts"]["articles"]
    assert manifest["counts"]["segments"] == local["counts"]["segments"]
    assert manifest["models"] == local["models"]
    assert sorted(s["shard"]["index"] for s in manifest["shards"]) == list(range(N))
    assert sum(s["counts"]["ok"] for s in manifest["shards"]) == LIMIT


@pytest.fixture()
def shard_copies(shard_runs: Path, tmp_path: Path) -> list[Path]:
    """Copies of the shard outputs and manifests, to break."""
    for f in shard_runs.glob(f"news-articles.shard-*-of-{N}.*"):
        shutil.copy(f, tmp_path / f.name)
    return [tmp_path / f"news-articles.shard-{k}-of-{N}.jsonl" for k in range(N)]


def _merge_fails(shards: list[Path], *message: str) -> None:
    out = shards[0].with_name("merged.jsonl")
    proc = cli("merge", *map(str, shards), "-o", str(out))
    assert proc.returncode == 2, proc.stderr
    for part in message:
        assert part in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not out.exists() and not out.with_name("merged.run.json").exists()


@pytest.mark.slow
def test_merge_fails_on_a_missing_id(shard_copies: list[Path]) -> None:
    lines = shard_copies[1].read_text("utf-8").splitlines(keepends=True)
    lost = json.loads(lines[0])["id"]
    shard_copies[1].write_text("".join(lines[1:]), "utf-8")
    _merge_fails(shard_copies, "1 of 6 input ids have no record", f"'{lost}' (shard 1/3)")


@pytest.mark.slow
def test_merge_fails_on_a_missing_shard(shard_copies: list[Path]) -> None:
    _merge_fails(shard_copies[:2], "input ids have no record", "(shard 2/3)")


@pytest.mark.slow
def test_merge_fails_on_a_duplicated_id(shard_copies: list[Path]) -> None:
    line = shard_copies[0].read_text("utf-8").splitlines(keepends=True)[0]
    with shard_copies[2].open("a", encoding="utf-8") as fh:
        fh.write(line)
    dup = json.loads(line)["id"]
    _merge_fails(shard_copies, "1 id with more than one record", f"'{dup}' in ",
                 str(shard_copies[2]))


@pytest.mark.slow
def test_merge_fails_on_a_foreign_record_and_a_torn_line(shard_copies: list[Path]) -> None:
    first = json.loads(shard_copies[0].read_text("utf-8").splitlines()[0])
    first["id"] = "not-an-input"
    with shard_copies[0].open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(first, ensure_ascii=False) + "\n")
    _merge_fails(shard_copies, "not in the inputs", "'not-an-input'")
    with shard_copies[0].open("a", encoding="utf-8") as fh:
        fh.write('{"id": "half')
    _merge_fails(shard_copies, "not a whole record")


@pytest.mark.slow
def test_merge_needs_the_inputs_when_manifests_are_gone(
        shard_copies: list[Path], shared_data: Path, local_run: Path) -> None:
    for s in shard_copies:
        s.with_name(s.name[:-6] + ".run.json").unlink()
    _merge_fails(shard_copies, "--inputs")
    out = shard_copies[0].with_name("merged.jsonl")
    inputs = ["--inputs", str(shared_data / "news-articles.jsonl"),
              "--inputs", str(shared_data / "seed-article.txt")]
    proc = cli("merge", *map(str, shard_copies), "-o", str(out), *inputs)
    assert proc.returncode == 2 and "26 of 32 input ids have no record" in proc.stderr
    proc = cli("merge", *map(str, shard_copies), "-o", str(out), *inputs, "--limit", str(LIMIT))
    assert proc.returncode == 0, proc.stderr
    assert without_timing(records(out)) == without_timing(records(local_run))


# --- Ray --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray cluster (2 CPUs) that the CLI joins with --ray-address, as on a real one."""
    # The suite runs without the `ray` extra; CI installs it, so these run there.
    ray = pytest.importorskip("ray", reason="ray is not installed (pip install -e "
                              "'.[test,ray]' runs these tests)")
    ctx = ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    try:
        yield ctx.address_info["gcs_address"]
    finally:
        ray.shutdown()


@pytest.mark.slow
def test_ray_engine_gives_the_local_records(ray_cluster: str, local_run: Path, tmp_path: Path,
                                            shared_data: Path, marian_dir: Path,
                                            bart_dir: Path) -> None:
    out = tmp_path / "news.jsonl"
    args = [*subset_args(shared_data, out, marian_dir, bart_dir),
            "--engine", "ray", "--ray-address", ray_cluster]
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert "6 articles: 6 ok, 0 error, 0 skipped" in proc.stderr
    assert without_timing(records(out)) == without_timing(records(local_run))
    manifest = json.loads(out.with_name("news.run.json").read_text("utf-8"))
    local = json.loads(local_run.with_name("news.run.json").read_text("utf-8"))
    assert manifest["engine"]["name"] == "ray" and manifest["status"] == "finished"
    assert manifest["models"] == local["models"]
    assert manifest["counts"]["segments"] == local["counts"]["segments"]

    # Resume on Ray: lose two records; only they are redone, in their places.
    lines = out.read_text("utf-8").splitlines(keepends=True)
    out.write_text("".join(lines[:2] + lines[3:-1]), "utf-8")
    proc = cli(*args)
    assert proc.returncode == 0, proc.stderr
    assert "2 articles: 2 ok" in proc.stderr and "4 already done" in proc.stderr
    assert without_timing(records(out)) == without_timing(records(local_run))


def test_ray_engine_without_ray_is_a_clear_error(tmp_path: Path, shared_data: Path) -> None:
    # `import ray` fails as on an install without the extra.
    code = ("import sys; sys.modules['ray'] = None; from arabic_digest.cli import main; "
            "sys.argv[0] = 'arabic-digest'; main()")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    proc = subprocess.run([sys.executable, "-c", code, "run", str(shared_data / "seed-article.txt"),
                           "--engine", "ray", "-o", str(tmp_path / "o.jsonl")],
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "pip install 'arabic-digest[ray]'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "o.jsonl").exists()
