// `slipway expr [--context FILE] EXPR` and `slipway expr --batch` (DESIGN.md).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "interpreter/cli/subcommand.h"
#include "interpreter/expr/batch.h"

namespace slipway::cli {
namespace {

struct ExprArgs {
  std::string context_file;
  std::string text;
  bool batch = false;
  bool has_text = false;
};

// Reads stdin in blocks and hands over whole lines; output is buffered and written in blocks.
int RunBatch() {
  expr::BatchSession session;
  std::string out;
  out.reserve(1 << 17);
  std::string pending;
  std::vector<char> buf(1 << 16);
  auto flush = [&] {
    std::fwrite(out.data(), 1, out.size(), stdout);
    out.clear();
  };
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), stdin)) > 0) {
    size_t start = 0;
    for (size_t i = 0; i < n; ++i) {
      if (buf[i] != '\n') continue;
      if (pending.empty()) {
        session.ProcessLine(std::string_view(buf.data() + start, i - start), out);
      } else {
        pending.append(buf.data() + start, i - start);
        session.ProcessLine(pending, out);
        pending.clear();
      }
      start = i + 1;
      if (out.size() >= (1 << 16)) flush();
    }
    pending.append(buf.data() + start, n - start);
  }
  if (!pending.empty()) session.ProcessLine(pending, out);
  flush();
  std::fflush(stdout);
  return kExitOk;
}

int RunOne(const ExprArgs& args) {
  expr::Value context = expr::Value::FromObject(expr::Object());
  if (!args.context_file.empty()) {
    std::ifstream in(args.context_file, std::ios::binary);
    if (!in) {
      std::cerr << "error: cannot read \"" << args.context_file << "\"\n";
      return kExitUsage;
    }
    std::stringstream text;
    text << in.rdbuf();
    const nlohmann::ordered_json json = nlohmann::ordered_json::parse(text.str(), nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      std::cerr << "error: \"" << args.context_file << "\" is not a JSON object\n";
      return kExitUsage;
    }
    Expected<expr::Value> converted = expr::FromJson(json);
    if (!converted) {
      std::cerr << "error: \"" << args.context_file << "\": " << converted.error() << "\n";
      return kExitUsage;
    }
    context = std::move(converted).value();
  }
  Expected<expr::Value, expr::Error> result = expr::EvaluateText(args.text, context);
  if (!result) {
    std::cerr << "error: " << result.error().message << "\n";
    return kExitFailed;
  }
  std::string out;
  expr::WriteJson(*result, out);
  out.push_back('\n');
  std::cout << out;
  return kExitOk;
}

}  // namespace

std::function<int()> SetupExpr(CLI::App& command) {
  auto args = std::make_shared<ExprArgs>();
  command.add_option("--context", args->context_file, "JSON file whose members are the contexts");
  command.add_flag("--batch", args->batch,
                   "read JSON lines {\"expr\", \"context\"} on stdin, write one result per line");
  CLI::Option* text = command.add_option("EXPR", args->text, "the expression (without ${{ }})");
  return [args, text]() -> int {
    if (args->batch) {
      if (text->count() > 0 || !args->context_file.empty()) {
        std::cerr << "slipway expr: --batch takes no EXPR or --context\n";
        return kExitUsage;
      }
      return RunBatch();
    }
    if (text->count() == 0) {
      std::cerr << "slipway expr: give an expression, or --batch\n";
      return kExitUsage;
    }
    return RunOne(*args);
  };
}

}  // namespace slipway::cli
