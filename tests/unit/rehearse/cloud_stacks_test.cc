// The scripted CloudFormation endpoint: a stack created through a change set, a failed update
// rolled back, no changes, a missing stack, and a deletion — answered as the Query API does.
#include "interpreter/rehearse/cloud_stacks.h"

#include <gtest/gtest.h>

namespace slipway::rehearse {
namespace {

std::string Form(const std::string& action, const std::string& rest = "StackName=web") {
  return "Action=" + action + "&Version=2010-05-15&" + rest;
}

StackRule Web(const std::string& status, const std::string& deploy) {
  StackRule rule;
  rule.name = "web";
  rule.status = status;
  rule.deploy = deploy;
  rule.resources = {{"Bucket", "AWS::S3::Bucket"}};
  rule.deploy_outputs = {{"BucketName", "web-bucket"}};
  return rule;
}

TEST(CloudStacks, CreatesThroughAChangeSet) {
  CloudStacks stacks({Web("absent", "success")});
  auto [status, body] = stacks.Handle(Form("DescribeStacks"));
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.find("<Code>ValidationError</Code>"), std::string::npos);
  EXPECT_NE(body.find("Stack with id web does not exist"), std::string::npos);
  std::tie(status, body) = stacks.Handle(
      Form("CreateChangeSet", "StackName=web&ChangeSetName=cs1&ChangeSetType=CREATE&"
                              "TemplateBody=%7B%7D&Parameters.member.1.ParameterKey=Env&"
                              "Parameters.member.1.ParameterValue=prod+one"));
  EXPECT_EQ(status, 200) << body;
  EXPECT_NE(body.find("<Id>arn:aws:cloudformation:"), std::string::npos);
  std::tie(status, body) = stacks.Handle(Form("DescribeChangeSet", "StackName=web&ChangeSetName=cs1"));
  EXPECT_NE(body.find("<Status>CREATE_COMPLETE</Status>"), std::string::npos) << body;
  EXPECT_NE(body.find("<Action>Add</Action><LogicalResourceId>Bucket</LogicalResourceId>"),
            std::string::npos)
      << body;
  std::tie(status, body) = stacks.Handle(Form("ExecuteChangeSet", "StackName=web&ChangeSetName=cs1"));
  EXPECT_EQ(status, 200);
  std::tie(status, body) = stacks.Handle(Form("DescribeStacks"));
  EXPECT_NE(body.find("<StackStatus>CREATE_COMPLETE</StackStatus>"), std::string::npos) << body;
  EXPECT_NE(body.find("<OutputKey>BucketName</OutputKey><OutputValue>web-bucket</OutputValue>"),
            std::string::npos);
  EXPECT_NE(body.find("<ParameterKey>Env</ParameterKey><ParameterValue>prod one</ParameterValue>"),
            std::string::npos)
      << body;
  EXPECT_EQ(stacks.statuses().at("web"), "CREATE_COMPLETE");
}

TEST(CloudStacks, FailedUpdateRollsBackWithEvents) {
  CloudStacks stacks({Web("UPDATE_COMPLETE", "failure")});
  stacks.Handle(Form("CreateChangeSet", "StackName=web&ChangeSetName=cs&ChangeSetType=UPDATE"));
  stacks.Handle(Form("ExecuteChangeSet", "StackName=web&ChangeSetName=cs"));
  auto [status, body] = stacks.Handle(Form("DescribeStacks"));
  EXPECT_NE(body.find("<StackStatus>UPDATE_ROLLBACK_COMPLETE</StackStatus>"), std::string::npos);
  EXPECT_EQ(body.find("web-bucket"), std::string::npos) << "outputs of a failed update";
  std::tie(status, body) = stacks.Handle(Form("DescribeStackEvents"));
  EXPECT_NE(body.find("<ResourceStatus>UPDATE_FAILED</ResourceStatus>"), std::string::npos) << body;
  EXPECT_NE(body.find("Invalid request"), std::string::npos);
  EXPECT_EQ(stacks.actions(),
            (std::vector<std::string>{"CreateChangeSet", "ExecuteChangeSet", "DescribeStacks",
                                      "DescribeStackEvents"}));
}

TEST(CloudStacks, NoChangesMissingStacksAndDeletion) {
  CloudStacks stacks({Web("UPDATE_COMPLETE", "no-changes")});
  stacks.Handle(Form("CreateChangeSet", "StackName=web&ChangeSetName=cs&ChangeSetType=UPDATE"));
  auto [status, body] = stacks.Handle(Form("DescribeChangeSet", "StackName=web&ChangeSetName=cs"));
  EXPECT_NE(body.find("<Status>FAILED</Status>"), std::string::npos);
  EXPECT_NE(body.find("didn't contain changes"), std::string::npos);
  std::tie(status, body) = stacks.Handle(Form("CreateChangeSet", "StackName=other"));
  EXPECT_EQ(status, 400);
  EXPECT_NE(body.find("add it to stubs.stacks"), std::string::npos);
  std::tie(status, body) = stacks.Handle(Form("DeleteStack"));
  EXPECT_EQ(status, 200);
  EXPECT_EQ(stacks.statuses().at("web"), "absent");
  std::tie(status, body) = stacks.Handle("Action=DescribeStacks&StackName=web");
  EXPECT_EQ(status, 400) << "no Version";
  std::tie(status, body) = stacks.Handle(Form("ListExports"));
  EXPECT_EQ(status, 400);
}

}  // namespace
}  // namespace slipway::rehearse
