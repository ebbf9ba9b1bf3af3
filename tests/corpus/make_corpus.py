#!/usr/bin/env python3
"""Writes the committed corpus of malformed inputs (and a few good ones, named ok-*) for every reader.
Run from this folder: python3 make_corpus.py CHECKPOINT (any small checkpoint, e.g. from `ign train
--width 8 --latent 16 --steps 1`). test_corpus feeds every file to its reader; the fuzz targets start
from the same files."""
import gzip, io, json, os, struct, sys, zlib, zipfile, shutil

def put(kind, name, data):
    os.makedirs(kind, exist_ok=True)
    with open(os.path.join(kind, name), 'wb') as f:
        f.write(data)

def idx_header(magic, dims):
    return struct.pack('>I', magic) + b''.join(struct.pack('>I', d) for d in dims)

# ---- IDX
good_images = idx_header(0x803, [3, 4, 5]) + bytes(range(60))
good_labels = idx_header(0x801, [3]) + bytes([1, 2, 3])
put('idx', 'ok-images-idx3-ubyte', good_images)
put('idx', 'ok-labels-idx1-ubyte', good_labels)
put('idx', 'ok-images-idx3-ubyte.gz', gzip.compress(good_images))
put('idx', 'empty', b'')
for cut in range(1, 16):
    put('idx', 'images-header-cut-%02d' % cut, good_images[:cut])
put('idx', 'images-body-cut-half', good_images[:16 + 30])
put('idx', 'images-body-cut-one', good_images[:-1])
put('idx', 'images-trailing-data', good_images + b'extra')
put('idx', 'wrong-magic', idx_header(0x12345678, [3, 4, 5]) + bytes(60))
put('idx', 'labels-magic-as-images', idx_header(0x801, [3, 4, 5]) + bytes(60))
put('idx', 'float-type-images', idx_header(0x0D03, [3, 4, 5]) + bytes(240))
put('idx', 'absurd-count', idx_header(0x803, [0x7fffffff, 28, 28]) + bytes(100))
put('idx', 'absurd-sides', idx_header(0x803, [1, 60000, 60000]) + bytes(100))
put('idx', 'zero-count', idx_header(0x803, [0, 28, 28]))
put('idx', 'zero-side', idx_header(0x803, [5, 0, 28]))
put('idx', 'four-dims', idx_header(0x804, [1, 2, 3, 4]) + bytes(24))
put('idx', 'labels-absurd-count', idx_header(0x801, [0xffffffff]) + bytes(10))
gz = gzip.compress(good_images)
put('idx', 'gzip-cut-half.gz', gz[:len(gz) // 2])
put('idx', 'gzip-header-only.gz', gz[:10])
bad = bytearray(gz); bad[len(bad) // 2] ^= 0xff
put('idx', 'gzip-corrupt-body.gz', bytes(bad))
put('idx', 'gzip-bomb-absurd.gz', gzip.compress(idx_header(0x803, [100000000, 28, 28])))

# ---- digits JSON (each file is 0.json of a folder whose other nine files are valid)
put('json', 'ok-one-digit.json', json.dumps({'data': [0.5] * 784}).encode())
for name, text in [('empty.json', ''), ('brace.json', '{'), ('array.json', '[]'), ('null.json', 'null'),
                   ('data-string.json', '{"data": "x"}'), ('data-missing.json', '{"pixels": []}'),
                   ('not-784.json', '{"data": [1, 2, 3]}'), ('out-of-range.json', json.dumps({'data': [2.0] * 784})),
                   ('negative.json', json.dumps({'data': [-0.5] * 784})), ('nan.json', '{"data": [NaN]}'),
                   ('strings-inside.json', json.dumps({'data': ['a'] * 784})),
                   ('nested.json', json.dumps({'data': [[0.1] * 784]})),
                   ('binary.json', bytes(range(256)).decode('latin1')),
                   ('deep.json', '[' * 100000 + ']' * 100000),
                   ('huge-number.json', '{"data": [1e999]}')]:
    put('json', name, text.encode('latin1'))

# ---- images
def png(width, height, color_type, bit_depth=8, rows=None):
    channels = {0: 1, 2: 3, 4: 2, 6: 4}[color_type]
    if rows is None:
        rows = b''.join(b'\0' + bytes((x * 37 + y * 11) % 256 for x in range(width * channels * bit_depth // 8))
                        for y in range(height))
    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff)
    ihdr = struct.pack('>IIBBBBB', width, height, bit_depth, color_type, 0, 0, 0)
    return b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b'')
ok = png(40, 30, 2)
put('image', 'ok-rgb.png', ok)
put('image', 'ok-gray.png', png(20, 20, 0))
put('image', 'ok-gray-alpha.png', png(20, 20, 4))
put('image', 'ok-rgba.png', png(20, 20, 6))
put('image', 'ok-16bit.png', png(10, 10, 2, 16))
put('image', 'ok-1x1.png', png(1, 1, 0))
put('image', 'empty.png', b'')
put('image', 'text.png', b'this is not an image at all\n')
put('image', 'signature-only.png', ok[:8])
for frac in (0.3, 0.6, 0.9):
    put('image', 'cut-%d.png' % int(frac * 100), ok[:int(len(ok) * frac)])
bad = bytearray(ok); bad[40] ^= 0xff
put('image', 'bad-crc.png', bytes(bad))
put('image', 'absurd-size.png', png(100000, 100000, 2, rows=b'\0'))
put('image', 'zero-size.png', png(0, 0, 2, rows=b''))
put('image', 'jpeg-header-only.jpg', b'\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00')
put('image', 'gif-named-png.png', b'GIF89a\x01\x00\x01\x00\x00\x00\x00;')
put('image', 'bmp-cut.bmp', b'BM' + struct.pack('<IHHI', 1000, 0, 0, 54) + struct.pack('<IiiHH', 40, 100000, 100000, 1, 24))

# ---- checkpoints (mutations of a real, small checkpoint)
if len(sys.argv) > 1:
    good = open(sys.argv[1], 'rb').read()
    put('checkpoint', 'ok-small.pt', good)
    put('checkpoint', 'empty.pt', b'')
    put('checkpoint', 'text.pt', b'not a checkpoint\n')
    for frac in (0.01, 0.1, 0.5, 0.9, 0.999):
        put('checkpoint', 'cut-%g.pt' % frac, good[:int(len(good) * frac)])
    zin = zipfile.ZipFile(io.BytesIO(good))
    def rewrite(name, change):
        out = io.BytesIO()
        with zipfile.ZipFile(out, 'w', zipfile.ZIP_STORED) as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                data = change(info.filename, data)
                if data is not None:
                    zout.writestr(info.filename, data)
        put('checkpoint', name, out.getvalue())
    meta = [i.filename for i in zin.infolist() if i.filename.endswith('data/0')][0]
    rewrite('meta-garbage.pt', lambda n, d: b'{not json' if n == meta else d)
    rewrite('meta-other-format.pt', lambda n, d: json.dumps({'format': 'something-else'}).encode() if n == meta else d)
    def version(n, d):
        if n != meta: return d
        m = json.loads(d); m['format_version'] = 99; return json.dumps(m).encode()
    rewrite('format-99.pt', version)
    def huge_model(n, d):
        if n != meta: return d
        m = json.loads(d); m['model']['width'] = 1 << 20; return json.dumps(m).encode()
    rewrite('meta-absurd-width.pt', huge_model)
    def wrong_size(n, d):
        if n != meta: return d
        m = json.loads(d); m['model']['image_size'] = 64; return json.dumps(m).encode()
    rewrite('meta-wrong-image-size.pt', wrong_size)
    rewrite('no-meta.pt', lambda n, d: None if n == meta else d)
    largest = max(zin.infolist(), key=lambda i: i.file_size).filename
    rewrite('weights-flipped.pt', lambda n, d: d[:len(d) // 2] + bytes([d[len(d) // 2] ^ 0x40]) + d[len(d) // 2 + 1:] if n == largest else d)
    rewrite('weights-missing.pt', lambda n, d: None if n == largest else d)
    rewrite('weights-short.pt', lambda n, d: d[:len(d) // 2] if n == largest else d)
    put('checkpoint', 'zip-of-nothing.pt', zipfile.ZipFile(io.BytesIO(), 'w') and b'PK\x05\x06' + bytes(18))
