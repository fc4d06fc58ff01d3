// Tests for the env wrappers (include/rlpp/envs/wrappers/): the CRTP bases with the two seed
// examples (OneHotEnv, ClipRewardEnv), TimeLimit, ClipAction, RescaleAction,
// NormalizeObservation and FrameStack; state forwarding; errors; and allocation counts.

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "rlpp/envs/env.hpp"
#include "rlpp/envs/wrappers/action_wrapper.hpp"
#include "rlpp/envs/wrappers/clip_action.hpp"
#include "rlpp/envs/wrappers/frame_stack.hpp"
#include "rlpp/envs/wrappers/normalize_observation.hpp"
#include "rlpp/envs/wrappers/observation_wrapper.hpp"
#include "rlpp/envs/wrappers/rescale_action.hpp"
#include "rlpp/envs/wrappers/reward_wrapper.hpp"
#include "rlpp/envs/wrappers/time_limit.hpp"
#include "rlpp/spaces/space.hpp"
#include "support/allocation_counter.hpp"

namespace {

using namespace rlpp;
using rlpp::test::count_allocations;

// ---- small envs ------------------------------------------------------------------------------

// A corridor of `length` cells: the observation is the position (Discrete(length)), action 1
// moves right and 0 left; -1 reward per step; terminated on reaching the last cell. Stateful.
struct Corridor {
  std::int64_t length = 5;
  std::int64_t position = 0;

  Space observation_space() const { return Discrete(length); }
  Space action_space() const { return Discrete(2); }
  std::int64_t reset(Seed) {
    position = 0;
    return position;
  }
  Step<std::int64_t> step(const std::int64_t& action) {
    position = std::clamp<std::int64_t>(position + (action == 1 ? 1 : -1), 0, length - 1);
    return {position, -1.0, position == length - 1, false, {}};
  }
  std::int64_t get_state() const { return position; }
  void set_state(std::int64_t state) { position = state; }
};

// Returns the action it was given as the next observation, so a test sees exactly what a wrapper
// passed on; the reward is the step count. Observation and action space are the same Box.
// reset() returns `initial`. Stateful.
template <class Value>
struct EchoEnv {
  Box box = Box(std::vector<double>{-1.0, -2.0}, std::vector<double>{1.0, 2.0});
  Value initial{};
  Value last{};
  int steps = 0;
  int terminate_at = 1'000'000;

  Space observation_space() const { return box; }
  Space action_space() const { return box; }
  Value reset(Seed) {
    steps = 0;
    last = initial;
    return last;
  }
  Step<Value> step(const Value& action) {
    last = action;
    ++steps;
    return {action, static_cast<double>(steps), steps >= terminate_at, false, {}};
  }
  std::pair<Value, int> get_state() const { return {last, steps}; }
  void set_state(const std::pair<Value, int>& state) {
    last = state.first;
    steps = state.second;
  }
};

using Pair = std::array<float, 2>;

// The same as Corridor without get_state / set_state.
struct StatelessCorridor {
  Corridor corridor;
  Space observation_space() const { return corridor.observation_space(); }
  Space action_space() const { return corridor.action_space(); }
  std::int64_t reset(Seed seed) { return corridor.reset(seed); }
  Step<std::int64_t> step(const std::int64_t& action) { return corridor.step(action); }
};

// ---- the two seed examples: user wrappers in a few lines (also in examples/wrappers.cpp) -----

// One-hot observations for an env with Discrete(N) observations. N is part of the type, so the
// observation is a std::array<float, N> and no step allocates.
template <environment E, std::size_t N>
struct OneHotEnv : ObservationWrapper<OneHotEnv<E, N>, E> {
  explicit OneHotEnv(E env) : ObservationWrapper<OneHotEnv, E>(std::move(env)) {
    const Space inner = this->inner().observation_space();
    const auto* discrete = inner.template get_if<Discrete>();
    if (discrete == nullptr || discrete->n() != static_cast<std::int64_t>(N))
      throw SpaceError("OneHotEnv", "needs a Discrete(" + std::to_string(N) +
                                        ") observation space, got " + inner.to_string());
    start = discrete->start();
  }
  Space observation_space() const { return Box(0.0, 1.0, {static_cast<std::int64_t>(N)}); }
  std::array<float, N> observation(std::int64_t obs) const {
    std::array<float, N> one_hot{};
    one_hot[static_cast<std::size_t>(obs - start)] = 1.0f;
    return one_hot;
  }
  std::int64_t start = 0;
};

// Rewards clamped to [min, max].
template <environment E>
struct ClipRewardEnv : RewardWrapper<ClipRewardEnv<E>, E> {
  ClipRewardEnv(E env, double min, double max)
      : RewardWrapper<ClipRewardEnv, E>(std::move(env)), min(min), max(max) {}
  double reward(double r) const { return std::clamp(r, min, max); }
  double min, max;
};

// An ActionWrapper that changes the action type: a Discrete(2) agent drives a Box env.
template <environment E>
struct BangBang : ActionWrapper<BangBang<E>, E, std::int64_t> {
  using ActionWrapper<BangBang<E>, E, std::int64_t>::ActionWrapper;
  Space action_space() const { return Discrete(2); }
  Pair action(std::int64_t a) const { return a == 1 ? Pair{1.0f, 2.0f} : Pair{-1.0f, -2.0f}; }
};

// ---- concept checks --------------------------------------------------------------------------
static_assert(environment<Corridor> && stateful_environment<Corridor>);
static_assert(environment<OneHotEnv<Corridor, 5>>);
static_assert(std::is_same_v<observation_t<OneHotEnv<Corridor, 5>>, std::array<float, 5>>);
static_assert(environment<ClipRewardEnv<Corridor>>);
static_assert(environment<BangBang<EchoEnv<Pair>>>);
static_assert(std::is_same_v<action_t<BangBang<EchoEnv<Pair>>>, std::int64_t>);
static_assert(environment<TimeLimit<Corridor>> && stateful_environment<TimeLimit<Corridor>>);
static_assert(environment<TimeLimit<StatelessCorridor>> &&
              !stateful_environment<TimeLimit<StatelessCorridor>>);
static_assert(stateful_environment<ClipAction<EchoEnv<Pair>>>);
static_assert(stateful_environment<RescaleAction<EchoEnv<std::vector<float>>>>);
static_assert(stateful_environment<NormalizeObservation<EchoEnv<std::array<double, 2>>>>);
static_assert(std::is_same_v<observation_t<NormalizeObservation<EchoEnv<std::array<double, 2>>>>,
                             std::array<float, 2>>);
static_assert(stateful_environment<FrameStack<EchoEnv<Pair>, 3>>);
static_assert(std::is_same_v<observation_t<FrameStack<EchoEnv<Pair>, 3>>, std::array<Pair, 3>>);
static_assert(std::is_same_v<observation_t<FrameStack<EchoEnv<Pair>>>, std::vector<float>>);
static_assert(environment<TimeLimit<FrameStack<NormalizeObservation<ClipAction<EchoEnv<Pair>>>, 4>>>);

// ---- the CRTP bases ------------------------------------------------------------------------

TEST_CASE("OneHotEnv turns Discrete positions into one-hot float arrays") {
  OneHotEnv<Corridor, 5> env(Corridor{});
  CHECK(env.observation_space() == Space(Box(0.0, 1.0, {5})));
  CHECK(env.action_space() == Space(Discrete(2)));
  CHECK(reset_env(env, 0).observation == std::array<float, 5>{1, 0, 0, 0, 0});
  const auto step = env.step(1);  // position 0 -> 1
  CHECK(step.observation == std::array<float, 5>{0, 1, 0, 0, 0});
  CHECK(step.reward == -1.0);
  CHECK(env.inner().position == 1);
}

TEST_CASE("OneHotEnv rejects a Box observation space and a Discrete of the wrong size") {
  CHECK_THROWS_WITH_AS((OneHotEnv<EchoEnv<Pair>, 2>(EchoEnv<Pair>{})),
                       "OneHotEnv: needs a Discrete(2) observation space, got Box([-1. -2.], [1. 2.], (2,), float32)",
                       SpaceError);
  CHECK_THROWS_AS((OneHotEnv<Corridor, 4>(Corridor{})), SpaceError);
}

TEST_CASE("ClipRewardEnv clamps rewards and forwards everything else") {
  ClipRewardEnv env(Corridor{}, -0.5, 0.5);
  CHECK(env.reset(std::nullopt) == 0);
  const auto step = env.step(1);
  CHECK(step.reward == -0.5);  // -1 clamped to [-0.5, 0.5]
  CHECK(step.observation == 1);
  CHECK(env.get_state() == 1);  // the base forwards state
}

TEST_CASE("An ActionWrapper may accept a different action type than the inner env") {
  BangBang<EchoEnv<Pair>> env(EchoEnv<Pair>{});
  env.reset(0);
  CHECK(env.action_space() == Space(Discrete(2)));
  CHECK(env.step(1).observation == Pair{1.0f, 2.0f});
  CHECK(env.step(0).observation == Pair{-1.0f, -2.0f});
}

// ---- TimeLimit -------------------------------------------------------------------------------

TEST_CASE("TimeLimit truncates at max_episode_steps and restarts the count on reset") {
  TimeLimit env(Corridor{100, 0}, 3);
  env.reset(0);
  CHECK_FALSE(env.step(1).truncated);
  CHECK_FALSE(env.step(1).truncated);
  const auto third = env.step(1);
  CHECK(third.truncated);
  CHECK_FALSE(third.terminated);
  CHECK(env.elapsed_steps() == 3);
  env.reset(std::nullopt);
  CHECK(env.elapsed_steps() == 0);
  CHECK_FALSE(env.step(1).truncated);
}

TEST_CASE("TimeLimit sets truncated at the limit even on a terminal step, as Gymnasium does") {
  // Corridor of 3 cells: two steps right reach the end, exactly at the limit of 2.
  TimeLimit env(Corridor{3, 0}, 2);
  env.reset(0);
  CHECK_FALSE(env.step(1).done());
  const auto last = env.step(1);
  CHECK(last.terminated);  // terminal: not bootstrapped, whatever truncated says
  CHECK(last.truncated);
}

TEST_CASE("TimeLimit rejects a limit below 1") {
  CHECK_THROWS_WITH_AS(TimeLimit(Corridor{}, 0), "TimeLimit: max_episode_steps must be >= 1, got 0",
                       ConfigError);
}

TEST_CASE("TimeLimit's state bundles the inner state with the step count") {
  TimeLimit env(Corridor{100, 0}, 4);
  env.reset(0);
  env.step(1);
  env.step(1);
  const auto saved = env.get_state();
  CHECK(saved.inner == 2);
  CHECK(saved.own == 2);
  env.step(1);
  env.step(1);  // truncated here
  env.set_state(saved);
  CHECK(env.inner().position == 2);
  CHECK_FALSE(env.step(1).truncated);  // step 3
  CHECK(env.step(1).truncated);        // step 4
}

// ---- ClipAction ------------------------------------------------------------------------------

TEST_CASE("ClipAction clips each element to the inner Box bounds") {
  ClipAction env(EchoEnv<Pair>{});
  env.reset(0);
  CHECK(env.step(Pair{5.0f, -5.0f}).observation == Pair{1.0f, -2.0f});
  CHECK(env.step(Pair{0.5f, 1.5f}).observation == Pair{0.5f, 1.5f});  // inside: unchanged
  CHECK(env.action_space() == Space(Box(-INFINITY, INFINITY, {2})));
}

TEST_CASE("ClipAction works on std::vector actions and checks their size") {
  EchoEnv<std::vector<float>> inner;
  inner.initial = {0.0f, 0.0f};
  ClipAction env(std::move(inner));
  env.reset(0);
  CHECK(env.step({-3.0f, 3.0f}).observation == std::vector<float>{-1.0f, 2.0f});
  CHECK_THROWS_AS(env.step({1.0f}), EnvError);
}

TEST_CASE("ClipAction on a Discrete action space is a SpaceError naming the wrapper and the space") {
  CHECK_THROWS_WITH_AS(ClipAction(Corridor{}), "ClipAction: needs a Box action space, got Discrete(2)",
                       SpaceError);
}

// ---- RescaleAction ---------------------------------------------------------------------------

TEST_CASE("RescaleAction maps [min_action, max_action] affinely onto the inner bounds") {
  // Inner bounds: [-1, 1] and [-2, 2]; agent range [0, 1] for both.
  RescaleAction env(EchoEnv<Pair>{}, 0.0, 1.0);
  env.reset(0);
  CHECK(env.action_space() == Space(Box(0.0, 1.0, {2})));
  CHECK(env.step(Pair{0.0f, 0.0f}).observation == Pair{-1.0f, -2.0f});
  CHECK(env.step(Pair{1.0f, 1.0f}).observation == Pair{1.0f, 2.0f});
  // -1 + 2 * 0.5 = 0;  -2 + 4 * 0.25 = -1
  CHECK(env.step(Pair{0.5f, 0.25f}).observation == Pair{0.0f, -1.0f});
  // outside [min, max]: clipped to the inner bounds
  CHECK(env.step(Pair{2.0f, -1.0f}).observation == Pair{1.0f, -2.0f});
}

TEST_CASE("RescaleAction takes one range per element") {
  // element 0: [-10, 10] -> [-1, 1];  element 1: [0, 4] -> [-2, 2]
  RescaleAction env(EchoEnv<Pair>{}, std::vector<double>{-10.0, 0.0}, std::vector<double>{10.0, 4.0});
  env.reset(0);
  CHECK(env.action_space() == Space(Box(std::vector<double>{-10.0, 0.0}, std::vector<double>{10.0, 4.0})));
  // -1 + 2 * (5 + 10) / 20 = 0.5;  -2 + 4 * (1 - 0) / 4 = -1
  CHECK(env.step(Pair{5.0f, 1.0f}).observation == Pair{0.5f, -1.0f});
}

TEST_CASE("RescaleAction errors name the wrapper and the offending space or value") {
  CHECK_THROWS_WITH_AS(RescaleAction(Corridor{}, -1.0, 1.0),
                       "RescaleAction: needs a Box action space, got Discrete(2) (RescaleAction maps "
                       "onto Box bounds; a discrete action space has none)",
                       SpaceError);
  CHECK_THROWS_AS(RescaleAction(EchoEnv<Pair>{}, 1.0, 1.0), ConfigError);
  CHECK_THROWS_AS(RescaleAction(EchoEnv<Pair>{}, std::vector<double>{0, 0, 0}, std::vector<double>{1, 1, 1}),
                  ConfigError);
  EchoEnv<Pair> unbounded;
  unbounded.box = Box(-INFINITY, INFINITY, {2});
  CHECK_THROWS_AS(RescaleAction(unbounded, -1.0, 1.0), SpaceError);
}

// ---- NormalizeObservation -----------------------------------------------------------------

TEST_CASE("NormalizeObservation follows Gymnasium's RunningMeanStd arithmetic") {
  EchoEnv<std::array<double, 1>> inner;
  inner.box = Box(-10.0, 10.0, {1});
  NormalizeObservation env(inner);

  // reset: observation 0. count 1e-4 -> 1.0001; mean stays 0; var = (1 * 1e-4) / 1.0001.
  const auto first = reset_env(env, 0).observation;
  double count = 1e-4, mean = 0.0, var = 1.0;
  auto update = [&](double x) {
    const double total = count + 1.0;
    const double delta = x - mean;
    mean += delta / total;
    var = (var * count + delta * delta * count / total) / total;
    count = total;
  };
  update(0.0);
  CHECK(env.obs_rms().count == doctest::Approx(1.0001));
  CHECK(env.obs_rms().var[0] == doctest::Approx(1e-4 / 1.0001));
  CHECK(first[0] == 0.0f);

  // step: observation 2. mean = 2 / 2.0001; normalized = (2 - mean) / sqrt(var + 1e-8).
  const auto second = env.step({2.0}).observation;
  update(2.0);
  CHECK(env.obs_rms().mean[0] == doctest::Approx(2.0 / 2.0001));
  CHECK(env.obs_rms().var[0] == doctest::Approx(var));
  CHECK(second[0] == doctest::Approx((2.0 - mean) / std::sqrt(var + 1e-8)));
  CHECK(second[0] == doctest::Approx(1.0).epsilon(1e-3));  // two samples {0, 2}: z-score of 2 is 1
}

TEST_CASE("NormalizeObservation's statistics converge to the sample mean and variance") {
  EchoEnv<Pair> inner;
  inner.initial = {1.0f, 0.0f};
  NormalizeObservation env(inner);
  env.reset(0);
  // Observations alternate (1, 0) and (3, 4): sample mean (2, 2), population variance (1, 4).
  for (int i = 0; i < 999; ++i) env.step(i % 2 == 0 ? Pair{3.0f, 4.0f} : Pair{1.0f, 0.0f});
  const auto& rms = env.obs_rms();
  CHECK(rms.mean[0] == doctest::Approx(2.0).epsilon(1e-3));
  CHECK(rms.mean[1] == doctest::Approx(2.0).epsilon(1e-3));
  CHECK(rms.var[0] == doctest::Approx(1.0).epsilon(1e-3));
  CHECK(rms.var[1] == doctest::Approx(4.0).epsilon(1e-3));
  CHECK(env.observation_space() == Space(Box(-INFINITY, INFINITY, {2})));
}

TEST_CASE("NormalizeObservation can freeze its statistics and have them set") {
  NormalizeObservation env(EchoEnv<Pair>{});
  env.reset(0);
  RunningMeanStd fixed(2);
  fixed.mean = {1.0, -1.0};
  fixed.var = {4.0, 0.25};
  fixed.count = 10.0;
  env.set_obs_rms(fixed);
  env.update_running_mean(false);
  const auto obs = env.step(Pair{3.0f, 0.0f}).observation;
  CHECK(env.obs_rms() == fixed);  // frozen: unchanged
  CHECK(obs[0] == doctest::Approx((3.0 - 1.0) / std::sqrt(4.0 + 1e-8)));   // 1
  CHECK(obs[1] == doctest::Approx((0.0 + 1.0) / std::sqrt(0.25 + 1e-8)));  // 2
  CHECK_THROWS_AS(env.set_obs_rms(RunningMeanStd(3)), SpaceError);
}

TEST_CASE("RunningMeanStd merges two trackers exactly like one that saw both streams") {
  RunningMeanStd a(1), b(1), both(1);
  for (double x : {1.0, 2.0, 6.0}) {
    a.update(std::vector<double>{x});
    both.update(std::vector<double>{x});
  }
  for (double x : {-3.0, 5.0}) {
    b.update(std::vector<double>{x});
    both.update(std::vector<double>{x});
  }
  b.count -= 1e-4;  // merge b's data, not a second prior
  a.merge(b);
  CHECK(a.mean[0] == doctest::Approx(both.mean[0]));
  CHECK(a.var[0] == doctest::Approx(both.var[0]).epsilon(1e-3));
}

TEST_CASE("NormalizeObservation on a Discrete observation space is a SpaceError") {
  CHECK_THROWS_AS(NormalizeObservation(Corridor{}), SpaceError);
}

// ---- FrameStack --------------------------------------------------------------------------------

TEST_CASE("FrameStack repeats the first observation and then rolls, oldest first") {
  EchoEnv<Pair> inner;
  inner.initial = {9.0f, 9.0f};
  FrameStack<EchoEnv<Pair>, 3> env(inner);
  using Stack = std::array<Pair, 3>;
  CHECK(reset_env(env, 0).observation == Stack{Pair{9, 9}, Pair{9, 9}, Pair{9, 9}});
  CHECK(env.step(Pair{1, 1}).observation == Stack{Pair{9, 9}, Pair{9, 9}, Pair{1, 1}});
  CHECK(env.step(Pair{2, 2}).observation == Stack{Pair{9, 9}, Pair{1, 1}, Pair{2, 2}});
  CHECK(env.step(Pair{3, 3}).observation == Stack{Pair{1, 1}, Pair{2, 2}, Pair{3, 3}});
  CHECK(reset_env(env, 0).observation == Stack{Pair{9, 9}, Pair{9, 9}, Pair{9, 9}});
  // Box of shape (3, 2), the inner bounds repeated per frame.
  CHECK(env.observation_space() ==
        Space(Box(std::vector<double>{-1, -2, -1, -2, -1, -2}, std::vector<double>{1, 2, 1, 2, 1, 2}, {3, 2})));
}

TEST_CASE("FrameStack with k chosen at run time returns the frames flat") {
  EchoEnv<Pair> inner;
  inner.initial = {9.0f, 8.0f};
  FrameStack env(inner, 2);
  static_assert(decltype(env)::is_dynamic);
  CHECK(reset_env(env, 0).observation == std::vector<float>{9, 8, 9, 8});
  CHECK(env.step(Pair{1, 2}).observation == std::vector<float>{9, 8, 1, 2});
  CHECK(env.step(Pair{3, 4}).observation == std::vector<float>{1, 2, 3, 4});
  CHECK(env.observation_space().shape() == std::vector<std::int64_t>{2, 2});
}

TEST_CASE("FrameStack errors: k below 1 and a Discrete observation space") {
  CHECK_THROWS_WITH_AS(FrameStack(EchoEnv<Pair>{}, 0),
                       "FrameStack: k (the number of frames) must be >= 1, got 0", ConfigError);
  CHECK_THROWS_WITH_AS((FrameStack<Corridor, 4>(Corridor{})),
                       "FrameStack: needs a Box observation space, got Discrete(5) (one-hot encode "
                       "discrete observations before stacking them)",
                       SpaceError);
}

TEST_CASE("FrameStack of OneHotEnv stacks one-hot frames") {
  FrameStack<OneHotEnv<Corridor, 3>, 2> env(OneHotEnv<Corridor, 3>(Corridor{3, 0}));
  env.reset(0);
  const auto obs = env.step(1).observation;
  CHECK(obs[0] == std::array<float, 3>{1, 0, 0});
  CHECK(obs[1] == std::array<float, 3>{0, 1, 0});
  CHECK(env.observation_space().shape() == std::vector<std::int64_t>{2, 3});
}

// ---- composition, state and unwrapping ---------------------------------------------------------

TEST_CASE("Stacked wrappers save and restore the whole stack's state") {
  auto make = [] {
    return TimeLimit(FrameStack<NormalizeObservation<ClipAction<EchoEnv<Pair>>>, 2>(
                         NormalizeObservation(ClipAction(EchoEnv<Pair>{}))),
                     10);
  };
  auto env = make();
  env.reset(0);
  env.step(Pair{0.5f, 1.0f});
  env.step(Pair{-0.5f, 3.0f});
  const auto saved = env.get_state();
  std::vector<Step<std::array<Pair, 2>>> first;
  for (int i = 0; i < 3; ++i) first.push_back(env.step(Pair{0.25f * static_cast<float>(i), -1.0f}));

  auto other = make();
  other.reset(0);
  other.set_state(saved);
  for (int i = 0; i < 3; ++i) {
    const auto again = other.step(Pair{0.25f * static_cast<float>(i), -1.0f});
    CHECK(again.observation == first[static_cast<std::size_t>(i)].observation);
    CHECK(again.reward == first[static_cast<std::size_t>(i)].reward);
    CHECK(again.truncated == first[static_cast<std::size_t>(i)].truncated);
  }
}

TEST_CASE("unwrapped() reaches the innermost env through every layer") {
  auto env = TimeLimit(ClipAction(EchoEnv<Pair>{}), 5);
  static_assert(std::is_same_v<decltype(env.unwrapped()), EchoEnv<Pair>&>);
  CHECK(&env.unwrapped() == &env.inner().inner());
  const auto& const_env = env;
  static_assert(std::is_same_v<decltype(const_env.unwrapped()), const EchoEnv<Pair>&>);
}

// ---- allocations -------------------------------------------------------------------------------

TEST_CASE("Fixed-size wrappers do not allocate per step") {
  // Every wrapper of this stack keeps fixed-size std::array values; infos stay null.
  auto env = TimeLimit(
      FrameStack<NormalizeObservation<RescaleAction<ClipRewardEnv<EchoEnv<Pair>>>>, 4>(
          NormalizeObservation(RescaleAction(ClipRewardEnv(EchoEnv<Pair>{}, -1.0, 1.0), 0.0, 1.0))),
      1'000'000);
  env.reset(0);
  std::size_t sum = 0;
  const std::size_t count = count_allocations([&] {
    for (int i = 0; i < 1000; ++i) {
      const auto step = env.step(Pair{0.001f * static_cast<float>(i), 0.5f});
      sum += step.truncated ? 1 : 0;
    }
  });
  CHECK(count == 0);
  CHECK(sum == 0);
}

TEST_CASE("Wrappers over std::vector actions reuse their buffers after the first step") {
  EchoEnv<std::vector<float>> inner;
  inner.initial = {0.0f, 0.0f};
  auto env = ClipAction(RescaleAction(TimeLimit(inner, 1'000'000), -1.0, 1.0));
  env.reset(0);
  const std::vector<float> action{0.5f, -0.5f};
  env.step(action);  // warm-up
  // EchoEnv copies the action into its observation (one allocation) and into `last` (reused);
  // the wrappers add nothing.
  const std::size_t count = count_allocations([&] {
    for (int i = 0; i < 100; ++i) env.step(action);
  });
  CHECK(count == 100);
}

}  // namespace
