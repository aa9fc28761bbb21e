#!/usr/bin/env python3
# make-imscc.py OUTPUT FILE...: zip FILEs into the sample IMS Common Cartridge.
#
# Entries are named relative to this folder, so imsmanifest.xml lands at the
# root of the archive as the IMS CC specification requires (python3 -m zipfile
# -c would store the paths as given).  Fixed timestamps keep the build
# reproducible.

import os
import sys
import zipfile

here = os.path.dirname(os.path.abspath(__file__))
output, inputs = sys.argv[1], sys.argv[2:]
names = sorted(os.path.relpath(os.path.abspath(path), here) for path in inputs)
if 'imsmanifest.xml' not in names:
    sys.exit('make-imscc.py: imsmanifest.xml must be one of the files')

with zipfile.ZipFile(output, 'w', zipfile.ZIP_DEFLATED) as archive:
    # The manifest first: some importers only look at the first entry.
    for name in sorted(names, key=lambda n: n != 'imsmanifest.xml'):
        info = zipfile.ZipInfo(name.replace(os.sep, '/'), date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(os.path.join(here, name), 'rb') as source:
            archive.writestr(info, source.read())
