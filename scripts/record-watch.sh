#!/usr/bin/env bash
# Records real watch streams as fixtures: each ending below is produced FOR
# REAL while `daemon-check-helper watch` watches, and the helper's JSON lines
# are saved as fixtures/watch/<case>.jsonl (pids as they were). Needs root
# (tracefs, the proc connector, the v1 memory cgroup of the OOM case).
# Every process started here is ended by pid; the cgroup is removed.
#
#   scripts/record-watch.sh [CASE...]     (default: every case)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
helper="$root/native/build/daemon-check-helper"
out="$root/fixtures/watch"
py=$(python3 -c 'import os, sys; print(os.path.realpath(sys.executable))')
mkdir -p "$out"
[ "$(id -u)" = 0 ] || { echo "record-watch: needs root" >&2; exit 1; }

# Waits until FILE has a `watching` line for every pid given (or 10 s).
wait_watching() {
  local file=$1 pid; shift
  for _ in $(seq 200); do
    local all=1
    for pid in "$@"; do grep -q "\"kind\":\"watching\",[^}]*\"pid\":$pid," "$file" 2>/dev/null || all=0; done
    [ $all = 1 ] && return 0
    sleep 0.05
  done
  echo "record-watch: the watch did not start" >&2; return 1
}

case_kill_term() { # kill -TERM from a process named kill
  sleep 300 & local victim=$!
  "$helper" watch --for 10 "$victim" >"$out/kill-term.jsonl" & local w=$!
  wait_watching "$out/kill-term.jsonl" "$victim"
  /bin/kill -TERM "$victim"
  wait "$w"; wait "$victim" 2>/dev/null || true
}

case_sigkill() {
  sleep 300 & local victim=$!
  "$helper" watch --for 10 "$victim" >"$out/sigkill.jsonl" & local w=$!
  wait_watching "$out/sigkill.jsonl" "$victim"
  bash -c "kill -KILL $victim"
  wait "$w"; wait "$victim" 2>/dev/null || true
}

case_exit3() {
  "$helper" watch --for 10 -- sh -c 'sleep 0.2; exit 3' >"$out/exit3.jsonl" || true
}

case_segfault() {
  "$helper" watch --for 10 -- "$py" -c 'import ctypes; ctypes.string_at(0)' >"$out/segfault.jsonl" 2>/dev/null || true
}

case_sigpipe() {
  "$helper" watch --for 10 -- bash -c 'yes | head -1 >/dev/null' >"$out/sigpipe.jsonl" || true
}

case_oom() { # a v1 memory cgroup with a 32 MiB limit, removed after
  local cg=/sys/fs/cgroup/memory/dc-watch-test
  mkdir -p "$cg"
  echo $((32 * 1024 * 1024)) >"$cg/memory.limit_in_bytes"
  "$helper" watch --for 20 -- sh -c "echo \$\$ > $cg/cgroup.procs; exec $py -c 'a = bytearray(256 * 1024 * 1024)'" \
    >"$out/oom.jsonl" 2>/dev/null || true
  rmdir "$cg"
}

case_orphaned_group() { # SIGHUP + SIGCONT from the kernel to a stopped member of a newly orphaned group
  "$helper" watch --for 10 -- "$py" -c '
import os, signal, time
if os.fork() == 0:                      # C: a session of its own
    os.setsid()
    d = os.fork()
    if d == 0:                          # D: a process group of its own
        os.setpgid(0, 0)
        e = os.fork()
        if e == 0:                      # E: stops itself
            os.kill(os.getpid(), signal.SIGSTOP)
            time.sleep(30)
            os._exit(0)
        while open(f"/proc/{e}/stat").read().rsplit(")", 1)[1].split()[0] != "T":
            time.sleep(0.01)
        os._exit(0)                     # the group {E} is orphaned now
    os.waitpid(d, 0)
    os._exit(0)
os.wait()
' >"$out/orphaned-group.jsonl" || true
}

# A login on a real pty: bash -i with a job; the master is closed (terminal
# hangup to bash, which forwards SIGHUP to its job).  NOHUP=1: the job is a
# nohup job, which ignores the hangup and lives on (ended by pid after).
pty_case() {
  local name=$1 job=$2
  "$py" - "$helper" "$out/$name.jsonl" "$job" <<'EOF'
import os, pty, re, subprocess, sys, time, signal
helper, path, job = sys.argv[1], sys.argv[2], sys.argv[3]
pid, master = pty.fork()
if pid == 0:
    os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])
def read_until(pattern, limit=10):
    buf, end = b"", time.time() + limit
    while time.time() < end:
        buf += os.read(master, 4096)
        m = re.search(pattern, buf)
        if m: return m
    raise SystemExit("no " + pattern.decode())
os.write(master, (job + " & echo JOB=$((0+$!))\n").encode())
jobpid = int(read_until(rb"JOB=(\d+)\r?\n").group(1))
with open(path, "w") as f:
    w = subprocess.Popen([helper, "watch", "--for", "5", str(pid), str(jobpid)], stdout=f)
    while not re.search(r'"kind":"watching".*"kind":"watching"', open(path).read().replace("\n", " ")):
        time.sleep(0.05)
    os.close(master)
    w.wait()
for p in (jobpid, pid):
    try: os.kill(p, signal.SIGKILL)
    except ProcessLookupError: pass
try: os.waitpid(pid, 0)
except ChildProcessError: pass
EOF
}

case_pty_hangup() { pty_case pty-hangup 'sleep 300'; }
case_nohup_hangup() { pty_case nohup-hangup 'nohup sleep 300 >/dev/null 2>&1'; }

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(kill_term sigkill exit3 segfault sigpipe oom orphaned_group pty_hangup nohup_hangup)
for c in "${cases[@]}"; do
  echo "recording $c" >&2
  "case_$c"
done
