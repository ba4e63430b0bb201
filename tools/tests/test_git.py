"""Journals in git: two runs committed to a throwaway repository show their events in
`git log -p` once `athanor git-setup` has run."""

import support
from support import ATHANOR


def run(*args, cwd):
    return support.run(list(map(str, args)), cwd=cwd, capture_output=True, text=True, check=True, timeout=60)


def test_git_log_shows_the_events_of_committed_runs(tmp_path):
    run("git", "init", "-q", cwd=tmp_path)
    run("git", "config", "user.email", "test@example.com", cwd=tmp_path)
    run("git", "config", "user.name", "Test", cwd=tmp_path)
    data = tmp_path / "data"
    instance = run(ATHANOR, "create", "demo", "--name", "in git", "--set", "iterations=2", "--set", "delay_ms=0",
                   "--data", data, cwd=tmp_path).stdout.strip()
    for _ in range(2):
        run(ATHANOR, "run", instance, "--data", data, cwd=tmp_path)
    assert "now show" in run(ATHANOR, "git-setup", "--data", data, cwd=tmp_path).stdout
    assert (data / ".gitattributes").read_text().strip().endswith("*.jsonl.zst binary diff=athanor")
    run("git", "add", "data", cwd=tmp_path)
    run("git", "commit", "-q", "-m", "two runs", cwd=tmp_path)
    log = run("git", "log", "-p", cwd=tmp_path).stdout
    assert log.count('"type":"run_completed"') == 2
    assert '"type":"result","key":"iteration_2"' in log
    assert "Binary files" not in log
    assert ".cache" not in run("git", "ls-files", cwd=tmp_path).stdout
