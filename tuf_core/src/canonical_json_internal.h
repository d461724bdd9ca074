// Internal: the DOM-based canonical JSON writer shared by canonical_json.cpp and metadata.cpp.
//
// Canonical JSON here is the OLPC dialect as TUF signers (python-securesystemslib,
// encode_canonical) produce it: object keys sorted by their UTF-8 bytes, no whitespace, strings
// with only '"' and '\\' escaped (every other byte written raw), integers only, true/false/null.
// Floats and duplicate object keys are rejected (TUF specification, "Metaformat").
#pragma once

#include <simdjson.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "tuf/bytes.h"
#include "tuf/error.h"

namespace tuf::detail {

// Where in a document a value sits, for error messages. Built on the stack as a walk descends
// (each level points to its parent) and rendered only when an error is reported.
struct JsonPath {
  static constexpr std::size_t no_index = static_cast<std::size_t>(-1);
  const JsonPath* parent = nullptr;
  std::string_view key;          // object member name (used when index == no_index)
  std::size_t index = no_index;  // array position

  JsonPath child(std::string_view k) const { return JsonPath{this, k, no_index}; }
  JsonPath at(std::size_t i) const { return JsonPath{this, {}, i}; }
  // "signed.roles.root.keyids[2]"; the empty root path renders as "(document)".
  std::string str() const;
};

// Parses untrusted bytes with the calling thread's simdjson DOM parser (which validates syntax
// and UTF-8). The element stays valid until the next call on the same thread. Fails with
// invalid_metadata naming `role` on malformed JSON.
Result<simdjson::dom::element> parse_json(Bytes json, std::string_view role);

// Appends the canonical JSON of `value` to `out`. Fails with invalid_metadata naming `role` and
// the path of the offending value on a float or a duplicate object key; `out` then holds a
// partial result.
Result<void> append_canonical(simdjson::dom::element value, std::string& out,
                              std::string_view role, const JsonPath& path);

// The same checks as append_canonical, without producing output.
Result<void> check_canonical(simdjson::dom::element value, std::string_view role,
                             const JsonPath& path);

// Appends `s` as a canonical JSON string: quoted, only '"' and '\\' escaped.
void append_string(std::string& out, std::string_view s);

// Appends a decimal integer.
void append_uint(std::string& out, std::uint64_t v);
void append_int(std::string& out, std::int64_t v);

}  // namespace tuf::detail
