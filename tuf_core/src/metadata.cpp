// The TUF metadata model: parsing and schema checks (TUF specification, "Document formats"),
// canonical bytes of `signed`, path and hash-bin delegation matching, and signer-side
// serialisation. Where the specification leaves a choice, the rules follow python-tuf
// (tuf/api/_payload.py); each deviation is marked "Deviation".
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <utility>

#include "canonical_json_internal.h"
#include "tuf/metadata.h"

namespace tuf {

namespace dom = simdjson::dom;
using detail::JsonPath;

// ---- Date-time ("Date-time": exactly "YYYY-MM-DDTHH:MM:SSZ", UTC) ------------------------------

namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);                 // [0, 399]
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Civil {
  std::int64_t year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0), m, d};
}

bool is_leap(std::int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads `n` ASCII digits at text[pos].
bool digits(std::string_view text, std::size_t pos, std::size_t n, unsigned& out) {
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

}  // namespace

Result<Timestamp> parse_datetime(std::string_view text) {
  auto bad = [&] {
    return fail(Errc::invalid_metadata, "", "malformed date-time", "YYYY-MM-DDTHH:MM:SSZ",
                "\"" + std::string(text.substr(0, 64)) + "\"");
  };
  // Fixed shape: no fractional seconds, no offsets other than "Z", no lower-case separators.
  if (text.size() != 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || text[19] != 'Z') {
    return bad();
  }
  unsigned y, mo, d, h, mi, s;
  if (!digits(text, 0, 4, y) || !digits(text, 5, 2, mo) || !digits(text, 8, 2, d) ||
      !digits(text, 11, 2, h) || !digits(text, 14, 2, mi) || !digits(text, 17, 2, s)) {
    return bad();
  }
  // Ranges as Python's datetime enforces them (year >= 1, no leap second).
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 ||
      s > 59) {
    return bad();
  }
  return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
}

std::string format_datetime(Timestamp t) {
  // Floor division so that times before 1970 land on the right day.
  std::int64_t days = t / 86400;
  std::int64_t secs = t % 86400;
  if (secs < 0) {
    secs += 86400;
    days -= 1;
  }
  const Civil c = civil_from_days(days);
  // Years outside 0..9999 print with more digits and do not parse back.
  std::string out;
  out.reserve(20);
  auto digits = [&out](std::int64_t v, int width) {
    std::string d = std::to_string(v < 0 ? -v : v);
    if (v < 0) out.push_back('-');
    if (static_cast<int>(d.size()) < width) out.append(width - d.size(), '0');
    out += d;
  };
  digits(c.year, 4);
  out.push_back('-');
  digits(c.month, 2);
  out.push_back('-');
  digits(c.day, 2);
  out.push_back('T');
  digits(secs / 3600, 2);
  out.push_back(':');
  digits(secs / 60 % 60, 2);
  out.push_back(':');
  digits(secs % 60, 2);
  out.push_back('Z');
  return out;
}

// ---- Schema reading ---------------------------------------------------------------------------

namespace {

constexpr std::string_view kTopLevelRoles[] = {"root", "timestamp", "snapshot", "targets"};

bool is_top_level_role(std::string_view name) {
  return std::find(std::begin(kTopLevelRoles), std::end(kTopLevelRoles), name) !=
         std::end(kTopLevelRoles);
}

// A short description of a JSON value for "got ..." in error messages.
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

// Reads typed values out of the DOM. Each helper returns false after recording the first error
// (invalid_metadata naming the role and the JSON path), so that callers stay short and the
// per-entry cost on large snapshots is a branch, not an Error object.
class Reader {
 public:
  explicit Reader(std::string_view role) : role_(role) {}

  bool fail(const JsonPath& p, std::string what, std::string expected = {},
            std::string got = {}) {
    error_ = Error{Errc::invalid_metadata, std::string(role_), p.str() + what,
                   std::move(expected), std::move(got)};
    return false;
  }
  bool bad(const JsonPath& p, std::string expected, dom::element got) {
    return fail(p, "", std::move(expected), describe(got));
  }
  bool missing(const JsonPath& p, std::string expected) {
    return fail(p, ": missing", std::move(expected));
  }
  bool take(Error e) {
    error_ = std::move(e);
    return false;
  }
  std::unexpected<Error> error() { return std::unexpected<Error>(std::move(error_)); }
  std::string_view role() const { return role_; }

  bool object(dom::element e, const JsonPath& p, dom::object& out) {
    if (e.get_object().get(out) != simdjson::SUCCESS) return bad(p, "object", e);
    return true;
  }
  bool array(dom::element e, const JsonPath& p, dom::array& out) {
    if (e.get_array().get(out) != simdjson::SUCCESS) return bad(p, "array", e);
    return true;
  }
  bool string(dom::element e, const JsonPath& p, std::string_view& out) {
    if (e.get_string().get(out) != simdjson::SUCCESS) return bad(p, "string", e);
    return true;
  }
  bool string(dom::element e, const JsonPath& p, std::string& out) {
    std::string_view v;
    if (!string(e, p, v)) return false;
    out.assign(v);
    return true;
  }
  bool boolean(dom::element e, const JsonPath& p, bool& out) {
    if (e.get_bool().get(out) != simdjson::SUCCESS) return bad(p, "boolean", e);
    return true;
  }
  // An integer in [min, max]. Booleans and floats are not integers.
  bool integer(dom::element e, const JsonPath& p, std::uint64_t min, std::uint64_t max,
               std::uint64_t& out) {
    std::uint64_t v = 0;
    bool ok = false;
    if (e.type() == dom::element_type::INT64) {
      const std::int64_t s = e.get_int64().value_unsafe();
      ok = s >= 0;
      v = static_cast<std::uint64_t>(s);
    } else if (e.type() == dom::element_type::UINT64) {
      ok = true;
      v = e.get_uint64().value_unsafe();
    }
    if (!ok || v < min || v > max) {
      std::string expected = "integer >= " + std::to_string(min);
      if (max != std::numeric_limits<std::uint64_t>::max()) {
        expected = "integer between " + std::to_string(min) + " and " + std::to_string(max);
      }
      return bad(p, std::move(expected), e);
    }
    out = v;
    return true;
  }
  // A required member of an object.
  bool member(dom::object o, const JsonPath& p, std::string_view key, dom::element& out,
              std::string_view expected) {
    if (o.at_key(key).get(out) != simdjson::SUCCESS) {
      return missing(p.child(key), std::string(expected));
    }
    return true;
  }
  // An optional member: false only on error; `present` tells whether it was there.
  static bool optional(dom::object o, std::string_view key, dom::element& out) {
    return o.at_key(key).get(out) == simdjson::SUCCESS;
  }

 private:
  std::string_view role_;
  Error error_;
};

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint64_t kU32Max = std::numeric_limits<std::uint32_t>::max();

// "spec_version": python-tuf accepts "X.Y" or "X.Y.Z" (all parts decimal digits) whose major
// version equals its own ("1").
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
bool read_strings(Reader& r, dom::element e, const JsonPath& p,
                         std::vector<std::string>& out, bool unique) {
  dom::array a;
  if (!r.array(e, p, a)) return false;
  out.reserve(a.size());
  std::size_t i = 0;
  for (dom::element item : a) {
    std::string_view s;
    if (!r.string(item, p.at(i++), s)) return false;
    out.emplace_back(s);
  }
  if (unique && out.size() > 1) {
    std::vector<std::string_view> sorted(out.begin(), out.end());
    std::sort(sorted.begin(), sorted.end());
    auto dup = std::adjacent_find(sorted.begin(), sorted.end());
    if (dup != sorted.end()) {
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
      if (auto c = detail::check_canonical(value, r.role(), top.child(key)); !c) {
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
  if (signatures.size() > 1) {
    std::vector<std::string_view> ids;
    ids.reserve(signatures.size());
    for (const Signature& s : signatures) ids.push_back(s.keyid);
    std::sort(ids.begin(), ids.end());
    auto dup = std::adjacent_find(ids.begin(), ids.end());
    if (dup != ids.end()) {
      return r.fail(sigs_path, ": more than one signature with the same keyid",
                    "unique keyids", "\"" + std::string(*dup) + "\"");
    }
  }

  const JsonPath sp = top.child("signed");
  if (!r.object(*signed_el, sp, signed_obj)) return false;
  canonical.reserve(input_size);
  if (auto c = detail::append_canonical(*signed_el, canonical, r.role(), sp); !c) {
    return r.take(std::move(c.error()));
  }
  return true;
}

template <class T, class Fill>
Result<Metadata<T>> parse_metadata(Bytes json, std::string_view role, std::string_view type,
                                   Fill fill) {
  auto doc = detail::parse_json(json, role);
  if (!doc) return std::unexpected(doc.error());
  Reader r(role);
  Metadata<T> md;
  dom::object s;
  if (!read_envelope(r, *doc, json.size(), md.signatures, md.canonical_signed, s)) {
    return r.error();
  }
  const JsonPath top;
  const JsonPath sp = top.child("signed");
  if (!read_common(r, s, sp, type, md.signed_part)) return r.error();
  if (!fill(r, s, sp, md.signed_part)) return r.error();
  return md;
}

// ---- Role-specific `signed` parts -------------------------------------------------------------

// "File formats: root.json".
bool read_root(Reader& r, dom::object s, const JsonPath& sp, Root& out) {
  dom::element e;
  if (Reader::optional(s, "consistent_snapshot", e) &&
      !r.boolean(e, sp.child("consistent_snapshot"), out.consistent_snapshot)) {
    return false;
  }
  if (!r.member(s, sp, "keys", e, "object")) return false;
  if (!read_keys(r, e, sp.child("keys"), out.keys)) return false;

  const JsonPath rp = sp.child("roles");
  dom::object roles;
  if (!r.member(s, sp, "roles", e, "object") || !r.object(e, rp, roles)) return false;
  // Deviation: roles other than the four top-level ones (the specification names an optional
  // "mirrors") are accepted and kept; python-tuf rejects them.
  for (dom::key_value_pair kv : roles) {
    const JsonPath p = rp.child(kv.key);
    dom::object ro;
    RoleKeys keys;
    if (!r.object(kv.value, p, ro) || !read_role_keys(r, ro, p, keys)) return false;
    out.roles.emplace(std::string(kv.key), std::move(keys));
  }
  // "A role for each of root, snapshot, timestamp, and targets MUST be specified".
  for (std::string_view name : kTopLevelRoles) {
    if (out.roles.find(std::string(name)) == out.roles.end()) {
      return r.missing(rp.child(name), "object with keyids and threshold");
    }
  }
  return true;
}

// "File formats: timestamp.json": METAFILES that "MUST only include" snapshot.json.
bool read_timestamp(Reader& r, dom::object s, const JsonPath& sp, TimestampMeta& out) {
  dom::element e;
  dom::object meta;
  const JsonPath mp = sp.child("meta");
  if (!r.member(s, sp, "meta", e, "object") || !r.object(e, mp, meta)) return false;
  bool found = false;
  for (dom::key_value_pair kv : meta) {
    if (kv.key != "snapshot.json") {
      return r.fail(mp, ": unexpected entry", "only \"snapshot.json\"",
                    "\"" + std::string(kv.key) + "\"");
    }
    if (!read_meta_info(r, kv.value, mp.child(kv.key), out.snapshot_meta)) return false;
    found = true;
  }
  if (!found) return r.missing(mp.child("snapshot.json"), "object with version");
  return true;
}

// "File formats: snapshot.json".
bool read_snapshot(Reader& r, dom::object s, const JsonPath& sp, Snapshot& out) {
  dom::element e;
  dom::object meta;
  const JsonPath mp = sp.child("meta");
  if (!r.member(s, sp, "meta", e, "object") || !r.object(e, mp, meta)) return false;
  // Canonical documents list the names sorted (and the canonicaliser has refused duplicates),
  // so MetaMap's constructor normally has nothing to sort.
  std::vector<MetaMap::value_type> entries;
  entries.reserve(meta.size());
  for (dom::key_value_pair kv : meta) {
    auto& entry = entries.emplace_back(std::string(kv.key), MetaInfo{});
    if (!read_meta_info(r, kv.value, mp.child(kv.key), entry.second)) return false;
  }
  out.meta = MetaMap(std::move(entries));
  return true;
}

// One entry of delegations.roles (python-tuf DelegatedRole).
bool read_delegated_role(Reader& r, dom::element e, const JsonPath& p, DelegatedRole& out) {
  dom::object o;
  dom::element f;
  if (!r.object(e, p, o)) return false;
  if (!r.member(o, p, "name", f, "string") || !r.string(f, p.child("name"), out.name)) {
    return false;
  }
  // Delegated role names may not be empty or a top-level role name (python-tuf Delegations).
  if (out.name.empty() || is_top_level_role(out.name)) {
    return r.fail(p.child("name"), ": not a valid delegated role name",
                  "a non-empty name other than root, timestamp, snapshot, targets",
                  describe(f));
  }
  if (!read_role_keys(r, o, p, out.keys)) return false;
  if (!r.member(o, p, "terminating", f, "boolean") ||
      !r.boolean(f, p.child("terminating"), out.terminating)) {
    return false;
  }
  // "path_hash_prefixes and paths ... exactly one of them should be set" (python-tuf requires
  // exactly one).
  dom::element paths, prefixes;
  const bool has_paths = Reader::optional(o, "paths", paths);
  const bool has_prefixes = Reader::optional(o, "path_hash_prefixes", prefixes);
  if (has_paths == has_prefixes) {
    return r.fail(p, ": exactly one of paths and path_hash_prefixes must be set",
                  "one of paths, path_hash_prefixes", has_paths ? "both" : "neither");
  }
  if (has_paths) {
    out.paths.emplace();
    return read_strings(r, paths, p.child("paths"), *out.paths, false);
  }
  out.path_hash_prefixes.emplace();
  return read_strings(r, prefixes, p.child("path_hash_prefixes"), *out.path_hash_prefixes,
                             false);
}

// TAP 15 succinct_roles (python-tuf SuccinctRoles): bit_length 1..32.
bool read_succinct_roles(Reader& r, dom::element e, const JsonPath& p, SuccinctRoles& out) {
  dom::object o;
  dom::element f;
  if (!r.object(e, p, o) || !read_role_keys(r, o, p, out.keys)) return false;
  std::uint64_t bits = 0;
  if (!r.member(o, p, "bit_length", f, "integer between 1 and 32") ||
      !r.integer(f, p.child("bit_length"), 1, 32, bits)) {
    return false;
  }
  out.bit_length = static_cast<std::uint32_t>(bits);
  return r.member(o, p, "name_prefix", f, "string") &&
         r.string(f, p.child("name_prefix"), out.name_prefix);
}

// DELEGATIONS: keys, and exactly one of roles / succinct_roles.
bool read_delegations(Reader& r, dom::element e, const JsonPath& p, Delegations& out) {
  dom::object o;
  dom::element f;
  if (!r.object(e, p, o)) return false;
  if (!r.member(o, p, "keys", f, "object") || !read_keys(r, f, p.child("keys"), out.keys)) {
    return false;
  }
  dom::element roles, succinct;
  const bool has_roles = Reader::optional(o, "roles", roles);
  const bool has_succinct = Reader::optional(o, "succinct_roles", succinct);
  if (has_roles == has_succinct) {
    return r.fail(p, ": exactly one of roles and succinct_roles must be set",
                  "one of roles, succinct_roles", has_roles ? "both" : "neither");
  }
  if (has_succinct) {
    out.succinct_roles.emplace();
    return read_succinct_roles(r, succinct, p.child("succinct_roles"), *out.succinct_roles);
  }
  const JsonPath rp = p.child("roles");
  dom::array a;
  if (!r.array(roles, rp, a)) return false;
  out.roles.reserve(a.size());
  std::size_t i = 0;
  for (dom::element item : a) {
    DelegatedRole role;
    if (!read_delegated_role(r, item, rp.at(i++), role)) return false;
    out.roles.push_back(std::move(role));
  }
  // ROLENAME "MUST be unique in the delegations object".
  if (out.roles.size() > 1) {
    std::vector<std::string_view> names;
    names.reserve(out.roles.size());
    for (const DelegatedRole& role : out.roles) names.push_back(role.name);
    std::sort(names.begin(), names.end());
    auto dup = std::adjacent_find(names.begin(), names.end());
    if (dup != names.end()) {
      return r.fail(rp, ": duplicate role name", "unique names", "\"" + std::string(*dup) + "\"");
    }
  }
  return true;
}

// "File formats: targets.json and delegated target roles".
bool read_targets(Reader& r, dom::object s, const JsonPath& sp, Targets& out) {
  dom::element e;
  dom::object targets;
  const JsonPath tp = sp.child("targets");
  if (!r.member(s, sp, "targets", e, "object") || !r.object(e, tp, targets)) return false;
  out.targets.reserve(targets.size());
  for (dom::key_value_pair kv : targets) {
    const JsonPath p = tp.child(kv.key);
    dom::object o;
    dom::element f;
    TargetFile tf;
    if (!r.object(kv.value, p, o)) return false;
    // LENGTH (>= 0, python-tuf) and HASHES (non-empty) are required; "custom" is opaque.
    if (!r.member(o, p, "length", f, "integer >= 0") ||
        !r.integer(f, p.child("length"), 0, kU64Max, tf.length)) {
      return false;
    }
    if (!r.member(o, p, "hashes", f, "object") || !read_hashes(r, f, p.child("hashes"), tf.hashes)) {
      return false;
    }
    out.targets.emplace(std::string(kv.key), std::move(tf));
  }
  if (Reader::optional(s, "delegations", e)) {
    out.delegations.emplace();
    if (!read_delegations(r, e, sp.child("delegations"), *out.delegations)) return false;
  }
  return true;
}

}  // namespace

Result<Metadata<Root>> parse_root(Bytes json, std::string_view role_hint) {
  return parse_metadata<Root>(json, role_hint, "root", read_root);
}
Result<Metadata<TimestampMeta>> parse_timestamp(Bytes json, std::string_view role_hint) {
  return parse_metadata<TimestampMeta>(json, role_hint, "timestamp", read_timestamp);
}
Result<Metadata<Snapshot>> parse_snapshot(Bytes json, std::string_view role_hint) {
  return parse_metadata<Snapshot>(json, role_hint, "snapshot", read_snapshot);
}
Result<Metadata<Targets>> parse_targets(Bytes json, std::string_view role_hint) {
  return parse_metadata<Targets>(json, role_hint, "targets", read_targets);
}

// ---- Delegation matching ----------------------------------------------------------------------

namespace {

// Decodes the UTF-8 code point at s[i] and advances i. Python's fnmatch works on code points; a
// byte that does not start a valid sequence decodes to U+DC80..U+DCFF (as Python's
// "surrogateescape" would), so it only ever matches itself, '?', '*' or a negated set.
char32_t next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  char32_t cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  }
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xDC00 + b0;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xDC00 + b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

// A "[...]" set starting at pat[open] as Python's fnmatch reads it: "!" negates, a "]" right
// after "[" or "[!" is a member, "a-z" is a range (an empty range such as "z-a" matches
// nothing), a "-" first or last is literal. Returns false if there is no closing "]" (then "["
// is an ordinary character); otherwise sets `matched` and `end` (index after "]").
bool match_set(std::string_view pat, std::size_t open, char32_t c, bool& matched,
               std::size_t& end) {
  std::size_t j = open + 1;
  if (j < pat.size() && pat[j] == '!') ++j;
  if (j < pat.size() && pat[j] == ']') ++j;
  while (j < pat.size() && pat[j] != ']') ++j;
  if (j >= pat.size()) return false;
  end = j + 1;

  std::size_t k = open + 1;
  const bool negate = pat[k] == '!';
  if (negate) ++k;
  bool in = false;
  while (k < j) {
    const char32_t lo = next_code_point(pat, k);
    if (k + 1 < j && pat[k] == '-') {
      ++k;
      const char32_t hi = next_code_point(pat, k);
      in = in || (lo <= c && c <= hi);
    } else {
      in = in || lo == c;
    }
  }
  matched = in != negate;
  return true;
}

// fnmatch.fnmatch(text, pat) for one path segment: '*' any run, '?' one code point, [seq].
bool glob_match(std::string_view pat, std::string_view text) {
  constexpr std::size_t none = std::string_view::npos;
  std::size_t p = 0, t = 0;
  std::size_t star_p = none, star_t = 0;
  while (t < text.size()) {
    if (p < pat.size()) {
      if (pat[p] == '*') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      std::size_t t_next = t;
      const char32_t tc = next_code_point(text, t_next);
      std::size_t p_next = p + 1;
      bool ok;
      if (pat[p] == '?') {
        ok = true;
      } else if (pat[p] != '[' || !match_set(pat, p, tc, ok, p_next)) {
        p_next = p;
        ok = next_code_point(pat, p_next) == tc;
      }
      if (ok) {
        p = p_next;
        t = t_next;
        continue;
      }
    }
    if (star_p == none) return false;
    // Let the last '*' absorb one more code point and retry from there.
    p = star_p;
    next_code_point(text, star_t);
    t = star_t;
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

// PATHPATTERN match as python-tuf does it: the pattern and the target must have the same number
// of '/'-separated segments and each segment must fnmatch, so a wildcard never crosses '/'.
bool path_matches(std::string_view pattern, std::string_view target) {
  for (;;) {
    const std::size_t ps = pattern.find('/');
    const std::size_t ts = target.find('/');
    if ((ps == std::string_view::npos) != (ts == std::string_view::npos)) return false;
    if (!glob_match(pattern.substr(0, ps), target.substr(0, ts))) return false;
    if (ps == std::string_view::npos) return true;
    pattern.remove_prefix(ps + 1);
    target.remove_prefix(ts + 1);
  }
}

std::string sha256_hex(std::string_view s) { return digest_hex(HashAlg::sha256, as_bytes(s)); }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // upper case is not a bin name suffix
}

// Number of hex digits of the largest bin number, 2^bit_length - 1.
std::size_t suffix_width(std::uint32_t bit_length) {
  return std::max<std::size_t>(1, (bit_length + 3) / 4);
}

}  // namespace

bool DelegatedRole::is_delegated_path(std::string_view target_path) const {
  if (path_hash_prefixes) {
    // "each target path, when hashed with the SHA-256 hash function ... must share the same
    // prefix as one of the prefixes in path_hash_prefixes".
    const std::string digest = sha256_hex(target_path);
    for (const std::string& prefix : *path_hash_prefixes) {
      if (std::string_view(digest).starts_with(prefix)) return true;
    }
    return false;
  }
  if (paths) {
    for (const std::string& pattern : *paths) {
      if (path_matches(pattern, target_path)) return true;
    }
  }
  return false;
}

std::string SuccinctRoles::role_for_target(std::string_view target_path) const {
  // TAP 15: the bin is the leftmost bit_length bits of sha256(path), read big-endian.
  const std::string digest = sha256_hex(target_path);
  std::uint64_t first32 = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    first32 = (first32 << 4) | static_cast<std::uint64_t>(hex_value(digest[i]));
  }
  const std::uint64_t bin = first32 >> (32 - std::min<std::uint32_t>(bit_length, 32));
  const std::size_t width = suffix_width(bit_length);
  std::string name = name_prefix;
  name.push_back('-');
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = width; i-- > 0;) name.push_back(kHex[(bin >> (4 * i)) & 0xF]);
  return name;
}

bool SuccinctRoles::is_role(std::string_view role_name) const {
  // Deviation: the suffix must be lower-case hex of exactly the bin-name width (python-tuf's
  // int(suffix, 16) would also take upper case, a sign or "0x"; those are never bin names).
  if (role_name.size() <= name_prefix.size() || !role_name.starts_with(name_prefix) ||
      role_name[name_prefix.size()] != '-') {
    return false;
  }
  const std::string_view suffix = role_name.substr(name_prefix.size() + 1);
  if (suffix.size() != suffix_width(bit_length)) return false;
  std::uint64_t value = 0;
  for (char c : suffix) {
    const int v = hex_value(c);
    if (v < 0) return false;
    value = (value << 4) | static_cast<std::uint64_t>(v);
  }
  return value < bin_count();
}

// ---- MetaMap -------------------------------------------------------------------------------------

namespace {
bool name_less(const MetaMap::value_type& a, const MetaMap::value_type& b) {
  return std::string_view(a.first) < std::string_view(b.first);
}
}  // namespace

MetaMap::MetaMap(std::vector<value_type> entries) : entries_(std::move(entries)) {
  auto strictly_increasing = [](const value_type& a, const value_type& b) {
    return !name_less(a, b);  // adjacent_find stops at the first pair not strictly increasing
  };
  if (std::adjacent_find(entries_.begin(), entries_.end(), strictly_increasing) == entries_.end())
    return;
  std::stable_sort(entries_.begin(), entries_.end(), name_less);
  auto last = std::unique(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
    return a.first == b.first;
  });
  entries_.erase(last, entries_.end());
}

MetaMap::iterator MetaMap::lower_bound(std::string_view name) {
  return std::lower_bound(entries_.begin(), entries_.end(), name,
                          [](const value_type& e, std::string_view n) {
                            return std::string_view(e.first) < n;
                          });
}

MetaMap::iterator MetaMap::find(std::string_view name) {
  auto it = lower_bound(name);
  return it != entries_.end() && it->first == name ? it : entries_.end();
}

MetaMap::const_iterator MetaMap::find(std::string_view name) const {
  return const_cast<MetaMap*>(this)->find(name);
}

MetaInfo& MetaMap::at(std::string_view name) {
  auto it = find(name);
  if (it == entries_.end()) throw std::out_of_range("MetaMap::at: no entry " + std::string(name));
  return it->second;
}

const MetaInfo& MetaMap::at(std::string_view name) const {
  return const_cast<MetaMap*>(this)->at(name);
}

MetaInfo& MetaMap::operator[](std::string_view name) {
  auto it = lower_bound(name);
  if (it == entries_.end() || it->first != name)
    it = entries_.emplace(it, std::string(name), MetaInfo{});
  return it->second;
}

std::pair<MetaMap::iterator, bool> MetaMap::emplace(std::string name, MetaInfo info) {
  auto it = lower_bound(name);
  if (it != entries_.end() && it->first == name) return {it, false};
  return {entries_.emplace(it, std::move(name), std::move(info)), true};
}

MetaMap::size_type MetaMap::erase(std::string_view name) {
  auto it = find(name);
  if (it == entries_.end()) return 0;
  entries_.erase(it);
  return 1;
}

bool MetaMap::operator==(const MetaMap& other) const { return entries_ == other.entries_; }

// ---- Signer side: canonical JSON of the model -------------------------------------------------

namespace {

using detail::append_string;
using detail::append_uint;

// Writes `"name":` (with a leading comma unless first).
void member(std::string& out, std::string_view name, bool first = false) {
  if (!first) out.push_back(',');
  append_string(out, name);
  out.push_back(':');
}

void write_string_array(std::string& out, const std::vector<std::string>& v) {
  out.push_back('[');
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i != 0) out.push_back(',');
    append_string(out, v[i]);
  }
  out.push_back(']');
}

// Entries of a map in canonical (byte) order of their keys.
template <class Map>
std::vector<const typename Map::value_type*> sorted_entries(const Map& m) {
  std::vector<const typename Map::value_type*> v;
  v.reserve(m.size());
  for (const auto& entry : m) v.push_back(&entry);
  std::sort(v.begin(), v.end(), [](const auto* a, const auto* b) {
    return std::string_view(a->first) < std::string_view(b->first);
  });
  return v;
}

void write_hashes(std::string& out, const HashList& hashes) {
  std::vector<const HashList::value_type*> v;
  v.reserve(hashes.size());
  for (const auto& h : hashes) v.push_back(&h);
  std::stable_sort(v.begin(), v.end(), [](const auto* a, const auto* b) {
    return std::string_view(a->first) < std::string_view(b->first);
  });
  out.push_back('{');
  for (std::size_t i = 0; i < v.size(); ++i) {
    member(out, v[i]->first, i == 0);
    append_string(out, v[i]->second);
  }
  out.push_back('}');
}

// {"keytype":..,"keyval":{"public":..},"scheme":..}
void write_key(std::string& out, const Key& k) {
  out.push_back('{');
  member(out, "keytype", true);
  append_string(out, k.keytype);
  member(out, "keyval");
  out.push_back('{');
  member(out, "public", true);
  append_string(out, k.public_value);
  out.push_back('}');
  member(out, "scheme");
  append_string(out, k.scheme);
  out.push_back('}');
}

void write_keys(std::string& out, const std::unordered_map<std::string, Key>& keys) {
  out.push_back('{');
  bool first = true;
  for (const auto* entry : sorted_entries(keys)) {
    member(out, entry->first, first);
    first = false;
    write_key(out, entry->second);
  }
  out.push_back('}');
}

void write_meta_info(std::string& out, const MetaInfo& m) {
  out.push_back('{');
  bool first = true;
  if (!m.hashes.empty()) {
    member(out, "hashes", true);
    write_hashes(out, m.hashes);
    first = false;
  }
  if (m.length) {
    member(out, "length", first);
    append_uint(out, *m.length);
    first = false;
  }
  member(out, "version", first);
  append_uint(out, m.version);
  out.push_back('}');
}

// Members common to every role, written by the callers in canonical order among the
// role-specific ones: "_type" first, "version" last, "expires" and "spec_version" between.
void write_head(std::string& out, std::string_view type) {
  out.push_back('{');
  member(out, "_type", true);
  append_string(out, type);
}

void write_expires(std::string& out, const SignedCommon& c) {
  member(out, "expires");
  append_string(out, format_datetime(c.expires));
}

void write_spec_version(std::string& out, const SignedCommon& c) {
  member(out, "spec_version");
  // An unset spec_version is written as the version this client implements.
  append_string(out, c.spec_version.empty() ? std::string_view("1.0.31") : c.spec_version);
}

void write_version(std::string& out, const SignedCommon& c) {
  member(out, "version");
  append_uint(out, c.version);
  out.push_back('}');
}

}  // namespace

std::string compute_keyid(const Key& key) {
  std::string canonical;
  write_key(canonical, key);
  return sha256_hex(canonical);
}

std::string serialize_signed(const Root& r) {
  std::string out;
  write_head(out, "root");
  member(out, "consistent_snapshot");
  out.append(r.consistent_snapshot ? "true" : "false");
  write_expires(out, r);
  member(out, "keys");
  write_keys(out, r.keys);
  member(out, "roles");
  out.push_back('{');
  bool first = true;
  for (const auto& [name, role] : r.roles) {  // std::map<std::string>: already byte order
    member(out, name, first);
    first = false;
    out.push_back('{');
    member(out, "keyids", true);
    write_string_array(out, role.keyids);
    member(out, "threshold");
    append_uint(out, role.threshold);
    out.push_back('}');
  }
  out.push_back('}');
  write_spec_version(out, r);
  write_version(out, r);
  return out;
}

std::string serialize_signed(const TimestampMeta& t) {
  std::string out;
  write_head(out, "timestamp");
  write_expires(out, t);
  member(out, "meta");
  out.push_back('{');
  member(out, "snapshot.json", true);
  write_meta_info(out, t.snapshot_meta);
  out.push_back('}');
  write_spec_version(out, t);
  write_version(out, t);
  return out;
}

std::string serialize_signed(const Snapshot& s) {
  std::string out;
  out.reserve(64 + s.meta.size() * 40);
  write_head(out, "snapshot");
  write_expires(out, s);
  member(out, "meta");
  out.push_back('{');
  bool first = true;
  for (const auto* entry : sorted_entries(s.meta)) {
    member(out, entry->first, first);
    first = false;
    write_meta_info(out, entry->second);
  }
  out.push_back('}');
  write_spec_version(out, s);
  write_version(out, s);
  return out;
}

std::string serialize_signed(const Targets& t) {
  std::string out;
  write_head(out, "targets");
  if (t.delegations) {
    const Delegations& d = *t.delegations;
    member(out, "delegations");
    out.push_back('{');
    member(out, "keys", true);
    write_keys(out, d.keys);
    if (d.succinct_roles) {
      const SuccinctRoles& s = *d.succinct_roles;
      member(out, "succinct_roles");
      out.push_back('{');
      member(out, "bit_length", true);
      append_uint(out, s.bit_length);
      member(out, "keyids");
      write_string_array(out, s.keys.keyids);
      member(out, "name_prefix");
      append_string(out, s.name_prefix);
      member(out, "threshold");
      append_uint(out, s.keys.threshold);
      out.push_back('}');
    } else {
      member(out, "roles");
      out.push_back('[');
      for (std::size_t i = 0; i < d.roles.size(); ++i) {
        const DelegatedRole& role = d.roles[i];
        if (i != 0) out.push_back(',');
        out.push_back('{');
        member(out, "keyids", true);
        write_string_array(out, role.keys.keyids);
        member(out, "name");
        append_string(out, role.name);
        if (role.path_hash_prefixes) {
          member(out, "path_hash_prefixes");
          write_string_array(out, *role.path_hash_prefixes);
        }
        if (role.paths) {
          member(out, "paths");
          write_string_array(out, *role.paths);
        }
        member(out, "terminating");
        out.append(role.terminating ? "true" : "false");
        member(out, "threshold");
        append_uint(out, role.keys.threshold);
        out.push_back('}');
      }
      out.push_back(']');
    }
    out.push_back('}');
  }
  write_expires(out, t);
  write_spec_version(out, t);
  member(out, "targets");
  out.push_back('{');
  bool first = true;
  for (const auto* entry : sorted_entries(t.targets)) {
    member(out, entry->first, first);
    first = false;
    out.push_back('{');
    member(out, "hashes", true);
    write_hashes(out, entry->second.hashes);
    member(out, "length");
    append_uint(out, entry->second.length);
    out.push_back('}');
  }
  out.push_back('}');
  write_version(out, t);
  return out;
}

namespace {

// Appends JSON text with every control character inside a string escaped (\n, \u001f, ...).
// Canonical JSON writes those raw (a PEM public key has newlines), which no JSON parser accepts;
// escaping them gives a valid document that parses back to the same values, so its canonical
// form is unchanged. Everything else is copied byte for byte.
void append_json_text(std::string& out, std::string_view text) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const auto u = static_cast<unsigned char>(c);
    if (!in_string) {
      in_string = c == '"';
      out.push_back(c);
    } else if (c == '\\' && i + 1 < text.size()) {  // an escape: copy it whole
      out.push_back(c);
      out.push_back(text[++i]);
    } else if (c == '"') {
      in_string = false;
      out.push_back(c);
    } else if (u < 0x20) {
      static constexpr char kHex[] = "0123456789abcdef";
      switch (c) {
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        case '\b': out.append("\\b"); break;
        case '\f': out.append("\\f"); break;
        default:
          out.append("\\u00");
          out.push_back(kHex[u >> 4]);
          out.push_back(kHex[u & 0xF]);
      }
    } else {
      out.push_back(c);
    }
  }
}

}  // namespace

std::string make_envelope(std::string_view canonical_signed,
                          const std::vector<Signature>& signatures) {
  std::string out;
  out.reserve(canonical_signed.size() + 64 + signatures.size() * 200);
  out.push_back('{');
  member(out, "signatures", true);
  out.push_back('[');
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    if (i != 0) out.push_back(',');
    out.push_back('{');
    member(out, "keyid", true);
    append_string(out, signatures[i].keyid);
    member(out, "sig");
    append_string(out, signatures[i].sig);
    out.push_back('}');
  }
  out.push_back(']');
  member(out, "signed");
  append_json_text(out, canonical_signed);
  out.push_back('}');
  return out;
}

}  // namespace tuf
