// EnvRegistry and AnyMultiAgentEnv with envs defined here; the built-in ids are tested in
// test_builtin_registry.cpp.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "rlpp/envs/env_registry.hpp"

using namespace rlpp;

namespace {
struct Corridor {
  int length;
  int position = 0;
  explicit Corridor(const EnvContext& ctx) : length(ctx.get<int>("corridor_length", 5)) {}
  Discrete action_space() const { return Discrete(2); }
  Box observation_space() const { return Box(0.0, 100.0, {1}); }
  std::array<float, 1> reset(Seed) {
    position = 0;
    return {0.0f};
  }
  Step<std::array<float, 1>> step(std::int64_t action) {
    position += action == 1 ? 1 : 0;
    return {{static_cast<float>(position)}, -0.1, position >= length, false, {}};
  }
};

// Two agents; "b" leaves after 1 step, "a" after 3: variable agent sets.
struct TwoAgents {
  int t = 0;
  std::vector<AgentId> agent_ids() const { return {"a", "b"}; }
  Discrete observation_space(const AgentId&) const { return Discrete(10); }
  Discrete action_space(const AgentId&) const { return Discrete(3); }
  AgentDict<std::int64_t> reset(Seed) {
    t = 0;
    return {{"a", 0}, {"b", 0}};
  }
  MultiAgentStep<std::int64_t> step(const AgentDict<std::int64_t>& actions) {
    ++t;
    MultiAgentStep<std::int64_t> out;
    for (const auto& [id, action] : actions) {
      const bool leaves = (id == "b" && t >= 1) || (id == "a" && t >= 3);
      if (!leaves) out.observations[id] = t;
      out.rewards[id] = static_cast<double>(action);
      out.terminateds[id] = leaves;
      out.truncateds[id] = false;
    }
    out.terminateds[all_agents] = t >= 3;
    out.truncateds[all_agents] = false;
    return out;
  }
};
static_assert(multi_agent_environment<TwoAgents>);
static_assert(multi_agent_environment<AnyMultiAgentEnv>);

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("a registered creator receives the EnvContext and its env_config") {
  EnvRegistry registry;
  registry.add("corridor", [](const EnvContext& ctx) { return Corridor(ctx); });
  EnvContext ctx;
  ctx.env_config = {{"corridor_length", 2}};
  AnyEnv env = registry.make("corridor", ctx);
  CHECK(env.name() == "corridor");
  env.reset(0);
  CHECK_FALSE(env.step({1.0f}).terminated);
  CHECK(env.step({1.0f}).terminated);  // length 2 from env_config
  CHECK(env.target<Corridor>()->length == 2);
}

TEST_CASE("a wrong env_config type is a ConfigError naming env_config.<key>") {
  EnvRegistry registry;
  registry.add("corridor", [](const EnvContext& ctx) { return Corridor(ctx); });
  EnvContext ctx;
  ctx.env_config = {{"corridor_length", "long"}};
  CHECK(error_of([&] { registry.make("corridor", ctx); }) == "env_config.corridor_length: expected an integer, got \"long\"");
}

TEST_CASE("an unknown name lists the registered names and suggests the closest") {
  EnvRegistry registry;
  registry.add("corridor", [](const EnvContext& ctx) { return Corridor(ctx); });
  registry.add("two_agents", [](const EnvContext&) { return TwoAgents{}; });
  const auto message = error_of([&] { registry.make("coridor"); });
  CHECK(message.find("env 'coridor': is not registered") == 0);
  CHECK(message.find("did you mean 'corridor'?") != std::string::npos);
  CHECK(message.find("registered envs: corridor, two_agents") != std::string::npos);
  CHECK(registry.names() == std::vector<std::string>{"corridor", "two_agents"});
}

TEST_CASE("single- and multi-agent names are kept apart") {
  EnvRegistry registry;
  registry.add("corridor", [](const EnvContext& ctx) { return Corridor(ctx); });
  registry.add("two_agents", [](const EnvContext&) { return TwoAgents{}; });
  CHECK(registry.is_multi_agent("two_agents"));
  CHECK_FALSE(registry.is_multi_agent("corridor"));
  CHECK(error_of([&] { registry.make("two_agents"); }).find("is a multi-agent env") != std::string::npos);
  CHECK(error_of([&] { registry.make_multi_agent("corridor"); }).find("is a single-agent env") != std::string::npos);
  // Re-registering a name replaces it, even across kinds.
  registry.add("corridor", [](const EnvContext&) { return TwoAgents{}; });
  CHECK(registry.is_multi_agent("corridor"));
}

TEST_CASE("AnyMultiAgentEnv runs a variable agent set through flat values") {
  EnvRegistry registry;
  registry.add("two_agents", [](const EnvContext&) { return TwoAgents{}; });
  AnyMultiAgentEnv env = registry.make_multi_agent("two_agents");
  CHECK(env.agent_ids() == std::vector<AgentId>{"a", "b"});
  CHECK(env.observation_space("a") == Space(Discrete(10)));
  CHECK(error_of([&] { env.step({{"a", {0.0f}}}); }).find("step() called before reset()") != std::string::npos);
  auto reset = env.reset(1);
  CHECK(reset.observations.size() == 2);
  auto first = env.step({{"a", {2.0f}}, {"b", {1.0f}}});
  CHECK(first.observations.keys() == std::vector<AgentId>{"a"});  // b left
  CHECK(first.observations.at("a") == std::vector<float>{1.0f});
  CHECK(first.rewards.at("a") == 2.0);
  CHECK(first.terminateds.at("b"));
  CHECK_FALSE(first.all_done());
  env.step({{"a", {0.0f}}});
  auto last = env.step({{"a", {0.0f}}});
  CHECK(last.all_done());
  CHECK(last.observations.empty());
}

TEST_CASE("AnyMultiAgentEnv checks actions and agent ids") {
  AnyMultiAgentEnv env(TwoAgents{}, "two");
  env.reset(0);
  CHECK(error_of([&] { env.step({{"a", {5.0f}}}); }).find("action [5] is not in Discrete(3)") != std::string::npos);
  CHECK(error_of([&] { env.step({{"c", {0.0f}}}); }).find("agent 'c' is not among agent_ids()") != std::string::npos);
}

TEST_CASE("AgentDict keeps insertion order, finds, erases, and explains a missing agent") {
  AgentDict<int> d{{"x", 1}, {"y", 2}};
  d["z"] = 3;
  CHECK(d.keys() == std::vector<AgentId>{"x", "y", "z"});
  CHECK(d.at("y") == 2);
  CHECK(d.get("w", 9) == 9);
  CHECK(d.erase("x"));
  CHECK_FALSE(d.erase("x"));
  CHECK(d.size() == 2);
  CHECK(error_of([&] { (void)d.at("q"); }) == "agent 'q': not in this dict (agents present: 'y', 'z')");
}
