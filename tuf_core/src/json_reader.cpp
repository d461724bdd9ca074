// The schema reader (json_reader.h): the parts of a metadata document that every role shares.
// Where the specification leaves a choice, the rules follow python-tuf (tuf/api/_payload.py);
// each deviation is marked "Deviation".
#include "json_reader.h"

#include <algorithm>
#include <memory>

#include "canonical_json_internal.h"

namespace tuf::detail {

std::string describe(dom::element e) {
  switch (e.type()) {
    case dom::element_type::INT64: return std::to_string(e.get_int64().value_unsafe());
    case dom::element_type::UINT64: return std::to_string(e.get_uint64().value_unsafe());
    case dom::element_type::DOUBLE: return "a float";
    case dom::element_type::BOOL: return e.get_bool().value_unsafe() ? "true" : "false";
    case dom::element_type::NULL_VALUE: return "null";
    case dom::element_type::OBJECT: return "an object";
    case dom::element_type::ARRAY: return "an array";
    case dom::element_type::STRING: {
      std::string_view s = e.get_string().value_unsafe();
      std::string out = "\"" + std::string(s.substr(0, 64)) + "\"";
      if (s.size() > 64) out += "...";
      return out;
    }
  }
  return "an unknown value";
}

// "spec_version": python-tuf accepts "X.Y" or "X.Y.Z" (all parts decimal digits) whose major
// version equals its own ("1").
namespace {

bool spec_version_ok(std::string_view v) {
  std::size_t parts = 0;
  std::string_view major;
  std::size_t start = 0;
  for (;;) {
    const std::size_t dot = v.find('.', start);
    const std::string_view part =
        v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || !std::all_of(part.begin(), part.end(),
                                     [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    if (parts == 0) major = part;
    ++parts;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return (parts == 2 || parts == 3) && major == "1";
}

}  // namespace

// Fields every `signed` object has (specification "File formats: root.json": SPEC_VERSION,
// VERSION, EXPIRES; "Object format": "_type").
bool read_common(Reader& r, dom::object s, const JsonPath& sp, std::string_view type,
                 SignedCommon& out) {
  dom::element e;
  std::string_view v;
  if (!r.member(s, sp, "_type", e, "\"" + std::string(type) + "\"")) return false;
  if (!r.string(e, sp.child("_type"), v)) return false;
  if (v != type) {
    return r.fail(sp.child("_type"), ": wrong metadata type", "\"" + std::string(type) + "\"",
                  describe(e));
  }
  out.type.assign(v);

  if (!r.member(s, sp, "spec_version", e, "string \"1.x\" or \"1.x.y\"")) return false;
  if (!r.string(e, sp.child("spec_version"), v)) return false;
  if (!spec_version_ok(v)) {
    return r.fail(sp.child("spec_version"), ": unsupported specification version",
                  "\"1.x\" or \"1.x.y\"", describe(e));
  }
  out.spec_version.assign(v);

  // VERSION: "An integer that is greater than 0".
  if (!r.member(s, sp, "version", e, "integer >= 1")) return false;
  if (!r.integer(e, sp.child("version"), 1, kU64Max, out.version)) return false;

  if (!r.member(s, sp, "expires", e, "date-time string")) return false;
  if (!r.string(e, sp.child("expires"), v)) return false;
  auto t = parse_datetime(v);
  if (!t) return r.fail(sp.child("expires"), ": malformed date-time", t.error().expected,
                        t.error().got);
  out.expires = *t;
  return true;
}

std::optional<std::string_view> first_repeat(std::vector<std::string_view> values) {
  std::sort(values.begin(), values.end());
  auto dup = std::adjacent_find(values.begin(), values.end());
  if (dup == values.end()) return std::nullopt;
  return *dup;
}

namespace {

// KEY objects ("Key objects"). keytype, scheme and keyval are required; keyval.public is read
// when present. Unknown fields stay in the canonical bytes. A key the core cannot prepare
// (unknown type or malformed value) is kept with a null verifier: it is ignored, not an error.
bool read_key(Reader& r, dom::element e, const JsonPath& p, Key& out) {
  dom::object o;
  dom::element f;
  if (!r.object(e, p, o)) return false;
  if (!r.member(o, p, "keytype", f, "string") || !r.string(f, p.child("keytype"), out.keytype)) {
    return false;
  }
  if (!r.member(o, p, "scheme", f, "string") || !r.string(f, p.child("scheme"), out.scheme)) {
    return false;
  }
  dom::object keyval;
  const JsonPath kp = p.child("keyval");
  if (!r.member(o, p, "keyval", f, "object") || !r.object(f, kp, keyval)) return false;
  // Deviation (lenient): keyval.public may be absent, as for key types whose keyval has other
  // members; such a key never verifies.
  if (Reader::optional(keyval, "public", f) && !r.string(f, kp.child("public"), out.public_value)) {
    return false;
  }
  if (auto k = PublicKey::create(out.keytype, out.scheme, out.public_value)) {
    out.verifier = std::make_shared<const PublicKey>(std::move(*k));
  }
  return true;
}

}  // namespace

bool read_keys(Reader& r, dom::element e, const JsonPath& p,
               std::unordered_map<std::string, Key>& out) {
  dom::object o;
  if (!r.object(e, p, o)) return false;
  out.reserve(o.size());
  for (dom::key_value_pair kv : o) {
    Key key;
    if (!read_key(r, kv.value, p.child(kv.key), key)) return false;
    out.emplace(std::string(kv.key), std::move(key));
  }
  return true;
}

// A list of strings; with `unique`, no repeats (python-tuf Role: "Nonunique keyids").
bool read_strings(Reader& r, dom::element e, const JsonPath& p, std::vector<std::string>& out,
                  bool unique) {
  dom::array a;
  if (!r.array(e, p, a)) return false;
  out.reserve(a.size());
  std::size_t i = 0;
  for (dom::element item : a) {
    std::string_view s;
    if (!r.string(item, p.at(i++), s)) return false;
    out.emplace_back(s);
  }
  if (unique) {
    if (auto dup = first_repeat({out.begin(), out.end()})) {
      return r.fail(p, ": duplicate entry", "unique strings", "\"" + std::string(*dup) + "\"");
    }
  }
  return true;
}

// keyids + THRESHOLD ("a positive integer number of keys (>=1)").
bool read_role_keys(Reader& r, dom::object o, const JsonPath& p, RoleKeys& out) {
  dom::element f;
  if (!r.member(o, p, "keyids", f, "array of strings")) return false;
  if (!read_strings(r, f, p.child("keyids"), out.keyids, true)) return false;
  if (!r.member(o, p, "threshold", f, "integer >= 1")) return false;
  std::uint64_t t = 0;
  // Deviation: thresholds above 2^32-1 (which no set of keys could meet) are rejected.
  if (!r.integer(f, p.child("threshold"), 1, kU32Max, t)) return false;
  out.threshold = static_cast<std::uint32_t>(t);
  return true;
}

// HASHES: a non-empty object of algorithm -> hex string (python-tuf _validate_hashes). Values
// are kept as given; they are compared when bytes are verified.
bool read_hashes(Reader& r, dom::element e, const JsonPath& p, HashList& out) {
  dom::object o;
  if (!r.object(e, p, o)) return false;
  out.reserve(o.size());
  for (dom::key_value_pair kv : o) {
    std::string_view v;
    if (!r.string(kv.value, p.child(kv.key), v)) return false;
    out.emplace_back(std::string(kv.key), std::string(v));
  }
  if (out.empty()) return r.fail(p, ": empty", "at least one hash", "{}");
  return true;
}

// METAFILES entry ("File formats: snapshot.json"): version required (> 0), length (>= 0, as
// python-tuf) and hashes optional. One pass over the members: this runs 16,384 times for a
// PEP 458 snapshot.
bool read_meta_info(Reader& r, dom::element e, const JsonPath& p, MetaInfo& out) {
  dom::object o;
  if (!r.object(e, p, o)) return false;
  bool have_version = false;
  for (dom::key_value_pair kv : o) {
    if (kv.key == "version") {
      if (!r.integer(kv.value, p.child(kv.key), 1, kU64Max, out.version)) return false;
      have_version = true;
    } else if (kv.key == "length") {
      std::uint64_t len = 0;
      if (!r.integer(kv.value, p.child(kv.key), 0, kU64Max, len)) return false;
      out.length = len;
    } else if (kv.key == "hashes") {
      if (!read_hashes(r, kv.value, p.child(kv.key), out.hashes)) return false;
    }
  }
  if (!have_version) return r.missing(p.child("version"), "integer >= 1");
  return true;
}

// ---- The envelope ("Object format") ----------------------------------------------------------

// Checks the whole document and returns the `signed` object. The document must be an object
// with "signed" and "signatures"; no float or duplicate key may appear anywhere (the
// canonicaliser checks `signed` while writing its bytes, check_canonical the rest).
bool read_envelope(Reader& r, dom::element doc, std::size_t input_size,
                   std::vector<Signature>& signatures, std::string& canonical,
                   dom::object& signed_obj) {
  const JsonPath top;
  dom::object o;
  if (!r.object(doc, top, o)) return false;

  // Top-level members: sort to find duplicates (the walker below sees only member values).
  std::vector<std::pair<std::string_view, dom::element>> members;
  members.reserve(o.size());
  for (dom::key_value_pair kv : o) members.emplace_back(kv.key, kv.value);
  std::sort(members.begin(), members.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 1; i < members.size(); ++i) {
    if (members[i].first == members[i - 1].first) {
      return r.fail(top, ": duplicate object key", "unique keys",
                    "\"" + std::string(members[i].first) + "\" twice");
    }
  }

  const dom::element* signed_el = nullptr;
  const dom::element* sigs_el = nullptr;
  for (const auto& [key, value] : members) {
    if (key == "signed") {
      signed_el = &value;
    } else {
      if (key == "signatures") sigs_el = &value;
      if (auto c = check_canonical(value, r.role(), top.child(key)); !c) {
        return r.take(std::move(c.error()));
      }
    }
  }
  if (sigs_el == nullptr) return r.missing(top.child("signatures"), "array");
  if (signed_el == nullptr) return r.missing(top.child("signed"), "object");

  // "signatures": [{"keyid": KEYID, "sig": SIGNATURE}, ...]. Whether a sig is valid hex is left
  // to verification (a malformed signature simply never verifies), as in python-tuf.
  const JsonPath sigs_path = top.child("signatures");
  dom::array sigs;
  if (!r.array(*sigs_el, sigs_path, sigs)) return false;
  signatures.reserve(sigs.size());
  std::size_t i = 0;
  for (dom::element item : sigs) {
    const JsonPath ip = sigs_path.at(i++);
    dom::object so;
    dom::element f;
    Signature sig;
    if (!r.object(item, ip, so)) return false;
    if (!r.member(so, ip, "keyid", f, "string") || !r.string(f, ip.child("keyid"), sig.keyid)) {
      return false;
    }
    if (!r.member(so, ip, "sig", f, "string") || !r.string(f, ip.child("sig"), sig.sig)) {
      return false;
    }
    signatures.push_back(std::move(sig));
  }
  // "The keyid MUST be unique in the signatures array" (also python-tuf, tuf-conformance).
  std::vector<std::string_view> ids;
  ids.reserve(signatures.size());
  for (const Signature& s : signatures) ids.push_back(s.keyid);
  if (auto dup = first_repeat(std::move(ids))) {
    return r.fail(sigs_path, ": more than one signature with the same keyid", "unique keyids",
                  "\"" + std::string(*dup) + "\"");
  }

  const JsonPath sp = top.child("signed");
  if (!r.object(*signed_el, sp, signed_obj)) return false;
  canonical.reserve(input_size);
  if (auto c = append_canonical(*signed_el, canonical, r.role(), sp); !c) {
    return r.take(std::move(c.error()));
  }
  return true;
}

}  // namespace tuf::detail
