// PEP 508 environment markers: a hand-written recursive-descent parser over the marker grammar
// (the tokens and their boundaries follow `packaging`'s tokenizer) and an evaluator.
//
// A parsed marker is one flat, immutable Node shared by every copy of the Marker: a vector of
// comparisons and a vector of links ('and', 'or', parenthesised group, leaf) that refer to each
// other by index, so a marker costs a handful of allocations whatever its size.
#include "pkg/markers.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "pkg/names.h"
#include "pkg/version.h"

namespace pkg {
namespace {

// Deeper nesting of '(' is refused, so untrusted input cannot exhaust the stack.
constexpr int kMaxDepth = 64;

enum class Var : std::uint8_t {
  implementation_name,
  implementation_version,
  os_name,
  platform_machine,
  platform_release,
  platform_system,
  platform_version,
  python_full_version,
  platform_python_implementation,
  python_version,
  sys_platform,
  extra,
};

struct VarSpelling {
  std::string_view text;
  Var var;
};

// Every spelling the grammar accepts, with the PEP 508 name it stands for. The first entry for
// each variable is its PEP 508 name (what str() prints).
constexpr std::array<VarSpelling, 18> kVariables{{
    {"implementation_name", Var::implementation_name},
    {"implementation_version", Var::implementation_version},
    {"os_name", Var::os_name},
    {"platform_machine", Var::platform_machine},
    {"platform_release", Var::platform_release},
    {"platform_system", Var::platform_system},
    {"platform_version", Var::platform_version},
    {"python_full_version", Var::python_full_version},
    {"platform_python_implementation", Var::platform_python_implementation},
    {"python_version", Var::python_version},
    {"sys_platform", Var::sys_platform},
    {"extra", Var::extra},
    // PEP 345 spellings and setuptools' legacy name.
    {"os.name", Var::os_name},
    {"sys.platform", Var::sys_platform},
    {"platform.version", Var::platform_version},
    {"platform.machine", Var::platform_machine},
    {"platform.python_implementation", Var::platform_python_implementation},
    {"python_implementation", Var::platform_python_implementation},
}};

std::string_view var_name(Var v) {
  for (const auto& s : kVariables)
    if (s.var == v) return s.text;
  return "?";
}

std::optional<Var> lookup_variable(std::string_view word) {
  for (const auto& s : kVariables)
    if (s.text == word) return s.var;
  return std::nullopt;
}

enum class CmpOp : std::uint8_t {
  // PEP 440 comparison operators (also Specifier operators)
  compatible, equal, not_equal, less_equal, greater_equal, less, greater, arbitrary,
  // string containment
  in, not_in,
};

struct OpSpelling {
  std::string_view text;
  CmpOp op;
};
// Longest first, so "===" is not read as "==" and "<=" not as "<".
constexpr std::array<OpSpelling, 8> kSymbolOps{{{"===", CmpOp::arbitrary},
                                               {"==", CmpOp::equal},
                                               {"~=", CmpOp::compatible},
                                               {"!=", CmpOp::not_equal},
                                               {"<=", CmpOp::less_equal},
                                               {">=", CmpOp::greater_equal},
                                               {"<", CmpOp::less},
                                               {">", CmpOp::greater}}};

std::string_view op_text(CmpOp op) {
  if (op == CmpOp::in) return "in";
  if (op == CmpOp::not_in) return "not in";
  for (const auto& s : kSymbolOps)
    if (s.op == op) return s.text;
  return "?";
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool is_ws(char c) { return c == ' ' || c == '\t'; }  // PEP 508 wsp

}  // namespace

struct Marker::Node {
  struct Operand {
    bool is_variable = false;
    Var var = Var::extra;
    std::string literal;  // for a literal; normalised (PEP 685) when compared with `extra`
  };
  struct Comparison {
    Operand lhs;
    CmpOp op = CmpOp::equal;
    Operand rhs;
    bool extra = false;  // one side is the variable `extra`: compare normalised names
    // Parsed once here when the side is a literal (packaging evaluates Specifier(op + rhs)
    // .contains(lhs)): the specifier "<op><rhs literal>" and the version "<lhs literal>", each
    // empty when the text does not parse.
    std::optional<Specifier> rhs_spec;
    std::optional<Version> lhs_version;
  };
  enum class Kind : std::uint8_t { leaf, all, any, group };  // leaf, 'and', 'or', '( )'
  struct Link {
    Kind kind = Kind::leaf;
    std::uint32_t a = 0;  // leaf: comparison index; group: the inner link; and/or: left
    std::uint32_t b = 0;  // and/or: right
  };

  std::vector<Comparison> comparisons;
  std::vector<Link> links;
  std::uint32_t root = 0;
  bool mentions_extra = false;
};

namespace {

using Node = Marker::Node;

bool is_version_op(CmpOp op) { return op != CmpOp::in && op != CmpOp::not_in; }

// ---- parsing ------------------------------------------------------------------------------------

class Parser {
 public:
  Parser(std::string_view text, std::size_t start) : s_(text), pos_(start) {}

  Result<Node> run() {
    const std::uint32_t root = parse_expr(0, true);
    if (failed_) return std::unexpected(std::move(error_));
    skip_ws();
    if (pos_ < s_.size()) {
      return error(s_[pos_] == ')' ? "unbalanced ')'"
                                   : "expected 'and', 'or' or the end of the marker");
    }
    node_.root = root;
    return std::move(node_);
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
  Node node_;
  bool failed_ = false;
  Error error_;

  // error/error_at record the first error with the position it happened at; bad/bad_at do
  // the same and return a dummy link index for the callers to pass up.
  std::unexpected<Error> error(std::string_view what) { return error_at(pos_, what); }
  std::unexpected<Error> error_at(std::size_t at, std::string_view what) {
    auto e = fail(Errc::invalid_marker, s_,
                  std::string(what) + " at position " + std::to_string(at));
    if (!failed_) {
      failed_ = true;
      error_ = e.error();
    }
    return e;
  }
  std::uint32_t bad(std::string_view what) {
    error(what);
    return 0;
  }
  std::uint32_t bad_at(std::size_t at, std::string_view what) {
    error_at(at, what);
    return 0;
  }

  void skip_ws() {
    while (pos_ < s_.size() && is_ws(s_[pos_])) ++pos_;
  }
  // The keyword `word` at the cursor, not followed by a word character (regex \bword\b).
  bool at_keyword(std::string_view word) const {
    if (s_.substr(pos_, word.size()) != word) return false;
    const std::size_t end = pos_ + word.size();
    return end == s_.size() || !is_word_char(s_[end]);
  }

  std::uint32_t add_link(Node::Kind kind, std::uint32_t a, std::uint32_t b = 0) {
    node_.links.push_back({kind, a, b});
    return static_cast<std::uint32_t>(node_.links.size() - 1);
  }

  // marker_or := marker_and ('or' marker_and)*; marker_and := marker_atom ('and' marker_atom)*
  // ('and' binds tighter).
  std::uint32_t parse_expr(int depth, bool or_level) {
    const std::string_view word = or_level ? "or" : "and";
    const auto operand = [&] { return or_level ? parse_expr(depth, false) : parse_atom(depth); };
    std::uint32_t left = operand();
    while (!failed_ && at_keyword(word)) {
      pos_ += word.size();
      const std::uint32_t right = operand();
      left = add_link(or_level ? Node::Kind::any : Node::Kind::all, left, right);
    }
    return left;
  }

  // marker_atom := wsp* ( '(' marker_or ')' | marker_item ) wsp*
  std::uint32_t parse_atom(int depth) {
    if (failed_) return 0;
    skip_ws();
    std::uint32_t out;
    if (pos_ < s_.size() && s_[pos_] == '(') {
      if (depth >= kMaxDepth) return bad("parentheses nested too deeply");
      const std::size_t open = pos_++;
      const std::uint32_t inner = parse_expr(depth + 1, true);
      if (failed_) return 0;
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ')')
        return bad_at(open, "'(' without a matching ')'");
      ++pos_;
      out = add_link(Node::Kind::group, inner);
    } else {
      out = parse_item();
    }
    skip_ws();
    return out;
  }

  // marker_item := marker_var wsp* marker_op wsp* marker_var
  std::uint32_t parse_item() {
    Node::Comparison c;
    if (!parse_var(c.lhs)) return 0;
    skip_ws();
    if (!parse_op(c.op)) return 0;
    skip_ws();
    if (!parse_var(c.rhs)) return 0;
    prepare(c);
    node_.comparisons.push_back(std::move(c));
    return add_link(Node::Kind::leaf, static_cast<std::uint32_t>(node_.comparisons.size() - 1));
  }

  // marker_var := variable | python_str
  bool parse_var(Node::Operand& out) {
    if (pos_ >= s_.size()) {
      error("expected a marker variable or a quoted string, found the end");
      return false;
    }
    const char q = s_[pos_];
    if (q == '\'' || q == '"') {
      const std::size_t open = pos_;
      const std::size_t close = s_.find(q, open + 1);
      if (close == std::string_view::npos) {
        error_at(open, "unterminated quoted string");
        return false;
      }
      const std::string_view value = s_.substr(open + 1, close - open - 1);
      if (const auto bs = value.find('\\'); bs != std::string_view::npos) {
        // PEP 508 strings have no escapes; `packaging` would interpret them as Python's.
        error_at(open + 1 + bs, "backslash in a quoted string");
        return false;
      }
      out.is_variable = false;
      out.literal = std::string(value);
      pos_ = close + 1;
      return true;
    }
    // A variable: the longest run of name characters (names may contain '.'), which must be
    // one of the known spellings.
    const std::size_t start = pos_;
    std::size_t end = start;
    while (end < s_.size() && (is_word_char(s_[end]) || s_[end] == '.')) ++end;
    if (end == start) {
      error("expected a marker variable or a quoted string");
      return false;
    }
    const std::string_view word = s_.substr(start, end - start);
    const auto var = lookup_variable(word);
    if (!var) {
      if (word.front() >= '0' && word.front() <= '9') {
        error("expected a marker variable or a quoted string, found '" + std::string(word) +
              "' (values need quotes)");
      } else {
        error("unknown marker variable '" + std::string(word) + "'");
      }
      return false;
    }
    out.is_variable = true;
    out.var = *var;
    pos_ = end;
    return true;
  }

  // marker_op := version_cmp | 'in' | 'not' wsp+ 'in'
  bool parse_op(CmpOp& out) {
    if (at_keyword("in")) {
      pos_ += 2;
      out = CmpOp::in;
      return true;
    }
    if (at_keyword("not")) {
      pos_ += 3;
      const std::size_t before = pos_;
      skip_ws();
      if (pos_ == before || !at_keyword("in")) {
        error("expected 'in' after 'not '");
        return false;
      }
      pos_ += 2;
      out = CmpOp::not_in;
      return true;
    }
    for (const auto& sp : kSymbolOps) {
      if (s_.substr(pos_, sp.text.size()) == sp.text) {
        pos_ += sp.text.size();
        out = sp.op;
        return true;
      }
    }
    error("expected a marker operator (one of < <= != == >= > ~= === in, not in)");
    return false;
  }

  // Normalises `extra` literals and parses the literal sides once for version comparisons.
  void prepare(Node::Comparison& c) {
    const bool lhs_extra = c.lhs.is_variable && c.lhs.var == Var::extra;
    const bool rhs_extra = c.rhs.is_variable && c.rhs.var == Var::extra;
    c.extra = lhs_extra || rhs_extra;
    if (c.extra) {
      node_.mentions_extra = true;
      // PEP 685: extra names compare normalised; str() shows the normalised literal too.
      if (!c.lhs.is_variable) c.lhs.literal = normalize_name(c.lhs.literal);
      if (!c.rhs.is_variable) c.rhs.literal = normalize_name(c.rhs.literal);
      return;
    }
    if (!is_version_op(c.op)) return;
    if (!c.rhs.is_variable) {
      std::string spec(op_text(c.op));
      spec += c.rhs.literal;
      if (auto parsed = Specifier::parse(spec)) c.rhs_spec = std::move(*parsed);
    }
    if (!c.lhs.is_variable) {
      if (auto parsed = Version::parse(c.lhs.literal)) c.lhs_version = std::move(*parsed);
    }
  }
};

// ---- evaluation ---------------------------------------------------------------------------------

class Evaluator {
 public:
  Evaluator(const Node& node, const MarkerEnvironment& env, std::string_view extra)
      : node_(node), env_(env), extra_(extra) {}

  bool eval(std::uint32_t link) const {
    const auto& l = node_.links[link];
    switch (l.kind) {
      case Node::Kind::leaf: return compare(node_.comparisons[l.a]);
      case Node::Kind::group: return eval(l.a);
      case Node::Kind::all: return eval(l.a) && eval(l.b);
      case Node::Kind::any: return eval(l.a) || eval(l.b);
    }
    return false;
  }

 private:
  const Node& node_;
  const MarkerEnvironment& env_;
  std::string_view extra_;  // normalised

  // The text of an operand. `scratch` holds it when it has to be built.
  std::string_view value(const Node::Operand& o, bool extra_mode, std::string& scratch) const {
    if (!o.is_variable) return o.literal;
    if (o.var == Var::extra) return extra_;
    const std::string_view v = env_.get(var_name(o.var)).value_or(std::string_view{});
    if (extra_mode) {
      // `extra` compared with another variable: normalise that side as well.
      scratch = normalize_name(v);
      return scratch;
    }
    if (o.var == Var::python_full_version && v.ends_with('+')) {
      // A non-tagged CPython build reports "3.11.1+", which is not PEP 440; `packaging` reads
      // it as the local version "3.11.1+local".
      scratch = std::string(v) + "local";
      return scratch;
    }
    return v;
  }

  bool compare(const Node::Comparison& c) const {
    std::string lhs_scratch, rhs_scratch;
    const std::string_view lhs = value(c.lhs, c.extra, lhs_scratch);
    const std::string_view rhs = value(c.rhs, c.extra, rhs_scratch);

    // PEP 440 comparison when the operator is one and both sides parse: Specifier(op + rhs)
    // .contains(lhs) with pre-releases allowed. Extra names are never versions ("v2" is not
    // "v2.0").
    if (!c.extra && is_version_op(c.op)) {
      std::optional<Specifier> runtime_spec;
      const Specifier* spec = nullptr;
      if (!c.rhs.is_variable) {
        if (c.rhs_spec) spec = &*c.rhs_spec;
      } else {
        std::string text(op_text(c.op));
        text += rhs;
        if (auto parsed = Specifier::parse(text)) {
          runtime_spec = std::move(*parsed);
          spec = &*runtime_spec;
        }
      }
      if (spec) {
        if (!c.lhs.is_variable) {
          if (c.lhs_version) return spec->contains(*c.lhs_version, Prereleases::allow);
        } else if (auto v = Version::parse(lhs)) {
          return spec->contains(*v, Prereleases::allow);
        }
      }
    }
    return compare_strings(lhs, c.op, rhs);
  }

  // Plain string comparison, as `packaging` does when the sides are not versions: <= and >=
  // are equality, < and > never hold, ~= and === are undefined (false).
  static bool compare_strings(std::string_view lhs, CmpOp op, std::string_view rhs) {
    switch (op) {
      case CmpOp::equal:
      case CmpOp::less_equal:
      case CmpOp::greater_equal: return lhs == rhs;
      case CmpOp::not_equal: return lhs != rhs;
      case CmpOp::in: return rhs.find(lhs) != std::string_view::npos;
      case CmpOp::not_in: return rhs.find(lhs) == std::string_view::npos;
      case CmpOp::less:
      case CmpOp::greater:
      case CmpOp::compatible:
      case CmpOp::arbitrary: return false;
    }
    return false;
  }
};

// ---- printing -----------------------------------------------------------------------------------

void print_operand(const Node::Operand& o, std::string& out) {
  if (o.is_variable) {
    out += var_name(o.var);
    return;
  }
  // Double quotes, as `packaging` prints, unless the text contains one (it was written in
  // single quotes; strings have no escapes).
  const char q = o.literal.find('"') == std::string::npos ? '"' : '\'';
  out += q;
  out += o.literal;
  out += q;
}

void print(const Node& node, std::uint32_t link, bool top, std::string& out) {
  const auto& l = node.links[link];
  switch (l.kind) {
    case Node::Kind::leaf: {
      const auto& c = node.comparisons[l.a];
      print_operand(c.lhs, out);
      out += ' ';
      out += op_text(c.op);
      out += ' ';
      print_operand(c.rhs, out);
      return;
    }
    case Node::Kind::group: {
      std::uint32_t inner = l.a;  // "((x))" prints as "(x)"
      while (node.links[inner].kind == Node::Kind::group) inner = node.links[inner].a;
      // Parentheses around a single comparison or the whole marker are dropped.
      if (top || node.links[inner].kind == Node::Kind::leaf) {
        print(node, inner, top, out);
      } else {
        out += '(';
        print(node, inner, false, out);
        out += ')';
      }
      return;
    }
    case Node::Kind::all:
    case Node::Kind::any:
      print(node, l.a, false, out);
      out += l.kind == Node::Kind::all ? " and " : " or ";
      print(node, l.b, false, out);
      return;
  }
}

}  // namespace

// ---- MarkerEnvironment --------------------------------------------------------------------------

std::optional<std::string_view> MarkerEnvironment::get(std::string_view variable) const {
  const auto var = lookup_variable(variable);
  if (!var || var_name(*var) != variable) return std::nullopt;  // legacy spellings: no
  switch (*var) {
    case Var::implementation_name: return implementation_name;
    case Var::implementation_version: return implementation_version;
    case Var::os_name: return os_name;
    case Var::platform_machine: return platform_machine;
    case Var::platform_release: return platform_release;
    case Var::platform_system: return platform_system;
    case Var::platform_version: return platform_version;
    case Var::python_full_version: return python_full_version;
    case Var::platform_python_implementation: return platform_python_implementation;
    case Var::python_version: return python_version;
    case Var::sys_platform: return sys_platform;
    case Var::extra: return std::nullopt;
  }
  return std::nullopt;
}

MarkerEnvironment MarkerEnvironment::cpython_linux(std::string_view python_full_version) {
  MarkerEnvironment env;
  // "3.11" -> python_version "3.11", python_full_version "3.11.0" (packaging's full version
  // always has the patch level); "3.11.7" -> "3.11", "3.11.7".
  std::string full(python_full_version);
  const std::size_t first_dot = full.find('.');
  const std::size_t second_dot =
      first_dot == std::string::npos ? std::string::npos : full.find('.', first_dot + 1);
  if (second_dot == std::string::npos) full += ".0";
  env.python_version = full.substr(0, second_dot == std::string::npos ? full.size() - 2 : second_dot);
  env.python_full_version = full;
  env.implementation_name = "cpython";
  env.implementation_version = full;
  env.os_name = "posix";
  env.platform_machine = "x86_64";
  env.platform_system = "Linux";
  env.platform_python_implementation = "CPython";
  env.sys_platform = "linux";
  // platform_release and platform_version describe a running kernel: unknown here, left empty.
  return env;
}

// ---- Marker -------------------------------------------------------------------------------------

Result<Marker> Marker::parse(std::string_view text) { return parse(text, 0); }

Result<Marker> Marker::parse(std::string_view text, std::size_t start) {
  auto node = Parser(text, std::min(start, text.size())).run();
  if (!node) return std::unexpected(std::move(node.error()));
  Marker m;
  m.root_ = std::make_shared<const Node>(std::move(*node));
  return m;
}

bool Marker::evaluate(const MarkerEnvironment& env, const std::vector<std::string>& extras) const {
  if (!root_) return true;
  if (extras.empty() || !root_->mentions_extra)
    return Evaluator(*root_, env, "").eval(root_->root);
  for (const auto& e : extras) {
    const std::string normalised = normalize_name(e);
    if (Evaluator(*root_, env, normalised).eval(root_->root)) return true;
  }
  return false;
}

bool Marker::mentions_extra() const { return root_ && root_->mentions_extra; }

std::string Marker::str() const {
  std::string out;
  if (root_) print(*root_, root_->root, true, out);
  return out;
}

}  // namespace pkg
