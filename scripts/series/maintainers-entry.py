#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Add the KUnit test's files to a kernel tree's MAINTAINERS.

usage: maintainers-entry.py MAINTAINERS "Name <email>" FILE...

If an entry already covers fs/netfs/ (upstream's NETFS LIBRARY), the files
need nothing: exit 0 and change nothing.  Otherwise add a "NETFS LIBRARY
KUNIT TEST" entry, maintained by the submitter, in alphabetical order, as
the kernel's other KUnit tests have (e.g. LIST KUNIT TEST).
"""
import re
import sys

TITLE = "NETFS LIBRARY KUNIT TEST"


def main():
    path, who, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    lines = open(path).read().split("\n")
    if "F:\tfs/netfs/" in lines:
        return 0
    entry = [TITLE, "M:\t" + who, "L:\tlinux-fsdevel@vger.kernel.org",
             "L:\tkunit-dev@googlegroups.com", "S:\tMaintained"]
    entry += ["F:\t" + f for f in sorted(files)]
    for i in range(1, len(lines) - 1):
        header = lines[i]
        if (lines[i - 1] == "" and re.match(r"[0-9A-Z]", header)
                and re.match(r"[A-Z]:\t", lines[i + 1])
                and header.upper() > TITLE):
            lines[i:i] = entry + [""]
            open(path, "w").write("\n".join(lines))
            return 0
    sys.exit("maintainers-entry.py: no place for the entry in " + path)


if __name__ == "__main__":
    sys.exit(main())
