#!/usr/bin/env python3
"""Prints "WIDTH HEIGHT COLOURS INK [red] [green]" for an 8-bit RGB/RGBA PNG (Chromium's
screenshots): the number of distinct colours, the share of pixels that are not near-white, and
whether the report's failure red (#cf222e) and success green (#2da44e / #1a7f37) appear."""
import struct
import sys
import zlib


def main(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), "unsupported PNG format"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    previous = bytearray(stride)
    colours, ink, red, green = set(), 0, False, False
    offset = 0
    for _ in range(height):
        kind = raw[offset]
        line = bytearray(raw[offset + 1:offset + 1 + stride])
        offset += 1 + stride
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = previous[i]
            c = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        for x in range(0, stride, channels):
            r, g, bl = line[x], line[x + 1], line[x + 2]
            colours.add((r, g, bl))
            if r < 235 or g < 235 or bl < 235:
                ink += 1
            if abs(r - 0xcf) < 12 and abs(g - 0x22) < 12 and abs(bl - 0x2e) < 12:
                red = True
            if (abs(r - 0x2d) < 12 and abs(g - 0xa4) < 12 and abs(bl - 0x4e) < 12) or \
               (abs(r - 0x1a) < 12 and abs(g - 0x7f) < 12 and abs(bl - 0x37) < 12):
                green = True
        previous = line
    print(width, height, len(colours), "%.4f" % (ink / (width * height)),
          "red" if red else "", "green" if green else "")


if __name__ == "__main__":
    main(sys.argv[1])
