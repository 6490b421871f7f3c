#!/usr/bin/env python3
"""Which folders of a Swift target use which: a folder depends on another when one of its files names a type
declared there. Prints the graph bottom-up and exits 1 when two folders depend on each other (a cycle).

Usage: scripts/folder-deps.py [Sources/MRSWatchdog]
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "Sources/MRSWatchdog")
declaration = re.compile(
    r"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|package|internal|fileprivate|private|final|indirect)\s+)*"
    r"(?:struct|class|enum|actor|protocol|typealias)\s+([A-Z]\w*)", re.M)
comments = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
strings = re.compile(r'"""[\s\S]*?"""|"(?:\\.|[^"\\\n])*"')

def folder(path):
    return path.relative_to(root).parent.as_posix() or "."

files = sorted(root.rglob("*.swift"))
owner = {}
for path in files:
    text = strings.sub('""', comments.sub("", path.read_text()))
    for name in declaration.findall(text):
        # Top-level declarations only: a nested type is reached through its parent.s name.
        owner.setdefault(name, folder(path))

uses = {folder(p): set() for p in files}
why = {}
for path in files:
    here = folder(path)
    text = strings.sub('""', comments.sub("", path.read_text()))
    for name in set(re.findall(r"\b[A-Z]\w*\b", text)):
        there = owner.get(name)
        if there and there != here:
            uses[here].add(there)
            why.setdefault((here, there), f"{path.relative_to(root)} uses {name}")

# Strongly connected components (Tarjan): any component with more than one folder is a cycle.
index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]
def visit(node):
    index[node] = low[node] = counter[0]
    counter[0] += 1
    stack.append(node)
    on.add(node)
    for nxt in sorted(uses[node]):
        if nxt not in index:
            visit(nxt)
            low[node] = min(low[node], low[nxt])
        elif nxt in on:
            low[node] = min(low[node], index[nxt])
    if low[node] == index[node]:
        component = []
        while True:
            item = stack.pop()
            on.discard(item)
            component.append(item)
            if item == node:
                break
        sccs.append(component)
for node in sorted(uses):
    if node not in index:
        visit(node)

for component in sccs:  # Tarjan yields components in reverse topological order: dependencies first
    for node in sorted(component):
        print(f"{node:16} -> {', '.join(sorted(uses[node])) or '(nothing)'}")
cycles = [c for c in sccs if len(c) > 1]
for cycle in cycles:
    print("cycle: " + " <-> ".join(sorted(cycle)), file=sys.stderr)
    for a in cycle:
        for b in cycle:
            if (a, b) in why:
                print(f"  {a} -> {b}: {why[(a, b)]}", file=sys.stderr)
if cycles:
    sys.exit(1)
print(f"{len(uses)} folders, no cycles")
