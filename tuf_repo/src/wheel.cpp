// Distribution file names and wheel METADATA (libzip).
#include "tuf_repo/wheel.h"

#include <zip.h>

#include <memory>
#include <vector>

#include "pkg/names.h"
#include "tuf_repo/error.h"

namespace tuf_repo {
namespace {

constexpr zip_uint64_t kMaxMetadataBytes = 16u << 20;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool filename_chars_ok(std::string_view s) {
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '+' || c == '!' || c == '-';
    if (!ok) return false;
  }
  return !s.empty() && s.front() != '.' && s.front() != '-';
}

bool version_ok(std::string_view v) {
  return !v.empty() && ((v.front() >= '0' && v.front() <= '9') || v.front() == 'v' ||
                        v.front() == 'V');
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

struct ZipClose {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileClose {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

}  // namespace

DistributionName parse_distribution_filename(std::string_view filename) {
  const std::string shown(filename);
  if (!filename_chars_ok(filename))
    throw RepoError("'" + shown + "' is not a distribution file name (allowed: A-Z a-z 0-9 . _ + ! -)");
  DistributionName d;
  std::string_view stem;
  if (ends_with(filename, ".whl")) {
    d.is_wheel = true;
    stem = filename.substr(0, filename.size() - 4);
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= stem.size(); ++i) {
      if (i == stem.size() || stem[i] == '-') {
        parts.push_back(stem.substr(start, i - start));
        start = i + 1;
      }
    }
    if (parts.size() != 5 && parts.size() != 6)
      throw RepoError("'" + shown +
                       "' is not a wheel file name ({name}-{version}(-{build})?-{python}-{abi}-{platform}.whl)");
    for (auto p : parts)
      if (p.empty()) throw RepoError("'" + shown + "' has an empty wheel file name component");
    d.project = std::string(parts[0]);
    d.version = std::string(parts[1]);
  } else {
    if (ends_with(filename, ".tar.gz")) {
      stem = filename.substr(0, filename.size() - 7);
    } else if (ends_with(filename, ".zip")) {
      stem = filename.substr(0, filename.size() - 4);
    } else {
      throw RepoError("'" + shown + "' is neither a wheel (.whl) nor an sdist (.tar.gz, .zip)");
    }
    const auto dash = stem.rfind('-');
    if (dash == std::string_view::npos)
      throw RepoError("'" + shown + "' is not an sdist file name ({name}-{version}.tar.gz)");
    d.project = std::string(stem.substr(0, dash));
    d.version = std::string(stem.substr(dash + 1));
  }
  if (!pkg::is_valid_project_name(d.project))
    throw RepoError("'" + shown + "': '" + d.project + "' is not a valid project name");
  if (!version_ok(d.version))
    throw RepoError("'" + shown + "': '" + d.version + "' is not a version");
  return d;
}

std::string read_wheel_metadata(const std::filesystem::path& wheel, const DistributionName& dist) {
  int err = 0;
  std::unique_ptr<zip_t, ZipClose> za(zip_open(wheel.c_str(), ZIP_RDONLY, &err));
  if (!za) {
    zip_error_t ze;
    zip_error_init_with_code(&ze, err);
    std::string why = zip_error_strerror(&ze);
    zip_error_fini(&ze);
    throw RepoError("cannot open wheel " + wheel.string() + ": " + why);
  }
  const std::string want_dir = pkg::normalize_name(dist.project) + "-" + lower(dist.version);
  const zip_int64_t n = zip_get_num_entries(za.get(), 0);
  std::vector<zip_uint64_t> candidates;
  std::optional<zip_uint64_t> exact;
  for (zip_int64_t i = 0; i < n; ++i) {
    const char* raw = zip_get_name(za.get(), static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
    if (raw == nullptr) continue;
    const std::string_view name(raw);
    constexpr std::string_view kSuffix = ".dist-info/METADATA";
    if (!ends_with(name, kSuffix)) continue;
    const std::string_view dir = name.substr(0, name.size() - kSuffix.size());
    if (dir.empty() || dir.find('/') != std::string_view::npos) continue;  // top level only
    candidates.push_back(static_cast<zip_uint64_t>(i));
    const auto dash = dir.find('-');
    if (dash != std::string_view::npos &&
        pkg::normalize_name(dir.substr(0, dash)) + "-" + lower(dir.substr(dash + 1)) == want_dir)
      exact = static_cast<zip_uint64_t>(i);
  }
  zip_uint64_t index = 0;
  if (exact) {
    index = *exact;
  } else if (candidates.size() == 1) {
    index = candidates.front();
  } else {
    throw RepoError("wheel " + wheel.string() +
                     (candidates.empty() ? " has no *.dist-info/METADATA"
                                         : " has several *.dist-info directories, none named " +
                                               want_dir + ".dist-info"));
  }
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(za.get(), index, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE))
    throw RepoError("cannot stat METADATA in " + wheel.string());
  if (st.size > kMaxMetadataBytes)
    throw RepoError("METADATA in " + wheel.string() + " is larger than 16 MiB");
  std::unique_ptr<zip_file_t, ZipFileClose> f(zip_fopen_index(za.get(), index, 0));
  if (!f) throw RepoError("cannot open METADATA in " + wheel.string());
  std::string out(static_cast<std::size_t>(st.size), '\0');
  std::size_t done = 0;
  while (done < out.size()) {
    const zip_int64_t got = zip_fread(f.get(), out.data() + done, out.size() - done);
    if (got < 0) throw RepoError("cannot read METADATA in " + wheel.string() + " (corrupt?)");
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  if (done != out.size()) throw RepoError("METADATA in " + wheel.string() + " is truncated");
  // Reading to the end lets libzip check the CRC.
  char extra;
  if (zip_fread(f.get(), &extra, 1) != 0)
    throw RepoError("METADATA in " + wheel.string() + " fails its CRC or size check");
  return out;
}

std::optional<std::string> metadata_header(std::string_view metadata, std::string_view name) {
  const std::string want = lower(name);
  std::optional<std::string> value;
  std::size_t pos = 0;
  while (pos < metadata.size()) {
    std::size_t eol = metadata.find('\n', pos);
    if (eol == std::string_view::npos) eol = metadata.size();
    std::string_view line = metadata.substr(pos, eol - pos);
    pos = eol + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header block
    if (line.front() == ' ' || line.front() == '\t') {  // folded continuation line
      if (value) {
        *value += ' ';
        *value += line.substr(line.find_first_not_of(" \t"));
      }
      continue;
    }
    if (value) break;  // the first occurrence is complete
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && lower(line.substr(0, colon)) == want)
      value = std::string(line.substr(colon + 1));
  }
  if (!value) return std::nullopt;
  const auto b = value->find_first_not_of(" \t");
  const auto e = value->find_last_not_of(" \t");
  if (b == std::string::npos) return std::string();
  return value->substr(b, e - b + 1);
}

}  // namespace tuf_repo
