// `tufget verify` (see verify_cmd.h).
#include "verify_cmd.h"

#include <cstdio>
#include <set>

#include "install_common.h"
#include "pkg/names.h"
#include "pkg_fs/installer.h"

namespace tufget {

CLI::App* add_verify_command(CLI::App& app, VerifyOptions& o) {
  auto* cmd = app.add_subcommand(
      "verify", "Check the installed distributions' files against their RECORD, hashing every "
                "file (all distributions with a RECORD, or the named ones)");
  cmd->add_option("names", o.names, "Projects to check (default: every installed distribution)");
  cmd->add_option("--python", o.python,
                  "Interpreter or virtual environment to check (default: $VIRTUAL_ENV, else ./.venv)");
  cmd->add_option("--target", o.target, "Check a directory installed with --target instead");
  cmd->add_flag("-q,--quiet", o.quiet, "Print only the distributions whose files do not match");
  return cmd;
}

namespace {

// One distribution: its line(s), and whether it matched.
bool report(const pkg_fs::InstalledDist& d, bool quiet) {
  const std::string who = d.name + " " + d.version_text;
  auto check = pkg_fs::check_installed(d, true);
  if (!check) {
    std::fprintf(stderr, "tufget: error: %s: cannot check: %s\n", who.c_str(), check.error().detail.c_str());
    return false;
  }
  if (check->ok()) {
    if (!quiet) std::printf("%s: %zu files match RECORD\n", who.c_str(), check->files);
    return true;
  }
  std::printf("%s: %zu of %zu files do not match RECORD:\n", who.c_str(), check->damaged, check->files);
  for (const std::string& p : check->problems) std::printf("  %s\n", p.c_str());
  if (check->damaged > check->problems.size())
    std::printf("  ... and %zu more\n", check->damaged - check->problems.size());
  return false;
}

}  // namespace

int cmd_verify(const VerifyOptions& v) {
  Out out;
  out.quiet = v.quiet;
  InstallOptions o;
  o.python = v.python;
  o.target = v.target;
  o.break_system_packages = true;  // reading only
  auto target = open_target(o, out, Clock::now());
  if (auto* code = std::get_if<int>(&target)) return *code;
  const InstallTarget& t = std::get<InstallTarget>(target);
  std::set<std::string> wanted;
  for (const std::string& n : v.names) wanted.insert(pkg::normalize_name(n));
  bool ok = true;
  for (const pkg_fs::InstalledDist& d : t.installed) {
    if (!wanted.empty() && !wanted.erase(d.project)) continue;
    if (!d.has_record) {
      if (!v.names.empty()) std::fprintf(stderr, "tufget: warning: %s %s has no RECORD to check against\n",
                                         d.name.c_str(), d.version_text.c_str());
      continue;
    }
    ok = report(d, v.quiet) && ok;
  }
  for (const std::string& missing : wanted) {
    out.error(missing + " is not installed in " + t.options.prefix.string());
    ok = false;
  }
  return ok ? 0 : 1;
}

}  // namespace tufget
