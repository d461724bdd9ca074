#!/usr/bin/env python3
"""Drive tufget's sans-io TUF core (libtufcore, C API tuf/tuf.h) from Python with ctypes.

The library verifies; this program does all the I/O with the standard library, the way a
pip-like installer would keep its own HTTP stack, progress bars and cache:

  * every fetch is urllib.request, reading at most max_bytes + 1 bytes (a server that sends
    more is refused with TUF_E_TOO_LARGE);
  * LOAD_CACHED / PERSIST use a plain directory, written atomically (temporary file, fsync,
    os.replace);
  * the clock is read here and passed in.

It refreshes the repository's metadata, looks a target up, downloads it, and prints
"<sha256 hex>  <target path>" of the verified bytes (and writes them to --out).

    python3 tuf_ctypes.py --lib build/libtufcore.so --root 1.root.json \\
        --metadata-url http://127.0.0.1:8080/tuf-metadata/ \\
        --target-base-url http://127.0.0.1:8080/targets/ \\
        --cache ./tuf-cache --target pip --out pip.html

The library is found from --lib, else $TUFCORE_LIB, else ctypes.util.find_library("tufcore").
Exit status: 0 on success, 1 when the update fails, 2 on a usage error.
"""

import argparse
import ctypes
import ctypes.util
import hashlib
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

# ---- the C API, declared for ctypes (mirrors tuf/tuf.h) ------------------------------------

TUF_OK = 0
TUF_E_NOT_FOUND = -9
TUF_E_TOO_LARGE = -10
TUF_E_TRANSPORT = -11

(TUF_ACTION_FETCH, TUF_ACTION_LOAD_CACHED, TUF_ACTION_PERSIST, TUF_ACTION_TARGET_READY,
 TUF_ACTION_WAITING, TUF_ACTION_DONE, TUF_ACTION_FAILED) = range(1, 8)

# The ABI this file was written against: 0.x releases change it with each minor version.
ABI_MAJOR, ABI_MINOR = 0, 1


class VersionInfo(ctypes.Structure):
    _fields_ = [("major", ctypes.c_int), ("minor", ctypes.c_int), ("patch", ctypes.c_int),
                ("num", ctypes.c_int), ("string", ctypes.c_char_p)]


class Hash(ctypes.Structure):
    _fields_ = [("algorithm", ctypes.c_char_p), ("hex", ctypes.c_char_p)]


class TargetInfo(ctypes.Structure):
    _fields_ = [("path", ctypes.c_char_p), ("length", ctypes.c_uint64),
                ("nhashes", ctypes.c_size_t), ("hashes", ctypes.POINTER(Hash))]


class Action(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("error", ctypes.c_int), ("id", ctypes.c_uint64),
                ("url", ctypes.c_char_p), ("max_bytes", ctypes.c_uint64),
                ("role", ctypes.c_char_p), ("path", ctypes.c_char_p),
                ("data", ctypes.c_void_p), ("datalen", ctypes.c_size_t)]


def load_library(path):
    lib = ctypes.CDLL(path)
    u = ctypes.c_void_p  # tuf_updater*, opaque
    sigs = {
        "tuf_version": ([], ctypes.POINTER(VersionInfo)),
        "tuf_strerror": ([ctypes.c_int], ctypes.c_char_p),
        "tuf_updater_new": ([ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p,
                             ctypes.POINTER(u)], ctypes.c_int),
        "tuf_updater_free": ([u], None),
        "tuf_start_refresh": ([u, ctypes.c_int64], ctypes.c_int),
        "tuf_start_lookup": ([u, ctypes.c_char_p], ctypes.c_int),
        "tuf_lookup_result": ([u, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(TargetInfo)],
                              ctypes.c_int),
        "tuf_start_download": ([u, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64)],
                               ctypes.c_int),
        "tuf_next": ([u, ctypes.POINTER(Action)], ctypes.c_int),
        "tuf_deliver": ([u, ctypes.c_uint64, ctypes.c_char_p, ctypes.c_size_t], ctypes.c_int),
        "tuf_fail": ([u, ctypes.c_uint64, ctypes.c_int, ctypes.c_char_p], ctypes.c_int),
        "tuf_last_error": ([u], ctypes.c_char_p),
    }
    for name, (argtypes, restype) in sigs.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = restype
    v = lib.tuf_version().contents
    if (v.major, v.minor) != (ABI_MAJOR, ABI_MINOR):
        raise RuntimeError(f"{path} is libtufcore {v.string.decode()}, this example speaks "
                           f"the {ABI_MAJOR}.{ABI_MINOR} ABI")
    return lib


class TufError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


# ---- the caller's I/O: HTTP with urllib, a directory cache ---------------------------------

def fetch(url, max_bytes, verbose):
    """Returns (bytes, None) or (None, (transport code, detail))."""
    try:
        req = urllib.request.Request(url, headers={"User-Agent": "tuf_ctypes-example"})
        with urllib.request.urlopen(req, timeout=30) as resp:
            # One byte more than allowed tells a too-long answer from an exact one.
            body = resp.read(max_bytes + 1)
    except urllib.error.HTTPError as e:
        code = TUF_E_NOT_FOUND if e.code in (404, 410) else TUF_E_TRANSPORT
        return None, (code, f"HTTP {e.code}")
    except (urllib.error.URLError, OSError) as e:
        return None, (TUF_E_TRANSPORT, str(e))
    if len(body) > max_bytes:
        return None, (TUF_E_TOO_LARGE, f"more than {max_bytes} bytes")
    if verbose:
        print(f"fetched {url} ({len(body)} bytes)", file=sys.stderr)
    return body, None


def cache_file(cache_dir, role):
    # Role names are percent-encoded so they are safe file names ("/" and ".." cannot escape).
    return os.path.join(cache_dir, urllib.parse.quote(role, safe="") + ".json")


def write_atomically(path, data):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


# ---- the poll loop -------------------------------------------------------------------------

class Client:
    def __init__(self, lib, root, metadata_url, cache_dir, verbose=False):
        self.lib = lib
        self.cache_dir = cache_dir
        self.verbose = verbose
        self.ready = {}  # download id -> verified target bytes
        self.u = ctypes.c_void_p()
        rc = lib.tuf_updater_new(root, len(root), metadata_url.encode(), None,
                                 ctypes.byref(self.u))
        if rc != TUF_OK:
            raise TufError(rc, lib.tuf_last_error(None).decode())

    def close(self):
        self.lib.tuf_updater_free(self.u)
        self.u = ctypes.c_void_p()

    def check(self, rc):
        if rc != TUF_OK:
            raise TufError(rc, self.lib.tuf_last_error(self.u).decode())

    def run(self):
        """Polls until the current operation is DONE; raises TufError if it FAILED."""
        lib, a = self.lib, Action()
        while True:
            self.check(lib.tuf_next(self.u, ctypes.byref(a)))
            # a.url / a.role / a.data point into the updater until the next tuf_next():
            # ctypes copies c_char_p fields into Python bytes when they are read.
            if a.kind == TUF_ACTION_FETCH:
                body, err = fetch(a.url.decode(), a.max_bytes, self.verbose)
                if err is None:
                    # A target whose length or hashes do not match is refused right here.
                    self.check(lib.tuf_deliver(self.u, a.id, body, len(body)))
                else:
                    self.check(lib.tuf_fail(self.u, a.id, err[0], err[1].encode()))
            elif a.kind == TUF_ACTION_LOAD_CACHED:
                try:
                    with open(cache_file(self.cache_dir, a.role.decode()), "rb") as f:
                        data = f.read()
                except FileNotFoundError:
                    self.check(lib.tuf_fail(self.u, a.id, TUF_E_NOT_FOUND, b"not cached"))
                except OSError as e:  # unreadable: no usable local copy, fetch it instead
                    self.check(lib.tuf_fail(self.u, a.id, TUF_E_TRANSPORT, str(e).encode()))
                else:
                    self.check(lib.tuf_deliver(self.u, a.id, data, len(data)))
            elif a.kind == TUF_ACTION_PERSIST:
                data = ctypes.string_at(a.data, a.datalen)  # copy before the next tuf_next()
                write_atomically(cache_file(self.cache_dir, a.role.decode()), data)
            elif a.kind == TUF_ACTION_TARGET_READY:
                self.ready[a.id] = ctypes.string_at(a.data, a.datalen)
            elif a.kind == TUF_ACTION_WAITING:
                # Every request is answered at once above, so nothing can be outstanding.
                raise RuntimeError("updater is waiting, but no request is in flight")
            elif a.kind == TUF_ACTION_DONE:
                return
            elif a.kind == TUF_ACTION_FAILED:
                raise TufError(a.error, lib.tuf_last_error(self.u).decode())
            else:
                raise RuntimeError(f"unknown action kind {a.kind}")

    def refresh(self):
        self.check(self.lib.tuf_start_refresh(self.u, int(time.time())))
        self.run()

    def lookup(self, target):
        """Returns (length, {algorithm: hex}) or None when no trusted role lists the target."""
        self.check(self.lib.tuf_start_lookup(self.u, target.encode()))
        self.run()
        found, info = ctypes.c_int(), TargetInfo()
        self.check(self.lib.tuf_lookup_result(self.u, ctypes.byref(found), ctypes.byref(info)))
        if not found.value:
            return None
        hashes = {info.hashes[i].algorithm.decode(): info.hashes[i].hex.decode()
                  for i in range(info.nhashes)}
        return info.length, hashes

    def download(self, target_base_url):
        """Downloads the target of the last lookup; returns its verified bytes."""
        download_id = ctypes.c_uint64()
        self.check(self.lib.tuf_start_download(self.u, target_base_url.encode(),
                                               ctypes.byref(download_id)))
        self.run()
        return self.ready.pop(download_id.value)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lib", default=os.environ.get("TUFCORE_LIB"),
                   help="path of libtufcore.so (default: $TUFCORE_LIB, else the system's)")
    p.add_argument("--root", required=True, help="bootstrap root.json, trusted out of band")
    p.add_argument("--metadata-url", required=True)
    p.add_argument("--target-base-url", required=True)
    p.add_argument("--cache", required=True, help="directory for trusted metadata")
    p.add_argument("--target", required=True, help="target path to download")
    p.add_argument("--out", help="write the verified target here")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)

    lib_path = args.lib or ctypes.util.find_library("tufcore")
    if not lib_path:
        print("tuf_ctypes: libtufcore not found: pass --lib or set TUFCORE_LIB", file=sys.stderr)
        return 2
    lib = load_library(lib_path)

    os.makedirs(args.cache, exist_ok=True)
    # The newest root persisted by an earlier run, else the bootstrap root.
    root_path = cache_file(args.cache, "root")
    if not os.path.exists(root_path):
        root_path = args.root
    with open(root_path, "rb") as f:
        root = f.read()

    client = None
    try:
        client = Client(lib, root, args.metadata_url, args.cache, args.verbose)
        client.refresh()
        found = client.lookup(args.target)
        if found is None:
            print(f"tuf_ctypes: {args.target}: no trusted targets metadata lists it",
                  file=sys.stderr)
            return 1
        data = client.download(args.target_base_url)
    except TufError as e:
        # The message starts with the error's name (tuf_strerror(e.code)), e.g.
        # "length_or_hash_mismatch: pip: blake2b-256 hash mismatch (expected ..., got ...)".
        print(f"tuf_ctypes: {e}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()

    if args.out:
        write_atomically(args.out, data)
    print(f"{hashlib.sha256(data).hexdigest()}  {args.target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
