#!/usr/bin/env python3
"""Build a pure-Python wheel from a few source files, with the standard library only.

Used by the README demo (scripts/demo.sh) and the install benchmark (bench/install_bench.sh)
to make wheels locally, without PyPI, setuptools or build. The output is deterministic: the
same inputs give the same bytes (members sorted, every timestamp 1980-01-01 00:00:00, fixed
permissions, the .dist-info directory last with RECORD as the final member, as the binary
distribution format recommends). The wheel's path is printed on stdout.

  scripts/make_wheel.py --name sampleproject --version 4.0.0 \\
      --requires-dist peppercorn --requires-python '>=3.8' \\
      --console-script sample=sample:main --summary 'A sample project' \\
      --package examples/projects/sampleproject/src/sample -o dist/

Contents:
  --package DIR        the directory becomes a top-level package named after it (every file
                       below it except __pycache__/ and *.pyc); repeatable
  --module FILE        a top-level module (FILE's base name); repeatable
  --file ARC=SRC       any file at archive path ARC (relative, inside the purelib root);
                       repeatable
  --data-script FILE   goes to NAME-VERSION.data/scripts/ (mode 0755), so installers rewrite a
                       '#!python' first line; repeatable
Metadata:
  --requires-dist R (repeatable; "x; extra == 'NAME'" for extras), --extra NAME (repeatable,
  Provides-Extra), --requires-python SPEC, --summary TEXT, --description-file FILE,
  --console-script NAME=MOD:FUNC and --gui-script NAME=MOD:FUNC (repeatable),
  --metadata-version (default 2.1), --tag (default py3-none-any; compressed sets such as
  py2.py3-none-any are expanded in WHEEL), --build-tag N.
"""

import argparse
import base64
import hashlib
import os
import re
import sys
import zipfile

FIXED_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
EXEC_MODE = 0o755


def escape_component(text):
    """The wheel file name / .dist-info escaping: runs of -_. become one '_', lowercase."""
    return re.sub(r"[-_.]+", "_", text).lower()


def record_digest(data):
    digest = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def expand_tags(tag):
    parts = tag.split("-")
    if len(parts) != 3 or not all(parts):
        raise SystemExit(f"make_wheel: --tag must be PYTHON-ABI-PLATFORM, got {tag!r}")
    py, abi, plat = (p.split(".") for p in parts)
    return [f"{a}-{b}-{c}" for a in py for b in abi for c in plat]


def split_pair(value, sep, option):
    name, found, rest = value.partition(sep)
    if not found or not name.strip() or not rest.strip():
        raise SystemExit(f"make_wheel: {option} wants LEFT{sep}RIGHT, got {value!r}")
    return name.strip(), rest.strip()


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def package_files(directory):
    """(archive path, bytes) for every file of a package directory, paths with '/'."""
    directory = os.path.normpath(directory)
    if not os.path.isdir(directory):
        raise SystemExit(f"make_wheel: --package {directory}: not a directory")
    top = os.path.basename(directory)
    out = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            rel = os.path.relpath(os.path.join(root, name), directory)
            out.append((top + "/" + rel.replace(os.sep, "/"), read_bytes(os.path.join(root, name))))
    return out


def check_archive_path(path):
    parts = path.split("/")
    if path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise SystemExit(f"make_wheel: bad archive path {path!r}")
    return path


def metadata_text(args):
    lines = [
        f"Metadata-Version: {args.metadata_version}",
        f"Name: {args.name}",
        f"Version: {args.version}",
    ]
    if args.summary:
        lines.append(f"Summary: {args.summary}")
    if args.requires_python:
        lines.append(f"Requires-Python: {args.requires_python}")
    lines += [f"Requires-Dist: {r}" for r in args.requires_dist]
    lines += [f"Provides-Extra: {e}" for e in args.extra]
    body = ""
    if args.description_file:
        lines.append("Description-Content-Type: text/markdown")
        with open(args.description_file, encoding="utf-8") as f:
            body = f.read()
    return "\n".join(lines) + "\n\n" + body


def wheel_text(args):
    lines = ["Wheel-Version: 1.0", "Generator: tufget-make-wheel", "Root-Is-Purelib: true"]
    if args.build_tag:
        lines.append(f"Build: {args.build_tag}")
    lines += [f"Tag: {t}" for t in expand_tags(args.tag)]
    return "\n".join(lines) + "\n"


def entry_points_text(args):
    sections = []
    for section, values in (("console_scripts", args.console_script),
                            ("gui_scripts", args.gui_script)):
        if values:
            pairs = [split_pair(v, "=", "--" + section.replace("_", "-")[:-1]) for v in values]
            sections.append(f"[{section}]\n" + "".join(f"{n} = {t}\n" for n, t in pairs))
    return "\n".join(sections)


def build(args):
    if args.build_tag and not re.match(r"^[0-9]", args.build_tag):
        raise SystemExit("make_wheel: --build-tag must start with a digit")
    dist = escape_component(args.name)
    version = args.version.replace("-", "_")
    dist_info = f"{dist}-{version}.dist-info"
    data_dir = f"{dist}-{version}.data"

    files = {}  # archive path -> (bytes, mode)

    def put(path, data, mode=FILE_MODE):
        check_archive_path(path)
        if path in files:
            raise SystemExit(f"make_wheel: {path} given twice")
        files[path] = (data, mode)

    for directory in args.package:
        for path, data in package_files(directory):
            put(path, data)
    for module in args.module:
        put(os.path.basename(module), read_bytes(module))
    for spec in args.file:
        arc, src = split_pair(spec, "=", "--file")
        put(arc, read_bytes(src))
    for script in args.data_script:
        put(f"{data_dir}/scripts/{os.path.basename(script)}", read_bytes(script), EXEC_MODE)
    if any(p.startswith(dist_info + "/") for p in files):
        raise SystemExit(f"make_wheel: sources must not contain {dist_info}/")

    meta = {"METADATA": metadata_text(args), "WHEEL": wheel_text(args)}
    entry_points = entry_points_text(args)
    if entry_points:
        meta["entry_points.txt"] = entry_points

    members = sorted(files)
    for name in sorted(meta):
        path = f"{dist_info}/{name}"
        files[path] = (meta[name].encode("utf-8"), FILE_MODE)
        members.append(path)

    record_path = f"{dist_info}/RECORD"
    record = "".join(
        f"{p},{record_digest(files[p][0])},{len(files[p][0])}\n" for p in members)
    record += f"{record_path},,\n"
    files[record_path] = (record.encode("utf-8"), FILE_MODE)
    members.append(record_path)

    filename = "-".join(
        [dist, version] + ([args.build_tag] if args.build_tag else []) + [args.tag]) + ".whl"
    os.makedirs(args.output_dir, exist_ok=True)
    out = os.path.join(args.output_dir, filename)
    tmp = out + ".tmp"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in members:
            data, mode = files[path]
            info = zipfile.ZipInfo(path, date_time=FIXED_TIME)
            info.create_system = 3  # Unix, so external_attr carries the mode
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=6)
    os.replace(tmp, out)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(
        prog="make_wheel.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--name", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--summary", default="")
    p.add_argument("--description-file")
    p.add_argument("--requires-python")
    p.add_argument("--requires-dist", action="append", default=[])
    p.add_argument("--extra", action="append", default=[])
    p.add_argument("--console-script", action="append", default=[])
    p.add_argument("--gui-script", action="append", default=[])
    p.add_argument("--package", action="append", default=[])
    p.add_argument("--module", action="append", default=[])
    p.add_argument("--file", action="append", default=[])
    p.add_argument("--data-script", action="append", default=[])
    p.add_argument("--metadata-version", default="2.1")
    p.add_argument("--tag", default="py3-none-any")
    p.add_argument("--build-tag")
    p.add_argument("-o", "--output-dir", default=".")
    args = p.parse_args(argv)
    print(build(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
