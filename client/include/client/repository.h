// The client's repository configuration: which repository an index URL names, where its TUF
// metadata lives, how a TUF target maps to a URL, and which root metadata starts the chain of
// trust. See trust_roots/README.md (manifest format) and docs/warehouse.md.
//
// A trust store is a folder with one sub-folder per repository:
//   <store>/<name>/manifest.json   {"name", "index_url", "metadata_url", "root_version",
//                                   "root_sha256", optional "target_url_rule", "description"}
//   <store>/<name>/root.json       the pinned root (absent: the repository has no pinned root)
// Stores are searched in this order, the first manifest whose index_url matches wins:
//   --trust-dir DIR, $XDG_CONFIG_HOME/tufget/trust_roots (default ~/.config/tufget/trust_roots),
//   the trust_roots/ shipped with tufget (<prefix>/share/tufget/trust_roots, or the source
//   tree's trust_roots/ for a build directory inside it).
//
// Nothing here touches the network. The initial root is chosen as follows:
//   --root FILE                  the file is the chain's *initial* root; see "--root" below;
//   a pinned root.json           its sha256 and version must equal the manifest's; the client's
//                                own root.json (a later, verified rotation) is used instead when
//                                its version is at least the pinned one and it continues the
//                                pin's chain (the record below lists the pin, or the directory
//                                has no record: an older tufget's); a root.json of another
//                                chain is replaced by the pin;
//   --trust-on-first-use         the client's own root.json if it has one, else the caller
//                                fetches 1.root.json and adopts it (adopt_first_use_root);
//   otherwise                    refused.
//
// The chain of trust in a metadata directory. root.json there is the newest root the client
// verified; the updater replaces it at each rotation it verifies (spec 5.3.8). Next to it,
// root-chain.txt records the roots that chain is known to pass through ("<sha256> <version>"
// lines, written atomically): first the root it started from (--root FILE, the pin, or the
// root trusted on first use), then roots seen along it (a stored root.json when a run starts
// from it, a --root that continues it). Whoever starts a chain from another root rewrites the
// record, so root.json is always a root of the recorded chain. `tufget init` (the conformance
// protocol, which never reads the record) removes it, as the user's root then replaces the
// chain. A record that cannot be parsed lists nothing.
//
// --root FILE (version F), with DIR/root.json (version R) and the record, in this order:
//   1. no root.json: start from FILE (it becomes root.json and starts the record);
//   2. FILE is root.json, or the record lists FILE's sha256: FILE is a root of this chain, so
//      the run starts from the newest root of it: root.json when R > F (the rotated-out keys of
//      FILE are not trusted again), FILE when R < F (FILE becomes root.json); a different root
//      of the same version is refused;
//   3. FILE is newer (F > R) and not listed: accepted only as a verified rotation of root.json
//      (F = R+1, signed by a threshold of root.json's root keys and of its own: spec 5.3.4-5.3.5;
//      the versions in between are not available offline), else refused;
//   4. otherwise (F <= R, not listed: another repository's root, or a directory whose origin
//      is unknown) refused: tufget neither mixes two chains nor goes back to an older root.
// A refusal names a fresh --metadata-dir or removing DIR as the way to start again from FILE.
// Where FILE starts the run, it is root.json from then on (written before the record).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tuf/error.h"
#include "tuf/updater.h"

namespace tufget {

// The TUF-target-to-URL rule: a template with placeholders
//   {index_url}  the repository's simple base URL (ends with '/')
//   {name}       the target path (a project's normalised name), percent-encoded as a segment
//   {hash}       the target's blake2b-256 (the Warehouse profile's hash); also {blake2b-256},
//                {sha256}, {sha512} for a named hash
// Default (the Warehouse profile): "{index_url}{name}/{hash}.{name}.html".
class TargetUrlRule {
 public:
  static constexpr std::string_view kDefault = "{index_url}{name}/{hash}.{name}.html";
  // Fails (usage) on an unknown or unterminated placeholder, or a rule without {name}.
  static tuf::Result<TargetUrlRule> parse(std::string_view rule);
  TargetUrlRule();  // the default rule

  // Fails (repository_error) when the target lacks a hash the rule needs, or a hash value is
  // not hexadecimal.
  tuf::Result<std::string> url_for(const tuf::TargetInfo& target,
                                   std::string_view index_url) const;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

struct RepositoryManifest {
  std::string name;
  std::string index_url;     // normalised (see normalize_base_url)
  std::string metadata_url;  // normalised
  std::optional<std::uint64_t> root_version;
  std::optional<std::string> root_sha256;  // lowercase hex
  TargetUrlRule target_url_rule;
  std::string description;
  std::filesystem::path dir;  // the folder holding manifest.json (and root.json)
  std::filesystem::path root_file() const { return dir / "root.json"; }
  bool has_pinned_root() const { return root_sha256.has_value(); }
};

// Reads and checks <dir>/manifest.json: known fields only, "name" equal to the folder name and
// safe as a file name, absolute http/https/file URLs, root_version >= 1 and root_sha256 64 hex
// digits (both or neither), and root.json present exactly when they are. Does not read
// root.json (see load_pinned_root).
tuf::Result<RepositoryManifest> load_manifest(const std::filesystem::path& dir);

// The pinned root's bytes, after checking its sha256 against the manifest, that it parses as
// root metadata signed by its own keys, and that its version is the manifest's root_version.
tuf::Result<std::string> load_pinned_root(const RepositoryManifest& manifest);

// An absolute http, https or file URL, normalised (Boost.URL: case of scheme and host,
// percent-encoding, dot segments), without fragment, with a path ending in '/'. usage error
// otherwise.
tuf::Result<std::string> normalize_base_url(std::string_view url);

// The trust stores to search, in order (see the top of this file); folders that do not exist
// are left out.
std::vector<std::filesystem::path> trust_store_dirs(const std::string& trust_dir_option);

// Every manifest in `stores` (in order); a folder whose manifest fails to load is reported in
// `problems` ("<path>: <reason>") and skipped.
std::vector<RepositoryManifest> list_manifests(const std::vector<std::filesystem::path>& stores,
                                               std::vector<std::string>* problems = nullptr);

// A name usable as a repository folder: [a-z0-9][a-z0-9._-]*, at most 64 bytes.
bool is_safe_repository_name(std::string_view name);

// Makes <store>/<name>/ hold exactly `manifest_json` as manifest.json and `root_bytes` as
// root.json, both or neither: the two files are written (and fsync'ed) into a staging folder
// <store>/.tufget-staging-XXXXXX/<name>/, checked there with load_manifest and load_pinned_root
// (so nothing that tufget would refuse to read is ever installed), then the staged folder takes
// the place of <store>/<name> with one rename: renameat2(RENAME_EXCHANGE) when `replace` is set
// (other files of the old folder are carried over), RENAME_NOREPLACE otherwise (the folder must
// not exist). A reader sees the old pair or the new pair, never one of each. Where the file
// system cannot exchange (EINVAL/ENOSYS), root.json then manifest.json are replaced one by one;
// a crash between the two leaves a pair that load_pinned_root refuses (fail closed). A staging
// folder left by a crash is ignored by list_manifests (its manifest is one level deeper) and may
// be deleted. Returns the manifest as installed.
tuf::Result<RepositoryManifest> write_repository_folder(const std::filesystem::path& store,
                                                        const std::string& name,
                                                        std::string_view manifest_json,
                                                        std::string_view root_bytes, bool replace);

// $XDG_CONFIG_HOME / $XDG_CACHE_HOME, or ~/.config / ~/.cache when unset, empty or relative.
std::filesystem::path xdg_config_home();
std::filesystem::path xdg_cache_home();

struct RepositoryOptions {
  std::string index_url;     // --index-url (empty: kDefaultIndexUrl)
  std::string metadata_url;  // --metadata-url: overrides the manifest's / the derived one
  std::string metadata_dir;  // --metadata-dir: overrides $XDG_CACHE_HOME/tufget/<name>/metadata
  std::string root_file;     // --root FILE
  bool trust_on_first_use = false;
  std::string trust_dir;  // --trust-dir
  // Instead of failing when no root is pinned (and neither --root nor --trust-on-first-use is
  // given), return the repository with RootSource::none. Only hash-checking installs ask for
  // this: their hash pins protect every file, and the output says TUF did not.
  bool allow_unpinned = false;
};

inline constexpr std::string_view kDefaultIndexUrl = "https://pypi.org/simple/";

enum class RootSource {
  pinned,            // the manifest's root.json (sha256-checked)
  client,            // the client's own root.json, a verified successor of the pinned one
  root_option,       // --root FILE
  root_option_kept,  // the client's own root.json, a verified successor of --root FILE
  first_use,       // trust on first use: root_bytes still empty, the caller fetches it
  first_use_kept,  // trust on first use, earlier: the client's own root.json
  none,            // no root at all (allow_unpinned): the index is used without TUF
};

struct Repository {
  std::string name;          // also the name of its folder under $XDG_CACHE_HOME/tufget/
  std::string index_url;     // simple base, ends with '/'
  std::string metadata_url;  // ends with '/'
  TargetUrlRule target_url_rule;
  std::filesystem::path metadata_dir;
  std::optional<RepositoryManifest> manifest;  // absent for a repository known by --root/TOFU
  RootSource root_source = RootSource::pinned;
  std::string root_bytes;   // the initial trusted root (empty for RootSource::first_use)
  std::string root_origin;  // where root_bytes came from, for messages
};

// Chooses the repository and its initial root, following the rules at the top of this file.
// Without a manifest, the name is derived from the index URL's host and port and the metadata
// URL defaults to <scheme>://<host>[:port]/tuf-metadata/ (the Warehouse development layout).
// Errors are usage errors with a message that says what the user can do.
tuf::Result<Repository> resolve_repository(const RepositoryOptions& options);

// For RootSource::first_use: checks that `root_bytes` (fetched from <metadata_url>1.root.json)
// is root metadata signed by its own keys, then makes it the initial root (and the start of the
// metadata directory's record; the caller stores it as root.json).
tuf::Result<void> adopt_first_use_root(Repository& repo, std::string root_bytes);

// The record of a metadata directory's chain of trust (see the top of this file).
inline constexpr std::string_view kRootChainFileName = "root-chain.txt";

// For `tufget init`, which replaces the directory's root.json: removes the record, if any.
tuf::Result<void> forget_root_chain(const std::filesystem::path& metadata_dir);

// A loud, multi-line warning for trust on first use, naming the root's sha256.
std::string first_use_warning(const Repository& repo);

}  // namespace tufget
