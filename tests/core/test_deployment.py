"""The settings a node of a cluster must share with the others, and the warning when it does not."""

from __future__ import annotations

import logging

from workbench import create_app
from workbench.core import deployment, jobs

CLUSTER = {
    "QUEUE_URL": "redis://redis.internal:6379/0",
    "STORAGE_URL": "s3://files/prod",
    "RATELIMIT_STORAGE_URI": "redis://redis.internal:6379/1",
    "SECRET_KEY": "from-the-environment",
}


def test_one_node_on_its_own_disk_has_nothing_to_share():
    single = {"QUEUE_URL": None, "STORAGE_URL": None, "RATELIMIT_STORAGE_URI": "memory://"}
    assert not deployment.shared(single)
    assert deployment.problems(single, local_secret="k") == []


def test_a_cluster_with_everything_shared_has_no_problem():
    assert deployment.shared(CLUSTER)
    assert deployment.problems(CLUSTER, local_secret="another-key") == []
    assert deployment.problems(CLUSTER, local_secret=None) == []


def test_each_setting_kept_on_the_node_is_named():
    found = deployment.problems(
        {
            "QUEUE_URL": "sqlite:////srv/queue.sqlite3",
            "STORAGE_URL": "s3://files/prod",
            "RATELIMIT_STORAGE_URI": "memory://",
            "SECRET_KEY": "generated-here",
        },
        local_secret="generated-here",
    )
    assert len(found) == 3
    assert "WORKBENCH_SECRET_KEY" in found[0]
    assert "WORKBENCH_RATELIMIT_STORAGE_URI" in found[1]
    assert "WORKBENCH_QUEUE_URL=redis://" in found[2]
    local_files = deployment.problems(
        {**CLUSTER, "STORAGE_URL": "file:///srv/files"}, local_secret=None
    )
    assert local_files == [next(p for p in local_files if "WORKBENCH_STORAGE_URL=s3://" in p)]


def test_the_app_warns_at_start(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        alone = create_app(
            {
                "INSTANCE_PATH": tmp_path,
                "QUEUE_URL": "memory://",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
    assert not [r for r in caplog.records if "多节点部署设置" in r.getMessage()]
    secret = (tmp_path / "secret_key").read_text().strip()
    assert deployment.local_secret(tmp_path) == secret
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        app = create_app(
            {
                "INSTANCE_PATH": tmp_path,
                "QUEUE_URL": "redis://127.0.0.1:1/0",
                "DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
                "RATELIMIT_STORAGE_URI": "memory://",
            }
        )
    warned = [r.getMessage() for r in caplog.records if "多节点部署设置" in r.getMessage()]
    jobs.configure(alone)  # the queue is the process's: back to memory for the next tests
    assert app.config["SECRET_KEY"] == secret
    assert any("WORKBENCH_SECRET_KEY" in w for w in warned)
    assert any("WORKBENCH_RATELIMIT_STORAGE_URI" in w for w in warned)
