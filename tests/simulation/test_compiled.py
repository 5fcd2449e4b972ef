from weerbaar.simulation import compiled


def test_kernel_info_reports_threads_and_cache() -> None:
    info = compiled.kernel_info()
    assert info["threads"] >= 1
    assert info["import_seconds"] >= 0
    for name in compiled.KERNELS:
        assert set(info[name]) == {"cache_hits", "cache_misses"}
