// The verified path through a TUF-enabled Warehouse (see warehouse.h).
#include "warehouse.h"

#include <sys/utsname.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <boost/url/parse.hpp>

#include "pkg/names.h"

namespace tufget {
namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : std::string(sep)) + p;
  return out;
}

void trace_action(const tuf::Action& a) {
  if (const auto* f = std::get_if<tuf::Fetch>(&a)) {
    std::fprintf(stderr, "tufget: fetch %s (at most %llu bytes)\n", f->url.c_str(),
                 static_cast<unsigned long long>(f->max_bytes));
  } else if (const auto* p = std::get_if<tuf::Persist>(&a)) {
    std::fprintf(stderr, "tufget: persist verified %s (%zu bytes)\n", p->role.c_str(),
                 p->bytes.size());
  } else if (const auto* l = std::get_if<tuf::LoadCached>(&a)) {
    std::fprintf(stderr, "tufget: load cached %s\n", l->role.c_str());
  }
}

// The output of `python3 -c ...`, or nullopt.
std::optional<std::string> run_python(const char* code) {
  std::string cmd = "python3 -c '";
  cmd += code;
  cmd += "' 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return std::nullopt;
  std::string out;
  std::array<char, 512> buf;
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0 && out.size() < 4096) {
    out.append(buf.data(), n);
  }
  if (::pclose(p) != 0) return std::nullopt;
  return out;
}

// "linux-x86_64" -> "linux_x86_64" (PEP 425: '-' and '.' become '_').
std::string platform_tag(std::string_view sysconfig_platform) {
  std::string out;
  for (char c : sysconfig_platform) out.push_back(c == '-' || c == '.' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  return out;
}

// linux_<arch> with glibc 2.<minor>: manylinux tags newest first, then linux_<arch>.
std::vector<std::string> expand_linux_platform(const std::string& plat, int glibc_minor) {
  if (plat.rfind("linux_", 0) != 0 || glibc_minor < 5) return {plat};
  const std::string arch = plat.substr(6);
  std::vector<std::string> out;
  for (int m = glibc_minor; m >= 5; --m) {
    out.push_back("manylinux_2_" + std::to_string(m) + "_" + arch);
    const bool common = arch == "x86_64" || arch == "i686";
    if (m == 17 && (common || arch == "aarch64" || arch == "ppc64le" || arch == "s390x" ||
                    arch == "armv7l")) {
      out.push_back("manylinux2014_" + arch);
    }
    if (m == 12 && common) out.push_back("manylinux2010_" + arch);
    if (m == 5 && common) out.push_back("manylinux1_" + arch);
  }
  out.push_back(plat);
  return out;
}

bool parse_uint(std::string_view s, unsigned& out) {
  if (s.empty() || s.size() > 4) return false;
  unsigned v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  out = v;
  return true;
}

std::string hash_names(const tuf::HashList& hashes) {
  std::vector<std::string> names;
  for (const auto& h : hashes) names.push_back(h.first);
  return join(names, ", ");
}

}  // namespace

// ---- requirements --------------------------------------------------------------------------------

tuf::Result<Requirement> parse_requirement(std::string_view text) {
  auto bad = [&](std::string why) {
    return tuf::fail(tuf::Errc::usage, "", "requirement '" + std::string(text) + "': " + why);
  };
  std::size_t i = 0;
  while (i < text.size() && (std::isspace(static_cast<unsigned char>(text[i])))) ++i;
  const std::size_t start = i;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '.' ||
                             text[i] == '_' || text[i] == '-')) {
    ++i;
  }
  const std::string_view name = text.substr(start, i - start);
  if (!pkg::is_valid_project_name(name)) return bad("not a valid project name");
  std::string_view rest = text.substr(i);
  while (!rest.empty() && std::isspace(static_cast<unsigned char>(rest.front()))) rest.remove_prefix(1);
  if (!rest.empty() && rest.front() == '[') return bad("extras are not supported by download");
  if (rest.find(';') != std::string_view::npos) return bad("environment markers are not supported");
  if (rest.find('@') != std::string_view::npos) return bad("direct references are not supported");
  if (!rest.empty() && rest.front() == '(' && rest.back() == ')') rest = rest.substr(1, rest.size() - 2);
  auto spec = pkg::SpecifierSet::parse(rest);
  if (!spec) return bad(spec.error().message());
  Requirement r;
  r.text = std::string(text);
  r.project = pkg::normalize_name(name);
  r.specifiers = std::move(*spec);
  const auto& specs = r.specifiers.specifiers();
  r.pinned = std::any_of(specs.begin(), specs.end(), [](const pkg::Specifier& s) {
    return (s.op() == pkg::Specifier::Op::equal && !s.wildcard()) ||
           s.op() == pkg::Specifier::Op::arbitrary;
  });
  return r;
}

// ---- target interpreter ----------------------------------------------------------------------------

std::string TargetPython::describe() const {
  return "CPython " + std::to_string(major) + "." + std::to_string(minor) + " on " +
         (platforms.empty() ? std::string("any platform") : platforms.back());
}

std::vector<pkg::WheelTag> cpython_tags(unsigned major, unsigned minor,
                                        const std::vector<std::string>& platforms) {
  std::vector<pkg::WheelTag> out;
  const std::string cp = "cp" + std::to_string(major) + std::to_string(minor);
  auto cpv = [&](unsigned m) { return "cp" + std::to_string(major) + std::to_string(m); };
  auto pyv = [&](unsigned m) { return "py" + std::to_string(major) + std::to_string(m); };
  const std::string py = "py" + std::to_string(major);
  auto add = [&](std::string i, std::string a, std::string p) {
    pkg::WheelTag t{std::move(i), std::move(a), std::move(p)};
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(std::move(t));
  };
  for (const auto& p : platforms) add(cp, cp, p);
  for (const auto& p : platforms) add(cp, "abi3", p);
  for (const auto& p : platforms) add(cp, "none", p);
  // abi3 wheels built for older CPython 3 minors (abi3 starts at 3.2).
  if (major == 3) {
    for (unsigned m = minor; m-- > 2;)
      for (const auto& p : platforms) add(cpv(m), "abi3", p);
  }
  for (const auto& p : platforms) {
    add(pyv(minor), "none", p);
    add(py, "none", p);
    for (unsigned m = minor; m-- > 0;) add(pyv(m), "none", p);
  }
  add(cp, "none", "any");
  add(pyv(minor), "none", "any");
  add(py, "none", "any");
  for (unsigned m = minor; m-- > 0;) add(pyv(m), "none", "any");
  return out;
}

tuf::Result<TargetPython> detect_target_python(const std::string& python_version,
                                               const std::vector<std::string>& platforms) {
  TargetPython t;
  std::optional<std::string> probed;
  if (python_version.empty() || platforms.empty()) {
    probed = run_python(
        "import sys, sysconfig, platform; v = sys.version_info; "
        "print(v[0], v[1], v[2]); print(sysconfig.get_platform()); "
        "print(*platform.libc_ver())");
  }
  std::string version_text = python_version;
  std::string sys_platform;
  int glibc_minor = -1;
  if (probed) {
    // Line 1: "3 11 4"; line 2: sysconfig platform; line 3: "glibc 2.36" (or empty).
    std::istringstream in(*probed);
    std::string l1, l2, l3;
    std::getline(in, l1);
    std::getline(in, l2);
    std::getline(in, l3);
    std::istringstream v(l1);
    unsigned a = 0, b = 0, c = 0;
    if (v >> a >> b >> c && version_text.empty()) {
      version_text = std::to_string(a) + "." + std::to_string(b) + "." + std::to_string(c);
    }
    sys_platform = l2;
    if (l3.rfind("glibc 2.", 0) == 0) {
      unsigned m = 0;
      const std::string rest = l3.substr(8);
      if (parse_uint(rest.substr(0, rest.find('.')), m)) glibc_minor = static_cast<int>(m);
    }
  }
  if (version_text.empty()) {
    return tuf::fail(tuf::Errc::usage, "",
                     "cannot run python3 to learn the target interpreter; pass --python-version X.Y");
  }
  // "3.11", "3.11.4" or pip's "311".
  std::string vt = version_text;
  if (vt.find('.') == std::string::npos && vt.size() >= 2) vt = vt.substr(0, 1) + "." + vt.substr(1);
  const auto dot = vt.find('.');
  const auto dot2 = vt.find('.', dot == std::string::npos ? dot : dot + 1);
  if (dot == std::string::npos || !parse_uint(vt.substr(0, dot), t.major) ||
      !parse_uint(vt.substr(dot + 1, dot2 == std::string::npos ? std::string::npos : dot2 - dot - 1),
                  t.minor)) {
    return tuf::fail(tuf::Errc::usage, "", "--python-version must look like 3.11: " + version_text);
  }
  auto v = pkg::Version::parse(vt);
  if (!v) return tuf::fail(tuf::Errc::usage, "", "--python-version: " + v.error().message());
  t.version = std::move(*v);

  if (!platforms.empty()) {
    for (const auto& p : platforms) t.platforms.push_back(platform_tag(p));
  } else {
    if (sys_platform.empty()) {
      utsname u{};
      if (::uname(&u) == 0) sys_platform = std::string(u.sysname) + "-" + u.machine;
    }
    if (!sys_platform.empty()) {
      t.platforms = expand_linux_platform(platform_tag(sys_platform), glibc_minor);
    }
  }
  t.tags = cpython_tags(t.major, t.minor, t.platforms);
  return t;
}

// ---- TUF side ------------------------------------------------------------------------------------

std::string VerifiedPage::provenance() const {
  std::string chain = bin_role.empty() ? "targets delegations" : "targets -> " + bin_role;
  return "TUF-verified simple page (" + chain + ", " + hash_names(target.hashes) + ")";
}

WarehouseClient::WarehouseClient(Repository repo, tuf_io::HttpClient& http, int verbose)
    : repo_(std::move(repo)), http_(http), store_(repo_.metadata_dir) {
  if (verbose > 0) hooks_.trace = trace_action;
}

tuf::Result<std::string> WarehouseClient::bootstrap_first_use() {
  tuf::UpdaterConfig config;
  auto bytes = http_.fetch(repo_.metadata_url + "1.root.json", config.root_max_length);
  if (!bytes) {
    bytes.error().role = "root";
    bytes.error().detail += " (trust on first use: " + repo_.metadata_url + "1.root.json)";
    return std::unexpected(bytes.error());
  }
  if (auto ok = adopt_first_use_root(repo_, std::move(*bytes)); !ok) return std::unexpected(ok.error());
  std::error_code ec;
  fs::create_directories(repo_.metadata_dir, ec);
  if (auto ok = store_.persist("root", tuf::as_bytes(repo_.root_bytes)); !ok) {
    return std::unexpected(ok.error());
  }
  return first_use_warning(repo_);
}

tuf::Result<void> WarehouseClient::refresh(tuf::Timestamp now) {
  std::error_code ec;
  fs::create_directories(repo_.metadata_dir, ec);
  if (ec) {
    return tuf::fail(tuf::Errc::transport, "", "cannot create " + repo_.metadata_dir.string() +
                                                   ": " + ec.message());
  }
  auto u = tuf::Updater::create(tuf::as_bytes(repo_.root_bytes), repo_.metadata_url);
  if (!u) {
    u.error().detail += " (initial root: " + repo_.root_origin + ")";
    return std::unexpected(u.error());
  }
  updater_.emplace(std::move(*u));
  if (auto ok = updater_->start_refresh(now); !ok) return ok;
  return tuf_io::drive(*updater_, http_, store_, hooks_);
}

tuf::Result<tuf::TargetInfo> WarehouseClient::lookup(const std::string& project) {
  if (!updater_) return tuf::fail(tuf::Errc::usage, "", "refresh first");
  if (auto ok = updater_->start_lookup(project); !ok) return std::unexpected(ok.error());
  if (auto ok = tuf_io::drive(*updater_, http_, store_, hooks_); !ok) return std::unexpected(ok.error());
  const auto& info = updater_->lookup_result();
  if (!info) {
    const std::string bin = bin_for(project);
    return tuf::fail(tuf::Errc::target_not_found, project,
                     "the repository's TUF metadata does not list this project" +
                         (bin.empty() ? std::string() : " (its bin " + bin + " has no such target)") +
                         "; refusing any page the server may offer for it");
  }
  return *info;
}

std::string WarehouseClient::bin_for(const std::string& project) const {
  if (!updater_) return "";
  const auto* targets = updater_->trusted().targets();
  if (!targets || !targets->signed_part.delegations) return "";
  const auto& succinct = targets->signed_part.delegations->succinct_roles;
  return succinct ? succinct->role_for_target(project) : "";
}

std::vector<tuf::Result<VerifiedPage>> WarehouseClient::fetch_pages(
    const std::vector<tuf::TargetInfo>& targets) {
  std::vector<tuf::Result<VerifiedPage>> out(
      targets.size(), tuf::fail(tuf::Errc::usage, "", "not fetched"));
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const tuf::TargetInfo& info = targets[i];
    auto url = repo_.target_url_rule.url_for(info, repo_.index_url);
    if (!url) {
      out[i] = std::unexpected(url.error());
      continue;
    }
    tuf_io::FetchRequest req;
    req.url = *url;
    // 5.7.3: never more than the length the bin lists.
    req.max_bytes = info.length;
    http_.async_fetch(std::move(req), [this, &out, &info, i, page_url = *url](tuf_io::FetchResult r) {
      if (!r) {
        r.error().role = info.path;
        r.error().detail += " (simple page " + page_url + ")";
        out[i] = std::unexpected(r.error());
        return;
      }
      // The page is a TUF target: its length and every hash the bin lists (blake2b-256).
      if (auto ok = tuf::verify_target(info, tuf::as_bytes(*r)); !ok) {
        ok.error().detail += " (simple page " + page_url + " does not match the TUF-verified bin " +
                             (bin_for(info.path).empty() ? std::string("metadata") : bin_for(info.path)) + ")";
        out[i] = std::unexpected(ok.error());
        return;
      }
      VerifiedPage page;
      page.project = info.path;
      page.bin_role = bin_for(info.path);
      page.target = info;
      page.url = page_url;
      page.bytes = std::move(*r);
      auto parsed = pkg::parse_simple_html(page.bytes, page.url);
      if (!parsed) {
        out[i] = tuf::fail(tuf::Errc::repository_error, info.path,
                           "verified simple page cannot be used: " + parsed.error().message());
        return;
      }
      page.page = std::move(*parsed);
      if (auto ok = check_page_project(page.page, info.path); !ok) {
        out[i] = std::unexpected(ok.error());
        return;
      }
      out[i] = std::move(page);
    });
  }
  http_.run();
  return out;
}

tuf::Result<void> check_page_project(const pkg::ProjectPage& page, const std::string& project) {
  if (page.name && pkg::normalize_name(*page.name) != project) {
    return tuf::fail(tuf::Errc::repository_error, project,
                     "the simple page is the page of another project", project, *page.name);
  }
  for (const pkg::DistFile& f : page.files) {
    std::optional<std::string> name;
    if (auto w = pkg::parse_wheel_filename(f.filename)) {
      name = w->name;
    } else if (auto s = pkg::parse_sdist_filename(f.filename)) {
      name = s->name;
    }
    if (name && *name != project) {
      return tuf::fail(tuf::Errc::repository_error, project,
                       "the simple page lists a file of another project (" + f.filename +
                           "); refusing the page",
                       project, *name);
    }
  }
  return {};
}

// ---- choosing a wheel ----------------------------------------------------------------------------

tuf::Result<WheelChoice> choose_wheel(const VerifiedPage& page, const Requirement& req,
                                      const TargetPython& python) {
  struct Candidate {
    const pkg::DistFile* file;
    pkg::WheelFilename wheel;
    std::size_t rank;
  };
  std::vector<Candidate> candidates;
  std::set<std::string> all_versions, skipped_tags, skipped_python, skipped_yanked, no_hash;
  bool sdists = false;
  for (const pkg::DistFile& f : page.page.files) {
    auto w = pkg::parse_wheel_filename(f.filename);
    if (!w) {
      if (pkg::parse_sdist_filename(f.filename)) sdists = true;
      continue;
    }
    all_versions.insert(w->parsed_version.str());
    std::size_t rank = python.tags.size();
    for (const pkg::WheelTag& t : w->tags) {
      const auto it = std::find(python.tags.begin(), python.tags.end(), t);
      if (it != python.tags.end()) rank = std::min<std::size_t>(rank, it - python.tags.begin());
    }
    if (rank == python.tags.size()) {
      skipped_tags.insert(f.filename);
      continue;
    }
    if (f.requires_python) {
      auto rp = pkg::SpecifierSet::parse(*f.requires_python);
      if (!rp || !rp->contains(python.version, pkg::Prereleases::allow)) {
        skipped_python.insert(f.filename + " (Requires-Python " + *f.requires_python + ")");
        continue;
      }
    }
    if (f.yanked && !req.pinned) {
      skipped_yanked.insert(f.filename);
      continue;
    }
    if (!f.sha256()) {
      no_hash.insert(f.filename);
      continue;
    }
    candidates.push_back(Candidate{&f, std::move(*w), rank});
  }

  // The requirement's version filter over the distinct candidate versions.
  std::vector<pkg::Version> versions;
  for (const Candidate& c : candidates) {
    if (std::find(versions.begin(), versions.end(), c.wheel.parsed_version) == versions.end()) {
      versions.push_back(c.wheel.parsed_version);
    }
  }
  std::optional<pkg::Version> best_version;
  for (std::size_t idx : req.specifiers.filter(versions)) {
    if (!best_version || versions[idx] > *best_version) best_version = versions[idx];
  }
  if (!best_version) {
    std::string why = "no wheel of " + req.project + " on its verified page matches '" + req.text +
                      "' for " + python.describe();
    std::vector<std::string> lines;
    if (!all_versions.empty()) {
      lines.push_back("wheel versions listed: " +
                      join(std::vector<std::string>(all_versions.begin(), all_versions.end()), ", "));
    }
    if (!skipped_tags.empty()) lines.push_back(std::to_string(skipped_tags.size()) + " wheel(s) for other platforms/interpreters");
    for (const auto& s : skipped_python) lines.push_back("skipped " + s);
    for (const auto& s : skipped_yanked) lines.push_back("skipped yanked " + s + " (pin it with == to use it)");
    for (const auto& s : no_hash) lines.push_back("skipped " + s + ": the page gives no sha256 to verify it");
    if (sdists) lines.push_back("source distributions are not built by download");
    if (!lines.empty()) why += " (" + join(lines, "; ") + ")";
    return tuf::fail(tuf::Errc::usage, req.project, why);
  }
  const Candidate* best = nullptr;
  for (const Candidate& c : candidates) {
    if (c.wheel.parsed_version != *best_version) continue;
    if (!best || c.rank < best->rank ||
        (c.rank == best->rank && c.wheel.build > best->wheel.build)) {
      best = &c;
    }
  }
  WheelChoice choice;
  choice.file = *best->file;
  choice.wheel = best->wheel;
  choice.sha256 = *best->file->sha256();
  choice.tag = python.tags[best->rank].str();
  return choice;
}

// ---- fetching files ------------------------------------------------------------------------------

void fetch_files(tuf_io::HttpClient& http, const FileCache& cache, Progress& progress,
                 std::vector<FileJob>& jobs, bool allow_file_urls) {
  for (FileJob& job : jobs) {
    if (job.staged || job.error) continue;
    // A cache hit is re-hashed while it is copied into a staged file.
    if (auto hit = cache.take(job.sha256, job.max_bytes, &job.note)) {
      job.staged = std::move(*hit);
      job.from_cache = true;
      continue;
    }
    auto parsed = boost::urls::parse_absolute_uri(job.url);
    const std::string scheme = parsed ? std::string(parsed->scheme()) : std::string();
    if (!(scheme == "http" || scheme == "https" || (scheme == "file" && allow_file_urls))) {
      job.error = tuf::Error{tuf::Errc::repository_error, job.filename,
                             "the page links it with an unsupported URL: " + job.url, {}, {}};
      continue;
    }
    auto staged = StagedFile::create(cache.staging_dir());
    if (!staged) {
      job.error = staged.error();
      continue;
    }
    job.staged = std::move(*staged);
    const std::size_t handle = progress.start(job.filename);
    auto write_error = std::make_shared<std::optional<tuf::Error>>();
    tuf_io::FetchRequest req;
    req.url = job.url;
    req.max_bytes = job.max_bytes;
    req.sink = [&job, &progress, handle, write_error](tuf::Bytes chunk) {
      if (auto ok = job.staged->write(chunk); !ok) {
        *write_error = ok.error();
        return false;
      }
      progress.advance(handle, chunk.size());
      return true;
    };
    http.async_fetch(std::move(req), [&job, &progress, handle, write_error](tuf_io::FetchResult r) {
      progress.finish(handle);
      if (!r) {
        tuf::Error e = write_error->value_or(r.error());
        e.role = job.filename;
        e.detail += " (" + job.url + ")";
        job.error = std::move(e);
        job.staged.reset();
        return;
      }
      // The only check that matters: the sha256 the TUF-verified page gives.
      if (job.staged->sha256() != job.sha256) {
        job.error = tuf::Error{tuf::Errc::length_or_hash_mismatch, job.filename,
                               "sha256 differs from the TUF-verified simple page (" + job.url + ")",
                               job.sha256, job.staged->sha256()};
        job.staged.reset();
      }
    });
  }
  http.run();
}

}  // namespace tufget
