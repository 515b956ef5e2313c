#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# Test data made from files of the root it runs on, the same on every run
# of one machine.  Into the directory OUT (created):
#   inputs.py mixed OUT   OUT/corpus: tests/03-data's mixed corpus
#                         (binaries, text, zero pages, repeated-byte and
#                         repeated-word pages, random pages), shuffled
#   inputs.py texts OUT   tests/11-recompress's text files: copyright
#                         files of 2 to 32 KiB, in a fixed order, split
#                         alternately into part A (dictionary training,
#                         OUT/a/NNNN, 200 files) and part B (data, about
#                         1 MiB, OUT/partB)
# make check runs this once on the host and hands the guests the result
# (tests/lib.sh test_input): in a guest every file of the host root
# costs 9p round trips, so this took 6-24 s of each guest's time.
import glob
import os
import random
import sys

PAGE = 4096


def mixed(out):
    rnd = random.Random(1234)
    pages = []

    def add(data, limit):
        data = data[: limit - limit % PAGE]
        pages.extend(data[i: i + PAGE] for i in range(0, len(data), PAGE))

    binary = b""
    for p in sorted(glob.glob("/usr/bin/*")):
        if len(binary) >= 4 << 20:
            break
        try:
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    binary += f.read(1 << 20)
        except OSError:
            pass
    add(binary, 4 << 20)
    text = b""
    for p in sorted(glob.glob("/usr/share/common-licenses/*")):
        if os.path.isfile(p):
            with open(p, "rb") as f:
                text += f.read()
    add(text * (2 + (2 << 20) // max(len(text), 1)), 2 << 20)
    pages.extend([b"\0" * PAGE] * 256)
    pages.extend([bytes([0xa5]) * PAGE] * 128)
    pages.extend([bytes([0x5a]) * PAGE] * 128)
    pages.extend([b"\x12\x34\x56\x78\x9a\xbc\xde\xf0" * (PAGE // 8)] * 128)
    pages.extend(rnd.randbytes(PAGE) for _ in range(512))
    half = [rnd.randbytes(PAGE // 2) + b"\0" * (PAGE // 2)
            for _ in range(256)]
    pages.extend(half)
    rnd.shuffle(pages)
    with open(out + "/corpus", "wb") as f:
        f.write(b"".join(pages))


def texts(out):
    d = "/usr/share/doc/"
    os.mkdir(out + "/a")
    na, tot, n = 0, 0, 0
    with open(out + "/partB", "wb") as pb:
        for name in sorted(os.listdir(d), key=lambda e: e + "/"):
            if na >= 200 and tot >= 1 << 20:
                break
            try:
                with open(d + name + "/copyright", "rb") as f:
                    data = f.read(32769)
            except OSError:
                continue
            if not 2048 <= len(data) <= 32768:
                continue
            if n % 2 == 0 and na < 200:
                with open("%s/a/%04d" % (out, na), "wb") as f:
                    f.write(data)
                na += 1
            elif n % 2 == 1 and tot < 1 << 20:
                pb.write(data)
                tot += len(data)
            n += 1


KINDS = {"mixed": mixed, "texts": texts}

if len(sys.argv) != 3 or sys.argv[1] not in KINDS:
    sys.exit("usage: inputs.py {%s} OUT" % "|".join(KINDS))
os.makedirs(sys.argv[2], exist_ok=True)
KINDS[sys.argv[1]](sys.argv[2])
