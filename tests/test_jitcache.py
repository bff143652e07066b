"""The Numba cache folder changes whenever compiled code or its constants change."""

from abm import jitcache


def test_digest_follows_every_compiled_source(tmp_path, monkeypatch):
    files = [tmp_path / "decisions.py", tmp_path / "state.py"]
    files[0].write_text("@njit\ndef f(): return 1\n")
    files[1].write_text("PUBLIC = 1\n")
    monkeypatch.setattr(jitcache, "PACKAGE", tmp_path)
    monkeypatch.setattr(jitcache, "compiled_sources", lambda: files)
    first = jitcache.digest()
    files[1].write_text("PUBLIC = 2\n")  # a constant that kernels compile in
    second = jitcache.digest()
    files[0].write_text("@njit\ndef f(): return 1\n")
    assert first != second and second == jitcache.digest()


def test_the_real_sources_include_decisions_kernels_and_constants():
    names = {p.relative_to(jitcache.PACKAGE).as_posix() for p in jitcache.compiled_sources()}
    assert {"decisions.py", "state.py", "rules.py", "rng.py", "indicators.py", "kernels/labour.py"} <= names
    assert "cli.py" not in names
    assert jitcache.CACHE_DIR.name == f"abm-{jitcache.digest()}"
