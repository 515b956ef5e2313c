#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
#
# Odd-shaped I/O against a block device, verified against an in-memory model:
#   dio.py DEV SEED [PART...]     PART: unaligned misaligned subblock (all)
# 1. O_DIRECT writes/reads of whole 4K blocks from buffers that are NOT
#    page-aligned in memory (offsets 512, 1024, 3584): every bio segment then
#    straddles two pages.
# 2. O_DIRECT with a byte-misaligned buffer or a 512-byte length on a 4K
#    logical-block device must fail with EINVAL.
# 3. Buffered 512-byte (and odd-length) writes at odd offsets, fsync, drop the
#    page cache, read back with O_DIRECT and compare.
# Prints "# ..." diagnostics and exits 0 on success, 1 on a mismatch.
import errno
import mmap
import os
import random
import sys

PAGE = 4096


def fail(msg):
    print("# dio.py: " + msg)
    sys.exit(1)


def main():
    dev, seed = sys.argv[1], int(sys.argv[2])
    parts = sys.argv[3:] or ["unaligned", "misaligned", "subblock"]
    rnd = random.Random(seed)
    with open(dev, "rb") as f:
        size = f.seek(0, os.SEEK_END)
    npages = min(size // PAGE, 2048)
    model = bytearray(npages * PAGE)
    buf = mmap.mmap(-1, 64 * PAGE)
    fd = os.open(dev, os.O_RDWR | os.O_DIRECT)

    # 1. unaligned-in-memory whole blocks
    for i in range(200 if "unaligned" in parts else 0):
        n = rnd.randint(1, 16)
        blk = rnd.randrange(0, npages - n)
        moff = rnd.choice((512, 1024, 3584, 2048))
        kind = rnd.randrange(3)
        if kind == 0:
            data = rnd.randbytes(n * PAGE)
        elif kind == 1:
            data = bytes([rnd.randrange(256)]) * (n * PAGE)
        else:
            data = (b"zram-%d-" % i) * (n * PAGE // 8) + b"\0" * (n * PAGE % 8)
            data = data[: n * PAGE].ljust(n * PAGE, b"x")
        buf[moff: moff + n * PAGE] = data
        w = os.pwritev(fd, [memoryview(buf)[moff: moff + n * PAGE]], blk * PAGE)
        if w != n * PAGE:
            fail("short O_DIRECT write %d of %d" % (w, n * PAGE))
        model[blk * PAGE: (blk + n) * PAGE] = data
        roff = rnd.choice((512, 1536, 2560))
        r = os.preadv(fd, [memoryview(buf)[roff: roff + n * PAGE]], blk * PAGE)
        if r != n * PAGE or buf[roff: roff + n * PAGE] != data:
            fail("unaligned O_DIRECT readback mismatch at block %d (+%d)" % (blk, n))
    if "unaligned" in parts:
        print("# unaligned-buffer O_DIRECT: 200 writes verified")

    # 2. what the block layer must refuse
    for what, moff, length, off in () if "misaligned" not in parts else (("byte-misaligned buffer", 1, PAGE, 0),
                                    ("512-byte length", 0, 512, 0),
                                    ("512-byte offset", 0, PAGE, 512)):
        try:
            os.pwritev(fd, [memoryview(buf)[moff: moff + length]], off)
            fail("O_DIRECT with %s was accepted" % what)
        except OSError as e:
            if e.errno != errno.EINVAL:
                fail("O_DIRECT with %s: %s, wanted EINVAL" % (what, e))
    if "misaligned" in parts:
        print("# misaligned O_DIRECT refused with EINVAL")
    if "subblock" not in parts:
        return

    # 3. buffered sub-block writes (read-modify-write in the page cache)
    bfd = os.open(dev, os.O_RDWR)
    for i in range(300):
        length = rnd.choice((512, 1024, 1, 7, 4095, 5000))
        off = rnd.randrange(0, npages * PAGE - length)
        if rnd.random() < 0.5:
            off -= off % 512
        data = rnd.randbytes(length)
        if os.pwrite(bfd, data, off) != length:
            fail("short buffered write")
        model[off: off + length] = data
    os.fsync(bfd)
    os.posix_fadvise(bfd, 0, 0, os.POSIX_FADV_DONTNEED)
    os.close(bfd)
    chunk = 32
    for blk in range(0, npages, chunk):
        n = min(chunk, npages - blk)
        r = os.preadv(fd, [memoryview(buf)[0: n * PAGE]], blk * PAGE)
        if r != n * PAGE or buf[0: n * PAGE] != model[blk * PAGE: (blk + n) * PAGE]:
            for p in range(n):
                if buf[p * PAGE: (p + 1) * PAGE] != model[(blk + p) * PAGE: (blk + p + 1) * PAGE]:
                    fail("content mismatch in block %d after buffered sub-block writes" % (blk + p))
            fail("short read at block %d" % blk)
    print("# buffered sub-block writes: %d blocks verified" % npages)
    os.close(fd)


main()
