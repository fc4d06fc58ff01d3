// VectorEnv, AnyEnv and EnvChecker, on small envs defined here so every expected value can be
// worked out by hand.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "rlpp/envs/any_env.hpp"
#include "rlpp/envs/vector_env.hpp"

using namespace rlpp;

namespace {
// Observation [position, noise]: position counts actions (+1 for action 1, -1 for action 0);
// noise is drawn from the env's stream at reset. Terminates at |position| == 3, truncates at
// `limit` steps. Reward = position after the step.
struct WalkEnv {
  int limit = 5;
  double position = 0;
  int steps = 0;
  float noise = 0;
  RandomStream rng;
  WalkEnv() = default;
  explicit WalkEnv(const EnvContext& ctx) : limit(ctx.get<int>("limit", 5)) {}
  Box observation_space() const { return Box(-1000.0, 1000.0, {2}); }
  Discrete action_space() const { return Discrete(2); }
  std::array<float, 2> reset(Seed seed) {
    if (seed) rng = RandomStream(*seed);
    position = 0;
    steps = 0;
    noise = static_cast<float>(rng.uniform(-1.0, 1.0));
    return {0.0f, noise};
  }
  Step<std::array<float, 2>> step(std::int64_t action) {
    position += action == 1 ? 1.0 : -1.0;
    ++steps;
    Step<std::array<float, 2>> s;
    s.observation = {static_cast<float>(position), noise};
    s.reward = position;
    s.terminated = std::abs(position) >= 3;
    s.truncated = !s.terminated && steps >= limit;
    return s;
  }
};
static_assert(environment<WalkEnv>);
static_assert(std::is_same_v<action_t<WalkEnv>, std::int64_t>);
static_assert(std::is_same_v<observation_t<WalkEnv>, std::array<float, 2>>);
static_assert(environment<AnyEnv>);

// Returns a NaN observation, or a NaN reward, on a chosen step.
struct BadEnv {
  int bad_step = 2;
  bool bad_reward = false;
  int steps = 0;
  Box observation_space() const { return Box(-1.0, 1.0, {1}); }
  Discrete action_space() const { return Discrete(2); }
  std::array<float, 1> reset(Seed) {
    steps = 0;
    return {0.0f};
  }
  Step<std::array<float, 1>> step(std::int64_t) {
    ++steps;
    Step<std::array<float, 1>> s;
    const bool bad = steps == bad_step;
    s.observation = {bad && !bad_reward ? std::numeric_limits<float>::quiet_NaN() : 0.5f};
    s.reward = bad && bad_reward ? std::numeric_limits<double>::infinity() : 0.0;
    return s;
  }
};

// Observation outside its own space on the first step.
struct OutOfSpaceEnv {
  Box observation_space() const { return Box(0.0, 1.0, {1}); }
  Discrete action_space() const { return Discrete(2); }
  std::array<float, 1> reset(Seed) { return {0.5f}; }
  Step<std::array<float, 1>> step(std::int64_t) { return {{2.0f}, 0.0, false, false, {}}; }
};

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

VectorEnv<WalkEnv> walk_vector(std::size_t n, int threads, std::size_t grain = 0, std::uint64_t seed = 7) {
  VectorEnvOptions options;
  options.seed = seed;
  options.num_threads = threads;
  options.grain = grain;
  options.env_name = "Walk";
  return VectorEnv<WalkEnv>(n, [](const EnvContext& ctx) { return WalkEnv(ctx); }, options);
}
}  // namespace

TEST_CASE("VectorEnv lays observations out row-major and steps each sub-env with its action") {
  auto venv = walk_vector(3, 1);
  CHECK(venv.num_envs() == 3);
  CHECK(venv.observation_size() == 2);
  CHECK(venv.action_size() == 1);
  venv.reset();
  const std::array<std::int64_t, 3> actions = {1, 0, 1};
  venv.step(actions);
  const auto obs = venv.observations();
  REQUIRE(obs.size() == 6);
  CHECK(obs[0] == 1.0f);   // sub-env 0 moved right
  CHECK(obs[2] == -1.0f);  // sub-env 1 moved left
  CHECK(obs[4] == 1.0f);
  CHECK(venv.rewards()[1] == -1.0f);
  CHECK(venv.observation(1)[0] == -1.0f);
  for (std::size_t i = 0; i < 3; ++i) CHECK(venv.episode_step(i) == 1);
}

TEST_CASE("sub-envs get distinct reset streams, reproducible from the seed") {
  auto a = walk_vector(4, 1);
  auto b = walk_vector(4, 1);
  auto c = walk_vector(4, 1, 0, 8);
  a.reset();
  b.reset();
  c.reset();
  for (std::size_t i = 0; i < 4; ++i) CHECK(a.observation(i)[1] == b.observation(i)[1]);
  CHECK(a.observation(0)[1] != a.observation(1)[1]);
  CHECK(a.observation(0)[1] != c.observation(0)[1]);
  // reset() without a seed continues the streams; reset(seed) starts them again.
  a.reset();
  CHECK(a.observation(0)[1] != b.observation(0)[1]);
  a.reset(7);
  CHECK(a.observation(0)[1] == b.observation(0)[1]);
}

TEST_CASE("auto-reset keeps the final observation and flags for the step that ended the episode") {
  auto venv = walk_vector(2, 1);
  venv.reset();
  const float noise0 = venv.observation(0)[1];
  const std::array<std::int64_t, 2> actions = {1, 1};
  for (int t = 0; t < 2; ++t) {
    venv.step(actions);
    CHECK(venv.episode_ended()[0] == 0);
  }
  venv.step(actions);  // position 3: terminated
  CHECK(venv.terminateds()[0] == 1);
  CHECK(venv.truncateds()[0] == 0);
  CHECK(venv.episode_ended()[0] == 1);
  CHECK(venv.final_observation(0)[0] == 3.0f);
  CHECK(venv.final_observation(0)[1] == noise0);
  CHECK(venv.rewards()[0] == 3.0f);
  CHECK(venv.observation(0)[0] == 0.0f);          // already reset
  CHECK(venv.observation(0)[1] != noise0);        // a fresh draw from the sub-env's stream
  CHECK(venv.episode_step(0) == 0);
}

TEST_CASE("truncation at the limit is reported apart from termination") {
  VectorEnvOptions options;
  VectorEnv<WalkEnv> venv(1, [](const EnvContext&) { WalkEnv e; e.limit = 2; return e; }, options);
  venv.reset();
  const std::array<std::int64_t, 1> right = {1}, left = {0};
  venv.step(right);
  venv.step(left);  // 2 steps, position 0
  CHECK(venv.truncateds()[0] == 1);
  CHECK(venv.terminateds()[0] == 0);
  CHECK(venv.final_observation(0)[0] == 0.0f);
}

TEST_CASE("step_flat decodes actions from a float batch") {
  auto venv = walk_vector(2, 1);
  venv.reset();
  const std::array<float, 2> actions = {0.0f, 1.0f};
  venv.step_flat(actions);
  CHECK(venv.observation(0)[0] == -1.0f);
  CHECK(venv.observation(1)[0] == 1.0f);
  CHECK(error_of([&] { venv.step_flat(std::array<float, 3>{}); }).find("expected 2 sub-envs x 1") != std::string::npos);
}

TEST_CASE("results are bit-identical for any thread count and grain") {
  const std::size_t n = 64;
  auto run = [&](int threads, std::size_t grain) {
    auto venv = walk_vector(n, threads, grain);
    venv.reset();
    std::vector<float> trace;
    RandomStream actions_rng(3);
    std::vector<std::int64_t> actions(n);
    for (int t = 0; t < 40; ++t) {
      for (auto& a : actions) a = static_cast<std::int64_t>(actions_rng.below(2));
      venv.step(actions);
      trace.insert(trace.end(), venv.observations().begin(), venv.observations().end());
      trace.insert(trace.end(), venv.rewards().begin(), venv.rewards().end());
      for (auto flag : venv.episode_ended()) trace.push_back(flag);
    }
    return trace;
  };
  const auto sequential = run(1, 0);
  CHECK(sequential == run(2, 0));
  CHECK(sequential == run(2, 1));
  CHECK(sequential == run(4, 7));
  CHECK(sequential == run(0, 3));
}

TEST_CASE("the grain is measured when not given, and honoured when given") {
  auto fixed = walk_vector(16, 2, 4);
  CHECK(fixed.grain() == 4);
  auto measured = walk_vector(16, 2);
  measured.reset();
  std::vector<std::int64_t> actions(16, 1);
  for (int t = 0; t < 6; ++t) measured.step(actions);
  // A Walk step costs nanoseconds: 16 of them are far below one task's worth of work.
  CHECK(measured.grain() == 16);
}

TEST_CASE("VectorEnv errors: step before reset, wrong action count, bad actions, NaN, out of space") {
  auto venv = walk_vector(2, 1);
  CHECK(error_of([&] { venv.step(std::array<std::int64_t, 2>{1, 1}); }).find("step() called before reset()") != std::string::npos);
  venv.reset();
  CHECK(error_of([&] { venv.step(std::array<std::int64_t, 1>{1}); }).find("got 1 actions for 2 sub-envs") != std::string::npos);
  const auto bad_action = error_of([&] { venv.step(std::array<std::int64_t, 2>{1, 5}); });
  CHECK(bad_action.find("env 'Walk' (sub-env 1, step 0)") != std::string::npos);
  CHECK(bad_action.find("action [5] is not in Discrete(2)") != std::string::npos);

  VectorEnv<BadEnv> nan_env(std::vector<BadEnv>(2), VectorEnvOptions{.env_name = "Bad"});
  nan_env.reset();
  nan_env.step(std::array<std::int64_t, 2>{0, 0});
  const auto nan_message = error_of([&] { nan_env.step(std::array<std::int64_t, 2>{0, 0}); });
  CHECK(nan_message.find("env 'Bad' (sub-env 0, step 1): observation from step contains NaN at index 0") == 0);

  BadEnv inf_reward;
  inf_reward.bad_reward = true;
  VectorEnv<BadEnv> reward_env(std::vector<BadEnv>{inf_reward}, VectorEnvOptions{.env_name = "Bad"});
  reward_env.reset();
  reward_env.step(std::array<std::int64_t, 1>{0});
  CHECK(error_of([&] { reward_env.step(std::array<std::int64_t, 1>{0}); }).find("reward is inf") != std::string::npos);

  VectorEnv<OutOfSpaceEnv> outside(std::vector<OutOfSpaceEnv>(1), VectorEnvOptions{.env_name = "Outside"});
  outside.reset();
  CHECK(error_of([&] { outside.step(std::array<std::int64_t, 1>{0}); }).find("observation from step [2] is not in Box") != std::string::npos);
}

TEST_CASE("check_env = false lets bad values through for speed") {
  VectorEnv<OutOfSpaceEnv> outside(std::vector<OutOfSpaceEnv>(1), VectorEnvOptions{.check_env = false});
  outside.reset();
  outside.step(std::array<std::int64_t, 1>{7});
  CHECK(outside.observation(0)[0] == 2.0f);
}

TEST_CASE("sub-envs with different spaces are rejected") {
  struct Sized {
    int n = 2;
    Box observation_space() const { return Box(-1.0, 1.0, {1}); }
    Discrete action_space() const { return Discrete(n); }
    std::array<float, 1> reset(Seed) { return {0.0f}; }
    Step<std::array<float, 1>> step(std::int64_t) { return {}; }
  };
  const auto message = error_of([] { VectorEnv<Sized>(std::vector<Sized>{Sized{2}, Sized{3}}); });
  CHECK(message.find("sub-env 1: spaces differ from sub-env 0") != std::string::npos);
}

TEST_CASE("AnyEnv erases the env type and exposes flat and vector interfaces") {
  AnyEnv env(WalkEnv{}, "Walk");
  CHECK(env.observation_space() == Space(Box(-1000.0, 1000.0, {2})));
  CHECK(env.action_space() == Space(Discrete(2)));
  CHECK(env.name() == "Walk");
  CHECK(error_of([&] { env.step({1.0f}); }).find("step() called before reset()") != std::string::npos);
  const auto reset = env.reset(3);
  CHECK(reset.observation.size() == 2);
  auto step = env.step({1.0f});
  CHECK(step.observation[0] == 1.0f);
  CHECK(step.reward == 1.0);
  std::array<float, 2> row{};
  const std::array<float, 1> left = {0.0f};
  const FlatStep flat = env.step_into(left, row);
  CHECK(row[0] == 0.0f);
  CHECK_FALSE(flat.done());
  CHECK(env.target<WalkEnv>() != nullptr);
  CHECK(env.target<WalkEnv>()->steps == 2);
  CHECK(env.target<BadEnv>() == nullptr);
  CHECK(error_of([&] { env.step({0.5f}); }).find("action [0.5] is not in Discrete(2)") != std::string::npos);
}

TEST_CASE("VectorEnv over AnyEnv matches VectorEnv over the typed env") {
  auto typed = walk_vector(5, 1);
  VectorEnvOptions options;
  options.seed = 7;
  VectorEnv<AnyEnv> erased(5, [](const EnvContext& ctx) { return AnyEnv(WalkEnv(ctx), "Walk"); }, options);
  typed.reset();
  erased.reset();
  for (int t = 0; t < 12; ++t) {
    std::vector<std::int64_t> actions(5);
    std::vector<float> flat(5);
    for (std::size_t i = 0; i < 5; ++i) {
      actions[i] = static_cast<std::int64_t>((t + i) % 2);
      flat[i] = static_cast<float>(actions[i]);
    }
    typed.step(actions);
    erased.step_flat(flat);
    REQUIRE(std::vector<float>(typed.observations().begin(), typed.observations().end()) ==
            std::vector<float>(erased.observations().begin(), erased.observations().end()));
    REQUIRE(std::vector<float>(typed.rewards().begin(), typed.rewards().end()) ==
            std::vector<float>(erased.rewards().begin(), erased.rewards().end()));
  }
}

TEST_CASE("VectorEnv passes env_config and the vector index to the factory") {
  std::vector<int> indices;
  EnvContext context;
  context.env_config = {{"limit", 9}};
  VectorEnv<WalkEnv> venv(3, [&](const EnvContext& ctx) {
    indices.push_back(ctx.vector_index);
    return WalkEnv(ctx);
  }, VectorEnvOptions{}, context);
  CHECK(indices == std::vector<int>{0, 1, 2});
  CHECK(venv.env(2).limit == 9);
}

#include "support/allocation_counter.hpp"

TEST_CASE("after warm-up, VectorEnv steps and resets without heap allocation") {
  for (int threads : {1, 2}) {
    CAPTURE(threads);
    auto venv = walk_vector(64, threads, threads == 1 ? 0 : 8);
    std::vector<std::int64_t> actions(64);
    std::vector<float> flat(64);
    venv.reset();
    for (int t = 0; t < 10; ++t) venv.step(actions);  // warm-up (TBB spins up its workers)
    const auto count = rlpp::test::count_allocations([&] {
      for (int t = 0; t < 200; ++t) {
        for (std::size_t i = 0; i < 64; ++i) {
          actions[i] = (t + static_cast<int>(i)) % 2;
          flat[i] = static_cast<float>(actions[i]);
        }
        venv.step(actions);  // episodes end and auto-reset along the way
        venv.step_flat(flat);
      }
      venv.reset();
    });
    CHECK(count == 0);
  }
}

TEST_CASE("VectorEnv over AnyEnv steps without heap allocation too") {
  VectorEnv<AnyEnv> venv(16, [](const EnvContext& ctx) { return AnyEnv(WalkEnv(ctx), "Walk"); });
  std::vector<float> flat(16, 1.0f);
  venv.reset();
  venv.step_flat(flat);
  CHECK(rlpp::test::count_allocations([&] {
          for (int t = 0; t < 100; ++t) venv.step_flat(flat);
        }) == 0);
}
