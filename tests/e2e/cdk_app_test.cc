// examples/cdk-app synthesized for real: npm's aws-cdk (the CLI), aws-cdk-lib and constructs
// are installed once into a cache under the build directory (reused while package.json is
// unchanged), then `cdk synth` runs the app for the production context and the templates are
// checked for the fargate pipeline's stacks. Skipped, with the reason, only when npm cannot
// reach its registry.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "interpreter/exec/process.h"
#include "stdlib/files.h"

namespace slipway {
namespace {

namespace fs = std::filesystem;

struct Ran {
  int exit_code = -1;
  std::string output;
};

Ran Run(std::vector<std::string> argv, const fs::path& cwd, std::chrono::seconds timeout) {
  exec::ProcessOptions options;
  options.argv = std::move(argv);
  options.env = exec::CurrentEnvironment();
  options.env["CDK_DISABLE_VERSION_CHECK"] = "1";
  options.env["CDK_DISABLE_CLI_TELEMETRY"] = "true";
  options.env["npm_config_update_notifier"] = "false";
  options.working_directory = cwd.string();
  options.timeout = timeout;
  Ran ran;
  exec::ProcessResult result = exec::RunProcess(
      options, [&](exec::OutputStream, std::string_view chunk) { ran.output.append(chunk); },
      nullptr);
  ran.exit_code = result.end == exec::ProcessEnd::kExited ? result.exit_code : -1;
  return ran;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The resources of `type` in a synthesized template.
std::vector<nlohmann::json> Resources(const nlohmann::json& templ, const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& [id, resource] : templ["Resources"].items()) {
    if (resource.value("Type", "") == type) out.push_back(resource);
  }
  return out;
}

TEST(CdkAppTest, SynthesizesTheFargatePipelineStacks) {
  const fs::path app = fs::path(SLIPWAY_SOURCE_DIR) / "examples" / "cdk-app";
  const fs::path cache = fs::path(SLIPWAY_EXE).parent_path() / "cdk-cache";
  fs::create_directories(cache);
  // The install is keyed by package.json: unchanged, the cached node_modules is used as is.
  std::string manifest = ReadAll(app / "package.json");
  std::string stamp = stdlib::Sha256Hex(manifest);
  if (ReadAll(cache / ".installed") != stamp || !fs::exists(cache / "node_modules" / ".bin" / "cdk")) {
    std::ofstream(cache / "package.json") << manifest;
    Ran install = Run({"npm", "install", "--no-audit", "--no-fund", "--loglevel=error"}, cache,
                      std::chrono::seconds(900));
    if (install.exit_code != 0) {
      if (install.output.find("ENOTFOUND") != std::string::npos ||
          install.output.find("EAI_AGAIN") != std::string::npos ||
          install.output.find("ECONNREFUSED") != std::string::npos ||
          install.output.find("ETIMEDOUT") != std::string::npos ||
          install.output.find("network") != std::string::npos) {
        GTEST_SKIP() << "npm cannot reach its registry:\n" << install.output;
      }
      FAIL() << "npm install failed:\n" << install.output;
    }
    std::ofstream(cache / ".installed") << stamp;
  }

  // A scratch copy of the app whose node_modules is the cache's.
  fs::path work = fs::temp_directory_path() / ("slipway-cdk-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  for (const char* item : {"bin", "lib", "cdk.json", "package.json"}) {
    fs::copy(app / item, work / item, fs::copy_options::recursive);
  }
  fs::create_directory_symlink(cache / "node_modules", work / "node_modules");
  Ran synth = Run({(cache / "node_modules" / ".bin" / "cdk").string(), "synth", "--quiet",
                   "--no-notices", "--no-version-reporting", "-o", "cdk.out", "-c", "env=prod",
                   "-c", "imageTag=abc123", "-c", "liveImageTag=prev99", "-c",
                   "deployment=green"},
                  work, std::chrono::seconds(300));
  ASSERT_EQ(synth.exit_code, 0) << synth.output;

  auto load = [&](const std::string& stack) {
    return nlohmann::json::parse(ReadAll(work / "cdk.out" / (stack + ".template.json")), nullptr,
                                 false);
  };
  nlohmann::json network = load("fargate-prod-network");
  nlohmann::json database = load("fargate-prod-database");
  nlohmann::json service = load("fargate-prod-service");
  ASSERT_TRUE(network.is_object() && database.is_object() && service.is_object()) << synth.output;

  EXPECT_EQ(Resources(network, "AWS::EC2::VPC").size(), 1u);
  std::vector<nlohmann::json> db = Resources(database, "AWS::RDS::DBInstance");
  ASSERT_EQ(db.size(), 1u);
  EXPECT_EQ(db[0]["Properties"]["DBInstanceClass"], "db.t3.medium");
  EXPECT_EQ(db[0]["Properties"]["DeletionProtection"], true);
  EXPECT_EQ(db[0]["Properties"]["MultiAZ"], false);
  EXPECT_EQ(db[0]["Properties"]["Engine"], "postgres");

  std::vector<nlohmann::json> services = Resources(service, "AWS::ECS::Service");
  ASSERT_EQ(services.size(), 2u);  // blue and green
  for (const nlohmann::json& s : services) {
    EXPECT_EQ(s["Properties"]["DesiredCount"], 3);
    EXPECT_EQ(s["Properties"]["LaunchType"], "FARGATE");
  }
  EXPECT_EQ(Resources(service, "AWS::ElasticLoadBalancingV2::LoadBalancer").size(), 1u);
  EXPECT_EQ(Resources(service, "AWS::ElasticLoadBalancingV2::TargetGroup").size(), 2u);
  std::vector<nlohmann::json> listeners =
      Resources(service, "AWS::ElasticLoadBalancingV2::Listener");
  ASSERT_EQ(listeners.size(), 1u);
  const nlohmann::json& forward = listeners[0]["Properties"]["DefaultActions"][0];
  EXPECT_EQ(forward["Type"], "forward");
  ASSERT_EQ(forward["ForwardConfig"]["TargetGroups"].size(), 2u);
  EXPECT_EQ(forward["ForwardConfig"]["TargetGroups"][0]["Weight"], 100);  // blue, live
  EXPECT_EQ(forward["ForwardConfig"]["TargetGroups"][1]["Weight"], 0);    // green, new
  // The new release's image goes to green; blue keeps the live one.
  std::string tasks = Resources(service, "AWS::ECS::TaskDefinition").size() == 2
                          ? service["Resources"].dump()
                          : "";
  EXPECT_NE(tasks.find("nginx:abc123"), std::string::npos);
  EXPECT_NE(tasks.find("nginx:prev99"), std::string::npos);
  for (const char* output : {"ListenerArn", "NewTargetGroupArn", "LiveTargetGroupArn",
                             "ServiceUrl"}) {
    EXPECT_TRUE(service["Outputs"].contains(output)) << output;
  }
  fs::remove_all(work);
}

}  // namespace
}  // namespace slipway
