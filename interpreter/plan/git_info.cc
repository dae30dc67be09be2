#include "interpreter/plan/git_info.h"

#include <array>
#include <cstdio>

namespace slipway::plan {
namespace {

/// Single-quotes `arg` for /bin/sh.
std::string ShellQuote(const std::string& arg) {
  std::string out = "'";
  for (char c : arg) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

/// The first line of `git -C dir <args>`'s output, "" on any failure.
std::string Git(const std::string& dir, const std::string& args) {
  std::string command = "git -C " + ShellQuote(dir) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return "";
  std::string out;
  std::array<char, 512> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  int status = pclose(pipe);
  if (status != 0) return "";
  size_t newline = out.find('\n');
  if (newline != std::string::npos) out.resize(newline);
  return out;
}

}  // namespace

std::string RepositoryFromRemoteUrl(std::string_view url) {
  std::string_view path = url;
  if (size_t scheme = path.find("://"); scheme != std::string_view::npos) {
    path.remove_prefix(scheme + 3);
    size_t slash = path.find('/');
    if (slash == std::string_view::npos) return "";
    path.remove_prefix(slash + 1);
  } else if (size_t colon = path.find(':'); colon != std::string_view::npos) {
    path.remove_prefix(colon + 1);  // scp-like git@host:owner/name
  } else {
    return "";
  }
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.size() > 4 && path.substr(path.size() - 4) == ".git") path.remove_suffix(4);
  // Keep the last two segments: owner/name.
  size_t last = path.rfind('/');
  if (last == std::string_view::npos || last == 0) return "";
  size_t before = path.rfind('/', last - 1);
  std::string_view owner_name = before == std::string_view::npos ? path : path.substr(before + 1);
  if (owner_name.find('/') == 0 || owner_name.back() == '/') return "";
  return std::string(owner_name);
}

GitInfo ReadGitInfo(const std::string& dir) {
  GitInfo info;
  info.sha = Git(dir, "rev-parse --verify -q HEAD");
  if (info.sha.empty()) return info;  // not a repository, or no commit yet
  info.ref = Git(dir, "symbolic-ref -q HEAD");
  info.tag = Git(dir, "describe --tags --exact-match HEAD");
  info.repository = RepositoryFromRemoteUrl(Git(dir, "config --get remote.origin.url"));
  info.actor = Git(dir, "config user.name");
  std::string head = Git(dir, "symbolic-ref -q refs/remotes/origin/HEAD");
  if (head.rfind("refs/remotes/origin/", 0) == 0) info.default_branch = head.substr(20);
  return info;
}

}  // namespace slipway::plan
