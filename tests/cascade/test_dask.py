"""The ensemble and the criticality ranking on a Dask cluster equal the local ones to
the last bit (the CLI's ``--dask`` is tested with the cascade commands)."""

from collections.abc import Iterator
from concurrent.futures import Executor

import distributed
import numpy as np
import pytest

from weerbaar.cascade import Disruption, criticality, ensemble
from weerbaar.cascade.engine import Criticality, Ensemble
from weerbaar.services.executors import batch_executor

from .test_engine import ENSEMBLE_OUTPUTS, random_network


@pytest.fixture(scope="module")
def dask() -> Iterator[Executor]:
    # A worker process of its own on loopback, so that every piece and result is
    # pickled on the way; with two threads it runs two pieces at the same time. Any
    # free port for the scheduler's web server: 8787 may be another cluster's, and the
    # warning that it is taken would fail the test.
    with (
        distributed.LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=1,
            threads_per_worker=2,
            processes=True,
            dashboard_address=":0",
            host="127.0.0.1",
        ) as cluster,
        batch_executor(address=cluster.scheduler_address) as executor,
    ):
        yield executor


def _same_ensemble(local: Ensemble, remote: Ensemble) -> None:
    assert remote.seed == local.seed and remote.members == local.members
    for name in ENSEMBLE_OUTPUTS:
        ours, theirs = getattr(local, name), getattr(remote, name)
        assert (ours is None) == (theirs is None), name
        if ours is not None:
            assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), name


def _same_ranking(local: Criticality, remote: Criticality) -> None:
    assert remote.simulated == local.simulated > 0
    for name in ("taken_down", "people_hours", "cost"):
        ours, theirs = getattr(local, name), getattr(remote, name)
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs), name


# 37 members: 16 slices in 4 pieces whose last rounds are short; 3 and 1: fewer
# slices than pieces.
@pytest.mark.parametrize(("trial", "members"), [(0, 37), (1, 20), (2, 3), (3, 1)])
def test_ensemble_on_dask_equals_the_local_one(dask: Executor, trial: int, members: int) -> None:
    rng = np.random.default_rng(200 + trial)
    n = 80
    net = random_network(rng, n, 4 * n, ties=trial % 2 == 0)
    hubs = Disruption.at(np.argsort(-net.out_degree(), kind="stable")[:3], hours=30.0)
    for keep_times in (True, False):
        local = ensemble(net, hubs, members=members, seed=trial, keep_times=keep_times)
        remote = ensemble(
            net, hubs, members=members, seed=trial, keep_times=keep_times, executor=dask
        )
        _same_ensemble(local, remote)
    assert local.fail_probability.max() > 0


@pytest.mark.parametrize("trial", range(3))
def test_criticality_on_dask_equals_the_local_one(dask: Executor, trial: int) -> None:
    rng = np.random.default_rng(300 + trial)
    n = 90
    net = random_network(rng, n, 3 * n, ties=trial % 2 == 0)
    for hours in (4.0, 24.0):
        _same_ranking(criticality(net, hours=hours), criticality(net, hours=hours, executor=dask))
