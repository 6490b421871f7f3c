#!/usr/bin/env python3
"""Which parts of a running process's executable are resident in memory (BENCHMARKS.md §4).

Usage (as root, for /proc/PID/pagemap): scripts/resident-pages.py PID

Reads /proc/PID/maps for the mappings of the process's own executable, /proc/PID/pagemap for which of
their pages are present, and maps each present page to its ELF section (readelf) and, for code and data,
to the Swift module of the symbols in it (nm; a page shared by several modules is split between them).
Prints KiB per section and per module: where the file-backed part of the RSS goes.
"""
import bisect
import collections
import os
import re
import struct
import subprocess
import sys

PAGE = 4096


def present_pages(pid, binary):
    """(file offset, address - offset) of every present page of the executable's mappings."""
    pages = []
    with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in open(f"/proc/{pid}/maps"):
            fields = line.split()
            if len(fields) < 6 or fields[5] != binary:
                continue
            low, high = (int(x, 16) for x in fields[0].split("-"))
            offset = int(fields[2], 16)
            count = (high - low) // PAGE
            pagemap.seek(low // PAGE * 8)
            entries = pagemap.read(count * 8)
            for index in range(count):
                (entry,) = struct.unpack_from("<Q", entries, index * 8)
                if entry >> 63:
                    pages.append((offset + index * PAGE, low - offset))
    return pages


def sections(binary):
    """(file start, file end, name, address) of every section with bytes in the file."""
    text = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
    found = []
    for match in re.finditer(r"\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)", text):
        name, address, offset, size = match.group(1), *(int(match.group(i), 16) for i in (2, 3, 4))
        if size and match.group(1) != ".bss":
            found.append((offset, offset + size, name, address))
    return found


def module(symbol):
    """The Swift module a mangled symbol belongs to (`$s11MRSWatchdog…` → MRSWatchdog; `$ss…`, `$sS…`:
    the standard library), else the C or C++ symbol's start."""
    match = re.match(r"\$s(\d+)", symbol)
    if match:
        start = len(match.group(0))
        return symbol[start : start + int(match.group(1))]
    if symbol.startswith("$s"):
        return "Swift (standard library)"
    if symbol.startswith("_ZN5swift") or symbol.startswith("swift_"):
        return "Swift runtime"
    return "(C/C++) " + symbol[:16]


def main():
    pid = sys.argv[1]
    binary = os.readlink(f"/proc/{pid}/exe")
    pages = present_pages(pid, binary)
    spans = sections(binary)
    symbols = []
    for line in subprocess.run(
        ["nm", "-n", "--defined-only", binary], capture_output=True, text=True, check=True
    ).stdout.splitlines():
        fields = line.split()
        if len(fields) == 3:
            symbols.append((int(fields[0], 16), fields[2]))
    addresses = [address for address, _ in symbols]

    by_section = collections.Counter()
    by_module = collections.Counter()
    for offset, _ in pages:
        span = next((s for s in spans if s[0] <= offset < s[1]), None)
        name = span[2] if span else "(headers, padding)"
        by_section[name] += PAGE // 1024
        if span and name in (".text", ".rodata", ".data.rel.ro", ".data"):
            # Sample the page every 256 bytes for the symbols in it.
            owners = set()
            for step in range(0, PAGE, 256):
                index = bisect.bisect_right(addresses, span[3] + (offset - span[0]) + step) - 1
                if index >= 0:
                    owners.add(module(symbols[index][1]))
            for owner in owners:
                by_module[owner] += PAGE / 1024 / len(owners)

    print(f"{binary}: {len(pages) * PAGE // 1024} KiB of its pages resident")
    print("by section (KiB):")
    for name, kib in by_section.most_common(12):
        print(f"  {name:28} {kib:8}")
    print("code and data by module (KiB, approximate):")
    for name, kib in by_module.most_common(25):
        print(f"  {name:28} {kib:8.0f}")


if __name__ == "__main__":
    main()
