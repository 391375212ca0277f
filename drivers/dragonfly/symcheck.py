#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The dfly-virtio Project.
"""Check that every symbol a kernel module leaves undefined exists.

Usage: symcheck.py --sys DFLY_SYS [--provider MOD.ko ...] MOD.ko ...

A DragonFly module is linked against the running kernel and against the
modules it declares with MODULE_DEPEND.  Here neither is at hand, so the
kernel's symbols are found in the source files an X86_64_GENERIC kernel
compiles (sys/conf/files and sys/platform/pc64/conf/files, "standard" or
"optional" on a device or option sys/config/X86_64_GENERIC names): C
definitions that are not static (KNF puts the function name at the start
of a line), global variables, assembly ENTRY() points, MALLOC_DEFINE and
SYSCTL_NODE objects, and the method descriptors generated from the kobj
interfaces (*.m) in that list.  Symbols defined by a --provider module
count as well, and the linker set bounds the kld loader fills in.  Any
other symbol is printed and the check fails.
"""

import argparse
import os
import re
import subprocess
import sys

FILES_LISTS = ("conf/files", "platform/pc64/conf/files")
KERNEL_CONFIG = "config/X86_64_GENERIC"
# Words of a files line that end its list of conditions.
FILES_KEYWORDS = ("compile-with", "no-obj", "no-implicit-rule",
                  "before-depend", "dependency", "clean", "local",
                  "nowerror", "warning", "no-depend", "profiling-routine")

FUNC_KNF = re.compile(r"^([A-Za-z_]\w*)\s*\(", re.M)
# The line before a KNF function name: its return type and nothing else.
KNF_TYPE_LINE = re.compile(r"^[A-Za-z_][\w \t*]*$")
# "int foo(int a)" with the body's brace at its end or on the next line.
FUNC_ONE_LINE = re.compile(
    r"^(?!(?:static|extern|typedef|return|if|else|while|for|switch|do|"
    r"case|goto)\b)[A-Za-z_][\w \t*]*?[\s*]([A-Za-z_]\w*)\s*"
    r"\([^;{}]*\)\s*(\{)?\s*$")
VARIABLE = re.compile(
    r"^(?!static\b|extern\b|typedef\b|return\b|#)"
    r"(?:__\w+\s+)*(?:volatile\s+|const\s+)*(?:struct\s+|unsigned\s+|union\s+)?"
    r"[A-Za-z_]\w*[\s*]+(?:__\w+\s+)*([A-Za-z_]\w*)\s*(?:\[[^\]]*\])?"
    r"\s*(?:__\w+(?:\([^)]*\))?\s*)*(?:=|;)", re.M)
ASM_ENTRY = re.compile(r"\b(?:ENTRY|NON_GPROF_ENTRY|ALTENTRY)\((\w+)\)")
ASM_GLOBL = re.compile(r"^\s*\.globl\s+(\w+)", re.M)
MALLOC_DEFINE = re.compile(r"\bMALLOC_DEFINE\(\s*(\w+)")
SYSCTL_NODE = re.compile(r"\bSYSCTL_NODE\(\s*(\w*)\s*,\s*\w+\s*,\s*(\w+)")
KMALLOC_TYPE = re.compile(r"\bMALLOC_DECLARE\(\s*(\w+)")


def undefined_symbols(module):
    """The symbols MODULE references but does not define."""
    out = subprocess.run(["nm", "-u", module], check=True,
                         capture_output=True, text=True).stdout
    return sorted({line.split()[-1] for line in out.splitlines()
                   if line.strip()})


def section_names(module):
    """The names of MODULE's ELF sections."""
    out = subprocess.run(["objdump", "-h", module], check=True,
                         capture_output=True, text=True).stdout
    return {f[1] for f in (line.split() for line in out.splitlines())
            if len(f) > 2 and f[0].isdigit()}


def linker_set_symbol(name, sections):
    """True if NAME is a linker set bound the kld loader supplies.

    sys/kern/link_elf_obj.c (link_elf_obj_fix_link_set) resolves
    __start_X and __stop_X to the bounds of the module's own section X.
    """
    for prefix in ("__start_", "__stop_"):
        if name.startswith(prefix):
            return name[len(prefix):] in sections
    return False


def defined_symbols(module):
    """The global symbols MODULE defines."""
    out = subprocess.run(["nm", "-g", "--defined-only", module], check=True,
                         capture_output=True, text=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def interface_descs(text):
    """The *_desc symbols a kobj interface file generates."""
    m = re.search(r"^INTERFACE\s+(\w+)\s*;", text, re.M)
    if not m:
        return set()
    name = m.group(1)
    methods = re.findall(r"^(?:STATIC)?METHOD\s+[\w\s*]+?\s(\w+)\s*\{",
                         text, re.M)
    return {"%s_%s_desc" % (name, meth) for meth in methods}


def generic_config(sysdir):
    """The lower-cased device, option and cpu names of X86_64_GENERIC."""
    names = {"x86_64", "pc64"}
    with open(os.path.join(sysdir, KERNEL_CONFIG), encoding="latin-1") as f:
        for line in f:
            words = line.split("#")[0].split()
            if len(words) >= 2 and words[0] in ("device", "pseudo-device",
                                                 "options", "cpu"):
                names.add(words[1].split("=")[0].strip('"').lower())
    return names


def kernel_files(sysdir):
    """The source files an X86_64_GENERIC kernel compiles."""
    config = generic_config(sysdir)
    files = []
    for lst in FILES_LISTS:
        with open(os.path.join(sysdir, lst), encoding="latin-1") as f:
            for line in f:
                words = line.split("#")[0].split()
                if len(words) < 2 or line[0].isspace():
                    continue
                path, kind, conds = words[0], words[1], []
                for word in words[2:]:
                    if word in FILES_KEYWORDS:
                        break
                    conds.append(word.lower())
                if kind == "standard":
                    files.append(path)
                elif kind == "optional":
                    # "a b | c": all of a and b, or c.
                    alts = " ".join(conds).split("|")
                    if any(all(c in config for c in alt.split())
                           for alt in alts if alt.split()):
                        files.append(path)
    return [p for p in files if os.path.exists(os.path.join(sysdir, p))]


def c_definitions(text):
    """Non-static functions and variables a C file defines."""
    names = set()
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = FUNC_KNF.match(line)
        # DragonFly also writes "static" on a line of its own.
        if (m and i > 0 and not line.rstrip().endswith(";") and
                KNF_TYPE_LINE.match(lines[i - 1]) and
                not lines[i - 1].startswith("static") and
                not (i > 1 and lines[i - 2].strip() == "static")):
            names.add(m.group(1))
        m = FUNC_ONE_LINE.match(line)
        if m and (m.group(2) or (i + 1 < len(lines) and
                                 lines[i + 1].startswith("{"))):
            names.add(m.group(1))
    names.update(VARIABLE.findall(text))
    names.update(MALLOC_DEFINE.findall(text))
    for parent, node in SYSCTL_NODE.findall(text):
        base = "sysctl_%s_%s" % (parent, node)
        names.update((base, base + "_children"))
    return names


def tree_symbols(sysdir):
    """Map each symbol the kernel defines to one file that defines it."""
    found = {}
    for rel in kernel_files(sysdir):
        with open(os.path.join(sysdir, rel), encoding="latin-1") as f:
            text = f.read()
        if rel.endswith(".c"):
            names = c_definitions(text)
        elif rel.endswith((".s", ".S")):
            names = set(ASM_ENTRY.findall(text)) | set(ASM_GLOBL.findall(text))
        elif rel.endswith(".m"):
            names = interface_descs(text)
        else:
            continue
        for name in names:
            found.setdefault(name, rel)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sys", required=True, help="DragonFly sys/ tree")
    parser.add_argument("--provider", action="append", default=[],
                        help="a module whose definitions count as present")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="say where each symbol was found")
    parser.add_argument("modules", nargs="+")
    args = parser.parse_args()

    tree = tree_symbols(args.sys)
    provided = {}
    for mod in args.provider:
        for name in defined_symbols(mod):
            provided[name] = os.path.basename(mod)

    failed = 0
    for mod in args.modules:
        names = undefined_symbols(mod)
        sections = section_names(mod)
        missing = []
        for name in names:
            where = tree.get(name) or provided.get(name)
            if where is None and linker_set_symbol(name, sections):
                where = "the kld loader (own section)"
            if where is None:
                missing.append(name)
            elif args.verbose:
                print("  %s: %s in %s" % (os.path.basename(mod), name, where))
        print("symcheck: %s: %d undefined symbols, %d not found in the tree"
              % (os.path.basename(mod), len(names), len(missing)))
        for name in missing:
            print("symcheck: %s: %s is defined nowhere in %s"
                  % (os.path.basename(mod), name, args.sys), file=sys.stderr)
        failed += len(missing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
