// Internal: the schema reader. Typed values out of a simdjson DOM, each failure recorded as
// invalid_metadata naming the role and the JSON path, and the parts every metadata document
// shares (the envelope, the common `signed` fields, keys, role keys, hashes, METAFILES).
// metadata.cpp builds the four roles from these.
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "json_dom.h"
#include "tuf/error.h"
#include "tuf/metadata.h"

namespace tuf::detail {

namespace dom = simdjson::dom;

// A short description of a JSON value for "got ..." in error messages.
std::string describe(dom::element e);

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

// The first value that occurs twice among `values` (which it sorts), or nullopt.
std::optional<std::string_view> first_repeat(std::vector<std::string_view> values);

// Fields every `signed` object has: "_type" (must equal `type`), spec_version, version, expires.
bool read_common(Reader& r, dom::object s, const JsonPath& sp, std::string_view type,
                 SignedCommon& out);
// KEYS: keyid -> KEY.
bool read_keys(Reader& r, dom::element e, const JsonPath& p,
               std::unordered_map<std::string, Key>& out);
// A list of strings; with `unique`, no repeats.
bool read_strings(Reader& r, dom::element e, const JsonPath& p, std::vector<std::string>& out,
                  bool unique);
// keyids + threshold of a role.
bool read_role_keys(Reader& r, dom::object o, const JsonPath& p, RoleKeys& out);
// HASHES: a non-empty object of algorithm -> hex string.
bool read_hashes(Reader& r, dom::element e, const JsonPath& p, HashList& out);
// A METAFILES entry: version, optional length and hashes.
bool read_meta_info(Reader& r, dom::element e, const JsonPath& p, MetaInfo& out);
// The whole document ({"signed": ..., "signatures": [...]}): fills `signatures`, the canonical
// bytes of `signed` and `signed_obj`.
bool read_envelope(Reader& r, dom::element doc, std::size_t input_size,
                   std::vector<Signature>& signatures, std::string& canonical,
                   dom::object& signed_obj);

}  // namespace tuf::detail
