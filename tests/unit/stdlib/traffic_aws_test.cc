// traffic-shift's AWS providers against FakeAwsTraffic, a stateful loopback Lambda + ELBv2.
#include <gtest/gtest.h>

#include "stdlib/traffic_shift/traffic_shift.h"
#include "tests/support/fake_aws_traffic.h"
#include "tests/support/fake_step_context.h"
#include "tests/support/loopback_http_server.h"

namespace slipway::stdlib::traffic_shift {
namespace {

using slipway::testing::FakeAwsTraffic;
using slipway::testing::FakeStepContext;
using slipway::testing::LoopbackHttpServer;
using slipway::testing::ScratchDir;
using step_api::StepOutcome;
using step_api::StepStatus;

const std::map<std::string, std::string> kEnv = {{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                                 {"AWS_SECRET_ACCESS_KEY", "secret"},
                                                 {"AWS_REGION", "eu-west-1"}};

StepOutcome RunShift(FakeStepContext& context, nlohmann::json with,
                     std::map<std::string, std::string> env = kEnv) {
  step_api::StepInputs inputs;
  inputs.with = std::move(with);
  inputs.env = std::move(env);
  return Make()->Run(inputs, context);
}

nlohmann::json LambdaInputs(const FakeAwsTraffic& aws, const std::string& health) {
  return {{"target", "lambda:orders/live"}, {"provider", "lambda-alias"},
          {"function-name", "orders"},      {"alias", "live"},
          {"function-version", "7"},        {"phases", "10,50,100"},
          {"bake-time", "2m"},              {"health-url", health},
          {"endpoint", aws.url()}};
}

TEST(TrafficLambdaAliasTest, ShiftsTheAliasWeightsPhaseByPhase) {
  FakeAwsTraffic aws;
  ASSERT_TRUE(aws.ok());
  aws.AddAlias("orders", "live", {"6", {}, 1});
  LoopbackHttpServer health;
  health.Respond("/health", 200, "{}");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, LambdaInputs(aws, health.base_url() + "/health"));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << context.LogText();
  EXPECT_EQ(aws.calls(), (std::vector<std::string>{"GetAlias", "UpdateAlias", "UpdateAlias",
                                                   "UpdateAlias"}));
  EXPECT_EQ(aws.shares(), (std::vector<int>{10, 50, 100}));
  FakeAwsTraffic::Alias alias = aws.alias("orders", "live");
  EXPECT_EQ(alias.function_version, "7");
  EXPECT_TRUE(alias.weights.empty());
  EXPECT_EQ(health.CountRequests("/health"), 3);
  // Signed for lambda in the given region, as PUT with a JSON body.
  std::vector<LoopbackHttpServer::Request> requests = aws.requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[1].method, "PUT");
  EXPECT_EQ(requests[1].path, "/2015-03-31/functions/orders/aliases/live");
  EXPECT_NE(requests[1].headers["authorization"].find("/eu-west-1/lambda/aws4_request"),
            std::string::npos);
  nlohmann::json body = nlohmann::json::parse(requests[1].body);
  EXPECT_EQ(body["FunctionVersion"], "6");
  EXPECT_DOUBLE_EQ(body["RoutingConfig"]["AdditionalVersionWeights"]["7"].get<double>(), 0.1);
  EXPECT_EQ(body["RevisionId"], "rev-1");
}

TEST(TrafficLambdaAliasTest, BreachRevertsTheAliasToTheStableVersion) {
  FakeAwsTraffic aws;
  aws.AddAlias("orders", "live", {"6", {}, 4});
  LoopbackHttpServer health;
  health.Respond("/health", 200, "{}");
  health.Respond("/health", 503, "{}");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, LambdaInputs(aws, health.base_url() + "/health"));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "traffic shift of lambda:orders/live aborted at 50%: health URL answered 503, "
            "expected 200; reverted to 0%");
  EXPECT_EQ(aws.shares(), (std::vector<int>{10, 50, 0}));
  FakeAwsTraffic::Alias alias = aws.alias("orders", "live");
  EXPECT_EQ(alias.function_version, "6");
  EXPECT_TRUE(alias.weights.empty());
}

TEST(TrafficLambdaAliasTest, ConcurrentChangeIsNotOverwritten) {
  FakeAwsTraffic aws;
  aws.AddAlias("orders", "live", {"6", {}, 1});
  LoopbackHttpServer health;
  health.SetHandler([&](const LoopbackHttpServer::Request&) {
    aws.TouchAlias("orders", "live");  // someone else updates the alias during the bake
    return LoopbackHttpServer::Response{200, "{}", "application/json", {}};
  });
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, LambdaInputs(aws, health.base_url() + "/health"));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_NE(outcome.message.find("aborted at 50%: UpdateAlias orders:live: "
                                 "PreconditionFailedException"),
            std::string::npos)
      << outcome.message;
}

TEST(TrafficLambdaAliasTest, RetriesThrottlingAndNeedsCredentials) {
  FakeAwsTraffic aws;
  aws.AddAlias("orders", "live", {"6", {}, 1});
  aws.FailNext(2, 429);
  LoopbackHttpServer health;
  health.Respond("/health", 200, "{}");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  nlohmann::json with = LambdaInputs(aws, health.base_url() + "/health");
  with["phases"] = "100";
  StepOutcome outcome = RunShift(context, with);
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message;
  EXPECT_EQ(aws.calls(),
            (std::vector<std::string>{"failed", "failed", "GetAlias", "UpdateAlias"}));
  EXPECT_EQ(context.sleeps()[0], std::chrono::seconds(1));
  EXPECT_EQ(context.sleeps()[1], std::chrono::seconds(2));

  StepOutcome no_keys = RunShift(context, with, {{"AWS_REGION", "eu-west-1"}});
  EXPECT_EQ(no_keys.message,
            "traffic shift of lambda:orders/live: provider lambda-alias needs AWS credentials in "
            "the step's environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set "
            "(use aws-actions/configure-aws-credentials or `env:`; profiles and instance roles "
            "are not read)");
}

nlohmann::json AlbInputs(const FakeAwsTraffic& aws, const std::string& health) {
  return {{"target", "ecs:shop-prod"},       {"provider", "alb"},
          {"listener-arn", "arn:listener/1"}, {"target-group", "arn:tg/green"},
          {"previous-target-group", "arn:tg/blue"},
          {"phases", "10,50,100"},           {"bake-time", "1m"},
          {"health-url", health},            {"endpoint", aws.url()}};
}

TEST(TrafficAlbTest, ShiftsTheListenerWeights) {
  FakeAwsTraffic aws;
  aws.AddListener("arn:listener/1", {{"arn:tg/blue", 1}, {"arn:tg/green", 0}});
  LoopbackHttpServer health;
  health.Respond("/health", 200, "{}");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, AlbInputs(aws, health.base_url() + "/health"));
  ASSERT_EQ(outcome.status, StepStatus::kSuccess) << outcome.message << context.LogText();
  EXPECT_EQ(aws.calls(), (std::vector<std::string>{"DescribeListeners", "ModifyListener",
                                                   "ModifyListener", "ModifyListener"}));
  EXPECT_EQ(aws.shares(), (std::vector<int>{10, 50, 100}));
  EXPECT_EQ(aws.listener("arn:listener/1"),
            (FakeAwsTraffic::Listener{{"arn:tg/blue", 0}, {"arn:tg/green", 100}}));
  EXPECT_EQ(outcome.outputs["previous-percent"], "0");
  EXPECT_NE(aws.requests()[1].headers["authorization"].find(
                "/eu-west-1/elasticloadbalancing/aws4_request"),
            std::string::npos);
}

TEST(TrafficAlbTest, BreachRevertsToTheBlueTargetGroup) {
  FakeAwsTraffic aws;
  aws.AddListener("arn:listener/1", {{"arn:tg/blue", 1}, {"arn:tg/green", 0}});
  LoopbackHttpServer health;
  health.Respond("/health", 500, "{}");
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, AlbInputs(aws, health.base_url() + "/health"));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(aws.shares(), (std::vector<int>{10, 0}));
  EXPECT_EQ(aws.listener("arn:listener/1"),
            (FakeAwsTraffic::Listener{{"arn:tg/blue", 100}, {"arn:tg/green", 0}}));
}

TEST(TrafficAlbTest, RefusesAListenerThatForwardsElsewhere) {
  FakeAwsTraffic aws;
  aws.AddListener("arn:listener/1", {{"arn:tg/blue", 1}, {"arn:tg/other", 1}});
  ScratchDir dir;
  FakeStepContext context(dir.path());
  StepOutcome outcome = RunShift(context, AlbInputs(aws, "http://127.0.0.1:9/health"));
  EXPECT_EQ(outcome.status, StepStatus::kFailure);
  EXPECT_EQ(outcome.message,
            "traffic shift of ecs:shop-prod: cannot read the current weights: listener "
            "arn:listener/1 also forwards to target groups other than target-group and "
            "previous-target-group; refusing to change it");
  EXPECT_EQ(aws.calls(), (std::vector<std::string>{"DescribeListeners"}));
}

}  // namespace
}  // namespace slipway::stdlib::traffic_shift
