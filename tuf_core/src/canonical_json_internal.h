// Internal: the DOM-based canonical JSON writer shared by canonical_json.cpp and the reader.
//
// Canonical JSON here is the OLPC dialect as TUF signers (python-securesystemslib,
// encode_canonical) produce it: object keys sorted by their UTF-8 bytes, no whitespace, strings
// with only '"' and '\\' escaped (every other byte written raw), integers only, true/false/null.
// Floats and duplicate object keys are rejected (TUF specification, "Metaformat").
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "json_dom.h"
#include "tuf/error.h"

namespace tuf::detail {

// Appends the canonical JSON of `value` to `out`. Fails with invalid_metadata naming `role` and
// the path of the offending value on a float or a duplicate object key; `out` then holds a
// partial result.
Result<void> append_canonical(simdjson::dom::element value, std::string& out,
                              std::string_view role, const JsonPath& path);

// The same checks as append_canonical, without producing output.
Result<void> check_canonical(simdjson::dom::element value, std::string_view role,
                             const JsonPath& path);

}  // namespace tuf::detail
