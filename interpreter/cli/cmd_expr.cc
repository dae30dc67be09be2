// `slipway expr [--context FILE] [--job-status S] EXPR` and `slipway expr --batch` (DESIGN.md).
// --job-status success|failure|cancelled makes the status functions available, answering as the
// runner does for a step's `if:` when the job's status is S (and sets job.status to S unless the
// context has one).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "interpreter/cli/subcommand.h"
#include "interpreter/base/json_nesting.h"
#include "interpreter/expr/batch.h"
#include "interpreter/expr/functions.h"
#include "interpreter/expr/parser.h"
#include "interpreter/model/load_workflow.h"

namespace slipway::cli {
namespace {

struct ExprArgs {
  std::string context_file;
  std::string text;
  std::string job_status;  // "" → the status functions are not available
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
  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  if (!args.context_file.empty()) {
    std::string text, error;
    if (!model::ReadWholeFile(args.context_file, &text, &error)) {
      std::cerr << "error: cannot read \"" << args.context_file << "\": " << error << "\n";
      return kExitUsage;
    }
    if (std::string deep = JsonNestingError(text); !deep.empty()) {
      std::cerr << "error: \"" << args.context_file << "\" " << deep << "\n";
      return kExitUsage;
    }
    json = nlohmann::ordered_json::parse(text, nullptr, false);
    if (json.is_discarded()) {
      std::cerr << "error: \"" << args.context_file << "\" is not JSON\n";
      return kExitUsage;
    }
    if (!json.is_object()) {
      std::cerr << "error: \"" << args.context_file << "\" is not a JSON object\n";
      return kExitUsage;
    }
  }
  expr::EvalOptions options;
  expr::ParseOptions parse;
  parse.function_groups = static_cast<uint8_t>(expr::FunctionGroup::kCore);
  if (!args.job_status.empty()) {
    // The runner: success() is job.status == success, failure() == failure, cancelled() ==
    // cancelled (https://docs.github.com/en/actions/learn-github-actions/expressions#status-check-functions).
    options.status.success = args.job_status == "success";
    options.status.failure = args.job_status == "failure";
    options.status.cancelled = args.job_status == "cancelled";
    parse.function_groups |= static_cast<uint8_t>(expr::FunctionGroup::kStatus);
    if (!json.contains("job") || !json["job"].is_object()) {
      json["job"] = nlohmann::ordered_json::object();
    }
    if (!json["job"].contains("status")) json["job"]["status"] = args.job_status;
  }
  Expected<expr::Value> converted = expr::FromJson(json);
  if (!converted) {
    std::cerr << "error: \"" << args.context_file << "\": " << converted.error() << "\n";
    return kExitUsage;
  }
  const expr::Value context = std::move(converted).value();
  parse.named_values = expr::ContextNames(context);
  Expected<expr::Expr, expr::Error> parsed = expr::Parse(args.text, parse);
  Expected<expr::Value, expr::Error> result =
      parsed ? expr::Evaluate(*parsed, context, options)
             : Expected<expr::Value, expr::Error>(MakeUnexpected(parsed.error()));
  if (!result) {
    std::cerr << "error: " << result.error().message << "\n";
    if (args.job_status.empty() &&
        (args.text.find("failure()") != std::string::npos ||
         args.text.find("success()") != std::string::npos ||
         args.text.find("cancelled()") != std::string::npos ||
         args.text.find("always()") != std::string::npos)) {
      std::cerr << "hint: status functions need --job-status success|failure|cancelled\n";
    }
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
  command
      .add_option("--job-status", args->job_status,
                  "the job's status for success(), failure(), cancelled() and always()")
      ->check(CLI::IsMember({"success", "failure", "cancelled"}));
  command.add_flag("--batch", args->batch,
                   "read JSON lines {\"expr\", \"context\"} on stdin, write one result per line");
  CLI::Option* text = command.add_option("EXPR", args->text, "the expression (without ${{ }})");
  return [args, text]() -> int {
    if (args->batch) {
      if (text->count() > 0 || !args->context_file.empty() || !args->job_status.empty()) {
        std::cerr << "slipway expr: --batch takes no EXPR, --context or --job-status\n";
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
