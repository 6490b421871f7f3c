#!/usr/bin/env python3
"""Which folders of a Swift target use which: a folder depends on another when one of its files names a type
declared there, or calls a member that the other folder adds to a type by an extension (`floorDividedBy` on
Int64). Prints the graph bottom-up and exits 1 when folders depend on each other (a cycle).

Usage: scripts/folder-deps.py [Sources/MRSWatchdog]

It reads names, not the compiler's symbol graph: a member added by extensions in two folders, or with a name
declared more than once, is not attributed.
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "Sources/MRSWatchdog")
MODIFIERS = r"(?:(?:public|package|internal|fileprivate|private|open|final|indirect|nonisolated|static|mutating)\s+)*"
declaration = re.compile(r"^(?:@\w+(?:\([^)]*\))?\s+)*" + MODIFIERS + r"(?:struct|class|enum|actor|protocol|typealias)\s+([A-Z]\w*)", re.M)
extension_block = re.compile(r"^extension\s+([\w.]+)[^\n]*\{\n(.*?)^\}", re.M | re.S)
member = re.compile(r"^    (?:@\w+\s+)*" + MODIFIERS + r"(?:func|var|let)\s+([a-zA-Z_]\w*)", re.M)
# Whichever starts first wins, so `//` inside a string and `"` inside a comment are read right.
token = re.compile(r'(//[^\n]*|/\*.*?\*/)|("""[\s\S]*?"""|"(?:\\.|[^"\\\n])*")', re.S)


def code_of(text):
    """The text without comments, each string literal reduced to what its interpolations name."""
    def keep(match):
        if match.group(1):
            return " "
        return " " + " ".join(re.findall(r"\\\((.*?)\)", match.group(2))) + " "
    return token.sub(keep, text)


def folder(path):
    return path.relative_to(root).parent.as_posix() or "."


files = sorted(root.rglob("*.swift"))
code = {path: code_of(path.read_text()) for path in files}
owner, members = {}, {}
for path, text in code.items():
    for name in declaration.findall(text):  # top-level types only: a nested type is reached through its parent
        owner.setdefault(name, folder(path))
    for extended, body in extension_block.findall(text):
        if extended in owner and owner[extended] == folder(path):
            continue  # members of the folder's own types come with the type
        for name in member.findall(body):
            members.setdefault(name, set()).add(folder(path))

# A member name declared anywhere else too (`encode`, `description`) says nothing about where a call goes.
declared = {}
for text in code.values():
    for name in re.findall(r"\b(?:func|var|let|case)\s+([a-zA-Z_]\w*)", text):
        declared[name] = declared.get(name, 0) + 1
members = {name: places for name, places in members.items() if declared.get(name) == 1}

uses = {folder(p): set() for p in files}
why = {}
for path, text in code.items():
    here = folder(path)
    found = [(n, {owner[n]}) for n in set(re.findall(r"\b[A-Z]\w*\b", text)) if n in owner]
    found += [(n, members[n]) for n in set(re.findall(r"\.([a-zA-Z_]\w*)\b", text)) if len(members.get(n, ())) == 1]
    for name, places in found:
        there = next(iter(places))
        if there != here:
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

for component in sccs:  # Tarjan yields components dependencies first
    for node in sorted(component):
        print(f"{node:16} -> {', '.join(sorted(uses[node])) or '(nothing)'}")
sys.stdout.flush()
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
