#!/usr/bin/env python3
# Copied from the project's shared benchmark kit so the repository benchmarks on its own.
"""Generate a synthetic Roster manifest repository (a git repo) of T teams x M members.

  gen.py --teams 2000 --members 50 --users 40000 --out /tmp/org     # commit 1
  gen.py --mutate 1.0 --out /tmp/org                                 # commit 2: 1% of teams changed

Deterministic for a given --seed. Users are drawn from a pool so people sit in several teams.
Roles: 10% admin, 50% dev, 30% basic, 10% billing; the owner is always the first admin.
"""
import argparse, os, random, subprocess, sys

ROLES = ["admin"] * 1 + ["dev"] * 5 + ["basic"] * 3 + ["billing"] * 1


def email(i):
    return f"user{i:07d}@example.com"


def team_doc(name, owner, members, limit):
    lines = [
        "apiVersion: roster/v1",
        "kind: Team",
        "metadata:",
        f"  name: {name}",
        "spec:",
        f"  displayName: Team {name}",
        f"  owner: {owner}",
        "  spendLimit:",
        f"    perHour: {limit}",
        "  members:",
    ]
    for e, r in members:
        lines.append(f"    - email: {e}")
        lines.append(f"      role: {r}")
    return "\n".join(lines) + "\n"


def git(out, *args):
    subprocess.run(["git", "-C", out, *args], check=True, stdout=subprocess.DEVNULL)


def read_team(path):
    """Parse our own generated format back without a YAML library (fast, exact)."""
    owner, limit, members, name = None, None, [], None
    cur = None
    for line in open(path):
        s = line.strip()
        if s.startswith("name:"):
            name = s.split(":", 1)[1].strip()
        elif s.startswith("owner:"):
            owner = s.split(":", 1)[1].strip()
        elif s.startswith("perHour:"):
            limit = s.split(":", 1)[1].strip()
        elif s.startswith("- email:"):
            cur = s.split(":", 1)[1].strip()
        elif s.startswith("role:"):
            members.append((cur, s.split(":", 1)[1].strip()))
    return name, owner, members, limit


def generate(a):
    rnd = random.Random(a.seed)
    os.makedirs(os.path.join(a.out, "teams"), exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    with open(os.path.join(a.out, "roster.yaml"), "w") as f:
        f.write("apiVersion: roster/v1\nkind: Config\nspec:\n  paths: [teams]\n"
                "  safety:\n    maxRemovals: 1000000\n    minAdmins: 1\n")
    for t in range(a.teams):
        name = f"team-{t:05d}"
        picks = rnd.sample(range(a.users), a.members)
        members = [(email(u), rnd.choice(ROLES)) for u in picks]
        members[0] = (members[0][0], "admin")
        sub = os.path.join(a.out, "teams", f"{t // 1000:02d}")
        os.makedirs(sub, exist_ok=True)
        with open(os.path.join(sub, f"{name}.yaml"), "w") as f:
            f.write(team_doc(name, members[0][0], members, 80))
    git(a.out, "add", "-A")
    git(a.out, "commit", "-q", "-m", f"{a.teams} teams x {a.members} members")


def mutate(a):
    rnd = random.Random(a.seed + 1)
    files = sorted(
        os.path.join(d, f)
        for d, _, fs in os.walk(os.path.join(a.out, "teams"))
        for f in fs
        if f.endswith(".yaml")
    )
    n = max(1, int(len(files) * a.mutate / 100))
    for path in rnd.sample(files, n):
        name, owner, members, limit = read_team(path)
        # one new member, one removal (never the owner), one role change (never the owner)
        members.append((email(a.users + rnd.randrange(1_000_000)), "dev"))
        victims = [i for i, (e, _) in enumerate(members) if e != owner]
        del members[rnd.choice(victims[:-1])]
        i = rnd.choice([i for i, (e, _) in enumerate(members) if e != owner])
        members[i] = (members[i][0], "basic" if members[i][1] != "basic" else "dev")
        with open(path, "w") as f:
            f.write(team_doc(name, owner, members, limit))
    git(a.out, "add", "-A")
    git(a.out, "commit", "-q", "-m", f"mutate {n} teams")
    print(n)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--teams", type=int, default=2000)
    p.add_argument("--members", type=int, default=50)
    p.add_argument("--users", type=int, default=40000)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--mutate", type=float, default=None, help="percent of teams to change")
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.mutate is None:
        generate(a)
    else:
        mutate(a)


if __name__ == "__main__":
    sys.exit(main())
