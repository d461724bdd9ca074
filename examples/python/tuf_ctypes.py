#!/usr/bin/env python3
"""Drive tufget's sans-io TUF core (libtufcore, C API tuf/tuf.h) from Python with ctypes.

The library verifies; this program does all the I/O with the standard library, the way a
pip-like installer would keep its own HTTP stack, progress bars and cache:

  * every fetch is urllib.request, reading at most max_bytes + 1 bytes (a server that sends
    more is refused with TUF_E_TOO_LARGE);
  * LOAD_CACHED / PERSIST use a plain directory, written atomically (temporary file, fsync,
    os.replace);
  * the clock is read here and passed in.

It refreshes the repository's metadata, looks the targets up (all at once: every lookup is
outstanding together and reports under its own id), downloads them, and prints
"<sha256 hex>  <target path>" of the verified bytes (and, for one target, writes them to --out).

    python3 tuf_ctypes.py --lib build/libtufcore.so --root 1.root.json \\
        --metadata-url http://127.0.0.1:8080/tuf-metadata/ \\
        --target-base-url http://127.0.0.1:8080/targets/ \\
        --cache ./tuf-cache --target pip [--target wheel ...] --out pip.html

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
TUF_E_LENGTH_OR_HASH_MISMATCH = -5
TUF_E_NOT_FOUND = -9
TUF_E_TOO_LARGE = -10
TUF_E_TRANSPORT = -11

(TUF_ACTION_FETCH, TUF_ACTION_LOAD_CACHED, TUF_ACTION_PERSIST, TUF_ACTION_TARGET_READY,
 TUF_ACTION_WAITING, TUF_ACTION_DONE, TUF_ACTION_FAILED, TUF_ACTION_LOOKUP_DONE,
 TUF_ACTION_LOOKUP_FAILED, TUF_ACTION_DOWNLOAD_FAILED) = range(1, 11)

# The ABI this file was written against: 0.x releases change it with each minor version.
ABI_MAJOR, ABI_MINOR = 0, 2


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
                ("data", ctypes.c_void_p), ("datalen", ctypes.c_size_t),
                ("message", ctypes.c_char_p), ("download", ctypes.c_uint64),
                ("found", ctypes.c_int), ("target", TargetInfo)]


def load_library(path):
    lib = ctypes.CDLL(path)
    u = ctypes.c_void_p  # tuf_updater*, opaque
    sigs = {
        "tuf_version": ([], ctypes.POINTER(VersionInfo)),
        "tuf_strerror": ([ctypes.c_int], ctypes.c_char_p),
        "tuf_updater_new": ([ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_void_p,
                             ctypes.POINTER(u), ctypes.c_char_p, ctypes.c_size_t],
                            ctypes.c_int),
        "tuf_updater_free": ([u], None),
        "tuf_start_refresh": ([u, ctypes.c_int64], ctypes.c_int),
        "tuf_start_lookup": ([u, ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint64)],
                             ctypes.c_int),
        "tuf_lookup_result": ([u, ctypes.c_uint64, ctypes.POINTER(ctypes.c_int),
                               ctypes.POINTER(TargetInfo)], ctypes.c_int),
        "tuf_lookup_release": ([u, ctypes.c_uint64], None),
        "tuf_start_download": ([u, ctypes.c_uint64, ctypes.c_char_p,
                                ctypes.POINTER(ctypes.c_uint64)], ctypes.c_int),
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


def read_cached(path, max_bytes):
    """The stored copy, or None when it is missing or longer than max_bytes (not usable)."""
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError:  # missing or unreadable: no usable local copy, it is fetched instead
        return None
    return data if len(data) <= max_bytes else None


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
        # Results by id, as the operations report them (each exactly once).
        self.lookups = {}    # lookup id -> (length, {algorithm: hex}), None, or TufError
        self.downloads = {}  # download id -> verified bytes, or TufError
        self.u = ctypes.c_void_p()
        err = ctypes.create_string_buffer(512)  # the library keeps no per-thread message
        rc = lib.tuf_updater_new(root, len(root), metadata_url.encode(), None,
                                 ctypes.byref(self.u), err, len(err))
        if rc != TUF_OK:
            raise TufError(rc, err.value.decode())

    def close(self):
        self.lib.tuf_updater_free(self.u)
        self.u = ctypes.c_void_p()

    def check(self, rc):
        if rc != TUF_OK:
            raise TufError(rc, self.lib.tuf_last_error(self.u).decode())

    def answer(self, a):
        """Answers a FETCH or LOAD_CACHED request."""
        lib = self.lib
        if a.kind == TUF_ACTION_FETCH:
            body, err = fetch(a.url.decode(), a.max_bytes, self.verbose)
            if err is None:
                # A target whose length or hashes do not match is refused right here; its
                # DOWNLOAD_FAILED follows from tuf_next.
                rc = lib.tuf_deliver(self.u, a.id, body, len(body))
                if rc != TUF_E_LENGTH_OR_HASH_MISMATCH:
                    self.check(rc)
            else:
                self.check(lib.tuf_fail(self.u, a.id, err[0], err[1].encode()))
        else:
            data = read_cached(cache_file(self.cache_dir, a.role.decode()), a.max_bytes)
            if data is None:
                self.check(lib.tuf_fail(self.u, a.id, TUF_E_NOT_FOUND, b"no usable local copy"))
            else:
                self.check(lib.tuf_deliver(self.u, a.id, data, len(data)))

    def lookup_done(self, a):
        """Records a LOOKUP_DONE (the target's info is copied; the C result is released)."""
        if a.found:
            t = a.target
            hashes = {t.hashes[i].algorithm.decode(): t.hashes[i].hex.decode()
                      for i in range(t.nhashes)}
            self.lookups[a.id] = (t.length, hashes)
        else:
            self.lookups[a.id] = None

    def run(self):
        """Polls until every operation started has reported (DONE); raises TufError if the
        refresh FAILED. Lookup and download results land in self.lookups / self.downloads."""
        lib, a = self.lib, Action()
        while True:
            self.check(lib.tuf_next(self.u, ctypes.byref(a)))
            # a.url / a.role / a.data point into the updater until the next tuf_next():
            # ctypes copies c_char_p fields into Python bytes when they are read.
            if a.kind in (TUF_ACTION_FETCH, TUF_ACTION_LOAD_CACHED):
                self.answer(a)
            elif a.kind == TUF_ACTION_PERSIST:
                data = ctypes.string_at(a.data, a.datalen)  # copy before the next tuf_next()
                write_atomically(cache_file(self.cache_dir, a.role.decode()), data)
            elif a.kind == TUF_ACTION_LOOKUP_DONE:
                self.lookup_done(a)
            elif a.kind in (TUF_ACTION_LOOKUP_FAILED, TUF_ACTION_DOWNLOAD_FAILED):
                # That operation only: the others go on.
                results = self.lookups if a.kind == TUF_ACTION_LOOKUP_FAILED else self.downloads
                results[a.id] = TufError(a.error, a.message.decode())
            elif a.kind == TUF_ACTION_TARGET_READY:
                self.downloads[a.id] = ctypes.string_at(a.data, a.datalen)
            elif a.kind == TUF_ACTION_WAITING:
                # Every request is answered at once above, so nothing can be outstanding.
                raise RuntimeError("updater is waiting, but no request is in flight")
            elif a.kind == TUF_ACTION_DONE:
                return
            elif a.kind == TUF_ACTION_FAILED:
                raise TufError(a.error, a.message.decode())
            else:
                raise RuntimeError(f"unknown action kind {a.kind}")

    def refresh(self):
        self.check(self.lib.tuf_start_refresh(self.u, int(time.time())))
        self.run()

    def start_lookup(self, target):
        lookup_id = ctypes.c_uint64()
        self.check(self.lib.tuf_start_lookup(self.u, target.encode(), ctypes.byref(lookup_id)))
        return lookup_id.value

    def start_download(self, lookup_id, target_base_url):
        """Starts downloading what lookup `lookup_id` found, then releases the lookup."""
        download_id = ctypes.c_uint64()
        self.check(self.lib.tuf_start_download(self.u, lookup_id, target_base_url.encode(),
                                               ctypes.byref(download_id)))
        self.lib.tuf_lookup_release(self.u, lookup_id)
        return download_id.value


def take(results, op_id):
    """The result an operation reported (removed from `results`); raises it if it failed."""
    result = results.pop(op_id)
    if isinstance(result, TufError):
        raise result
    return result


def fetch_targets(client, targets, target_base_url):
    """Looks every target up at once, then downloads every one found, all at once. Returns
    {target: bytes}; raises TufError for the first target that failed or is not listed."""
    client.refresh()
    lookups = {target: client.start_lookup(target) for target in targets}
    client.run()
    downloads = {}
    for target, lookup_id in lookups.items():
        if take(client.lookups, lookup_id) is None:
            raise TufError(0, f"{target}: no trusted targets metadata lists it")
        downloads[target] = client.start_download(lookup_id, target_base_url)
    client.run()
    return {target: take(client.downloads, download_id)
            for target, download_id in downloads.items()}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--lib", default=os.environ.get("TUFCORE_LIB"),
                   help="path of libtufcore.so (default: $TUFCORE_LIB, else the system's)")
    p.add_argument("--root", required=True, help="bootstrap root.json, trusted out of band")
    p.add_argument("--metadata-url", required=True)
    p.add_argument("--target-base-url", required=True)
    p.add_argument("--cache", required=True, help="directory for trusted metadata")
    p.add_argument("--target", required=True, action="append",
                   help="target path to download (repeat for several, fetched concurrently)")
    p.add_argument("--out", help="write the verified target here (one --target only)")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    if args.out and len(args.target) != 1:
        p.error("--out needs exactly one --target")

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
        data = fetch_targets(client, args.target, args.target_base_url)
    except TufError as e:
        # The message starts with the error's name (tuf_strerror(e.code)), e.g.
        # "length_or_hash_mismatch: pip: blake2b-256 hash mismatch (expected ..., got ...)".
        print(f"tuf_ctypes: {e}", file=sys.stderr)
        return 1
    finally:
        if client is not None:
            client.close()

    if args.out:
        write_atomically(args.out, data[args.target[0]])
    for target, content in data.items():
        print(f"{hashlib.sha256(content).hexdigest()}  {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
