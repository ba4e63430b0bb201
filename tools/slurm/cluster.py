"""A real one-node Slurm cluster in a folder of its own, for tests and by hand: munged,
slurmctld and slurmd started as root (no systemd), every file in DIR, free ports.

    python3 tools/slurm/cluster.py start DIR    # prints the environment client commands need
    python3 tools/slurm/cluster.py stop DIR

`start` installs Debian's slurm-wlm and munge when missing, writes DIR/slurm.conf and waits until
`sinfo` shows the node idle. Client commands (sbatch, squeue, scancel, scontrol, sinfo) need
SLURM_CONF=DIR/slurm.conf in their environment (`Cluster.env`). The settings are those known to
work in containers: proctrack/pgid, task/none, select/cons_tres, accounting off."""

import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import time

DAEMONS = ("slurmd", "slurmctld", "munged")


class Unavailable(RuntimeError):
    """The cluster could not start here (the reason and the daemons' log tails)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install():
    """Debian's slurm-wlm and munge, when missing."""
    if all(shutil.which(c) for c in ("slurmctld", "slurmd", "munged", "sbatch")):
        return
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    command = ["apt-get", "install", "-y", "-qq", "slurm-wlm", "munge"]
    if subprocess.run(command, env=environment, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=environment, capture_output=True)
        done = subprocess.run(command, env=environment, capture_output=True, text=True)
        if done.returncode != 0:
            raise Unavailable(f"could not install slurm-wlm and munge: {done.stderr[-500:]}")


class Cluster:
    def __init__(self, folder):
        self.dir = pathlib.Path(folder).resolve()
        self.conf = self.dir / "slurm.conf"
        self.env = {**os.environ, "SLURM_CONF": str(self.conf)}

    def run(self, *args, check=True, timeout=60):
        """A client command against this cluster: its CompletedProcess (text)."""
        return subprocess.run([str(a) for a in args], env=self.env, capture_output=True, text=True, check=check,
                              timeout=timeout)

    def start(self, timeout=90):
        install()
        if os.geteuid() != 0:
            raise Unavailable("the Slurm daemons start as root here, and this is not root")
        self.dir.mkdir(parents=True, exist_ok=True)
        for sub in ("state", "spool", "log", "munge"):
            (self.dir / sub).mkdir(exist_ok=True)
        os.chmod(self.dir / "munge", 0o700)
        key = self.dir / "munge" / "munge.key"
        if not key.exists():
            key.write_bytes(os.urandom(1024))
        os.chmod(key, 0o400)
        host = socket.gethostname()
        node = subprocess.run(["slurmd", "-C"], capture_output=True, text=True).stdout.splitlines()[0]
        fields = dict(part.split("=", 1) for part in node.split() if "=" in part)
        cpus, memory = fields.get("CPUs", "1"), fields.get("RealMemory", "1000")
        sock = self.dir / "munge" / "munge.socket"
        self.conf.write_text(f"""ClusterName=athanor-test
SlurmctldHost={host}
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket={sock}
CredType=cred/munge
StateSaveLocation={self.dir}/state
SlurmdSpoolDir={self.dir}/spool
SlurmctldPidFile={self.dir}/slurmctld.pid
SlurmdPidFile={self.dir}/slurmd.pid
SlurmctldLogFile={self.dir}/log/slurmctld.log
SlurmdLogFile={self.dir}/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=300
KillWait=2
InactiveLimit=0
SlurmdTimeout=60
JobRequeue=1
MpiDefault=none
SwitchType=switch/none
NodeName={host} CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
""")
        self.processes = []
        self._spawn(["munged", "-F", "--force", f"--socket={sock}", f"--key-file={key}",
                     f"--pid-file={self.dir}/munge/munged.pid", f"--log-file={self.dir}/log/munged.log",
                     f"--seed-file={self.dir}/munge/munged.seed"])
        self._wait(lambda: sock.exists(), timeout, "munged's socket")
        self._spawn(["slurmctld", "-D", "-i", "-f", str(self.conf)])
        self._spawn(["slurmd", "-D", "-f", str(self.conf)])
        self._wait(lambda: self.run("sinfo", "-h", "-o", "%T", check=False).stdout.strip() == "idle", timeout,
                   "the node to be idle")
        return self

    def _spawn(self, command):
        log = open(self.dir / "log" / f"{command[0]}.out", "a")
        process = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        self.processes.append(process)
        (self.dir / f"{command[0]}.session").write_text(str(process.pid))

    def _wait(self, condition, timeout, what):
        deadline = time.monotonic() + timeout
        while not condition():
            for process in self.processes:
                if process.poll() is not None:
                    raise Unavailable(f"{process.args[0]} exited ({process.returncode}) waiting for {what}\n"
                                      + self.log_tails())
            if time.monotonic() > deadline:
                raise Unavailable(f"timed out waiting for {what}\n" + self.log_tails())
            time.sleep(0.1)

    def log_tails(self):
        tails = []
        for log in sorted((self.dir / "log").glob("*")):
            lines = log.read_text(errors="replace").splitlines()[-15:]
            tails.append(f"--- {log.name}\n" + "\n".join(lines))
        return "\n".join(tails)

    def stop(self, timeout=20):
        """Ends the daemons' sessions (jobs' processes included), SIGTERM then SIGKILL."""
        sessions = []
        for name in DAEMONS:
            marker = self.dir / f"{name}.session"
            if marker.exists():
                sessions.append(int(marker.read_text()))
                marker.unlink()
        # Jobs the node started: every process whose environment names this cluster.
        jobs = [int(p.name) for p in pathlib.Path("/proc").iterdir() if p.name.isdigit() and self._ours(p)]
        for pid in jobs:
            _kill(pid, signal.SIGKILL)
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for session in sessions:
                _kill(-session, sig)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                for process in self.processes:
                    process.poll()  # reaped: a daemon of ours that ended stays a zombie, which answers kill 0
                if not any(_alive(s) for s in sessions):
                    break
                time.sleep(0.05)

    def _ours(self, proc):
        try:
            return f"SLURM_CONF={self.conf}".encode() in (proc / "environ").read_bytes() and int(proc.name) != os.getpid()
        except OSError:
            return False


def _kill(pid, sig):
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("start", "stop"):
        sys.exit(__doc__)
    cluster = Cluster(sys.argv[2])
    if sys.argv[1] == "start":
        try:
            cluster.start()
        except Unavailable as error:
            cluster.stop()
            sys.exit(f"slurm cluster: {error}")
        print(f"export SLURM_CONF={cluster.conf}")
    else:
        cluster.stop()
