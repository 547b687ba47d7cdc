#!/usr/bin/env python3
"""Helpers for bench/run-all.sh (standard library only).

  bench.py free-port
  bench.py wait-ready URL TIMEOUT_S         prints seconds until URL answers 200 (polled every 10 ms)
  bench.py cpu PID...                       prints user+system CPU seconds of those processes
  bench.py rss PID                          prints "VmRSS_kB VmHWM_kB"
  bench.py wrk FILE                         parses `wrk --latency` output: "rps p50_ms p99_ms non2xx requests"
  bench.py propagation ...                  see --help
  bench.py census STATS_URL COUNT TIMEOUT_S waits until the GitHub stand-in holds COUNT MACs; prints its census
"""
import argparse, hashlib, hmac, http.client, json, os, socket, subprocess, sys, time, urllib.parse, urllib.request


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()


def wait_ready(url, timeout):
    start = time.monotonic()
    u = urllib.parse.urlsplit(url)
    while time.monotonic() - start < timeout:
        try:
            c = http.client.HTTPConnection(u.hostname, u.port, timeout=2)
            c.request("GET", u.path + ("?" + u.query if u.query else ""))
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                print(f"{time.monotonic() - start:.3f}")
                return 0
        except OSError:
            pass
        time.sleep(0.01)
    print("timeout")
    return 1


def cpu(pids):
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        except FileNotFoundError:
            pass
    print(f"{total / tick:.2f}")


def rss(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    print(values.get("VmRSS", 0), values.get("VmHWM", 0))


def to_ms(text):
    for suffix, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    return float(text)


def wrk(path):
    rps = p50 = p99 = 0.0
    non2xx = errors = requests = 0
    with open(path) as f:
        for line in f:
            parts = line.split()
            if line.startswith("Requests/sec:"):
                rps = float(parts[1])
            elif len(parts) == 2 and parts[0] == "50%":
                p50 = to_ms(parts[1])
            elif len(parts) == 2 and parts[0] == "99%":
                p99 = to_ms(parts[1])
            elif "Non-2xx or 3xx responses:" in line:
                non2xx = int(parts[-1])
            elif line.strip().startswith("Socket errors:"):
                errors = sum(int(p.rstrip(",")) for p in parts if p.rstrip(",").isdigit())
            elif "requests in" in line:
                requests = int(parts[0])
    print(f"{rps:.0f} {p50:.3f} {p99:.3f} {non2xx} {errors} {requests}")


def percentile(values, p):
    """Nearest rank: with 20 samples p99 is the largest."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def propagation(a):
    """Per commit: write one new device file, commit (untimed), then time git push + signed webhook
    until GET /api/v1/config/download for that device's MAC answers 200."""
    u = urllib.parse.urlsplit(a.url)
    poll = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    git = ["git", "-C", a.work, "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    totals, pushes, syncs = [], [], []
    for k in range(a.commits):
        i = a.start + k
        host = i + 20
        mac = f"52:54:00:{(i >> 16) & 255:02x}:{(i >> 8) & 255:02x}:{i & 255:02x}"
        name = f"node-{i:05d}"
        with open(os.path.join(a.work, "inventory", "devices", name + ".yaml"), "w") as f:
            f.write(f"mac: {mac}\nhostname: {name}\nrole: worker\nip: 10.0.{host >> 8}.{host & 255}/16\n"
                    f"labels:\n  topology.kubernetes.io/zone: rack-{i % 8}\n")
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", f"approve {name}"], check=True)
        sha = subprocess.run(git + ["rev-parse", "HEAD"], check=True, capture_output=True, text=True).stdout.strip()
        path = "/api/v1/config/download?mac=" + urllib.parse.quote(mac, safe="")

        t0 = time.monotonic()
        subprocess.run(git + ["push", "-q", "origin", "main"], check=True)
        t_push = time.monotonic()
        body = json.dumps({"ref": "refs/heads/main", "after": sha, "repository": {"full_name": "bench/bench"}}).encode()
        sig = "sha256=" + hmac.new(a.secret.encode(), body, hashlib.sha256).hexdigest()
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("POST", "/api/v1/webhooks/github", body=body, headers={
            "Content-Type": "application/json", "X-GitHub-Event": "push", "X-Hub-Signature-256": sig})
        r = c.getresponse()
        r.read()
        c.close()
        if r.status != 202:
            sys.exit(f"webhook answered {r.status}")
        deadline = t0 + a.timeout
        while True:
            poll.request("GET", path)
            r = poll.getresponse()
            r.read()
            if r.status == 200 and r.getheader("X-Ktizo-Commit") == sha:
                break
            if time.monotonic() > deadline:
                sys.exit(f"{mac} not served {a.timeout} s after the push of {sha} (last answer {r.status})")
            time.sleep(0.002)
        t1 = time.monotonic()
        totals.append(t1 - t0)
        pushes.append(t_push - t0)
        syncs.append(t1 - t_push)
        if a.verbose:
            print(f"  commit {k + 1}: {1000 * (t1 - t0):.0f} ms (push {1000 * (t_push - t0):.0f} ms)", file=sys.stderr)
    ms = lambda v: f"{1000 * v:.0f}"
    print(" ".join([ms(percentile(totals, 50)), ms(percentile(totals, 99)), ms(max(totals)),
                    ms(percentile(pushes, 50)), ms(percentile(syncs, 50)), ms(percentile(syncs, 99))]))


def census(url, count, timeout):
    """Polls the stand-in's /stats (bench/Ktizo.Storm) until COUNT MACs are on it or TIMEOUT s pass; prints the last census."""
    deadline = time.monotonic() + timeout
    while True:
        with urllib.request.urlopen(url, timeout=10) as r:
            c = json.load(r)
        if c["Represented"] >= count or time.monotonic() > deadline:
            break
        time.sleep(1)
    print(" ".join(str(c[k]) for k in ("Represented", "Duplicates", "Issues", "SingleIssues", "DigestIssues", "DigestLines",
                                        "ClosedIssues", "Requests", "Mutations", "Throttled", "MaxCreationsPerMinute",
                                        "LastIssueChangeUnixMs")))


def main():
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "free-port":
        free_port()
    elif cmd == "wait-ready":
        sys.exit(wait_ready(rest[0], float(rest[1])))
    elif cmd == "cpu":
        cpu(rest)
    elif cmd == "rss":
        rss(rest[0])
    elif cmd == "census":
        census(rest[0], int(rest[1]), float(rest[2]))
    elif cmd == "wrk":
        wrk(rest[0])
    elif cmd == "propagation":
        p = argparse.ArgumentParser(prog="bench.py propagation")
        p.add_argument("--work", required=True, help="the working clone that pushes to the gatekeeper's remote")
        p.add_argument("--url", required=True)
        p.add_argument("--secret", required=True)
        p.add_argument("--start", type=int, required=True, help="index of the first new device")
        p.add_argument("--commits", type=int, default=20)
        p.add_argument("--timeout", type=float, default=60)
        p.add_argument("--verbose", action="store_true")
        propagation(p.parse_args(rest))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
