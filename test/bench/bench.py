#!/usr/bin/env python3
"""bench.py — the measuring half of test/bench/run.sh (run.sh installs, configures, starts and
stops the servers; this file measures them and writes the report).

  bench.py tree PID                       the live processes of PID's tree, one per line
  bench.py ready --port P --pid PID [--procs N] [--timeout S] [--name X --out FILE]
                                          wait until /1k.txt answers 200 and the tree has N
                                          processes; print the seconds it took (and, with
                                          --out, append an "idle" record: start-up time, PSS)
  bench.py check --servers FILE           which workloads each server answers correctly
  bench.py run --servers FILE --out FILE  the workloads, interleaved, repeated (see --help)
  bench.py c10k --name X --port P --pid PID --levels 1000,5000 --out FILE
  bench.py ramp --name X --port P --pid PID --out FILE [--target 256 --conns 256]
                                          the time a small pool takes to grow to --target
                                          workers under --conns new keep-alive connections
  bench.py syscalls --name X --port P --pid PID --out FILE [--requests 2000]
                                          strace -c -f on the tree over exactly that many
                                          requests (ab, c=16, keep-alive and not)
  bench.py proxy --targets FILE --out FILE [--duration 3 --repeats 3 --warmup 1]
                                          wrk c=16 keep-alive against each line NAME PORT PATH
                                          of FILE (upstreams straight, behind nginx, behind
                                          preforkd's mod_proxy), interleaved
  bench.py tls --name X --port P --cert ecdsa|rsa [--ktls 1] --out FILE [--record tls-vm]
                                          the HTTPS rows: wrk https (1 KB and 10 MB keep-alive),
                                          ab https (a full handshake per request); tls-vm: the
                                          10 MB file at c=4 and c=16 (test/ktls/inside.sh)
  bench.py htaccess --off-port P --on-port P --file FILE --out FILE [--duration 3 ...]
                                          1 KB keep-alive c=16 against preforkd without and
                                          with allow_override (the docroot holding FILE as
                                          its .htaccess), alternating, repeated
  bench.py report --raw FILE --c10k FILE --meta FILE --out RESULTS.md --plots DIR

The servers file has one line per server: NAME PORT PID FLAGS, FLAGS a comma list of the
workload kinds the server takes part in (ka, close, big, listing, cgi).
Everything here is bounded: every socket has a timeout, every loop a count and a deadline.
"""
import argparse
import errno
import json
import os
import resource
import select
import signal
import socket
import statistics
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
HOST = "127.0.0.1"

# name, path, concurrency, keep-alive, kind, title
WORKLOADS = (
    [("ka-c%d" % c, "/1k.txt", c, True, "ka", "1 KB, keep-alive, c=%d" % c) for c in (1, 16, 256, 1024)]
    + [("close-c%d" % c, "/1k.txt", c, False, "close", "1 KB, no keep-alive, c=%d" % c)
       for c in (1, 16, 256, 1024)]
    + [("big-c4", "/10m.bin", 4, True, "big", "10 MB file, keep-alive, c=4"),
       ("big-c16", "/10m.bin", 16, True, "big", "10 MB file, keep-alive, c=16"),
       ("listing-c16", "/dir/", 16, True, "listing", "directory listing (100 entries), c=16"),
       ("cgi-c-c16", "/cgi-bin/c.cgi", 16, True, "cgi", "C CGI, c=16"),
       ("cgi-sh-c16", "/cgi-bin/sh.cgi", 16, True, "cgi", "shell CGI, c=16")]
)
LABELS = {
    "preforkd": "preforkd classic (1024)",
    "preforkd-park": "preforkd (park, 256)",
    "preforkd-park-big": "preforkd (park, 256, 2 keepers)",
    "apache-prefork": "Apache mpm_prefork",
    "apache-event": "Apache mpm_event",
    "nginx": "nginx",
    "lighttpd": "lighttpd",
    "epoll-ref": "epoll_ref (ceiling)",
    "nginx-tls": "nginx, HTTPS",
    "nginx-tls-ktls": "nginx, HTTPS, ssl_conf_command Options KTLS",
    "preforkd-tls": "preforkd classic, HTTPS",
    "preforkd-tls-noktls": "preforkd classic, HTTPS, tls { ktls = false }",
    "preforkd-tls-batch": "preforkd classic, HTTPS, prefork { scheduling = \"batch\" }",
    "preforkd-10k": "preforkd, max_workers=10000",
    "preforkd-ramp": "preforkd classic (8 → 256)",
    "apache-ramp": "Apache mpm_prefork (8 → 256)",
}
PROCESS_PER_CONNECTION = ("preforkd", "apache-prefork")


# ---------------------------------------------------------------- processes and memory

def _stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        s = f.read()
    rest = s[s.rindex(")") + 2:].split()
    return rest[0], int(rest[1])  # state, ppid


def proc_tree(root):
    """The live (non-zombie) processes of root's tree, root first."""
    children, states = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            state, ppid = _stat(int(d))
        except (OSError, ValueError, IndexError):
            continue
        states[int(d)] = state
        children.setdefault(ppid, []).append(int(d))
    out, stack, seen = [], [root], set()
    while stack and len(seen) < 1000000:
        p = stack.pop()
        if p in seen or p not in states:
            continue
        seen.add(p)
        if states[p] != "Z":
            out.append(p)
        stack.extend(children.get(p, []))
    return out


def pss_kb(pid):
    try:
        with open("/proc/%d/smaps_rollup" % pid) as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory(root):
    pids = proc_tree(root)
    return sum(pss_kb(p) for p in pids), len(pids)


def loadavg():
    """The 1-minute load average: other work on the machine competes with every run."""
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def listen_overflows():
    """TcpExt ListenOverflows + ListenDrops (system-wide counters)."""
    try:
        with open("/proc/net/netstat") as f:
            lines = f.read().splitlines()
        for i in range(0, len(lines) - 1, 2):
            if lines[i].startswith("TcpExt:"):
                d = dict(zip(lines[i].split()[1:], map(int, lines[i + 1].split()[1:])))
                return d.get("ListenOverflows", 0), d.get("ListenDrops", 0)
    except (OSError, ValueError):
        pass
    return 0, 0


# ---------------------------------------------------------------- a tiny HTTP client

def http_get(port, path, timeout=5.0, close=True):
    """(status, body length, seconds) of one GET, or (None, error text, seconds)."""
    t0 = time.monotonic()
    deadline = t0 + timeout
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: bench.py\r\n%s\r\n"
                       % (path, HOST, "Connection: close\r\n" if close else "")).encode())
            buf = b""
            while len(buf) < 64 * 1024 * 1024:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = s.recv(1 << 20)
                if not chunk:
                    break
                buf += chunk
                done = _complete(buf)
                if done is not None:
                    return done[0], done[1], time.monotonic() - t0
            done = _complete(buf, eof=True)
            if done is not None:
                return done[0], done[1], time.monotonic() - t0
            return None, "incomplete response", time.monotonic() - t0
    except OSError as e:
        return None, type(e).__name__ + (" " + errno.errorcode.get(e.errno, "") if e.errno else ""), \
            time.monotonic() - t0


def https_status(port, path, timeout):
    """The status of one GET over TLS (the certificate is not checked: ours, self-signed)."""
    import ssl
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as raw:
            with ctx.wrap_socket(raw) as s:
                s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                           % (path, HOST)).encode())
                head = s.recv(64)
                return int(head.split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _complete(buf, eof=False):
    """(status, body length) when buf holds a whole response, else None."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    try:
        status = int(head[0].split()[1])
    except (IndexError, ValueError):
        return (0, 0)
    body = len(buf) - end - 4
    fields = {}
    for line in head[1:]:
        k, _, v = line.partition(":")
        fields[k.strip().lower()] = v.strip().lower()
    if "content-length" in fields:
        try:
            want = int(fields["content-length"])
        except ValueError:
            return (status, body)
        return (status, want) if body >= want else None
    if fields.get("transfer-encoding", "") == "chunked":
        return (status, body) if buf.endswith(b"\r\n0\r\n\r\n") else None
    return (status, body) if eof else None


# ---------------------------------------------------------------- servers file

def read_servers(path):
    out = []
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and not line.startswith("#"):
                out.append({"name": parts[0], "port": int(parts[1]), "pid": int(parts[2]),
                            "flags": set(parts[3].split(","))})
    return out


def cmd_tree(a):
    for p in proc_tree(a.pid):
        print(p)


def meminfo_kb(key):
    """A /proc/meminfo figure in kB (PageTables, KernelStack ...), or 0."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def status_idle(port):
    """IdleWorkers from preforkd's /server-status?auto, or -1."""
    try:
        with socket.create_connection((HOST, port), timeout=2) as s:
            s.settimeout(2)
            s.sendall(b"GET /server-status?auto HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Connection: close\r\n\r\n")
            buf = b""
            while len(buf) < 1 << 20:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
    except OSError:
        return -1
    for line in buf.decode("latin-1").splitlines():
        if line.startswith("IdleWorkers:"):
            try:
                return int(line.split()[1])
            except (ValueError, IndexError):
                return -1
    return -1


def cmd_ready(a):
    t0 = time.monotonic()
    deadline = t0 + a.timeout
    # --since: the wall-clock time the server was launched, so start-up counts from there
    launched = t0 - max(0.0, time.time() - a.since) if a.since else t0
    ok = False
    while time.monotonic() < deadline:
        if not os.path.exists("/proc/%d" % a.pid):
            sys.exit("%s (pid %d) exited during start-up" % (a.name or "server", a.pid))
        if not ok:
            st = https_status(a.port, "/1k.txt", 2) if a.scheme == "https" else \
                http_get(a.port, "/1k.txt", timeout=2)[0]
            ok = st == 200
        # With --idle-workers the scoreboard below is the test (a worker marks itself idle once
        # it runs): scanning /proc for the tree takes 0.25 s at 10 000 processes, on the CPUs
        # the master is forking on, and was most of the start-up it measured.
        if ok and (a.idle_workers or len(proc_tree(a.pid)) >= a.procs):
            break
        time.sleep(0.05)
    else:
        sys.exit("%s did not become ready in %d s (HTTP ok: %s, processes: %d of %d)"
                 % (a.name or "server", a.timeout, ok, len(proc_tree(a.pid)), a.procs))
    if ok and a.idle_workers:
        # the pool is up when its scoreboard says so: every worker idle, waiting for a client
        # (the one answering the status request is busy)
        while time.monotonic() < deadline and status_idle(a.port) < a.idle_workers - 1:
            time.sleep(0.05)
    secs = time.monotonic() - launched
    if a.out:
        time.sleep(a.settle)
        kb, n = memory(a.pid)
        rec = {"type": "idle", "server": a.name, "startup_s": round(secs, 3), "pss_kb": kb,
               "procs": n}
        if a.meminfo_before:
            # what the processes cost the kernel beside PSS: their page tables and stacks
            pt0, ks0 = (int(x) for x in a.meminfo_before.split(","))
            pt1, ks1 = meminfo_kb("PageTables"), meminfo_kb("KernelStack")
            rec.update(page_tables_kb=pt1 - pt0, kernel_stack_kb=ks1 - ks0)
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
    print("%.3f" % secs)


WORKLOAD_URL_CHECK = {"/1k.txt": 1024, "/10m.bin": 10 * 1024 * 1024}


def check_server(srv):
    """The workloads this server answers with a 200 (and the right size for files)."""
    good, bad = [], {}
    for w in WORKLOADS:
        name, path, _, _, kind, _ = w
        if kind not in srv["flags"]:
            continue
        st, length, _ = http_get(srv["port"], path, timeout=10)
        want = WORKLOAD_URL_CHECK.get(path)
        if st == 200 and (want is None or length == want) and (want is not None or length > 0):
            good.append(name)
        else:
            bad[name] = "HTTP %s, %s bytes" % (st, length)
    return good, bad


def cmd_check(a):
    failed = False
    for srv in read_servers(a.servers):
        good, bad = check_server(srv)
        print("%-15s ok: %s%s" % (srv["name"], " ".join(good) or "-",
                                  ("; FAILED: " + ", ".join("%s (%s)" % kv for kv in bad.items()))
                                  if bad else ""))
        failed = failed or bool(bad)
    sys.exit(1 if failed and a.strict else 0)


# ---------------------------------------------------------------- syscalls per request

SYSCALL_WORKLOADS = (("ka-c16", True), ("close-c16", False))


def strace_attach(pids, out, timeout):
    """strace -c -f on every process of pids, once every one is attached; None if it fails.
    Its messages go to out + ".log" (a pipe nobody reads once attached could fill and stop it)."""
    cmd = ["strace", "-c", "-f", "-o", out] + [x for p in pids for x in ("-p", str(p))]
    with open(out + ".log", "wb") as log:
        tr = subprocess.Popen(cmd, stderr=log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and tr.poll() is None:
        with open(out + ".log", "rb") as log:
            if log.read().count(b" attached") >= len(pids):
                return tr
        time.sleep(0.1)
    if tr.poll() is None:
        tr.kill()
    tr.wait()
    return None


def strace_counts(path):
    """{syscall: calls} from strace -c's table."""
    calls = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            # % time, seconds, usecs/call, calls, [errors,] syscall
            if len(parts) in (5, 6) and parts[3].isdigit() and parts[-1] != "total":
                calls[parts[-1]] = calls.get(parts[-1], 0) + int(parts[3])
    return calls


def run_ab(port, n, conc, keepalive):
    cmd = ["ab", "-q", "-n", str(n), "-c", str(conc), "-s", "10"] + (["-k"] if keepalive else [])
    cmd.append("http://%s:%d/1k.txt" % (HOST, port))
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return "ab did not finish in time"
    done = [l for l in p.stdout.splitlines() if l.startswith("Complete requests:")]
    failed = [l for l in p.stdout.splitlines() if l.startswith("Failed requests:")]
    if p.returncode != 0 or not done or int(done[0].split()[-1]) != n or (
            failed and int(failed[0].split()[-1]) != 0):
        return "ab: " + (p.stderr.strip() or p.stdout.strip())[-300:]
    return None


def cmd_syscalls(a):
    """Syscalls per request: strace -c -f on the server's whole tree while ab sends exactly
    --requests requests of /1k.txt (after a warm-up of a tenth as many, not counted)."""
    import tempfile
    for name, keepalive in SYSCALL_WORKLOADS:
        if a.workloads and name not in a.workloads.split(","):
            continue
        rec = {"type": "syscalls", "server": a.name, "workload": name, "requests": a.requests}
        err = run_ab(a.port, max(a.requests // 10, 16), 16, keepalive)
        pids = proc_tree(a.pid)
        with tempfile.TemporaryDirectory() as tmp:
            counts = os.path.join(tmp, "strace.out")
            tr = strace_attach(pids, counts, 120) if err is None else None
            if err is None and tr is None:
                err = "strace could not attach to %d processes" % len(pids)
            if tr is not None:
                err = run_ab(a.port, a.requests, 16, keepalive)
                tr.send_signal(signal.SIGINT)
                try:
                    tr.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    tr.kill()
                    tr.wait()
                calls = strace_counts(counts)
                rec.update(calls=calls, total=sum(calls.values()), procs=len(pids))
        if err is not None:
            rec["failed"] = err
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        if "failed" in rec:
            print("%s %s: %s" % (a.name, name, err))
            continue
        top = sorted(rec["calls"].items(), key=lambda kv: -kv[1])[:8]
        print("%s %s: %.2f syscalls per request (%s)" % (
            a.name, name, rec["total"] / a.requests,
            ", ".join("%s %.2f" % (k, v / a.requests) for k, v in top)))


# ---------------------------------------------------------------- HTTPS

# name, what, title: the rows of the HTTPS table (bench.py tls)
TLS_WORKLOADS = (
    ("tls-ka-c4", "rps", "HTTPS 1 KB, keep-alive, c=4 (req/s)"),
    ("tls-ka-c16", "rps", "HTTPS 1 KB, keep-alive, c=16 (req/s)"),
    ("tls-new-c16", "rps", "new TLS connections per second, full handshake each, c=16"),
    ("tls-big-c16", "mbps", "10 MB file over HTTPS, keep-alive, c=16 (MB/s)"),
    ("tls-resume-c1", "rps", "resumed TLS connections per second, c=1 (share resumed)"),
)
# the rows of test/ktls/inside.sh (bench.py tls --record tls-vm), in a VM whose kernel has kTLS
TLS_VM_WORKLOADS = (
    ("tls-big-c4", "mbps", "10 MB file over HTTPS, keep-alive, c=4 (MB/s)"),
    ("tls-big-c16", "mbps", "10 MB file over HTTPS, keep-alive, c=16 (MB/s)"),
)


def run_resume_rate(port, path, duration):
    """openssl s_time -reuse: one client that resumes its first session on every new connection
    for duration seconds. Each connection lands on whichever worker accepts it, so the share
    that resumed ('r' in s_time's progress line, '*' for a full handshake) shows whether the
    ticket keys are the pool's or a worker's. {"rps": …, "resumed": share} or {"failed": …}."""
    cmd = ["openssl", "s_time", "-connect", "%s:%d" % (HOST, port), "-reuse",
           "-time", str(duration), "-www", path]
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired:
        return {"failed": "s_time did not finish in time"}
    elapsed = time.monotonic() - t0
    marks = "".join(line for line in p.stdout.splitlines() if set(line) <= set("r*") and line)
    if p.returncode != 0 or not marks:
        return {"failed": "s_time: " + (p.stderr.strip() or p.stdout.strip())[-300:]}
    return {"rps": len(marks) / elapsed, "requests": len(marks),
            "resumed": marks.count("r") / len(marks)}


def run_ab_rate(port, path, conc, duration):
    """ab over HTTPS for duration seconds, a new connection (and a full handshake: ab keeps no
    session) for each request; {"rps": …} or {"failed": …}."""
    cmd = ["ab", "-q", "-t", str(duration), "-n", "10000000", "-c", str(conc), "-s", "10",
           "https://%s:%d%s" % (HOST, port, path)]
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired:
        return {"failed": "ab did not finish in time"}
    out = {}
    for line in p.stdout.splitlines():
        k, _, v = line.partition(":")
        if k in ("Requests per second", "Complete requests", "Failed requests", "Non-2xx responses"):
            try:
                out[k] = float(v.split()[0])
            except (ValueError, IndexError):
                pass
    if "Requests per second" not in out or out.get("Complete requests", 0) == 0:
        return {"failed": "ab: " + (p.stderr.strip() or p.stdout.strip())[-300:]}
    r = {"rps": out["Requests per second"], "requests": int(out["Complete requests"])}
    bad = int(out.get("Failed requests", 0) + out.get("Non-2xx responses", 0))
    if bad:
        r["errors"] = {"failed": bad}
    return r


def cmd_tls(a):
    """The HTTPS rows of the servers of one group (started together by run.sh with the same
    --cert; --name, --port and --ktls are comma lists in the same order): each of TLS_WORKLOADS
    (--workloads: a subset), a warm-up on each server, then --repeats rounds in which every
    server runs in turn, as the plain workloads do: runs here move by more than the gaps between
    servers (wrk at c=16 read 40-56k req/s from one server within a minute), so a server's runs
    must not all fall in one stretch of time. The median of each server's runs is kept. The
    concurrency is the name's -cN; --record tls-vm: TLS_VM_WORKLOADS instead, records of that
    type."""
    names, ports = a.name.split(","), [int(x) for x in a.port.split(",")]
    ktls = [int(x) for x in a.ktls.split(",")]
    if not len(names) == len(ports) == len(ktls):
        sys.exit("bench.py tls: --name, --port and --ktls differ in length")
    for name, what, _ in TLS_VM_WORKLOADS if a.record == "tls-vm" else TLS_WORKLOADS:
        if a.workloads and name not in a.workloads.split(","):
            continue
        conc = int(name.rsplit("-c", 1)[1])

        def run(port, duration):
            if name == "tls-new-c16":
                return run_ab_rate(port, "/1k.txt", conc, duration)
            if name == "tls-resume-c1":
                return run_resume_rate(port, "/1k.txt", duration)
            path = "/10m.bin" if name.startswith("tls-big-") else "/1k.txt"
            return run_wrk(port, path, conc, True, duration, a.threads, scheme="https")

        if a.warmup > 0:
            for port in ports:
                run(port, a.warmup)
        runs = [[] for _ in names]
        for _ in range(a.repeats):
            for i, port in enumerate(ports):
                runs[i].append(run(port, a.duration))
        for server, k, server_runs in zip(names, ktls, runs):
            tls_record(a, name, what, server, k, server_runs)


def tls_record(a, name, what, server, ktls, runs):
    """One server's record of one HTTPS workload: the median of its runs that did not fail."""
    ok = [r for r in runs if "failed" not in r]
    rec = {"type": a.record, "server": server, "workload": name, "cert": a.cert, "ktls": ktls,
           "repeats": a.repeats, "duration": a.duration}
    if ok:
        rec["value"] = statistics.median(r[what] for r in ok)
        rec["errors"] = sum(sum(r.get("errors", {}).values()) for r in ok)
        if name == "tls-resume-c1":
            rec["resumed"] = min(r["resumed"] for r in ok)
    else:
        rec["failed"] = runs[-1]["failed"] if runs else "not run"
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print("%s %s: %s" % (server, name, "%.1f %s" % (rec["value"], what) if "value" in rec
                         else rec["failed"]))


def report_tls(p, recs, meta):
    p("## HTTPS")
    p("")
    if not recs:
        p("Not run (`BENCH_TLS=0`).")
        p("")
        return
    r0 = recs[0]
    p("Each server also listens with TLS (same certificate for all, made by run.sh with the "
      "openssl CLI: ECDSA P-256 or RSA 2048; Mozilla's intermediate profile, TLS 1.2 and 1.3; "
      "session tickets on). `wrk` over `https://` for the keep-alive rows; `ab -c 16 https://…` "
      "for new connections (ab keeps no session: a full handshake each); `openssl s_time "
      "-reuse` for resumed ones (one client resuming its first session on each new connection, "
      "whichever worker takes it; in brackets the share that resumed, the lowest of the runs). kTLS: whether the "
      "server was asked to hand the record layer to the kernel (preforkd's error log and "
      "mod_status say whether the kernel took it: %s). The servers of a row group (same "
      "certificate) run at the same time and take turns: a warm-up run each, then %d rounds "
      "of %d s in which each runs once; the median of each server's runs."
      % (meta.get("ktls_seen", "not known"), r0["repeats"], r0["duration"]))
    p("")
    p("| server | certificate | kTLS asked | " + " | ".join(t for _, _, t in TLS_WORKLOADS) + " |")
    p("| --- | --- | --- |" + " ---: |" * len(TLS_WORKLOADS))
    rows = {}
    for r in recs:
        rows.setdefault((r["server"], r["cert"], r["ktls"]), {})[r["workload"]] = r
    for (server, cert, ktls), cells in rows.items():
        out = []
        for name, what, _ in TLS_WORKLOADS:
            r = cells.get(name)
            if r is None:
                out.append("-")
            elif "failed" in r:
                out.append("failed: " + r["failed"].replace("|", "/")[:60])
            else:
                out.append(("%.0f" if what == "rps" else "%.1f") % r["value"] +
                           (" (%.0f%%)" % (100 * r["resumed"]) if "resumed" in r else "") +
                           (" (%d errors)" % r["errors"] if r.get("errors") else ""))
        p("| %s | %s | %s | %s |" % (LABELS.get(server, server), cert, "yes" if ktls else "no",
                                    " | ".join(out)))
    p("")
    report_tls_ratios(p, rows, meta)


# Issue 17's floors, preforkd over nginx with the same certificate (None: no floor, context only)
TLS_FLOORS = (("tls-ka-c4", None), ("tls-ka-c16", 0.9), ("tls-new-c16", 1.0))


def report_tls_ratios(p, rows, meta):
    """preforkd's HTTPS rows over nginx's of the same certificate, with issue 17's floors (the
    default config's; the SCHED_BATCH variant's beside them where it ran)."""
    lines = []
    for name, floor in TLS_FLOORS:
        title = next(t for n, _, t in TLS_WORKLOADS if n == name).split(" (")[0]
        for cert in ("ecdsa", "rsa"):
            for server, who in (("preforkd-tls", "preforkd"),
                                ("preforkd-tls-batch", "preforkd with `scheduling = \"batch\"`")):
                mine = [c.get(name) for (s, ce, _), c in rows.items() if s == server and ce == cert]
                ref = [c.get(name) for (s, ce, _), c in rows.items() if s == "nginx-tls" and ce == cert]
                if not mine or not ref or not mine[0] or not ref[0] or "value" not in mine[0] or \
                        "value" not in ref[0] or not ref[0]["value"]:
                    continue
                x = mine[0]["value"] / ref[0]["value"]
                verdict = "" if floor is None else ", target ≥ %.1f×: %s" % (floor, met(x >= floor))
                lines.append("- %s, %s: %s %.2f× nginx%s." % (title, cert.upper(), who, x, verdict))
    if not lines:
        return
    for line in lines:
        p(line)
    p("")
    p("The keep-alive rows at c=4 and c=16 show the price of the model: preforkd serves each "
      "connection in its own process, which sleeps after each answer and is woken for the next "
      "request, so at c=16 sixteen processes take turns on the CPUs; nginx's %d workers each "
      "serve every connection that is ready before they sleep. With `scheduling = \"batch\"` a "
      "woken worker does not preempt the running task, which saves most of that cost and "
      "lengthens the tail of latency (README, prefork { scheduling })." % meta.get("nproc", "?"))
    p("")


def report_tls_vm(p, recs):
    """BENCH_KTLS_VM=1: test/ktls/vm.sh ran test/ktls/inside.sh in a guest on Debian 12's own
    kernel (tls module loaded); its MB/s records (tls-vm), what it saw (tls-vm-info) and how
    the guest ran (tls-vm-run: kvm or tcg, seconds)."""
    info = next((r for r in recs if r["type"] == "tls-vm-info"), {})
    run = next((r for r in recs if r["type"] == "tls-vm-run"), {})
    rows = [r for r in recs if r["type"] == "tls-vm"]
    p("### 10 MB file over HTTPS, in a VM with Debian 12's kernel %s (kTLS module loaded)"
      % info.get("kernel", "6.1"))
    p("")
    if not rows:
        p("No rows: test/ktls/vm.sh failed (%s)." % run.get("why", "see its log"))
        p("")
        return
    tcg = run.get("accel") == "tcg"
    p("test/ktls/vm.sh boots Debian 12's kernel package (downloaded, not installed) in qemu "
      "(%s, %s vCPUs) over this machine's own userland (9p, read-only): preforkd from this "
      "build, Debian's %s, nginx and wrk. preforkd's error log there: %s. Checks (byte-exact "
      "10 MB, Range, small file, keep-alive; TLS 1.2 and 1.3, AES-GCM and ChaCha20; kTLS and "
      "buffered counters): %s. wrk over `https://` (its default: TLS 1.3), median of %d runs of "
      "%d s; the guest ran %s s in all."
      % ("KVM" if not tcg else "TCG: qemu emulates the CPU, AES-NI included, because this "
         "machine's KVM cannot boot a stock kernel", run.get("cpus", "?"),
         info.get("openssl", "OpenSSL"), info.get("ktls_seen") or "not known",
         "all passed" if info.get("failures") == 0 else "%s failed" % info.get("failures", "?"),
         rows[0]["repeats"], rows[0]["duration"], run.get("seconds", "?")))
    if tcg:
        p("")
        p("Under emulation every instruction, the kernel's crypto and OpenSSL's alike, runs "
          "emulated: these MB/s are far below the rows above and do not measure what kTLS "
          "saves (a copy through the worker, which costs little next to emulated AES); they "
          "show that each path carries the load, with no errors. kTLS's gain needs a machine "
          "whose KVM boots the stock kernel (KTLS_VM_ACCEL=kvm), or Debian 12 itself.")
    p("")
    p("| server | kTLS asked | " + " | ".join(t for _, _, t in TLS_VM_WORKLOADS) + " |")
    p("| --- | --- |" + " ---: |" * len(TLS_VM_WORKLOADS))
    cells = {}
    for r in rows:
        cells.setdefault((r["server"], r["ktls"]), {})[r["workload"]] = r
    for (server, ktls), row in cells.items():
        out = []
        for name, _, _ in TLS_VM_WORKLOADS:
            r = row.get(name)
            out.append("-" if r is None else "failed: " + r["failed"].replace("|", "/")[:60]
                       if "failed" in r else "%.1f" % r["value"] +
                       (" (%d errors)" % r["errors"] if r.get("errors") else ""))
        p("| %s | %s | %s |" % (LABELS.get(server, server), "yes" if ktls else "no",
                               " | ".join(out)))
    p("")


# ---------------------------------------------------------------- pool ramp

def cmd_ramp(a):
    """A small pool (start 8) meets --conns new keep-alive connections at once, each held after
    its first answer: how long until the pool has --target workers, and until every connection
    is answered. The process count is sampled every 50 ms in a thread while hold() runs."""
    import threading
    base = len(proc_tree(a.pid))
    samples, stop = [], threading.Event()
    t0 = time.monotonic()

    def watch():
        while not stop.is_set() and time.monotonic() - t0 < a.timeout + 5:
            samples.append((time.monotonic() - t0, len(proc_tree(a.pid))))
            stop.wait(0.05)

    th = threading.Thread(target=watch, daemon=True)
    th.start()
    st, state = hold(a.port, a.conns, a.timeout)
    # the pool may still be growing when the last answer came: watch until it is full or the
    # time is up
    while time.monotonic() - t0 < a.timeout and (not samples or samples[-1][1] < a.target + 1):
        time.sleep(0.05)
    stop.set()
    th.join(5)
    release(state)
    full = next((t for t, n in samples if n >= a.target + 1), None)
    rec = {"type": "ramp", "server": a.name, "start_procs": base, "target": a.target,
           "conns": a.conns, "full_s": round(full, 2) if full is not None else None,
           "answered": st["answered"],
           "all_answered_s": round(st["last_answer"] - t0, 2)
           if st["answered"] == a.conns and st["last_answer"] else None,
           "p99_ms": round(1000 * pct(st["latencies"], 99), 1) if st["latencies"] else None,
           "end_procs": samples[-1][1] if samples else base, "failed": st["failed"],
           "timeout_s": a.timeout}
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print("%s: %d → %s processes; %s workers after %s s; %d of %d answered%s" % (
        a.name, base, rec["end_procs"], a.target, rec["full_s"], st["answered"], a.conns,
        " (all after %s s)" % rec["all_answered_s"] if rec["all_answered_s"] is not None else ""))


def report_ramp(p, recs, meta):
    if not recs:
        return
    p("## Pool ramp")
    p("")
    r0 = recs[0]
    p("A process-per-connection pool started small (`start_servers = 8`, `min_spare_servers = 5`, "
      "`max_spare_servers = 20`, `max_workers = %d`, keep-alive without parking; Apache prefork "
      "with the same `StartServers`, `MinSpareServers`, `MaxSpareServers`, `MaxRequestWorkers`) "
      "meets %d new keep-alive connections at once, each sending one request and then held: "
      "how long until the pool has %d workers (its process count sampled every 50 ms), and "
      "until every connection has its answer (at most %d s)."
      % (r0["target"], r0["conns"], r0["target"], r0["timeout_s"]))
    p("")
    p("| server | processes at start | %d workers after | all answered after | p99 of the answers | "
      "answered | processes at the end |" % r0["target"])
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in recs:
        p("| %s | %d | %s | %s | %s | %d of %d%s | %d |" % (
            LABELS.get(r["server"], r["server"]), r["start_procs"],
            "%.2f s" % r["full_s"] if r["full_s"] is not None else "not within %d s" % r["timeout_s"],
            "%.2f s" % r["all_answered_s"] if r["all_answered_s"] is not None else "-",
            "%.0f ms" % r["p99_ms"] if r["p99_ms"] is not None else "-",
            r["answered"], r["conns"],
            " (" + ", ".join("%s: %d" % kv for kv in r["failed"].items()) + ")" if r["failed"] else "",
            r["end_procs"]))
    p("")


# ---------------------------------------------------------------- .htaccess cost (issue 16)

HT_MARK = "x-frame-options"  # the header bench.htaccess sets: proof that the file is honoured


def head_fields(port, path, timeout=5.0):
    """(status, {lower-case field names}) of one GET's head, or (None, error text)."""
    deadline = time.monotonic() + timeout
    try:
        with socket.create_connection((HOST, port), timeout=timeout) as s:
            s.sendall(("GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                       % (path, HOST)).encode())
            buf = b""
            while b"\r\n\r\n" not in buf and len(buf) < 64 * 1024:
                s.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
    except OSError as e:
        return None, type(e).__name__
    lines = buf.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split()[1])
    except (IndexError, ValueError):
        return None, "no status line"
    return status, {l.partition(":")[0].strip().lower() for l in lines[1:]}


def cmd_htaccess(a):
    """The same preforkd twice on one docroot holding --file as its .htaccess: without
    allow_override (the file is never looked for) and with allow_override = {"All"}. First a
    check that only "on" honours the file; then ka-c16 with wrk, a warm-up each, then --repeats
    rounds alternating which goes first (off on, on off …) so drift hits both alike."""
    variants = (("off", a.off_port), ("on", a.on_port))
    check = {"type": "htaccess-check", "file": open(a.file).read()}
    for v, port in variants:
        st, fields = head_fields(port, "/1k.txt")
        if st != 200 or (HT_MARK in fields) != (v == "on"):
            check["failed"] = "%s: HTTP %s, %s" % (
                v, st, fields if st is None else "%s %s" % (HT_MARK, "present" if HT_MARK in fields
                                                            else "missing"))
            break
    with open(a.out, "a") as f:
        f.write(json.dumps(check) + "\n")
    if "failed" in check:
        sys.exit("bench: .htaccess check failed: " + check["failed"])
    threads = os.cpu_count() or 1
    for rep in range(0 if a.warmup > 0 else 1, a.repeats + 1):
        for v, port in (variants if rep % 2 else variants[::-1]):
            load = loadavg()
            r = run_wrk(port, "/1k.txt", 16, True, a.warmup if rep == 0 else a.duration, threads)
            if rep == 0:
                continue
            r.update({"type": "htaccess", "variant": v, "rep": rep, "loadavg": load})
            with open(a.out, "a") as f:
                f.write(json.dumps(r) + "\n")
            if "failed" in r:
                print("bench: htaccess %s: %s" % (v, r["failed"]), flush=True)
            else:
                print("htaccess rep %d %-3s %9.0f req/s  p99 %7.2f ms  errors %d" % (
                    rep, v, r["rps"], r["p99_us"] / 1000, sum(r["errors"].values())), flush=True)
            time.sleep(a.pause)


def report_htaccess(p, recs, meta):
    """The ".htaccess cost" section: medians of off and on, their ratio (issue 16's aim: on at
    least 0.9 x off), callgrind's instructions per request of both."""
    check = next((r for r in recs if r["type"] == "htaccess-check"), None)
    if check is None:
        return
    p("## .htaccess cost")
    p("")
    cg = next((r for r in recs if r["type"] == "htaccess-callgrind"), None)
    p("The classic preforkd (the same fixed pool of %s workers and config as above) is started "
      "twice on a copy of the document root (`1k.txt` and the `.htaccess` below, which no other "
      "server sees): *off* without `allow_override` (preforkd's default, Apache's `AllowOverride "
      "None`: the file is not even looked for) and *on* with `allow_override = {\"All\"}` (each "
      "request `stat()`s the root's `.htaccess`, applies the cached, parsed file, adds its "
      "header). `wrk` runs the 1 KB keep-alive c=16 workload against each, %s s, a warm-up "
      "each, then %s rounds alternating which goes first; medians. *Instructions per request*: "
      "`test/bench/callgrind.sh --htaccess test/bench/bench.htaccess [--allow-override All] "
      "--keepalive-only` (deterministic, unlike requests per second)."
      % (meta.get("pool", "?"), meta.get("duration", "?"), meta.get("repeats", "?")))
    p("")
    p("```apache")
    p(check["file"].rstrip())
    p("```")
    p("")
    if "failed" in check:
        p("The check before the runs failed (%s): no numbers." % check["failed"])
        p("")
        return
    med = {}
    for v in ("off", "on"):
        ok = [r for r in recs if r["type"] == "htaccess" and r["variant"] == v
              and "failed" not in r]
        if ok:
            med[v] = {k: statistics.median([r[k] for r in ok]) for k in ("rps", "p50_us", "p99_us")}
            med[v]["errors"] = sum(sum(r["errors"].values()) for r in ok)
            med[v]["reps"] = len(ok)
    p("| preforkd classic, 1 KB keep-alive c=16 | req/s | p50 ms | p99 ms | errors | runs | "
      "instructions per request |")
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for v, title in (("off", "off: no `allow_override`"), ("on", "on: `allow_override = {\"All\"}`")):
        m = med.get(v)
        ins = fmt_n(cg[v]) if cg and cg.get(v) else "-"
        if m is None:
            p("| %s | failed | | | | | %s |" % (title, ins))
            continue
        p("| %s | %s | %s | %s | %d | %d | %s |" % (title, fmt_n(m["rps"]), ms(m["p50_us"]),
                                                   ms(m["p99_us"]), m["errors"], m["reps"], ins))
    if "off" in med and "on" in med:
        p("| **on ÷ off** | **%.2f** | %.2f | %.2f | | | %s |" % (
            med["on"]["rps"] / max(med["off"]["rps"], 1e-9),
            med["on"]["p50_us"] / max(med["off"]["p50_us"], 1e-9),
            med["on"]["p99_us"] / max(med["off"]["p99_us"], 1e-9),
            "%.2f" % (cg["on"] / cg["off"]) if cg and cg.get("on") and cg.get("off") else "-"))
    p("")
    if "off" in med and "on" in med:
        r = med["on"]["rps"] / max(med["off"]["rps"], 1e-9)
        p("- Issue 16's aim, *on* at least 0.9 × *off* in requests per second: **%s** (%.0f%%)."
          % ("met" if r >= 0.9 else "not met", 100 * r))
        p("")


# ---------------------------------------------------------------- wrk runs

def park_counts(port):
    """(Parks, Unparks) from preforkd's /server-status?auto (0, 0 with park = false), or None."""
    try:
        with socket.create_connection((HOST, port), timeout=2) as s:
            s.sendall(b"GET /server-status?auto HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Connection: close\r\n\r\n")
            buf = b""
            while len(buf) < 1 << 20:
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
    except OSError:
        return None
    keys = {}
    for line in buf.decode("latin-1").split("\r\n\r\n", 1)[-1].splitlines():
        k, _, v = line.partition(":")
        keys[k.strip()] = v.strip()
    try:
        return int(keys["Parks"]), int(keys["Unparks"])
    except (KeyError, ValueError):
        return None


def run_wrk(port, path, conc, keepalive, duration, threads, scheme="http"):
    t = max(1, min(threads, conc))
    env = dict(os.environ, WRK_CLOSE="0" if keepalive else "1")
    cmd = ["wrk", "-t%d" % t, "-c%d" % conc, "-d%ds" % duration, "--timeout", "10s", "--latency",
           "-s", os.path.join(HERE, "wrk_report.lua"), "%s://%s:%d%s" % (scheme, HOST, port, path)]
    try:
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=duration + 60)
    except subprocess.TimeoutExpired:
        return {"failed": "wrk did not finish in time"}
    for line in p.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            r = json.loads(line[len("BENCH_JSON "):])
            secs = max(r["duration_us"], 1) / 1e6
            r["rps"] = r["requests"] / secs
            r["mbps"] = r["bytes"] / secs / 1e6
            return r
    return {"failed": "wrk: " + (p.stderr.strip() or p.stdout.strip())[-300:]}


# Workloads whose runs move more from one to the next than the gaps between servers: each
# repetition runs them this many times, still interleaved (A B C, A B C, A B C), and the
# median is over all. A 10 MB file at c=16 on loopback moved ±15% between runs of 2 s here.
ROUNDS_BY_KIND = {"big": 3}


def cmd_run(a):
    servers = read_servers(a.servers)
    if a.only:
        servers = [s for s in servers if s["name"] in a.only.split(",")]
    plan = {}
    for srv in servers:
        good, bad = check_server(srv)
        plan[srv["name"]] = set(good)
        for w, why in bad.items():
            print("bench: %s fails the %s check (%s): its row says so" % (srv["name"], w, why),
                  flush=True)
            with open(a.out, "a") as f:
                f.write(json.dumps({"type": "run", "rep": -1, "server": srv["name"], "workload": w,
                                    "failed": "check: " + why}) + "\n")
    if a.workloads:
        wanted = set(a.workloads.split(","))
        unknown = wanted - {w[0] for w in WORKLOADS}
        if unknown:
            sys.exit("bench: unknown workloads: %s" % ", ".join(sorted(unknown)))
        plan = {k: v & wanted for k, v in plan.items()}
    threads = os.cpu_count() or 1
    kind_of = {w[0]: w[4] for w in WORKLOADS}
    total = sum(ROUNDS_BY_KIND.get(kind_of[w], 1) for v in plan.values() for w in v) * a.repeats + \
        (sum(len(v) for v in plan.values()) if a.warmup > 0 else 0)
    done = 0
    t_start = time.monotonic()
    # Repetition 0 is the warm-up (not recorded). Then the whole set, interleaved: for each
    # workload every server in turn (A B C D, A B C D …), and the set repeated.
    for rep in range(0 if a.warmup > 0 else 1, a.repeats + 1):
        dur = a.warmup if rep == 0 else a.duration
        for w in WORKLOADS:
            name, path, conc, ka, kind, _ = w
            rounds = ROUNDS_BY_KIND.get(kind, 1) if rep > 0 else 1
            for srv in [srv for _ in range(rounds) for srv in servers]:
                if name not in plan[srv["name"]]:
                    continue
                load = loadavg()
                before = park_counts(srv["port"]) if srv["name"].startswith("preforkd") else None
                r = run_wrk(srv["port"], path, conc, ka, dur, threads)
                r["loadavg"] = load
                after = park_counts(srv["port"]) if before else None
                if before and after:
                    # connections handed to a keeper and back during the run (the first status
                    # request's lingering close may add one park)
                    r["parks"], r["unparks"] = after[0] - before[0], after[1] - before[1]
                done += 1
                if rep > 0:
                    kb, n = memory(srv["pid"])
                    r.update({"type": "run", "rep": rep, "server": srv["name"], "workload": name,
                              "pss_kb": kb, "procs": n})
                    with open(a.out, "a") as f:
                        f.write(json.dumps(r) + "\n")
                if "failed" in r:
                    print("bench: %s %s: %s" % (srv["name"], name, r["failed"]), flush=True)
                elif not a.quiet:
                    el = time.monotonic() - t_start
                    print("[%3d/%d %4.0fs] %s %-14s %-12s %9.0f req/s  p99 %7.2f ms  "
                          "timeouts %d%s"
                          % (done, total, el, "warm-up" if rep == 0 else "rep %d  " % rep,
                             srv["name"], name, r["rps"], r["p99_us"] / 1000,
                             r["errors"]["timeout"],
                             ("  errors %s" % r["errors"] if any(r["errors"].values()) else "")
                             + ("  parks %d unparks %d" % (r["parks"], r["unparks"])
                                if r.get("parks") else "")),
                          flush=True)
                time.sleep(a.pause)


# ---------------------------------------------------------------- the reverse proxy (issue 18)

PROXY_CONC = 16
# upstream: (its label, the path measured); fronts: the targets' name suffixes in row order
PROXY_UPSTREAMS = {"gunicorn": "Gunicorn (examples/flask, gthread)", "trivial": "epoll_ref (trivial)"}
PROXY_FRONTS = (("direct", "straight (no proxy)"), ("nginx", "nginx proxy_pass, keepalive"),
                ("preforkd", "preforkd mod_proxy"))
PROXY_TARGETS = {"gunicorn": 0.95, "trivial": 0.8}  # issue 18: req/s at least this × nginx's


def cmd_proxy(a):
    targets = []
    with open(a.targets) as f:
        for line in f:
            if line.strip():
                name, port, path = line.split()
                targets.append((name, int(port), path))
    ready = {}
    for name, port, path in targets:  # every front answers through its upstream before any run
        deadline, status = time.monotonic() + a.ready_timeout, None
        while time.monotonic() < deadline:
            status = http_get(port, path, timeout=2)[0]
            if status == 200:
                break
            time.sleep(0.2)
        ready[name] = status == 200
        if not ready[name]:
            print("bench: proxy target %s on port %d never answered %s with 200" % (name, port, path))
            with open(a.out, "a") as f:
                f.write(json.dumps({"type": "proxy", "rep": -1, "target": name,
                                    "failed": "not ready (%s)" % status}) + "\n")
    threads = min(os.cpu_count() or 1, PROXY_CONC)
    for rep in range(0 if a.warmup > 0 else 1, a.repeats + 1):
        # each repetition runs the set PROXY_ROUNDS times, interleaved: the upstreams share the
        # CPUs with the fronts and wrk, and Gunicorn alone moved 2x between runs here
        rounds = PROXY_ROUNDS if rep > 0 else 1
        for name, port, path in [t for _ in range(rounds) for t in targets]:
            if not ready[name]:
                continue
            r = run_wrk(port, path, PROXY_CONC, True, a.warmup if rep == 0 else a.duration, threads)
            if rep > 0:
                r.update({"type": "proxy", "rep": rep, "target": name})
                with open(a.out, "a") as f:
                    f.write(json.dumps(r) + "\n")
            if "failed" in r:
                print("bench: proxy %s: %s" % (name, r["failed"]), flush=True)
            else:
                print("proxy %s %-18s %9.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %s"
                      % ("warm-up" if rep == 0 else "rep %d  " % rep, name, r["rps"],
                         r["p50_us"] / 1000, r["p99_us"] / 1000, r["errors"]), flush=True)
            time.sleep(0.5)


PROXY_ROUNDS = 3


def report_proxy(p, recs, costs=()):
    """The reverse-proxy rows: each upstream straight, behind nginx, behind preforkd; then the
    proxy's own cost in counts (costs: the proxy-* syscalls records and the proxy-callgrind one)."""
    if not recs:
        return
    p("## Reverse proxy (mod_proxy)")
    p("")
    p("wrk, c=%d keep-alive, `GET /` of the Flask app (Gunicorn: `examples/flask/gunicorn.conf.py` "
      "with one worker per CPU, on TCP) and `GET /1k.txt` of `epoll_ref` (a trivial upstream: what "
      "remains is the proxy's own cost), each straight, behind nginx (`proxy_pass` to an "
      "`upstream` with `keepalive 32`, `proxy_http_version 1.1`) and behind preforkd (`handler = "
      "\"proxy\"`, its default kept connections); every repetition runs the six %d times, "
      "interleaved, and the table gives the median of all runs. *Added* is the front's median "
      "latency minus the upstream's own. Issue 18's targets: preforkd ≥ 0.95× nginx's req/s on Gunicorn, "
      "≥ 0.8× on the trivial upstream." % (PROXY_CONC, PROXY_ROUNDS))
    p("")
    p("| upstream | front | req/s | × nginx | p50 ms | p99 ms | added p50 / p99 ms | errors |")
    p("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    med = {}
    for r in recs:
        med.setdefault(r["target"], []).append(r)
    def m(name, k):
        ok = [r for r in med.get(name, []) if "failed" not in r]
        return statistics.median([r[k] for r in ok]) if ok else None
    verdicts = []
    for up, label in PROXY_UPSTREAMS.items():
        base50, base99 = m(up + "-direct", "p50_us"), m(up + "-direct", "p99_us")
        ng = m(up + "-nginx", "rps")
        for front, flabel in PROXY_FRONTS:
            name = "%s-%s" % (up, front)
            rps = m(name, "rps")
            if rps is None:
                fails = [r.get("failed") for r in med.get(name, []) if "failed" in r]
                if fails:
                    p("| %s | %s | failed: %s | | | | | |" % (label, flabel, fails[-1]))
                continue
            p50, p99 = m(name, "p50_us"), m(name, "p99_us")
            errs = sum(sum(r["errors"].values()) for r in med[name] if "failed" not in r)
            added = ("%.2f / %.2f" % ((p50 - base50) / 1000, (p99 - base99) / 1000)
                     if front != "direct" and base50 is not None else "")
            p("| %s | %s | %s | %s | %.2f | %.2f | %s | %d |" % (
                label, flabel, fmt_n(rps), "%.2f" % (rps / ng) if ng else "-", p50 / 1000,
                p99 / 1000, added, errs))
        pf = m(up + "-preforkd", "rps")
        if pf and ng:
            verdicts.append("- %s: preforkd %.2f× nginx, target ≥ %.2f×: **%s**." % (
                label, pf / ng, PROXY_TARGETS[up], "met" if pf >= PROXY_TARGETS[up] * ng else "not met"))
    p("")
    for v in verdicts:
        p(v)
    p("")
    report_proxy_costs(p, costs)


def report_proxy_costs(p, costs):
    """Syscalls per proxied request of both fronts (strace -c -f of the front's tree only, ab
    c=16 keep-alive to the trivial upstream) and preforkd's instructions per proxied request."""
    calls = [r for r in costs if r.get("type") == "syscalls" and "failed" not in r]
    cg = next((r for r in costs if r.get("type") == "proxy-callgrind"), None)
    if not calls and cg is None:
        return
    if calls:
        p("The proxy's own cost in counts that do not depend on the machine's load: `strace -c -f` "
          "of the front's processes only (not the upstream's) while `ab -k -c 16` sends %d "
          "requests through it to `epoll_ref`." % calls[0]["requests"])
        p("")
        p("| front | syscalls per proxied request | the most frequent calls, per request |")
        p("| --- | ---: | --- |")
        for r in sorted(calls, key=lambda r: r["server"]):
            n = max(r["requests"], 1)
            top = sorted(r["calls"].items(), key=lambda kv: -kv[1])
            p("| %s | %.2f | %s |" % (
                "preforkd mod_proxy" if r["server"] == "proxy-preforkd" else "nginx proxy_pass",
                r["total"] / n, ", ".join("%s %.2f" % (k, v / n) for k, v in top if v / n >= 0.05)))
        p("")
    if cg is not None:
        p("preforkd's instructions per proxied request (`test/bench/callgrind.sh --proxy "
          "--keepalive-only`: `preforkd -X` under callgrind, keep-alive GETs through mod_proxy to "
          "`epoll_ref`, the upstream not counted): **%s**." % fmt_n(cg["instructions"]))
        p("")


# ---------------------------------------------------------------- the C10K probe

REQ = b"GET /1k.txt HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: c10k-probe\r\n\r\n"


IP_BIND_ADDRESS_NO_PORT = 24  # linux/in.h: the port is chosen at connect(), per 4-tuple


def hold(port, n, wait_s, source=None):
    """Opens n keep-alive connections, sends one request on each and waits up to wait_s for the
    answers. Returns (stats, state) with the sockets still open in state; the caller closes them
    with release(). Connections are opened in batches of 256 between event rounds. With source
    (a 127.x.y.z address) the sockets are bound to it, so that several probe processes each
    have their own ~28 000 ephemeral ports towards the one server port."""
    ep = select.epoll()
    conns = {}
    st = {"opened": 0, "pending": 0, "open_errors": {}, "connected": 0, "answered": 0, "failed": {},
          "latencies": [], "last_answer": None}
    t0 = time.monotonic()
    st["first_connect"] = t0
    deadline = t0 + wait_s
    linger = struct.pack("ii", 1, 0)  # close with RST: no TIME_WAIT left behind

    def fail(fd, why):
        c = conns.pop(fd)
        if c["state"] != "held":
            st["pending"] -= 1
        st["failed"][why] = st["failed"].get(why, 0) + 1
        try:
            ep.unregister(fd)
        except OSError:
            pass
        c["s"].close()

    def pump(timeout):
        for fd, ev in ep.poll(timeout, 4096):
            c = conns.get(fd)
            if c is None:
                continue
            if c["state"] == "connecting":
                err = c["s"].getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    fail(fd, errno.errorcode.get(err, str(err)))
                    continue
                st["connected"] += 1
                try:
                    c["s"].send(REQ)
                except OSError as e:
                    fail(fd, errno.errorcode.get(e.errno, "send"))
                    continue
                c["state"] = "sent"
                ep.modify(fd, select.EPOLLIN)
            elif ev & (select.EPOLLIN | select.EPOLLERR | select.EPOLLHUP):
                try:
                    data = c["s"].recv(65536)
                except BlockingIOError:
                    continue
                except OSError as e:
                    data = None
                    why = errno.errorcode.get(e.errno, "recv")
                if not data:
                    if c["state"] == "held":
                        st["closed_while_held"] = st.get("closed_while_held", 0) + 1
                        why = "closed while held"
                    elif data is not None:
                        why = "closed before answering"
                    fail(fd, why)
                    continue
                if c["state"] == "sent":
                    c["buf"] += data
                    done = _complete(c["buf"])
                    if done is not None:
                        c["state"] = "held"
                        c["buf"] = b""
                        st["pending"] -= 1
                        st["answered"] += 1
                        st["last_answer"] = time.monotonic()
                        st["latencies"].append(st["last_answer"] - c["t"])
                        if done[0] != 200:
                            st["failed"]["HTTP %d" % done[0]] = st["failed"].get(
                                "HTTP %d" % done[0], 0) + 1

    while st["opened"] < n and time.monotonic() < deadline:
        for _ in range(min(256, n - st["opened"])):
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            except OSError as e:
                why = errno.errorcode.get(e.errno, "socket")
                st["open_errors"][why] = st["open_errors"].get(why, 0) + 1
                deadline = time.monotonic()  # out of descriptors: stop opening
                break
            s.setblocking(False)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
            if source:
                s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                s.bind((source, 0))
            rc = s.connect_ex((HOST, port))
            if rc not in (0, errno.EINPROGRESS):
                why = errno.errorcode.get(rc, str(rc))
                st["open_errors"][why] = st["open_errors"].get(why, 0) + 1
                s.close()
                continue
            conns[s.fileno()] = {"s": s, "state": "connecting", "buf": b"", "t": time.monotonic()}
            ep.register(s.fileno(), select.EPOLLOUT)
            st["opened"] += 1
            st["pending"] += 1
        pump(0)
    st["open_s"] = time.monotonic() - t0
    deadline = t0 + wait_s
    while time.monotonic() < deadline and st["pending"] > 0:
        pump(min(0.2, max(0.0, deadline - time.monotonic())))
    st["wait_s"] = time.monotonic() - t0
    return st, (ep, conns, pump)


def release(state):
    ep, conns, _ = state
    for c in conns.values():
        c["s"].close()
    conns.clear()
    ep.close()


def pct(xs, p):
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


# One probe process holds at most this many connections: the open-file limit of a process here
# is 20 000, and a level above it is spread over several processes.
PER_PROCESS = 15000
FRESH_SAMPLES = 10  # fresh requests while a level is held (stopping at the first failure)


def raise_nofile():
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def hold_part(port, n, wait_s, start_at, source, pipe, release_timeout):
    """A probe process: waits until start_at (the same moment for every part of a level), holds
    n connections, sends its stats, waits for the word to let go (bounded), then counts the
    connections still held and closes them."""
    raise_nofile()
    time.sleep(max(0.0, start_at - time.monotonic()))
    st, state = hold(port, n, wait_s, source)
    pipe.send(st)
    pipe.poll(release_timeout)
    state[2](0)  # notice connections the server closed meanwhile
    pipe.send(sum(1 for c in state[1].values() if c["state"] == "held"))
    release(state)
    pipe.close()


def merge_parts(parts):
    """One stats dict out of the parts' dicts."""
    st = {"opened": 0, "connected": 0, "answered": 0, "open_errors": {}, "failed": {},
          "latencies": [], "open_s": 0.0}
    for p in parts:
        for k in ("opened", "connected", "answered"):
            st[k] += p[k]
        for k in ("open_errors", "failed"):
            for why, count in p[k].items():
                st[k][why] = st[k].get(why, 0) + count
        st["latencies"] += p["latencies"]
        st["open_s"] = max(st["open_s"], p["first_connect"] + p["open_s"])
    first = min(p["first_connect"] for p in parts)
    st["open_s"] -= first
    last = [p["last_answer"] for p in parts if p["last_answer"] is not None]
    # Time from the first connect of the level until its last answer, only when all answered.
    st["all_answered_s"] = (max(last) - first) if last and st["answered"] >= sum(
        p["opened"] for p in parts) and st["answered"] > 0 else None
    return st


def hold_level(port, n, wait_s, release_timeout):
    """Starts the probe processes for n connections; returns (merged stats, pipes, processes)."""
    import multiprocessing
    ctx = multiprocessing.get_context("fork")
    nparts = max(1, -(-n // PER_PROCESS))
    start_at = time.monotonic() + 0.3
    pipes, procs = [], []
    for i in range(nparts):
        share = n // nparts + (1 if i < n % nparts else 0)
        # One part: the default source 127.0.0.1, like every row before; several: each part its
        # own source address, so each has its own ephemeral ports (loopback: 127/8 is local).
        source = "127.0.0.%d" % (i + 1) if nparts > 1 else None
        mine, theirs = ctx.Pipe()
        pr = ctx.Process(target=hold_part, args=(port, share, wait_s, start_at, source, theirs,
                                                 release_timeout), daemon=True)
        pr.start()
        theirs.close()
        pipes.append(mine)
        procs.append(pr)
    parts = []
    for pipe in pipes:
        if pipe.poll(wait_s + 60):
            parts.append(pipe.recv())
    return (merge_parts(parts) if parts else None), pipes, procs


def let_go(pipes, procs):
    """Tells the probe processes to let go; returns how many connections were still held."""
    still = 0
    for pipe in pipes:
        try:
            pipe.send("release")
            if pipe.poll(30):
                still += pipe.recv()
        except (OSError, EOFError):
            pass
    for pr in procs:
        pr.join(30)
        if pr.is_alive():
            pr.kill()
            pr.join(5)
    return still


def fresh_requests(port, timeout):
    """Up to FRESH_SAMPLES fresh requests one after the other, stopping at the first failure:
    (milliseconds of the good ones, error text of the failure or None)."""
    good = []
    for _ in range(FRESH_SAMPLES):
        st, flen, secs = http_get(port, "/1k.txt", timeout=timeout, close=True)
        if st != 200:
            return good, ("HTTP %s" % st if st else flen)
        good.append(secs * 1000)
    return good, None


def cmd_c10k(a):
    nofile = raise_nofile()
    for n in [int(x) for x in a.levels.split(",") if x]:
        if not os.path.exists("/proc/%d" % a.pid):
            print("c10k: %s is gone" % a.name, flush=True)
            break
        if min(n, PER_PROCESS) + 64 > nofile:
            print("c10k: %d connections need more descriptors than the limit %d: level skipped"
                  % (n, nofile), flush=True)
            rec = {"type": "c10k", "server": a.name, "level": n,
                   "skipped": "open-file limit %d" % nofile}
            with open(a.out, "a") as f:
                f.write(json.dumps(rec) + "\n")
            continue
        ov0 = listen_overflows()
        st, pipes, procs = hold_level(a.port, n, a.wait, a.fresh_timeout * FRESH_SAMPLES + 60)
        if st is None:
            let_go(pipes, procs)
            sys.exit("c10k: the probe processes for %d connections did not report" % n)
        # Fresh clients while the n connections are held open.
        fresh, ferr = fresh_requests(a.port, a.fresh_timeout)
        kb, nprocs = memory(a.pid)
        ov1 = listen_overflows()
        still = let_go(pipes, procs)
        lat = st.pop("latencies")
        rec = {"type": "c10k", "server": a.name, "level": n, "opened": st["opened"],
               "open_errors": st["open_errors"], "connected": st["connected"],
               "answered": st["answered"], "failed": st["failed"],
               "answer_p50_ms": pct(lat, 50) and pct(lat, 50) * 1000,
               "answer_max_ms": lat and max(lat) * 1000, "open_s": round(st["open_s"], 3),
               "all_answered_ms": None if st["all_answered_s"] is None
               else round(st["all_answered_s"] * 1000, 1),
               "probe_processes": len(pipes),
               "wait_limit_s": a.wait, "held_at_end": still,
               "fresh_status": 200 if fresh else None,
               "fresh_ms": round(statistics.median(fresh), 2) if fresh else None,
               "fresh_max_ms": round(max(fresh), 2) if fresh else None,
               "fresh_samples": len(fresh), "fresh_error": ferr,
               "fresh_timeout_s": a.fresh_timeout, "pss_kb": kb, "procs": nprocs,
               "loadavg": loadavg(),
               "listen_overflows": ov1[0] - ov0[0], "listen_drops": ov1[1] - ov0[1]}
        with open(a.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print("c10k %-14s %6d held: %d answered (all answered after %s ms, slowest %s ms), "
              "fresh %s, %d still held, %d processes, %.1f MB PSS, %d listen overflows"
              % (a.name, n, st["answered"],
                 rec["all_answered_ms"] if rec["all_answered_ms"] is not None else "-",
                 "%.0f" % rec["answer_max_ms"] if lat else "-",
                 "%s ms median of %d (max %s)" % (rec["fresh_ms"], len(fresh),
                                                  rec["fresh_max_ms"]) if fresh else "-",
                 still, nprocs, kb / 1024, rec["listen_overflows"]) +
              ("; fresh failed: %s" % ferr if ferr else ""), flush=True)
        time.sleep(a.pause)


# ---------------------------------------------------------------- the report

def load_jsonl(path):
    out = []
    if path and os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    try:
                        out.append(json.loads(line))
                    except ValueError:
                        pass
    return out


def fmt_n(x, nd=0):
    if x is None:
        return "n/a"
    return "{:,.{}f}".format(x, nd)


def ratio(x, ref):
    if x is None or not ref:
        return "n/a"
    return "%.2f" % (x / ref)


def ms(us):
    """Milliseconds with three significant digits at least."""
    return "%.3f" % (us / 1000.0) if us < 1000 else "%.1f" % (us / 1000.0) if us >= 100000 \
        else "%.2f" % (us / 1000.0)


def mb(kb):
    return None if kb is None else kb / 1024.0


def fresh_cell(r):
    """The fresh-request cell of a C10K row: median / slowest of the good ones, and a failure."""
    if r["fresh_ms"] is None:
        return "**no answer** (%s)" % r["fresh_error"]
    cell = "%.1f ms" % r["fresh_ms"]
    if r.get("fresh_max_ms") is not None:
        cell += " / %.1f ms" % r["fresh_max_ms"]
    if r.get("fresh_error"):
        cell += " (then **no answer**: %s)" % r["fresh_error"]
    return cell


def met(ok):
    return "**met**" if ok else "**not met**"


def c10k_row(c10k, server, level):
    rows = [r for r in c10k if r["server"] == server and r["level"] == level
            and not r.get("skipped")]
    return rows[-1] if rows else None


def report_parking_c10k(p, c10k):
    """The C10K targets of issue 14 for the parking preforkd at 10 000 held connections."""
    r = c10k_row(c10k, "preforkd-park", 10000)
    if not r:
        p("- C10K with parking: not measured in this run.")
        return
    refs = ", ".join("%s %s" % (LABELS[s], "%.0f ms" % x["all_answered_ms"]
                                if x.get("all_answered_ms") else "not all answered")
                     for s in ("nginx", "epoll-ref") for x in [c10k_row(c10k, s, 10000)] if x)
    everyone = r["answered"] >= r["level"]
    fresh_max = r.get("fresh_max_ms") if r["fresh_ms"] is not None else None
    p("- C10K, %s, 10 000 held: all answered %s (%s of %s); all within 1.5 s of the first "
      "connect %s (%s%s); a fresh request in ≤ 5 ms %s (%s); total PSS ≤ 60 MB %s (%.1f MB); "
      "processes ≤ 260 %s (%d)." % (
          LABELS["preforkd-park"], met(everyone), fmt_n(r["answered"]), fmt_n(r["level"]),
          met(everyone and r.get("all_answered_ms") is not None and r["all_answered_ms"] <= 1500),
          "%.0f ms" % r["all_answered_ms"] if r.get("all_answered_ms") else "not all answered",
          "; same probe: " + refs if refs else "",
          met(fresh_max is not None and fresh_max <= 5 and not r.get("fresh_error")),
          fresh_cell(r), met(r["pss_kb"] <= 60 * 1024), r["pss_kb"] / 1024,
          met(r["procs"] <= 260), r["procs"]))


def report_parking_big(p, c10k, meta):
    """How far past 10 000 the parking preforkd went, with the numbers of the levels it missed."""
    rows = sorted((r for r in c10k if r["server"] == "preforkd-park-big" and not r.get("skipped")),
                  key=lambda r: r["level"])
    if not rows:
        p("- Past 10 000 connections: not measured in this run.")
        return
    full = [r for r in rows if r["answered"] >= r["level"] and r["held_at_end"] >= r["level"]]
    if full:
        r = full[-1]
        p("- Past 10 000 (%s, `max_parked = %s`): largest level with every connection answered "
          "and still held at the end: **%s** (all answered after %s, fresh request %s, %.1f MB "
          "PSS, %d processes, probe processes: %d, %d listen overflows)." % (
              LABELS["preforkd-park-big"], meta.get("park_max_parked", "?"), fmt_n(r["level"]),
              "%.0f ms" % r["all_answered_ms"] if r.get("all_answered_ms") else "-",
              fresh_cell(r), r["pss_kb"] / 1024, r["procs"], r.get("probe_processes", 1),
              r["listen_overflows"]))
    for r in rows:
        if r in full:
            continue
        fails = dict(r["failed"], **{"open " + k: v for k, v in r["open_errors"].items()})
        p("  - %s: **not all answered or held**: %s opened, %s answered within %s s, %s held at "
          "the end, %d listen overflows, fresh request %s%s." % (
              fmt_n(r["level"]), fmt_n(r["opened"]), fmt_n(r["answered"]), r["wait_limit_s"],
              fmt_n(r["held_at_end"]), r["listen_overflows"], fresh_cell(r),
              "; failures: " + ", ".join("%s: %d" % kv for kv in fails.items()) if fails else ""))


def report_parking_wrk(p, med, meta):
    """The wrk targets of issue 14: parking against the classic model, row by row."""
    def handed(m):
        pct_ = m.get("unparks_pct")
        return "" if pct_ is None else "; %.1f hand-backs from a keeper per 100 requests" % pct_

    def both(w):
        a, b = med.get((w, "preforkd-park")), med.get((w, "preforkd"))
        ok = a and b and "failed" not in a and "failed" not in b
        return (a, b) if ok else (None, None)
    for w, target in (("ka-c1", 0.95), ("ka-c16", 0.95), ("close-c16", 0.95)):
        a, b = both(w)
        if a:
            p("- %s: %s req/s with parking, %s classic (%.0f%%): within 5%% of classic or "
              "better %s (p99 %s ms with parking, %s ms classic%s)." % (
                  w, fmt_n(a["rps"]), fmt_n(b["rps"]), 100 * a["rps"] / b["rps"],
                  met(a["rps"] >= target * b["rps"]), ms(a["p99_us"]), ms(b["p99_us"]),
                  handed(a)))
    for w in ("ka-c256", "ka-c1024"):
        a = med.get((w, "preforkd-park"))
        if a and "failed" not in a:
            b = med.get((w, "preforkd")) or {}
            p("- %s on the pool of %s: %d errors (%d timeouts): 0 errors %s; p99 %s ms (p50 %s "
              "ms); %s req/s%s%s." % (
                  w, meta.get("park_pool", "?"), a["errors"], a["timeouts"],
                  met(a["errors"] == 0), ms(a["p99_us"]), ms(a["p50_us"]), fmt_n(a["rps"]),
                  handed(a),
                  "" if "rps" not in b else " (classic, pool of %s: %s req/s, p99 %s ms)"
                  % (meta.get("pool", "?"), fmt_n(b["rps"]), ms(b["p99_us"]))))


def report_parking(p, med, c10k, idle, meta):
    """The "Parking" summary: which targets of issue 14 these numbers meet."""
    if not any(s == "preforkd-park" for (_, s) in med) and not any(
            r["server"].startswith("preforkd-park") for r in c10k):
        return
    p("## Parking (issue 14): the targets, checked against these numbers")
    p("")
    report_parking_c10k(p, c10k)
    report_parking_big(p, c10k, meta)
    report_parking_wrk(p, med, meta)
    pk, cl = idle.get("preforkd-park"), idle.get("preforkd")
    if pk and cl:
        after = {s: (med.get(("ka-c1024", s)) or {}).get("pss_kb") for s in ("preforkd-park",
                                                                            "preforkd")}
        p("- Memory: idle %.1f MB (%d processes) with parking, %.1f MB (%d) classic; after the "
          "c=1024 keep-alive run %s with parking, %s classic." % (
              pk["pss_kb"] / 1024, pk["procs"], cl["pss_kb"] / 1024, cl["procs"],
              "%.1f MB" % (after["preforkd-park"] / 1024) if after["preforkd-park"] else "n/a",
              "%.1f MB" % (after["preforkd"] / 1024) if after["preforkd"] else "n/a"))
    p("")


def report_syscalls(p, recs, servers):
    p("## Syscalls per request (strace)")
    p("")
    if not recs:
        p("Not run (`BENCH_SYSCALLS=0` or strace missing).")
        p("")
        return
    p("`bench.py syscalls` attaches `strace -c -f` to the server's whole process tree (idle "
      "workers, master and keepers included) while `ab` sends exactly %d requests of `/1k.txt` "
      "(c=16; a warm-up of a tenth as many before, not counted), and divides every count by "
      "the number of requests. Counts barely depend on the machine's load, unlike requests per "
      "second; strace slows every call down, so compare the counts, not the times."
      % recs[0]["requests"])
    p("")
    p("| server | workload | syscalls per request | the most frequent calls, per request |")
    p("| --- | --- | ---: | --- |")
    order = {s: i for i, s in enumerate(servers)}
    for r in sorted(recs, key=lambda r: (r["workload"] != "ka-c16", order.get(r["server"], 99))):
        label = LABELS.get(r["server"], r["server"])
        title = "keep-alive, c=16" if r["workload"] == "ka-c16" else "new connection each, c=16"
        if "failed" in r:
            p("| %s | %s | failed | %s |" % (label, title, r["failed"].replace("|", "/")[:120]))
            continue
        n = max(r["requests"], 1)
        top = sorted(r["calls"].items(), key=lambda kv: -kv[1])
        p("| %s | %s | %.2f | %s |" % (label, title, r["total"] / n, ", ".join(
            "%s %.2f" % (k, v / n) for k, v in top if v / n >= 0.05)[:400]))
    p("")


def cmd_report(a):
    runs = [r for r in load_jsonl(a.raw) if r.get("type") == "run"]
    extra = load_jsonl(a.c10k)
    idle = {r["server"]: r for r in load_jsonl(a.raw) + extra if r.get("type") == "idle"}
    c10k = [r for r in extra if r.get("type") == "c10k"]
    meta = json.load(open(a.meta)) if a.meta and os.path.exists(a.meta) else {}
    servers = meta.get("servers") or sorted({r["server"] for r in runs})
    if meta.get("c10k_pool"):
        LABELS["preforkd-10k"] = "preforkd, max_workers=%d" % meta["c10k_pool"]
    if meta.get("pool"):
        LABELS["preforkd"] = "preforkd classic (%d)" % meta["pool"]
    if meta.get("park_pool"):
        LABELS["preforkd-park"] = "preforkd (park, %d)" % meta["park_pool"]
        LABELS["preforkd-park-big"] = "preforkd (park, %d, %d keepers)" % (
            meta["park_pool"], meta.get("park_keepers", 2))

    # medians over the repetitions
    med = {}
    for w in WORKLOADS:
        for s in servers:
            rs = [r for r in runs if r["server"] == s and r["workload"] == w[0]]
            ok = [r for r in rs if "failed" not in r]
            if not rs:
                continue
            if not ok:
                med[(w[0], s)] = {"failed": rs[-1]["failed"]}
                continue
            m = {k: statistics.median([r[k] for r in ok])
                 for k in ("rps", "mbps", "p50_us", "p99_us", "pss_kb", "procs")}
            m["reps"] = len(ok)
            m["errors"] = sum(sum(r["errors"].values()) for r in ok)
            m["timeouts"] = sum(r["errors"].get("timeout", 0) for r in ok)
            hand = [100.0 * r["unparks"] / max(r["requests"], 1) for r in ok if "unparks" in r]
            m["unparks_pct"] = statistics.median(hand) if hand else None
            m["requests"] = sum(r["requests"] for r in ok)
            m["spread"] = (max(r["rps"] for r in ok) - min(r["rps"] for r in ok)) / max(m["rps"], 1e-9)
            med[(w[0], s)] = m

    L = []
    p = L.append
    p("# preforkd — the comparison benchmark")
    p("")
    p("Generated by `test/bench/run.sh` on %s. **Do not edit by hand**: run the benchmark again."
      % meta.get("date", "?"))
    p("")
    p("    %s" % meta.get("command", "test/bench/run.sh"))
    p("")
    if meta.get("smoke"):
        p("> **Smoke run**: durations, repetitions or C10K levels were cut down to check the "
          "harness; these numbers are not the benchmark. Run the command in the README on a "
          "quiet machine for real numbers.")
        p("")
    p("## Machine")
    p("")
    for k in ("cpu", "nproc", "memory", "kernel", "os", "nofile", "preforkd", "apache", "nginx",
              "lighttpd", "wrk", "compiler"):
        if k in meta:
            p("- **%s**: %s" % (k, meta[k]))
    loads = sorted(r["loadavg"] for r in runs + c10k if r.get("loadavg") is not None)
    if loads:
        p("- **load during the run** (1-minute load average read before each measurement, the "
          "benchmark's own processes included; other work on the machine shows here): min %.1f, "
          "median %.1f, max %.1f"
          % (loads[0], statistics.median(loads), loads[-1]))
    p("")
    p("## Method")
    p("")
    p("Every server runs at the same time on its own 127.0.0.1 port with the same document root "
      "(`1k.txt` of 1 024 bytes, `10m.bin` of 10 MiB, `dir/` with 100 entries, `cgi-bin/c.cgi` "
      "(a compiled C program) and `cgi-bin/sh.cgi` (a `/bin/sh` script), both answering the same 17 bytes), "
      "access logs off, error logs on, `sendfile` on, keep-alive timeout %s s and %s requests per "
      "connection everywhere. The process-per-connection servers have the same fixed pool: %s "
      "workers started, %s at most, spare servers %s..%s (so the pool neither grows nor shrinks "
      "during a run). Load: `wrk` (%s threads at most, `--latency`, timeout 10 s) on the same "
      "machine, so client and servers share the CPUs. Each workload runs once per server as a "
      "warm-up (%s s), then the whole set is repeated %s times, interleaved (for each workload "
      "every server in turn), %s s each (the 10 MB file %d times per repetition, its runs "
      "moving more than the gaps between servers); tables give the **median** of all runs. Memory "
      "is the sum of `Pss` from `/proc/PID/smaps_rollup` over the server's process tree, taken "
      "right after each run. Ratios divide by nginx's and by Apache prefork's value in the same "
      "row; *ceiling* is the share of `epoll_ref` (a 1 KB responder with one epoll loop per "
      "CPU, `test/bench/epoll_ref.c`) — what this machine can do at all; since `wrk` shares the "
      "CPUs, a server that leaves more CPU to `wrk` (one process) can come out above 100%%."
      % (meta.get("keepalive_timeout", "?"), meta.get("keepalive_requests", "?"),
         meta.get("pool", "?"), meta.get("pool", "?"), meta.get("min_spare", "?"),
         meta.get("pool", "?"), meta.get("nproc", "?"), meta.get("warmup", "?"),
         meta.get("repeats", "?"), meta.get("duration", "?"), ROUNDS_BY_KIND["big"]))
    p("")
    p("Server-specific settings (the configs are at the end): nginx `worker_processes %s`, "
      "`worker_connections 16384`; Apache mpm_event `ServerLimit 16`, `ThreadsPerChild 64`, "
      "`AsyncRequestWorkerFactor 10`; lighttpd one process, `server.max-connections 16384`. "
      "nginx cannot run CGI (n/a); `epoll_ref` only answers the 1 KB rows."
      % meta.get("nproc", "?"))
    p("")
    if "preforkd-park" in servers or any(r["server"].startswith("preforkd-park") for r in c10k):
        p("**Two preforkd configurations.** *%s* is the process-per-connection model: "
          "`keepalive { park = false }`, the fixed pool of %s workers above; a worker holds its "
          "keep-alive connection until the client closes it or the keep-alive timeout ends. "
          "*%s* parks connections (issue 14): `keepalive { park = true }` with the defaults "
          "(one keeper process, `max_parked = 10000`, `park_grace_ms = 5`) and a fixed pool "
          "of **%s** workers (start = max, spare servers up to the pool, like the classic one); "
          "a worker that has answered waits 5 ms for the next request, then hands the "
          "connection to the keeper, which watches it in an epoll set and hands it back to any "
          "worker when a request arrives. Both run every workload. Past 10 000 held "
          "connections a third instance, *%s*, runs only the C10K probe: the same pool with "
          "`keepalive { keepers = %s; max_parked = %s }`. wrk's *timeouts* (its `Socket "
          "errors` line) are part of *errors* and given in brackets. Both preforkd configs load "
          "`mod_status` on `/server-status`; before and after each run bench.py reads the "
          "keepers' `Parks` and `Unparks` from `?auto`, and the Parking summary gives the "
          "hand-backs (a parked connection handed back to a worker) per 100 requests."
          % (LABELS["preforkd"], meta.get("pool", "?"), LABELS["preforkd-park"],
             meta.get("park_pool", "?"), LABELS["preforkd-park-big"],
             meta.get("park_keepers", "?"), meta.get("park_max_parked", "?")))
        p("")

    p("## Idle servers")
    p("")
    p("Right after start-up, before any load.")
    p("")
    p("| server | processes | total PSS | PSS per process | start-up | page tables | kernel stacks |")
    p("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in list(servers) + [x for x in idle if x not in servers]:
        r = idle.get(s)
        if r:
            kernel = ["-", "-"]
            if "page_tables_kb" in r:
                kernel = ["%.1f MB (%.0f KB per process)" % (r[k] / 1024, r[k] / max(r["procs"], 1))
                          for k in ("page_tables_kb", "kernel_stack_kb")]
            p("| %s | %d | %.1f MB | %.0f KB | %.2f s | %s | %s |" % (
                LABELS.get(s, s), r["procs"], r["pss_kb"] / 1024, r["pss_kb"] / max(r["procs"], 1),
                r["startup_s"], kernel[0], kernel[1]))
    p("")
    if any("page_tables_kb" in r for r in idle.values()):
        p("*Start-up* of %s runs until its `/server-status?auto` says every worker is idle. "
          "*Page tables* and *kernel stacks*: the growth of `PageTables` and `KernelStack` in "
          "`/proc/meminfo` from just before its launch to then: what its processes cost the "
          "kernel beside their PSS (other work on the machine moves these a little)."
          % ", ".join(LABELS.get(s, s) for s, r in idle.items() if "page_tables_kb" in r))
        p("")

    pf = idle.get("preforkd")
    if pf:
        loaded = [m["pss_kb"] / max(m["procs"], 1) for (w, srv), m in med.items()
                  if srv == "preforkd" and "failed" not in m]
        worst = max(loaded) if loaded else pf["pss_kb"] / max(pf["procs"], 1)
        p("**For the tuning guide** (README, *Tuning the pool*): preforkd uses %.0f KB of PSS per "
          "process idle (pool of %d) and at most %.0f KB per process after a workload (median "
          "over the repetitions); with 20%% kept free, a 1 GB budget holds about **%d workers**."
          % (pf["pss_kb"] / max(pf["procs"], 1), pf["procs"] - 1, worst,
             int(0.8 * 1024 * 1024 / worst)))
        p("")

    p("## Overview: requests per second (median)")
    p("")
    p("| workload | " + " | ".join(LABELS.get(s, s) for s in servers) + " |")
    p("| --- |" + " ---: |" * len(servers))
    for w in WORKLOADS:
        cells = []
        for s in servers:
            m = med.get((w[0], s))
            cells.append("n/a" if m is None else "failed" if "failed" in m else fmt_n(m["rps"]))
        p("| %s | %s |" % (w[5], " | ".join(cells)))
    p("")

    p("## Workloads")
    p("")
    for w in WORKLOADS:
        rows = [(s, med.get((w[0], s))) for s in servers]
        if not any(m for _, m in rows):
            continue
        ng = med.get((w[0], "nginx")) or {}
        ap = med.get((w[0], "apache-prefork")) or {}
        ce = med.get((w[0], "epoll-ref")) or {}
        p("### %s" % w[5])
        p("")
        p("`GET %s`%s" % (w[1], "" if w[3] else " with `Connection: close`"))
        p("")
        p("| server | req/s | MB/s | p50 ms | p99 ms | errors (timeouts) | PSS after | processes | "
          "req/s ÷ nginx | req/s ÷ Apache prefork | PSS ÷ nginx | PSS ÷ Apache prefork | "
          "ceiling |")
        p("| --- |" + " ---: |" * 12)
        for s, m in rows:
            if m is None:
                p("| %s |" % LABELS.get(s, s) + " n/a |" * 12)
                continue
            if "failed" in m:
                p("| %s | failed: %s |" % (LABELS.get(s, s), m["failed"].replace("|", "/")[:120])
                  + " |" * 11)
                continue
            p("| %s | %s | %s | %s | %s | %d (%d) | %.1f MB | %d | %s | %s | %s | %s | %s |" % (
                LABELS.get(s, s), fmt_n(m["rps"]), fmt_n(m["mbps"], 1), ms(m["p50_us"]),
                ms(m["p99_us"]), m["errors"], m["timeouts"], m["pss_kb"] / 1024, m["procs"],
                ratio(m["rps"], ng.get("rps")), ratio(m["rps"], ap.get("rps")),
                ratio(m["pss_kb"], ng.get("pss_kb")), ratio(m["pss_kb"], ap.get("pss_kb")),
                ("%.0f%%" % (100 * m["rps"] / ce["rps"])) if ce.get("rps") else "n/a"))
        p("")

    # ---- C10K
    p("## C10K: idle keep-alive connections held open")
    p("")
    if not c10k:
        p("Not run (`BENCH_C10K=0`).")
        p("")
    else:
        p("For each level a client opens N connections to the server (in batches, without "
          "waiting), sends one keep-alive `GET /1k.txt` on each and waits up to %s s for the "
          "answers, keeping every connection open. While they are held, a **fresh** client "
          "sends up to %d requests one after the other, each on a new connection (timeout %s s, "
          "stopping at the first failure; the table gives the median and the slowest); then the "
          "server's total PSS and process count are read, and every connection is reset. "
          "*answered* counts the held connections that got their response within the wait; "
          "*all answered after* is the time from the level's first connect until its last "
          "answer (only when every connection was answered), *slowest answer* the longest "
          "time one connection waited from its own connect; *listen overflows* is the kernel's "
          "`ListenOverflows` counter during the level (system-wide): SYNs or handshakes dropped "
          "because an accept queue was full. The probe is Python: one process opens up to %d "
          "connections (the open-file limit of a process is %s here); a bigger level is spread "
          "over several processes started together, each bound to its own source address "
          "(127.0.0.1, 127.0.0.2 …, so each has its own ephemeral ports; the server stays on "
          "127.0.0.1). On these 2 CPUs the probe itself takes a good part of the time to open "
          "the connections: the same probe against `epoll_ref` shows what it can do at all."
          % (c10k[0].get("wait_limit_s"), FRESH_SAMPLES, c10k[0].get("fresh_timeout_s"),
             PER_PROCESS, meta.get("nofile", "?")))
        p("")
        st10 = idle.get("preforkd-10k")
        if st10:
            p("**preforkd with `max_workers = %d`** (`start_servers` the same): all %d processes "
              "up and serving after **%.2f s**, **%.1f MB** PSS in total when idle (%.0f KB per "
              "process)." % (st10["procs"] - 1, st10["procs"], st10["startup_s"],
                             st10["pss_kb"] / 1024, st10["pss_kb"] / max(st10["procs"], 1)))
            p("")
        p("| server | held | opened | answered | all answered after | slowest answer | "
          "fresh request (median / slowest) | held at end | processes | PSS | listen overflows "
          "| failures |")
        p("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        order = [s for s in list(servers) + ["preforkd-10k", "preforkd-park-big"]
                 if any(r["server"] == s for r in c10k)]
        for s in order:
            for r in sorted((r for r in c10k if r["server"] == s), key=lambda r: r["level"]):
                if r.get("skipped"):
                    p("| %s | %d | skipped: %s |%s" % (LABELS.get(s, s), r["level"], r["skipped"],
                                                      " |" * 9))
                    continue
                fails = dict(r["failed"], **{"open " + k: v for k, v in r["open_errors"].items()})
                p("| %s | %s | %s | %s | %s | %s | %s | %s | %d | %.1f MB | %d | %s |" % (
                    LABELS.get(s, s), fmt_n(r["level"]), fmt_n(r["opened"]), fmt_n(r["answered"]),
                    "%.0f ms" % r["all_answered_ms"] if r.get("all_answered_ms") else "-",
                    "%.0f ms" % r["answer_max_ms"] if r["answer_max_ms"] else "-",
                    fresh_cell(r),
                    fmt_n(r["held_at_end"]), r["procs"], r["pss_kb"] / 1024,
                    r["listen_overflows"],
                    ", ".join("%s: %d" % kv for kv in fails.items()) or "-"))
        p("")
        ex = [r for r in c10k if r["server"] == "preforkd" and not r.get("skipped")]
        if ex:
            p("### When the classic pool is exhausted")
            p("")
            for r in sorted(ex, key=lambda r: r["level"]):
                full = r["answered"] >= r["level"]
                p("- **%s connections, pool of %s workers**: %s of them answered within %s s%s; "
                  "a fresh client %s; %s listen-queue overflows." % (
                      fmt_n(r["level"]), meta.get("pool", "?"), fmt_n(r["answered"]),
                      r["wait_limit_s"],
                      "" if full else " — the others wait in the listen backlog (%s) or in SYN "
                      "retries until a worker is free, i.e. until a held connection ends "
                      "(keep-alive timeout %s s)" % (meta.get("backlog", "?"),
                                                      meta.get("keepalive_timeout", "?")),
                      "was answered in %.1f ms" % r["fresh_ms"] if r["fresh_ms"] is not None
                      else "got **no answer within %s s** (%s)" % (r["fresh_timeout_s"],
                                                                   r["fresh_error"]),
                      r["listen_overflows"]))
            log = meta.get("preforkd_log_tail")
            if log:
                p("")
                p("preforkd's error logs (warnings and errors, the last four of each: the classic "
                  "pool's from the probe on, the others' from their start):")
                p("")
                p("```")
                for line in log[-16:]:
                    p(line)
                p("```")
            p("")

    report_parking(p, med, c10k, idle, meta)

    # ---- aims
    p("## The aims of issue 8, checked against these numbers")
    p("")

    def mget(w, s, k="rps"):
        m = med.get((w, s))
        return None if not m or "failed" in m else m[k]
    behind = [w[5] for w in WORKLOADS if w[4] in ("ka", "close", "big", "listing", "cgi")
              and mget(w[0], "preforkd") is not None and mget(w[0], "apache-prefork") is not None
              and mget(w[0], "preforkd") <= mget(w[0], "apache-prefork")]
    compared = [w for w in WORKLOADS if mget(w[0], "preforkd") is not None
                and mget(w[0], "apache-prefork") is not None]
    if compared:
        p("- Ahead of Apache prefork on every static and CGI row: **%s**%s." % (
            "met" if not behind else "not met",
            "" if not behind else " (behind on: %s)" % "; ".join(behind)))
    per = {s: idle[s]["pss_kb"] / max(idle[s]["procs"], 1) for s in PROCESS_PER_CONNECTION
           if s in idle}
    if len(per) == 2:
        p("- Lowest memory per idle worker of the process-per-connection servers: **%s** "
          "(preforkd %.0f KB, Apache prefork %.0f KB per process)." % (
              "met" if per["preforkd"] < per["apache-prefork"] else "not met",
              per["preforkd"], per["apache-prefork"]))
    a16, n16 = mget("ka-c16", "preforkd"), mget("ka-c16", "nginx")
    if a16 and n16:
        p("- 1 KB keep-alive at c=16 at least 80%% of nginx: **%s** (%.0f%%)."
          % ("met" if a16 >= 0.8 * n16 else "not met", 100 * a16 / n16))
    big = [r for r in c10k if r["server"] == "preforkd-10k" and r["level"] >= 10000
           and not r.get("skipped")]
    if big:
        r = big[0]
        ok1 = r["answered"] >= r["level"] and (r["answer_max_ms"] or 1e9) <= 10000
        ok2 = r["fresh_ms"] is not None and r["fresh_ms"] <= 50
        ok3 = r["pss_kb"] <= 1.5 * 1024 * 1024
        p("- 10 000 connections held by 10 000 workers: every connection answered within 10 s "
          "**%s** (%s answered, last after %s ms); a fresh request within 50 ms **%s** (%s); "
          "total PSS ≤ 1.5 GB **%s** (%.0f MB)." % (
              "met" if ok1 else "not met", fmt_n(r["answered"]),
              "%.0f" % r["answer_max_ms"] if r["answer_max_ms"] else "-",
              "met" if ok2 else "not met",
              "%.1f ms" % r["fresh_ms"] if r["fresh_ms"] is not None else r["fresh_error"],
              "met" if ok3 else "not met", r["pss_kb"] / 1024))
    elif c10k:
        p("- 10 000 connections held by 10 000 workers: not measured in this run.")
    p("")
    report_issue15(p, mget)

    # ---- callgrind
    p("## Instructions per request (callgrind)")
    p("")
    cg = meta.get("callgrind")
    if cg:
        p("`test/bench/callgrind.sh` runs `preforkd -X` under `valgrind --tool=callgrind` for two "
          "numbers of keep-alive `GET`s of a 1 KiB file on one connection and divides the "
          "difference: the marginal instruction count of one request (read, parse, route, "
          "static response, access log), independent of machine noise; then the same with a new "
          "connection for each request (`Connection: close`: accept, addresses, close too).")
        p("")
        p("```")
        p(cg.strip())
        p("```")
    else:
        p("Not run (`BENCH_CALLGRIND=0` or valgrind missing).")
    p("")

    # ---- pool ramp
    report_ramp(p, [r for r in load_jsonl(a.raw) if r.get("type") == "ramp"], meta)

    # ---- syscalls
    report_syscalls(p, [r for r in load_jsonl(a.raw) if r.get("type") == "syscalls" and
                        not r["server"].startswith("proxy-")], servers)

    # ---- reverse proxy
    report_proxy(p, [r for r in load_jsonl(a.raw) if r.get("type") == "proxy"],
                 [r for r in load_jsonl(a.raw) if r.get("type") == "proxy-callgrind" or
                  (r.get("type") == "syscalls" and r["server"].startswith("proxy-"))])
    # ---- HTTPS
    if [r for r in load_jsonl(a.raw) if r.get("type") == "tls"] or meta.get("tls"):
        report_tls(p, [r for r in load_jsonl(a.raw) if r.get("type") == "tls"], meta)
    elif meta.get("ktls_vm"):
        p("## HTTPS")
        p("")
    if meta.get("ktls_vm"):
        report_tls_vm(p, [r for r in load_jsonl(a.raw) if r.get("type", "").startswith("tls-vm")])
    # ---- .htaccess cost
    report_htaccess(p, [r for r in load_jsonl(a.raw) if r.get("type", "").startswith("htaccess")],
                    meta)

    # ---- plots
    plots = make_plots(a.plots, servers, med, c10k, meta) if a.plots else []
    if plots:
        p("## Plots")
        p("")
        for f, title in plots:
            p("![%s](%s)" % (title, f))
            p("")

    if meta.get("configs"):
        p("## Configurations used")
        p("")
        for name, path in meta["configs"]:
            try:
                text = open(path).read()
            except OSError:
                continue
            p("<details><summary>%s</summary>" % name)
            p("")
            p("```")
            p(text.rstrip())
            p("```")
            p("")
            p("</details>")
            p("")
    with open(a.out, "w") as f:
        f.write("\n".join(L) + "\n")
    print("bench: wrote %s" % a.out)


# Issue 15's request-rate targets: workload, the server compared with, least ratio. The 10 MB
# row of the issue's own table is c=4; c=16 is measured and shown beside it, with no floor.
ISSUE15_TARGETS = (("ka-c16", "nginx", 1.0), ("close-c16", "nginx", 1.0),
                   ("listing-c16", "nginx", 1.0), ("big-c4", "nginx", 1.0),
                   ("big-c16", "nginx", None), ("cgi-c-c16", "lighttpd", 1.3))


def report_issue15(p, mget):
    lines = []
    for w, ref, floor in ISSUE15_TARGETS:
        mine, theirs = mget(w, "preforkd"), mget(w, ref)
        if not mine or not theirs:
            continue
        title = next(t[5] for t in WORKLOADS if t[0] == w)
        x = mine / theirs
        verdict = "" if floor is None else ", target ≥ %.1f×: %s" % (floor, met(x >= floor))
        lines.append("- %s: preforkd classic %.2f× %s%s." % (title, x, LABELS.get(ref, ref), verdict))
    if not lines:
        return
    p("## The request-rate targets of issue 15, checked against these numbers")
    p("")
    for line in lines:
        p(line)
    p("")


def make_plots(outdir, servers, med, c10k, meta):
    """PNG plots with gnuplot; returns [(file name, title)] of the plots made."""
    if subprocess.run(["sh", "-c", "command -v gnuplot"], capture_output=True).returncode != 0:
        return []
    datdir = meta.get("workdir") or outdir
    made = []
    concs = (1, 16, 256, 1024)

    def lines_plot(fname, title, ylabel, series, xlabel, logx=True, logy=False):
        cmds = ["set terminal pngcairo size 900,560 font ',10'",
                "set output '%s'" % os.path.join(outdir, fname),
                "set title '%s'" % title, "set xlabel '%s'" % xlabel, "set ylabel '%s'" % ylabel,
                "set key outside right", "set grid", "set termoption noenhanced"]
        if logx:
            cmds.append("set logscale x 2" if xlabel == "concurrency" else "set logscale x 10")
        if logy:
            cmds.append("set logscale y 10")
        parts = []
        for label, pts in series:
            if not pts:
                continue
            dat = os.path.join(datdir, "plot-%s-%d.dat" % (fname, len(parts)))
            with open(dat, "w") as f:
                for x, y in pts:
                    f.write("%s %s\n" % (x, y))
            parts.append("'%s' using 1:2 with linespoints title '%s'" % (dat, label))
        if not parts:
            return
        cmds.append("plot " + ", ".join(parts))
        r = subprocess.run(["gnuplot"], input="\n".join(cmds) + "\n", text=True,
                           capture_output=True, timeout=60)
        if r.returncode == 0:
            made.append((fname, title))
        else:
            print("bench: gnuplot failed for %s: %s" % (fname, r.stderr.strip()[-300:]))

    def series(prefix, key, scale=1.0):
        out = []
        for s in servers:
            pts = []
            for c in concs:
                m = med.get(("%s-c%d" % (prefix, c), s))
                if m and "failed" not in m:
                    pts.append((c, m[key] * scale))
            out.append((LABELS.get(s, s), pts))
        return out

    lines_plot("rps_keepalive.png", "1 KB file, keep-alive: requests/s", "requests/s",
               series("ka", "rps"), "concurrency")
    lines_plot("rps_close.png", "1 KB file, no keep-alive: requests/s", "requests/s",
               series("close", "rps"), "concurrency")
    lines_plot("memory.png", "Total PSS of the server after the 1 KB keep-alive run", "MB",
               series("ka", "pss_kb", 1 / 1024.0), "concurrency", logy=True)
    if c10k:
        names = [s for s in list(servers) + ["preforkd-10k", "preforkd-park-big"]
                 if any(r["server"] == s for r in c10k)]

        def cs(key, scale, missing=None):
            out = []
            for s in names:
                pts = []
                for r in sorted((r for r in c10k if r["server"] == s and not r.get("skipped")),
                                key=lambda r: r["level"]):
                    v = r.get(key)
                    if v is None and missing is not None:
                        v = missing(r)
                    if v is not None:
                        pts.append((r["level"], v * scale))
                out.append((LABELS.get(s, s), pts))
            return out
        lines_plot("c10k_memory.png", "Total PSS while N idle keep-alive connections are held",
                   "MB", cs("pss_kb", 1 / 1024.0), "held connections", logy=True)
        lines_plot("c10k_fresh.png", "Latency of a fresh request while N connections are held "
                   "(no answer: plotted at the timeout)", "ms",
                   cs("fresh_ms", 1.0, lambda r: r["fresh_timeout_s"] * 1000),
                   "held connections", logy=True)
    return made


def main():
    # TERM from run.sh (stopping the run): unwind, so that subprocess.run kills a running wrk
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("tree")
    t.add_argument("pid", type=int)
    t.set_defaults(fn=cmd_tree)
    r = sub.add_parser("ready")
    r.add_argument("--port", type=int, required=True)
    r.add_argument("--scheme", default="http", choices=("http", "https"))
    r.add_argument("--pid", type=int, required=True)
    r.add_argument("--procs", type=int, default=1)
    r.add_argument("--timeout", type=float, default=60)
    r.add_argument("--settle", type=float, default=1.0)
    r.add_argument("--since", type=float, default=0.0)
    r.add_argument("--idle-workers", type=int, default=0,
                   help="also wait until /server-status?auto says this many idle (preforkd)")
    r.add_argument("--meminfo-before", help="PageTables,KernelStack (kB) before the launch")
    r.add_argument("--name")
    r.add_argument("--out")
    r.set_defaults(fn=cmd_ready)
    c = sub.add_parser("check")
    c.add_argument("--servers", required=True)
    c.add_argument("--strict", action="store_true")
    c.set_defaults(fn=cmd_check)
    u = sub.add_parser("run")
    u.add_argument("--servers", required=True)
    u.add_argument("--out", required=True)
    u.add_argument("--duration", type=int, default=3)
    u.add_argument("--warmup", type=int, default=1)
    u.add_argument("--repeats", type=int, default=3)
    u.add_argument("--pause", type=float, default=0.5)
    u.add_argument("--only")
    u.add_argument("--workloads", help="comma list of workload names (default: all)")
    u.add_argument("--quiet", action="store_true")
    u.set_defaults(fn=cmd_run)
    k = sub.add_parser("c10k")
    k.add_argument("--name", required=True)
    k.add_argument("--port", type=int, required=True)
    k.add_argument("--pid", type=int, required=True)
    k.add_argument("--levels", default="1000,5000,10000")
    k.add_argument("--wait", type=float, default=10)
    k.add_argument("--fresh-timeout", type=float, default=10)
    k.add_argument("--pause", type=float, default=1)
    k.add_argument("--out", required=True)
    k.set_defaults(fn=cmd_c10k)
    g = sub.add_parser("ramp")
    g.add_argument("--name", required=True)
    g.add_argument("--port", type=int, required=True)
    g.add_argument("--pid", type=int, required=True)
    g.add_argument("--target", type=int, default=256)
    g.add_argument("--conns", type=int, default=256)
    g.add_argument("--timeout", type=int, default=60)
    g.add_argument("--out", required=True)
    g.set_defaults(fn=cmd_ramp)
    y = sub.add_parser("syscalls")
    y.add_argument("--name", required=True)
    y.add_argument("--port", type=int, required=True)
    y.add_argument("--pid", type=int, required=True)
    y.add_argument("--requests", type=int, default=2000)
    y.add_argument("--workloads", help="ka-c16,close-c16 (default: both)")
    y.add_argument("--out", required=True)
    y.set_defaults(fn=cmd_syscalls)
    x = sub.add_parser("proxy")
    x.add_argument("--targets", required=True)
    x.add_argument("--out", required=True)
    x.add_argument("--duration", type=int, default=3)
    x.add_argument("--warmup", type=int, default=1)
    x.add_argument("--repeats", type=int, default=3)
    x.add_argument("--ready-timeout", type=float, default=60)
    x.set_defaults(fn=cmd_proxy)
    t = sub.add_parser("tls")
    t.add_argument("--name", required=True, help="servers run in turn: a comma list")
    t.add_argument("--port", required=True, help="their ports, in the same order")
    t.add_argument("--cert", required=True, help="ecdsa or rsa: the certificate they serve")
    t.add_argument("--ktls", default="0",
                   help="1 where the server was asked for kTLS, in the same order (0,1)")
    t.add_argument("--duration", type=int, default=3)
    t.add_argument("--repeats", type=int, default=3)
    t.add_argument("--warmup", type=int, default=0, help="seconds of a run on each, not kept")
    t.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    t.add_argument("--workloads",
                   help="tls-ka-c4,tls-ka-c16,tls-new-c16,tls-big-c16,tls-resume-c1 (default: all)")
    t.add_argument("--record", default="tls", choices=("tls", "tls-vm"),
                   help="tls-vm: test/ktls/inside.sh's rows (tls-big-c4,tls-big-c16)")
    t.add_argument("--out", required=True)
    t.set_defaults(fn=cmd_tls)
    h = sub.add_parser("htaccess")
    h.add_argument("--off-port", type=int, required=True)
    h.add_argument("--on-port", type=int, required=True)
    h.add_argument("--file", required=True, help="the docroot's .htaccess (for the check record)")
    h.add_argument("--duration", type=int, default=3)
    h.add_argument("--warmup", type=int, default=1)
    h.add_argument("--repeats", type=int, default=3)
    h.add_argument("--pause", type=float, default=0.5)
    h.add_argument("--out", required=True)
    h.set_defaults(fn=cmd_htaccess)
    o = sub.add_parser("report")
    o.add_argument("--raw", required=True)
    o.add_argument("--c10k")
    o.add_argument("--meta")
    o.add_argument("--out", required=True)
    o.add_argument("--plots")
    o.set_defaults(fn=cmd_report)
    a = ap.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
