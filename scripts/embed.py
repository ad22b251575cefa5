#!/usr/bin/env python3
"""Embed a data file in C: embed.py INPUT OUTPUT SYMBOL -> `const unsigned char SYMBOL[]` (NUL-
terminated) and `const size_t SYMBOL_len`. Used for rule files compiled into the binary."""
import sys

src, dst, sym = sys.argv[1:4]
data = open(src, "rb").read()
with open(dst, "w", encoding="ascii") as f:
    f.write(f"/* Generated from {src.split('/')[-1]} by scripts/embed.py; do not edit. */\n")
    f.write("#include <stddef.h>\n")
    f.write(f"extern const unsigned char {sym}[];\nextern const size_t {sym}_len;\n")
    f.write(f"const unsigned char {sym}[] = {{\n")
    for i in range(0, len(data), 16):
        f.write("    " + ", ".join(str(b) for b in data[i:i + 16]) + ",\n")
    f.write("    0,\n};\n")
    f.write(f"const size_t {sym}_len = {len(data)};\n")
