#include "hash_cmd.h"

#include <cstdio>

#include "pkg/requirements_file.h"
#include "pkg_fs/file_hash.h"

namespace tufget {

CLI::App* add_hash_command(CLI::App& app, HashOptions& o) {
  auto* cmd = app.add_subcommand(
      "hash", "Print the hash of local files as pip hash does (a line FILE: and a line "
              "--hash=ALG:HEX), for --hash options in requirements and lock files");
  cmd->add_option("files", o.files, "Files to hash, in order")->required();
  cmd->add_option("-a,--algorithm", o.algorithm, "The hash algorithm: sha256 (default), sha384 or sha512")
      ->check(CLI::IsMember({"sha256", "sha384", "sha512"}));
  cmd->add_flag("--peep", o.peep,
                "Print peep's form instead: '# sha256: <urlsafe base64, no padding>' per file");
  return cmd;
}

int cmd_hash(const HashOptions& o) {
  if (o.peep && o.algorithm != "sha256") {
    std::fprintf(stderr, "tufget: error: --peep prints sha256 hashes only (not %s)\n", o.algorithm.c_str());
    return 2;
  }
  int status = 0;
  for (const std::string& file : o.files) {
    auto digest = pkg_fs::hash_file(file, o.algorithm);
    if (!digest) {
      std::fflush(stdout);  // keep the order of the two streams on a terminal
      std::fprintf(stderr, "tufget: error: %s: %s\n", file.c_str(), digest.error().detail.c_str());
      status = 1;
      continue;
    }
    const std::string line = o.peep ? "# sha256: " + pkg::hex_to_peep(digest->hex) + "\n"
                                    : file + ":\n--hash=" + o.algorithm + ":" + digest->hex + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  std::fflush(stdout);
  return status;
}

}  // namespace tufget
