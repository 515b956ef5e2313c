#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Hostile input for zram's attributes; run inside a guest by tests/torture.sh.

Usage: fuzz-attrs.py --writes N [--seed S] [--batch B] [--backing DEV]

It hot_adds a device of its own (4 MiB, a known data pattern, a backing
device and a recompression algorithm when given), holds every OTHER zram
device open (so that a valid hot_remove or reset of them is refused), and
writes random and adversarial strings to every writable file of
/sys/block/zramN/ (the list is derived from the directory's mode bits;
block-layer files that are not zram's are listed and left alone) and to
/sys/class/zram-control/hot_remove, one write(2) each.

Oracle, per write (independent of which errno a refusal uses):
  - refused, and not a valid form of the attribute: nothing changed (the
    snapshot below is equal before and after);
  - refused, a valid form: nothing changed either, except for the command
    attributes (writeback, recompress), which may have moved some pages
    before failing (placement may change, data may not; a writeback also
    charges writeback_limit for each page it wrote back before the error,
    as the kernel's zram does);
  - accepted: the input is a valid form of the attribute (grammar in
    VALID below: the documented ABI, plus one optional run of trailing
    white space; no embedded NUL) and the device was in a state that
    allows it (disksize, comp_algorithm, backing_dev, recomp_algorithm,
    algorithm_params only before disksize; reset and hot_remove never
    while the device is open).
  Per batch: the device's data hashes as written (reads with O_DIRECT),
  unless an accepted write reset or removed it (then it is rebuilt).
The snapshot: disksize, initstate, comp_algorithm, max_comp_streams,
backing_dev, writeback_limit(_enable), recomp_algorithm, mm_stat columns
1 2 4 6 8 9 (not mem_used_total, mem_used_max, pages_compacted, which
the shrinker and compaction move on their own), io_stat, bd_stat,
debug_stat, debugfs block_state, and the list of zram devices.
Prints "# ..." diagnostics and "STAT name value" lines.
"""
import argparse
import errno
import hashlib
import mmap
import os
import random
import re
import stat
import sys

ALGS = ["lzo", "lzo-rle", "lz4", "lz4hc", "zstd", "deflate"]
CTL = "/sys/class/zram-control"
DBG = "/sys/kernel/debug/zram"
PAGE = 4096
DISK_PAGES = 1024
# Writable files of /sys/block/zramN/ that the block layer owns.
NOT_OURS = {"uevent", "events_poll_msecs"}
# Valid only before disksize.
SETUP_ONLY = {"disksize", "comp_algorithm", "backing_dev", "recomp_algorithm",
              "algorithm_params", "writeback_compressed", "use_dedup"}
# Accept any content (the kernel's zram ignores what is written; ours
# refuses an embedded NUL in max_comp_streams, which changes nothing).
TRIGGERS = {"compact", "max_comp_streams"}

ap = argparse.ArgumentParser()
ap.add_argument("--writes", type=int, default=2000)
ap.add_argument("--seed", type=int, default=1)
ap.add_argument("--batch", type=int, default=50)
ap.add_argument("--backing", default="")
args = ap.parse_args()
rng = random.Random(args.seed)

# ------------------------------------------------------------ valid forms

WS = r"[ \t\n\r\v\f]*"
DEC = r"\+?[0-9]+"


def u(v, bits):
    return 0 <= v < (1 << bits)


def dec(s, bits=64):
    m = re.fullmatch(DEC, s)
    return int(s) if m and u(int(s), bits) else None


def size_ok(s):
    m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|[0-9]+)([kKmMgGtTpPeE]?)" + WS, s)
    if not m:
        return None
    v = int(m.group(1), 0) if m.group(1)[:2].lower() == "0x" else int(m.group(1))
    v <<= 10 * (" kmgtpe".index(m.group(2).lower()) if m.group(2) else 0)
    return v if u(v, 64) else None


def num_ok(s, bits=64, lo=0, hi=None):
    m = re.fullmatch("(" + DEC + ")" + WS, s)
    if not m:
        return False
    v = int(m.group(1))
    return u(v, bits) and v >= lo and (hi is None or v <= hi)


def idle_ok(s):
    m = re.fullmatch(r"\+?(0[xX][0-9a-fA-F]+|[0-9]+)\n?", s)
    return m is not None and u(int(m.group(1), 0 if m.group(1)[:2].lower() == "0x"
                                   else 10), 64)


def kv_tokens(s):
    toks = s.split()
    out = []
    for t in toks:
        if "=" not in t:
            return None
        k, v = t.split("=", 1)
        if not k or not v:
            return None
        out.append((k, v))
    return out


def alg_sel_ok(kv, need_algo):
    d = {}
    for k, v in kv:
        d.setdefault(k, []).append(v)
    if "algo" in d and any(a not in ALGS for a in d["algo"]):
        return False
    if "priority" in d and not all(num_ok(p, 32, 1, 3) for p in d["priority"]):
        return False
    if need_algo and "algo" not in d:
        return False
    return True


def v_recomp_algorithm(s):
    kv = kv_tokens(s)
    return kv is not None and len(kv) > 0 and \
        all(k in ("algo", "priority") for k, _ in kv) and alg_sel_ok(kv, True)


def v_algorithm_params(s):
    kv = kv_tokens(s)
    if kv is None or not all(k in ("algo", "priority", "level", "dict")
                             for k, _ in kv):
        return False
    keys = [k for k, _ in kv]
    if "algo" in keys and "priority" in keys:
        return False
    for k, v in kv:
        if k == "level" and not re.fullmatch(r"[-+]?[0-9]+", v):
            return False
        if k == "dict" and not os.path.isfile(v):
            return False
    return alg_sel_ok(kv, False)


def v_recompress(s):
    kv = kv_tokens(s)
    if kv is None:
        return False
    keys = [k for k, _ in kv]
    if "algo" in keys and "priority" in keys:
        return False
    for k, v in kv:
        if k == "type" and v not in ("huge", "idle", "huge_idle"):
            return False
        if k == "threshold" and not num_ok(v, 32, 1, PAGE):
            return False
        if k == "max_pages" and not num_ok(v, 64, 1):
            return False
        if k not in ("type", "threshold", "max_pages", "algo", "priority"):
            return False
    return alg_sel_ok(kv, False)


def v_writeback(s):
    if re.fullmatch(r"(huge|idle|huge_idle|incompressible)" + WS, s):
        return True
    kv = kv_tokens(s)
    if not kv:
        return False
    for k, v in kv:
        if k == "page_index":
            if not num_ok(v, 32, 0, DISK_PAGES - 1):
                return False
        elif k == "page_indexes":
            m = re.fullmatch(r"(" + DEC + ")-(" + DEC + ")", v)
            if not m or int(m.group(1)) > int(m.group(2)) or \
                    int(m.group(2)) >= DISK_PAGES:
                return False
        else:
            return False
    return True


TIER_MODES = {"recompress": ("none", "idle", "huge", "huge_idle"),
              "writeback": ("none", "idle", "huge", "huge_idle",
                            "incompressible")}
TIER_NUMS = {"interval": (32, 0, 604800), "idle_age": (32, 0, None),
             "high": (32, 0, 100), "low": (32, 0, 100),
             "max_pages": (64, 0, None)}


def v_tiering(s):
    """Each token a known key=value or "run" (the watermarks' order,
    recomp_algorithm and backing_dev are the device's state)."""
    toks = s.split()
    if not toks:
        return False
    for t in toks:
        if t == "run":
            continue
        if "=" not in t:
            return False
        k, v = t.split("=", 1)
        if k in TIER_MODES:
            if v not in TIER_MODES[k]:
                return False
        elif k in TIER_NUMS:
            if "\n" in v or not num_ok(v, *TIER_NUMS[k]):
                return False
        else:
            return False
    return True


def v_backing_dev(s):
    p = s.rstrip(" \t\n\r\v\f")
    if p == "none":
        return True
    try:
        return stat.S_ISBLK(os.stat(p).st_mode) and not \
            os.path.basename(os.path.realpath(p)).startswith("zram")
    except (OSError, ValueError):
        return False


VALID = {
    "disksize": lambda s: (size_ok(s) or 0) > 0,
    "reset": lambda s: num_ok(s, 64, 1),
    "comp_algorithm": lambda s: re.fullmatch("(" + "|".join(map(re.escape, ALGS))
                                             + ")" + WS, s) is not None,
    "mem_limit": lambda s: size_ok(s) is not None,
    "mem_used_max": lambda s: re.fullmatch(r"\+?0+" + WS, s) is not None,
    # "all", or kstrtou64(base 0) seconds: 0 is every page, like "all".
    "idle": lambda s: re.fullmatch("all" + WS, s) is not None or idle_ok(s),
    "backing_dev": v_backing_dev,
    "writeback": v_writeback,
    # Any u64: not 0 turns it on, as in the kernel.
    "writeback_limit_enable": lambda s: num_ok(s, 64),
    "writeback_limit": lambda s: num_ok(s, 64),
    # Pages in flight: any u32 but 0.
    "writeback_batch_size": lambda s: num_ok(s, 32, 1),
    # 0 or 1, before disksize.
    "writeback_compressed": lambda s: num_ok(s, 32, 0, 1),
    # 0 or 1, before disksize.
    "use_dedup": lambda s: num_ok(s, 32, 0, 1),
    "tiering": v_tiering,
    "recomp_algorithm": v_recomp_algorithm,
    "algorithm_params": v_algorithm_params,
    "recompress": v_recompress,
    "hot_remove": lambda s: num_ok(s, 31),
}


def valid_form(attr, data):
    if attr in TRIGGERS:
        return True
    if b"\0" in data:
        return False
    try:
        s = data.decode("ascii")
    except UnicodeDecodeError:
        return False
    return attr in VALID and VALID[attr](s)

# ------------------------------------------------------------ corpus

GENERIC = [b"", b"\n", b" ", b"\t\n", b"-1", b"-0", b"0", b"1", b"2", b"+1",
           b" 1", b"1 2", b"01", b"0x10", b"0X", b"1e3", b"1.5",
           b"18446744073709551615", b"18446744073709551616",
           b"-9223372036854775808", b"99999999999999999999999999999999",
           b"4294967295", b"4294967296", b"2147483648", b"-2147483649",
           b"1\x00", b"\x00", b"1\x002", b"\x001", b"all\x00junk",
           b"\xff\xfe\xfd", "\u00e9t\u00e9".encode(), b"%s%s%n", b"../../..",
           b"none", b"all", b"huge", b"idle", b"=", b"==", b"a=b", b"=1",
           b"1=", b"\n1", b"1\n\n", b"1\r\n", b"zstd", b"lz4 ", b"Lz4",
           b"A" * 4095, b"9" * 4095, b"1" + b" " * 4094, b"a=" + b"b" * 4093]
KEYS = [b"type", b"algo", b"priority", b"threshold", b"max_pages", b"level",
        b"dict", b"page_index", b"page_indexes"]
SPECIFIC = {
    "disksize": [b"4M", b"1M", b"1", b"0", b"0x1000", b"1Z", b"1MM", b"1 M",
                 b"16E", b"17179869184K", b"-4M", b"4M\n"],
    "reset": [b"1", b"0", b"2", b"yes", b"-1", b"1\n"],
    "comp_algorithm": [a.encode() for a in ALGS] +
                      [b"842", b"lzo-rle ", b"lz4\x00", b"zstd\nzstd", b"lzo lz4"],
    "max_comp_streams": [b"1", b"2", b"0", b"-2", b"4294967296", b"1\n"],
    "mem_limit": [b"0", b"1M", b"64M", b"0x100000", b"1E", b"16E", b"1P", b"-1",
                  b"1 M", b"1m\n"],
    "mem_used_max": [b"0", b"00", b"1", b"-0", b"0\n"],
    "compact": [b"1", b"0", b""],
    "idle": [b"all", b"1", b"0", b"3600", b"-1", b"all all", b"ALL", b"alll",
             b"18446744073709551615", b"all\n"],
    "backing_dev": [b"none", b"/dev/null", b"/", b"/nonexistent", b"/dev/zram0",
                    b"", b"/dev/loop", b"none\n", b"none none", b"/dev/../dev/null",
                    b"/" * 4095],
    "writeback": [b"huge", b"idle", b"huge_idle", b"incompressible",
                  b"page_index=0", b"page_index=1023", b"page_index=1024",
                  b"page_index=-1", b"page_indexes=0-3", b"page_indexes=3-0",
                  b"page_indexes=0-1024", b"page_indexes=0-", b"page_indexes=-3",
                  b"page_indexes=1-2-3", b"page_index=1 page_indexes=5-9",
                  b"page_index=", b"page_index==1", b"type=huge", b"huge idle",
                  b"page_index=4294967296", b"page_index=0x1", b"HUGE"],
    "writeback_limit_enable": [b"0", b"1", b"2", b"-1", b"1\n"],
    "writeback_limit": [b"0", b"1", b"1000", b"18446744073709551615",
                        b"18446744073709551616", b"-1"],
    "writeback_batch_size": [b"0", b"1", b"4", b"32", b"256", b"257",
                             b"4294967295", b"4294967296", b"-1", b"1\n"],
    "writeback_compressed": [b"0", b"1", b"2", b"-1", b"01", b"+1", b"1\n",
                             b"true", b"4294967297"],
    "use_dedup": [b"0", b"1", b"2", b"-1", b"01", b"+1", b"1\n", b"true",
                  b"4294967297", b"1 1"],
    # No interval > 0: background passes would move pages between the
    # snapshots a refused write is judged by.
    "tiering": [b"interval=0", b"interval=604801", b"interval=-1",
                b"idle_age=60", b"idle_age=0", b"recompress=idle",
                b"recompress=huge_idle", b"recompress=incompressible",
                b"writeback=huge", b"writeback=incompressible",
                b"writeback=bogus", b"high=90 low=10", b"high=10 low=90",
                b"high=101", b"low=100", b"max_pages=100", b"max_pages=-1",
                b"run", b"run=1", b"writeback=huge high=1 low=0 run",
                b"recompress=idle run", b"bogus=1", b"interval", b"=5",
                b"interval=1 bogus", b"writeback=none recompress=none"],
    "recomp_algorithm": [b"algo=zstd", b"algo=lz4 priority=2", b"algo=zstd priority=0",
                         b"algo=zstd priority=4", b"algo=", b"priority=1",
                         b"algo=842", b"algo=zstd algo=lz4", b"algo=zstd priority=1 x=y",
                         b"zstd"],
    "algorithm_params": [b"algo=zstd level=3", b"priority=1 level=1", b"level=3",
                         b"algo=zstd dict=/etc/hostname", b"algo=zstd dict=/dev/zero",
                         b"algo=zstd dict=/nonexistent", b"algo=zstd priority=1",
                         b"level=", b"level=x", b"level=-2147483649",
                         b"algo=lz4 level=99999999", b"dict=", b"algo=zstd dict=/"],
    "recompress": [b"", b"type=huge", b"type=idle", b"type=huge_idle",
                   b"type=huge threshold=1000", b"threshold=4096", b"threshold=4097",
                   b"threshold=0", b"max_pages=1", b"max_pages=0", b"algo=zstd",
                   b"priority=1", b"priority=2", b"algo=zstd priority=1",
                   b"type=cold", b"type=", b"type==huge", b"huge"],
    "hot_remove": [b"1000", b"-1", b"0", b"1", b"2147483648", b"x"],
}


def mutate(b):
    b = bytearray(b)
    for _ in range(rng.randint(1, 3)):
        op = rng.randint(0, 4)
        pos = rng.randint(0, len(b))
        if op == 0:
            b[pos:pos] = bytes([rng.choice(b"= -\n\x00x09")])
        elif op == 1 and b:
            del b[min(pos, len(b) - 1)]
        elif op == 2 and b:
            b[min(pos, len(b) - 1)] = rng.randint(0, 255)
        elif op == 3:
            b[pos:pos] = rng.choice(KEYS) + b"=" + str(rng.randint(-2, 5000)).encode()
        else:
            b += b" " + rng.choice(GENERIC)[:64]
    return bytes(b)


def candidate(attr):
    r = rng.random()
    spec = SPECIFIC.get(attr, [])
    if r < 0.35 and spec:
        v = rng.choice(spec)
    elif r < 0.6:
        v = rng.choice(GENERIC)
    elif r < 0.9:
        v = mutate(rng.choice(spec + GENERIC))
    else:
        v = bytes(rng.randint(0, 255) for _ in range(rng.choice([8, 64, 4096])))
    if rng.random() < 0.5 and len(v) < 4096:
        v += b"\n"
    return v[:4096]

# ------------------------------------------------------------ device


def rd(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        return ("<%s>" % errno.errorcode.get(e.errno, e.errno)).encode()


def wr(path, data):
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, data)
        return 0
    except OSError as e:
        return e.errno
    finally:
        os.close(fd)


def pattern():
    r = random.Random(args.seed * 7919)
    out = bytearray()
    for p in range(DISK_PAGES):
        kind = p % 4
        if kind == 0:
            out += bytes([p & 0xff]) * PAGE
        elif kind == 1:
            out += r.randbytes(PAGE)
        else:
            line = b"zram fuzz page %d seed %d " % (p, args.seed)
            out += (line * (PAGE // len(line) + 1))[:PAGE]
    return bytes(out)


PATTERN = pattern()
PATTERN_HASH = hashlib.sha256(PATTERN).hexdigest()
BUF = mmap.mmap(-1, 64 * 1024)


def dev_io(dev, write):
    fd = os.open("/dev/zram%d" % dev, (os.O_RDWR if write else os.O_RDONLY) | os.O_DIRECT)
    h = hashlib.sha256()
    try:
        for off in range(0, len(PATTERN), len(BUF)):
            if write:
                BUF[:] = PATTERN[off:off + len(BUF)]
                if os.pwritev(fd, [BUF], off) != len(BUF):
                    return None
            else:
                if os.preadv(fd, [BUF], off) != len(BUF):
                    return None
                h.update(BUF)
        if write:
            os.fsync(fd)
    except OSError as e:
        return "<%s>" % errno.errorcode.get(e.errno, e.errno)
    finally:
        os.close(fd)
    return h.hexdigest()


class Dev:
    def __init__(self):
        self.id = None
        self.hold = None
        self.created = 0

    def sysfs(self, name=""):
        return "/sys/block/zram%d/%s" % (self.id, name)

    def create(self):
        self.id = int(rd(CTL + "/hot_add"))
        self.created += 1

    def build(self, init=True):
        """Reset and set up (and fill) the device; returns an error text or ''."""
        self.release()
        if self.id is None or not os.path.isdir(self.sysfs()):
            self.create()
        steps = [("reset", b"1")]
        if args.backing:
            steps.append(("backing_dev", args.backing.encode()))
        steps.append(("recomp_algorithm", b"algo=zstd"))
        if init:
            steps.append(("disksize", b"%d" % (DISK_PAGES * PAGE)))
        for a, v in steps:
            e = wr(self.sysfs(a), v)
            if e:
                return "setup %s=%r: %s" % (a, v, errno.errorcode.get(e, e))
        if init:
            dev_io(self.id, True)
            h = dev_io(self.id, False)
            if h != PATTERN_HASH:
                return "pattern does not read back after setup (%s)" % h
        return ""

    def grab(self):
        if self.hold is None:
            self.hold = os.open("/dev/zram%d" % self.id, os.O_RDONLY)

    def release(self):
        if self.hold is not None:
            os.close(self.hold)
            self.hold = None


D = Dev()


def snapshot():
    s = {}
    for a in ("disksize", "initstate", "comp_algorithm", "max_comp_streams",
              "backing_dev", "writeback_limit_enable", "writeback_limit",
              "writeback_batch_size", "writeback_compressed", "use_dedup",
              "tiering", "recomp_algorithm", "io_stat", "bd_stat",
              "debug_stat"):
        s[a] = rd(D.sysfs(a))
    mm = rd(D.sysfs("mm_stat")).split()
    s["mm_stat"] = [mm[i] for i in (0, 1, 3, 5, 7, 8)] if len(mm) == 9 else mm
    s["block_state"] = rd("%s/zram%d/block_state" % (DBG, D.id))
    s["devices"] = sorted(d for d in os.listdir("/sys/block") if d.startswith("zram"))
    return s


PLACEMENT = {"bd_stat", "block_state", "mm_stat", "debug_stat", "io_stat"}
# The command attributes, and what a refused (partly done) valid one may
# change: placement, and for writeback its charge (wb_charge_wrong()).
COMMANDS = {"writeback": PLACEMENT | {"writeback_limit"},
            "recompress": PLACEMENT}


def diff(a, b, ignore=()):
    return [k for k in a if k not in ignore and a[k] != b.get(k)]


def wb_charge_wrong(a, b):
    """A refused writeback charged writeback_limit for exactly the pages it
    wrote back (bd_stat column 3, 4K units), and only with the limit on."""
    try:
        dl = int(a["writeback_limit"]) - int(b["writeback_limit"])
        dw = int(b["bd_stat"].split()[2]) - int(a["bd_stat"].split()[2])
    except (ValueError, IndexError):
        # Unreadable figures: no partial charge can be shown, so none is
        # allowed.
        same = a["writeback_limit"] == b["writeback_limit"]
        return [] if same else ["writeback_limit"]
    want = dw if a["writeback_limit_enable"].strip() == b"1" else 0
    if dl != want:
        return ["writeback_limit (charged %d, %d written back)" % (dl, dw)]
    return []

# ------------------------------------------------------------ main


def wrong_state(attr, data, vf, init, state):
    """An accepted write the device's state should have refused."""
    if attr in SETUP_ONLY:
        return init
    if attr == "reset":
        return state == "held"
    if attr == "hot_remove" and vf:
        # Every other zram device is held open; ours is in "held".
        return int(data) != D.id or state == "held"
    return False


def main():
    others = []
    for d in sorted(os.listdir("/sys/block")):
        if d.startswith("zram"):
            others.append(os.open("/dev/" + d, os.O_RDONLY))
    err = D.build()
    if err:
        print("# %s" % err)
        print("STAT setup_failed 1")
        return 1
    attrs = []
    skipped = []
    for f in sorted(os.listdir(D.sysfs())):
        p = D.sysfs(f)
        st = os.stat(p)
        if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o222:
            continue
        (skipped if f in NOT_OURS else attrs).append(f)
    print("# writable: %s" % " ".join(attrs))
    print("# left alone (block layer): %s" % " ".join(skipped))
    unknown = [a for a in attrs if a not in VALID and a not in TRIGGERS]
    targets = attrs + ["hot_remove"]

    n = dict(tried=0, accepted=0, valid=0, junk_accepted=0, trigger_junk=0,
             wrong_state=0, refused_changed=0, data_bad=0, rebuilds=0,
             batches=0, unknown_accepted=0)
    per_attr_junk = {}
    examples = []
    state = "held"
    while n["tried"] < args.writes:
        n["batches"] += 1
        state = rng.choices(["held", "free", "uninit"], [6, 2, 2])[0]
        err = D.build(init=(state != "uninit"))
        if err:
            print("# rebuild failed: %s" % err)
            n["data_bad"] += 1
            break
        if state == "held":
            D.grab()
        for _ in range(min(args.batch, args.writes - n["tried"])):
            attr = rng.choice(targets)
            data = candidate(attr)
            path = CTL + "/hot_remove" if attr == "hot_remove" else D.sysfs(attr)
            if attr == "hot_remove" and rng.random() < 0.5:
                data = (b"%d" % D.id) + (b"\n" if rng.random() < 0.5 else b"")
            before = snapshot()
            init = before["initstate"].strip() == b"1"
            if not data:
                # write(2) of 0 bytes never reaches a sysfs store.
                data = b"\n"
            e = wr(path, data)
            n["tried"] += 1
            vf = valid_form(attr, data)
            if e:
                after = snapshot()
                ign = COMMANDS[attr] if (vf and attr in COMMANDS) else ()
                ch = diff(before, after, ign)
                if vf and attr == "writeback" and not ch:
                    ch = wb_charge_wrong(before, after)
                if ch:
                    n["refused_changed"] += 1
                    if len(examples) < 20:
                        examples.append("refused %s %r (%s) changed %s" % (
                            attr, data[:60], errno.errorcode.get(e, e), ch))
                continue
            n["accepted"] += 1
            if attr in unknown:
                n["unknown_accepted"] += 1
            elif vf and attr in TRIGGERS and data.strip() not in (b"", b"1"):
                n["trigger_junk"] += 1
            if vf:
                n["valid"] += 1
            elif attr not in unknown:
                n["junk_accepted"] += 1
                per_attr_junk[attr] = per_attr_junk.get(attr, 0) + 1
                if len(examples) < 20:
                    examples.append("accepted junk: %s %r" % (attr, data[:60]))
            if wrong_state(attr, data, vf, init, state):
                n["wrong_state"] += 1
                if len(examples) < 20:
                    examples.append("accepted in the wrong state (%s, initstate %d): %s %r"
                                    % (state, init, attr, data[:60]))
            gone = not os.path.isdir(D.sysfs())
            if attr in ("reset", "hot_remove") or gone or \
                    (attr == "disksize" and not init):
                # A valid state change: start again with a fresh device.
                n["rebuilds"] += 1
                err = D.build(init=(state != "uninit"))
                if err:
                    print("# rebuild failed: %s" % err)
                    n["data_bad"] += 1
                    break
                if state == "held":
                    D.grab()
        if state != "uninit" and os.path.isdir(D.sysfs()):
            h = dev_io(D.id, False)
            if h != PATTERN_HASH:
                n["data_bad"] += 1
                if len(examples) < 20:
                    examples.append("batch %d: data hash %s after the batch" % (n["batches"], h))
        D.release()
    D.release()
    wr(D.sysfs("reset"), b"1")
    wr(CTL + "/hot_remove", b"%d" % D.id)
    for fd in others:
        os.close(fd)
    for x in examples:
        print("# " + x)
    if per_attr_junk:
        print("# junk accepted per attribute: %s" % per_attr_junk)
    if unknown:
        print("# attributes without a valid-form rule: %s" % " ".join(unknown))
    n["unknown_attrs"] = len(unknown)
    n["devices_created"] = D.created
    for k, v in n.items():
        print("STAT %s %d" % (k, v))
    return 0


sys.exit(main())
