#pragma once
/// CloudStacks: a scripted CloudFormation endpoint for rehearsals, the Query API that
/// `stack-deploy` and `backup` with `tool: cloudformation` (and `backup` of cdk/sam stacks) speak.
/// Each stack of the scenario has a state (status, outputs, parameters, template, resources), and
/// a script for what the next deployment does — succeed with new outputs, fail and roll back, or
/// find no changes. Change sets, executions, events, rollbacks and deletions move the state the
/// way the service does, so a pipeline's deploy-then-rollback path runs against it end to end.
/// Thread-safe; the HTTP stub server routes `/_cloudformation` here.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "interpreter/rehearse/test_file.h"

namespace slipway::rehearse {

class CloudStacks {
 public:
  explicit CloudStacks(const std::vector<StackRule>& stacks);

  /// Answers one form-encoded Query API request: HTTP status and XML body.
  std::pair<int, std::string> Handle(const std::string& form_body);

  /// Final status of each stack ("" when it does not exist), and the Actions called, in order.
  std::map<std::string, std::string> statuses() const;
  std::vector<std::string> actions() const;

 private:
  struct Event {
    std::string id, logical, type, status, reason, time;
  };
  struct Stack {
    StackRule script;
    bool exists = false;
    std::string status, reason, template_body;
    Strings outputs, parameters;
    std::vector<Event> events;  // newest first
    std::string change_set;     // the pending change set's name
    std::string change_type;    // CREATE | UPDATE
  };
  std::string Arn(const std::string& name) const;
  std::string Describe(const Stack& stack, const std::string& name) const;
  void AddEvent(Stack& stack, const std::string& name, const std::string& logical,
                const std::string& type, const std::string& status, const std::string& reason);

  mutable std::mutex mutex_;
  std::map<std::string, Stack> stacks_;
  std::vector<std::string> actions_;
  int next_event_ = 1;
};

}  // namespace slipway::rehearse
