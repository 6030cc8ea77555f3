#!/usr/bin/env python3
"""Checks that every Swift block of README.md and of the DocC articles is compiled.

The compiled copies live in Tests/DocumentationSamplesTests: each block sits inside a function, between the lines
`// sample: <document>#<n>` and `// end sample` (n counts the document's ```swift blocks from 1). A block's leading
`import` lines cannot stand inside a function, so they are checked apart: the sample's file must import each of those
modules, and nothing else but them, the module a DocC article is about and Foundation (README.md gets no such
allowance: its quick start compiling with `import CDRClient` alone proves that a reader needs no more). A DocC
article's sample file may also import modules that only its wrapper functions' parameter types need, when it names
them in a line `// Imported for the wrappers' parameter types only: A, B.`; README samples may not. The rest of the
block must be the same as the sample, line by line, once both are dedented.

A block marked with `<!-- doc-sample: manifest -->` on the line before it is a Package.swift fragment: it is not
compiled, but every `.product(name: "X", ...)` it names must be a library product of Package.swift.

The check fails, and says which block drifted (with a diff), when a block has no sample, when the two differ, when a
sample names a block that no longer exists, or when a sample's file imports more than its blocks do.

After a sample changed (by hand or by `swift format`), `--update-docs` copies every sample into the block it names.

Usage: python3 Scripts/check-doc-samples.py [--update-docs] [--root DIR]
"""

import argparse
import difflib
import pathlib
import re
import sys

SAMPLES = "Tests/DocumentationSamplesTests"
FENCE = re.compile(r"^[ \t]*```(?i:swift)[ \t]*\n(.*?)^[ \t]*```[ \t]*$", re.S | re.M)
START = re.compile(r"^(\s*)// sample: (\S+)#(\d+)\s*$")
END = re.compile(r"^\s*// end sample\s*$")
IMPORT = re.compile(r"^(?:@\w+\s+)*(?:public\s+|internal\s+|package\s+)?import\s+(?:\w+\s+)?([\w]+)")
WRAPPER_IMPORTS = re.compile(r"^// Imported for the wrappers' parameter types only: ([\w, ]+)\.?\s*$")
MANIFEST_MARK = "<!-- doc-sample: manifest -->"


def documents(root):
    found = [root / "README.md"] if (root / "README.md").exists() else []
    found += sorted(root.glob("Sources/*/Docs.docc/**/*.md"))
    return found


def blocks(path, root):
    """The document's Swift blocks as (index, text, is_manifest)."""
    text = path.read_text(encoding="utf-8")
    result = []
    for index, match in enumerate(FENCE.finditer(text), start=1):
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1].strip()
        result.append((index, match.group(1), before == MANIFEST_MARK))
    return result


def dedent(lines):
    indents = [len(line) - len(line.lstrip(" ")) for line in lines if line.strip()]
    cut = min(indents) if indents else 0
    return [line[cut:].rstrip() if line.strip() else "" for line in lines]


def split_imports(lines):
    """(modules imported by the block's leading lines, the rest of the block)."""
    modules = []
    rest = list(lines)
    while rest and (IMPORT.match(rest[0]) or not rest[0].strip()):
        line = rest.pop(0)
        if line.strip():
            modules.append(IMPORT.match(line).group(1))
    return modules, rest


def trim(lines):
    lines = list(lines)
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def read_samples(root, problems):
    """{(document, n): (file, first line, lines)} and {file: modules the file imports}."""
    samples = {}
    file_imports = {}
    wrapper_imports = {}
    for path in sorted((root / SAMPLES).rglob("*.swift")):
        rel = path.relative_to(root).as_posix()
        lines = path.read_text(encoding="utf-8").split("\n")
        file_imports[rel] = [IMPORT.match(line).group(1) for line in lines if IMPORT.match(line)]
        for line in lines:
            declared = WRAPPER_IMPORTS.match(line)
            if declared:
                wrapper_imports.setdefault(rel, []).extend(m.strip() for m in declared.group(1).split(","))
        current = None
        for number, line in enumerate(lines, start=1):
            start = START.match(line)
            if start:
                if current:
                    problems.append(f"{rel}:{number}: `// sample:` inside the sample that starts at line {current[2]}")
                current = ((start.group(2), int(start.group(3))), [], number)
            elif END.match(line):
                if not current:
                    problems.append(f"{rel}:{number}: `// end sample` without a `// sample:` line")
                    continue
                key, body, first = current
                if key in samples:
                    problems.append(f"{rel}:{first}: {key[0]}#{key[1]} has a second sample")
                samples[key] = (rel, first, body)
                current = None
            elif current:
                current[1].append(line)
        if current:
            problems.append(f"{rel}:{current[2]}: sample without `// end sample`")
    return samples, file_imports, wrapper_imports


def library_products(root):
    manifest = (root / "Package.swift").read_text(encoding="utf-8")
    return set(re.findall(r'\.library\(\s*name:\s*"([^"]+)"', manifest))


def update_docs(root):
    """Writes each sample (its indentation removed) over the block it names, after the block's import lines."""
    samples, _, _ = read_samples(root, [])
    for document in documents(root):
        name = document.relative_to(root).as_posix()
        text = document.read_text(encoding="utf-8")
        matches = list(FENCE.finditer(text))
        for index in range(len(matches), 0, -1):
            if (name, index) not in samples:
                continue
            match = matches[index - 1]
            lines = match.group(1).rstrip("\n").split("\n")
            head = []
            while lines and (IMPORT.match(lines[0]) or (head and not lines[0].strip())):
                head.append(lines.pop(0))
            body = trim(dedent(samples[(name, index)][2]))
            new = "\n".join(head + body) + "\n"
            text = text[: match.start(1)] + new + text[match.end(1) :]
        document.write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", default=pathlib.Path(__file__).resolve().parent.parent, type=pathlib.Path)
    parser.add_argument(
        "--update-docs", action="store_true",
        help="copy each sample into its document's block (keeping the block's import lines), then check")
    arguments = parser.parse_args()
    root = arguments.root.resolve()
    if arguments.update_docs:
        update_docs(root)

    problems = []
    samples, file_imports, wrapper_imports = read_samples(root, problems)
    products = library_products(root)
    used = set()
    needed_imports = {}
    checked = 0
    for document in documents(root):
        name = document.relative_to(root).as_posix()
        for index, text, is_manifest in blocks(document, root):
            label = f"{name}#{index}"
            if is_manifest:
                for product in re.findall(r'\.product\(\s*name:\s*"([^"]+)"', text):
                    if product not in products:
                        problems.append(f"{label}: names the product {product!r}, which Package.swift does not have")
                checked += 1
                continue
            modules, body = split_imports(dedent(text.rstrip("\n").split("\n")))
            body = trim(body)
            key = (name, index)
            if key not in samples:
                first = next((line for line in body if line.strip()), "")
                problems.append(f"{label}: no sample in {SAMPLES} (add `// sample: {label}`); it starts: {first}")
                continue
            used.add(key)
            rel, line, sample = samples[key]
            sample = trim(dedent(sample))
            if sample != body:
                diff = difflib.unified_diff(
                    body, sample, fromfile=f"{label} (the document)", tofile=f"{rel}:{line} (the sample)", lineterm="")
                problems.append(f"{label} drifted from its sample at {rel}:{line}:\n  " + "\n  ".join(diff))
            missing = [module for module in modules if module not in file_imports[rel]]
            if missing:
                problems.append(f"{label} imports {', '.join(missing)}, which {rel} does not")
            allowed = set(modules)
            about = re.match(r"Sources/([^/]+)/Docs\.docc/", name)
            if not about:
                wrapper_imports.pop(rel, None)
            if about:
                # An article's blocks may use its own module and Foundation without showing the import.
                allowed |= {about.group(1), "Foundation"}
            needed_imports.setdefault(rel, set()).update(allowed)
            checked += 1

    for key, (rel, line, _) in sorted(samples.items()):
        if key not in used:
            problems.append(f"{rel}:{line}: sample for {key[0]}#{key[1]}, which is not a Swift block of that document")
    for rel, modules in sorted(needed_imports.items()):
        declared = wrapper_imports.get(rel, [])
        extra = [module for module in file_imports[rel] if module not in modules and module not in declared]
        if extra:
            problems.append(
                f"{rel} imports {', '.join(extra)}, which none of its blocks imports: a reader could not compile them "
                "with the imports the document shows")

    if problems:
        print(f"check-doc-samples: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print("- " + problem, file=sys.stderr)
        return 1
    print(f"check-doc-samples: {checked} Swift blocks in {len(documents(root))} documents match their samples")
    return 0


if __name__ == "__main__":
    sys.exit(main())
