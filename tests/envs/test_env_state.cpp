// Env state for checkpoints (envs/state_json.hpp): AnyEnv, AnyMultiAgentEnv and VectorEnv save
// every built-in env and wrapper mid-episode as JSON, and an env restored from it (after dump()
// and parse(), or CBOR) steps on bit for bit like the original, auto-resets included.
#include <doctest/doctest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "rlpp/core/rng.hpp"
#include "rlpp/envs/any_env.hpp"
#include "rlpp/envs/any_multi_agent_env.hpp"
#include "rlpp/envs/registry.hpp"
#include "rlpp/envs/state_json.hpp"
#include "rlpp/envs/vector_env.hpp"
#include "rlpp/envs/wrappers/clip_action.hpp"
#include "rlpp/envs/wrappers/frame_stack.hpp"
#include "rlpp/envs/wrappers/normalize_observation.hpp"
#include "rlpp/envs/wrappers/rescale_action.hpp"
#include "rlpp/envs/wrappers/time_limit.hpp"

using namespace rlpp;

namespace {

// How a saved state travels: kept as is, as JSON text, or as CBOR (what checkpoints write).
enum class Transport { none, text, cbor };
constexpr std::array<Transport, 3> transports{Transport::none, Transport::text, Transport::cbor};

Json carry(const Json& state, Transport transport) {
  switch (transport) {
    case Transport::text: return Json::parse(state.dump());
    case Transport::cbor: return Json::from_cbor(Json::to_cbor(state));
    case Transport::none: break;
  }
  return state;
}

template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

// Everything an env emitted, in order, as raw bytes (floats, rewards, flags).
struct Trace {
  std::vector<float> observations;
  std::vector<double> rewards;
  std::vector<std::uint8_t> flags;
  bool operator==(const Trace& other) const {
    return same_bits(observations, other.observations) && same_bits(rewards, other.rewards) &&
           same_bits(flags, other.flags);
  }
};

// `steps` random actions from `actions`; an ended episode is reset without a seed (continuing
// the env's own stream), as samplers do.
Trace drive(AnyEnv& env, RandomStream& actions, int steps) {
  Trace trace;
  std::vector<float> action(env.action_size());
  for (int t = 0; t < steps; ++t) {
    env.action_space().sample(actions, action);
    const auto step = env.step(action);
    trace.observations.insert(trace.observations.end(), step.observation.begin(), step.observation.end());
    trace.rewards.push_back(step.reward);
    trace.flags.push_back(static_cast<std::uint8_t>(step.terminated * 2 + step.truncated));
    if (step.done()) {
      const auto reset = env.reset();
      trace.observations.insert(trace.observations.end(), reset.observation.begin(), reset.observation.end());
    }
  }
  return trace;
}

// Runs `warmup` steps, saves, runs `steps` more; restores the saved state into a fresh env from
// `make` (never reset) and checks that it replays those steps bit for bit.
void check_round_trip(const std::function<AnyEnv()>& make, std::uint64_t seed, int warmup = 37, int steps = 300) {
  for (Transport transport : transports) {
    CAPTURE(static_cast<int>(transport));
    AnyEnv env = make();
    REQUIRE(env.supports_state());
    env.reset(seed);
    RandomStream warmup_actions(seed + 1);
    drive(env, warmup_actions, warmup);
    const Json saved = carry(env.get_state(), transport);
    RandomStream actions(seed + 2);
    const Trace original = drive(env, actions, steps);

    AnyEnv restored = make();
    restored.set_state(saved);
    RandomStream replay_actions(seed + 2);
    const Trace replayed = drive(restored, replay_actions, steps);
    CHECK(replayed == original);
    CHECK(restored.get_state() == env.get_state());
  }
}

std::function<AnyEnv()> registered(const std::string& name, Json config = Json::object()) {
  return [name, config] {
    EnvContext ctx;
    ctx.env_config = config;
    ctx.vector_index = 3;  // a stream other than the default one
    return make_env(name, ctx);
  };
}

}  // namespace

TEST_CASE("every built-in env continues bit-identically from a saved state, through JSON text and CBOR") {
  SUBCASE("CartPole-v1") { check_round_trip(registered("CartPole-v1"), 1); }
  SUBCASE("CartPole-v0") { check_round_trip(registered("CartPole-v0", {{"sutton_barto_reward", true}}), 2); }
  SUBCASE("Pendulum-v1") { check_round_trip(registered("Pendulum-v1", {{"max_episode_steps", 25}}), 3); }
  SUBCASE("MountainCar-v0") { check_round_trip(registered("MountainCar-v0", {{"max_episode_steps", 30}}), 4); }
  SUBCASE("MountainCarContinuous-v0") {
    check_round_trip(registered("MountainCarContinuous-v0", {{"max_episode_steps", 30}}), 5);
  }
  SUBCASE("Acrobot-v1") { check_round_trip(registered("Acrobot-v1", {{"max_episode_steps", 30}}), 6); }
  SUBCASE("StatelessCartPole") { check_round_trip(registered("StatelessCartPole"), 7); }
  SUBCASE("RepeatAfterMe") { check_round_trip(registered("RepeatAfterMe", {{"repeat_delay", 2}, {"episode_len", 7}}), 8); }
  SUBCASE("SimpleContextualBandit") { check_round_trip(registered("SimpleContextualBandit"), 9); }
  SUBCASE("RandomEnv, Discrete") { check_round_trip(registered("RandomEnv", {{"max_episode_len", 9}}), 10); }
  SUBCASE("RandomEnv, unbounded Box: normal() draws leave a spare in the stream") {
    const Json box{{"type", "Box"}, {"low", -INFINITY}, {"high", INFINITY}, {"shape", {3}}};
    check_round_trip(registered("RandomEnv", {{"observation_space", box}, {"max_episode_len", 9}, {"p_terminated", 0.05}}),
                     11, 4);
    check_round_trip(registered("RandomEnv", {{"observation_space", box}, {"max_episode_len", 9}}), 12, 5);
  }
}

TEST_CASE("wrapped envs save the wrappers' own state with the inner env's") {
  SUBCASE("TimeLimit") {
    check_round_trip([] { return AnyEnv(TimeLimit(CartPole(), 13), "TimeLimit(CartPole)"); }, 21);
  }
  SUBCASE("FrameStack, k at compile time") {
    check_round_trip([] { return AnyEnv(FrameStack<CartPole, 3>(CartPole()), "FrameStack<3>"); }, 22);
  }
  SUBCASE("FrameStack, k at run time") {
    check_round_trip([] { return AnyEnv(FrameStack(TimeLimit(Pendulum(), 20), 4), "FrameStack(4)"); }, 23);
  }
  SUBCASE("NormalizeObservation: the running statistics") {
    check_round_trip([] { return AnyEnv(NormalizeObservation(TimeLimit(MountainCarContinuous(), 40)), "norm"); },
                     24);
  }
  SUBCASE("ClipAction and RescaleAction over a nested stack") {
    check_round_trip(
        [] {
          return AnyEnv(ClipAction(RescaleAction(NormalizeObservation(FrameStack<Pendulum, 2>(Pendulum())), -1.0, 1.0)),
                        "stack");
        },
        25, 30, 250);
  }
}

TEST_CASE("a restored NormalizeObservation holds the saved statistics exactly") {
  NormalizeObservation env(Acrobot{});
  env.reset(5);
  for (int t = 0; t < 20; ++t) env.step(t % 3);
  Json saved = Json::from_cbor(Json::to_cbor(state_to_json(env.get_state())));
  auto state = NormalizeObservation<Acrobot>(Acrobot{}).get_state();
  state_from_json(saved, state);
  CHECK(state == env.get_state());
  CHECK(same_bits(state.own.obs_rms.mean, env.obs_rms().mean));
}

namespace {
// Multi-agent: acts for the agents in the last observations; resets when the episode is over.
Trace drive(AnyMultiAgentEnv& env, AgentDict<std::vector<float>> observations, RandomStream& rng, int steps,
            AgentDict<std::vector<float>>* last = nullptr) {
  Trace trace;
  for (int t = 0; t < steps; ++t) {
    AgentDict<std::vector<float>> actions;
    for (const auto& [id, obs] : observations) {
      const Space space = env.action_space(id);
      std::vector<float> action(space.flat_size());
      space.sample(rng, action);
      actions.insert_or_assign(id, action);
    }
    auto step = env.step(actions);
    for (const auto& [id, obs] : step.observations) trace.observations.insert(trace.observations.end(), obs.begin(), obs.end());
    for (const auto& [id, reward] : step.rewards) trace.rewards.push_back(reward);
    for (const auto& [id, flag] : step.terminateds) trace.flags.push_back(flag);
    for (const auto& [id, flag] : step.truncateds) trace.flags.push_back(flag);
    if (step.all_done()) {
      observations = env.reset().observations;
      for (const auto& [id, obs] : observations) trace.observations.insert(trace.observations.end(), obs.begin(), obs.end());
    } else {
      observations.clear();  // agents whose episode ended leave
      for (const auto& [id, obs] : step.observations) {
        if (!step.terminateds.get(id, false) && !step.truncateds.get(id, false)) observations.insert_or_assign(id, obs);
      }
    }
  }
  if (last) *last = observations;
  return trace;
}

void check_multi_agent_round_trip(const std::string& name, const Json& config, std::uint64_t seed) {
  EnvContext ctx;
  ctx.env_config = config;
  for (Transport transport : transports) {
    CAPTURE(static_cast<int>(transport));
    AnyMultiAgentEnv env = make_multi_agent_env(name, ctx);
    REQUIRE(env.supports_state());
    RandomStream warmup(seed);
    AgentDict<std::vector<float>> observations;
    drive(env, env.reset(seed).observations, warmup, 23, &observations);
    const Json saved = carry(env.get_state(), transport);
    RandomStream actions(seed + 1);
    const Trace original = drive(env, observations, actions, 200);

    AnyMultiAgentEnv restored = make_multi_agent_env(name, ctx);
    restored.set_state(saved);
    RandomStream replay(seed + 1);
    CHECK(drive(restored, observations, replay, 200) == original);
    CHECK(restored.get_state() == env.get_state());
  }
}
}  // namespace

TEST_CASE("multi-agent envs continue bit-identically from a saved state") {
  SUBCASE("RockPaperScissors") { check_multi_agent_round_trip("RockPaperScissors", {{"sheldon_cooper_mode", true}}, 31); }
  SUBCASE("MultiAgentCartPole") { check_multi_agent_round_trip("MultiAgentCartPole", {{"num_agents", 3}}, 32); }
}

namespace {
struct VectorTrace {
  std::vector<float> observations, final_observations, rewards;
  std::vector<std::uint8_t> terminateds, truncateds, ended;
  int episodes_ended = 0;
  bool operator==(const VectorTrace& o) const {
    return same_bits(observations, o.observations) && same_bits(final_observations, o.final_observations) &&
           same_bits(rewards, o.rewards) && terminateds == o.terminateds && truncateds == o.truncateds &&
           ended == o.ended;
  }
};

template <class Env>
VectorTrace drive(VectorEnv<Env>& env, RandomStream& rng, int steps) {
  VectorTrace trace;
  std::vector<float> actions(env.num_envs() * env.action_size());
  for (int t = 0; t < steps; ++t) {
    for (std::size_t i = 0; i < env.num_envs(); ++i) {
      env.action_space().sample(rng, std::span<float>(actions).subspan(i * env.action_size(), env.action_size()));
    }
    env.step_flat(actions);
    const auto append = [](auto& to, auto from) { to.insert(to.end(), from.begin(), from.end()); };
    append(trace.observations, env.observations());
    append(trace.rewards, env.rewards());
    append(trace.terminateds, env.terminateds());
    append(trace.truncateds, env.truncateds());
    append(trace.ended, env.episode_ended());
    for (std::size_t i = 0; i < env.num_envs(); ++i) {
      if (env.episode_ended()[i]) {
        append(trace.final_observations, env.final_observation(i));
        ++trace.episodes_ended;
      }
    }
  }
  return trace;
}

template <class Env>
void check_vector_round_trip(const std::function<VectorEnv<Env>()>& make, std::uint64_t seed) {
  for (Transport transport : transports) {
    CAPTURE(static_cast<int>(transport));
    VectorEnv<Env> env = make();
    REQUIRE(env.supports_state());
    env.reset();
    RandomStream warmup(seed);
    CHECK(drive(env, warmup, 60).episodes_ended >= 4);  // saved after several auto-resets
    const Json saved = carry(env.get_state(), transport);
    RandomStream actions(seed + 1);
    const VectorTrace original = drive(env, actions, 250);
    CHECK(original.episodes_ended >= 12);

    {  // into a fresh VectorEnv
      VectorEnv<Env> restored = make();
      restored.set_state(saved);
      RandomStream replay(seed + 1);
      CHECK(drive(restored, replay, 250) == original);
      CHECK(restored.get_state() == env.get_state());
    }
    {  // into one that was reset with another seed and stepped
      VectorEnv<Env> restored = make();
      restored.reset(999);
      RandomStream other(5);
      drive(restored, other, 17);
      restored.set_state(saved);
      RandomStream replay(seed + 1);
      CHECK(drive(restored, replay, 250) == original);
      CHECK(restored.get_state() == env.get_state());
    }
  }
}
}  // namespace

TEST_CASE("VectorEnv continues bit-identically after set_state, auto-resets included") {
  VectorEnvOptions options;
  options.seed = 17;
  SUBCASE("VectorEnv<AnyEnv> of CartPole-v1, 4 sub-envs") {
    check_vector_round_trip<AnyEnv>([&] { return make_vector_env("CartPole-v1", 4, options); }, 41);
  }
  SUBCASE("VectorEnv<CartPole>, typed, 2 threads") {
    options.num_threads = 2;
    options.grain = 1;
    check_vector_round_trip<CartPole>(
        [&] { return VectorEnv<CartPole>(4, [](const EnvContext& ctx) { return CartPole(ctx); }, options); }, 42);
  }
  SUBCASE("VectorEnv<AnyEnv> of RandomEnv with normal() observations") {
    EnvContext ctx;
    ctx.env_config = {{"observation_space", {{"type", "Box"}, {"low", -INFINITY}, {"high", INFINITY}, {"shape", {3}}}},
                      {"action_space", {{"type", "Box"}, {"low", -1}, {"high", 1}, {"shape", {2}}}},
                      {"p_terminated", 0.15}};
    check_vector_round_trip<AnyEnv>([&] { return make_vector_env("RandomEnv", 4, options, ctx); }, 43);
  }
  SUBCASE("VectorEnv<TimeLimit<Pendulum>>: a wrapper's state per sub-env") {
    check_vector_round_trip<TimeLimit<Pendulum>>(
        [&] {
          return VectorEnv<TimeLimit<Pendulum>>(
              4, [](const EnvContext& ctx) { return TimeLimit(Pendulum(ctx), 11 + ctx.vector_index); }, options);
        },
        44);
  }
}

TEST_CASE("VectorEnv's state holds every sub-env and the buffers stepping reads") {
  VectorEnv<AnyEnv> env = make_vector_env("CartPole-v1", 4);
  env.reset(3);
  const Json state = env.get_state();
  CHECK(state["num_envs"] == 4);
  CHECK(state["envs"].size() == 4);
  CHECK(state["envs"][2]["env"] == "CartPole-v1");
  CHECK(state["envs"][2]["state"].contains("rng"));
  CHECK(state["observations"].size() == 16);
  CHECK(state["is_reset"] == true);
  CHECK(state["seeded"] == true);
}

// ---- the codec ----

TEST_CASE("state_to_json keeps every float and double bit, inf and NaN included") {
  const std::vector<double> doubles{0.1, -0.0, 1e-310, std::numeric_limits<double>::max(),
                                    std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity(),
                                    std::numeric_limits<double>::quiet_NaN(), std::bit_cast<double>(0x7ff0000000000123ULL)};
  const std::vector<float> floats{0.1f, -0.0f, 1e-40f, std::numeric_limits<float>::max(), -INFINITY,
                                  std::bit_cast<float>(0x7fc01234U)};
  for (Transport transport : transports) {
    CAPTURE(static_cast<int>(transport));
    std::vector<double> d;
    std::vector<float> f;
    state_from_json(carry(state_to_json(doubles), transport), d);
    state_from_json(carry(state_to_json(floats), transport), f);
    CHECK(same_bits(d, doubles));
    CHECK(same_bits(f, floats));
  }
  CHECK(state_to_json(0.5) == 0.5);
  CHECK(state_to_json(-std::numeric_limits<double>::infinity()) == "0xfff0000000000000");
  CHECK(state_to_json(INFINITY) == "0x7f800000");
}

TEST_CASE("a RandomStream is saved with its normal() spare") {
  RandomStream stream(9);
  stream.normal();  // leaves the second value of the pair cached
  for (Transport transport : transports) {
    RandomStream restored(1);
    state_from_json(carry(state_to_json(stream), transport), restored);
    RandomStream original = stream;
    for (int i = 0; i < 5; ++i) CHECK(std::bit_cast<std::uint64_t>(restored.normal()) == std::bit_cast<std::uint64_t>(original.normal()));
  }
  const Json json = state_to_json(RandomStream(4));
  CHECK(json["state"].size() == 4);
  CHECK(json["spare"].is_null());
}

namespace {
// A stateful env whose state has no to_json: saved as its bytes.
struct PodEnv {
  struct State {
    double position = 0;
    std::int32_t steps = 0;
  };
  State state;
  Box observation_space() const { return Box(-1000.0, 1000.0, {1}); }
  Discrete action_space() const { return Discrete(2); }
  std::array<float, 1> reset(Seed) {
    state = {};
    return {0.0f};
  }
  Step<std::array<float, 1>> step(std::int64_t action) {
    state.position += action ? 0.1 : -0.3;
    ++state.steps;
    return {{static_cast<float>(state.position)}, state.position, false, state.steps % 10 == 0, {}};
  }
  State get_state() const { return state; }
  void set_state(const State& s) { state = s; }
};

// An env without get_state()/set_state().
struct PlainEnv {
  Box observation_space() const { return Box(-1000.0, 1000.0, {1}); }
  Discrete action_space() const { return Discrete(2); }
  std::array<float, 1> reset(Seed) { return {0.0f}; }
  Step<std::array<float, 1>> step(std::int64_t) { return {{0.0f}, 0.0, false, false, {}}; }
};
}  // namespace

TEST_CASE("a trivially copyable state without to_json travels as its bytes, size checked") {
  check_round_trip([] { return AnyEnv(PodEnv{}, "pod"); }, 51, 7, 40);
  AnyEnv env(PodEnv{}, "pod");
  env.reset(1);
  Json state = env.get_state();
  CHECK(state["state"]["size"] == sizeof(PodEnv::State));
  state["state"]["size"] = sizeof(PodEnv::State) + 8;
  CHECK_THROWS_WITH_AS(env.set_state(state), doctest::Contains("bytes"), EnvError);
  state["state"]["size"] = sizeof(PodEnv::State);
  state["state"]["bytes"] = "00ff";
  CHECK_THROWS_AS(env.set_state(state), EnvError);
}

TEST_CASE("an env without state says so: supports_state() is false and get_state() an EnvError") {
  AnyEnv env(PlainEnv{}, "Plain-v0");
  CHECK_FALSE(env.supports_state());
  CHECK_THROWS_WITH_AS(env.get_state(), doctest::Contains("env 'Plain-v0': does not support state"), EnvError);
  CHECK_THROWS_AS(env.set_state(Json::object()), EnvError);

  std::vector<AnyEnv> envs;
  envs.emplace_back(PodEnv{}, "mixed");
  envs.emplace_back(PlainEnv{}, "mixed");
  VectorEnv<AnyEnv> vector(std::move(envs));
  CHECK_FALSE(vector.supports_state());
  CHECK_THROWS_WITH_AS(vector.get_state(), doctest::Contains("sub-env 1"), EnvError);

  VectorEnv<PlainEnv> typed(2, [](const EnvContext&) { return PlainEnv{}; });
  CHECK_FALSE(typed.supports_state());
  CHECK_THROWS_AS(typed.get_state(), EnvError);
}

TEST_CASE("set_state rejects another env's or a corrupt state with an EnvError and changes nothing") {
  AnyEnv cartpole = make_env("CartPole-v1");
  cartpole.reset(1);
  cartpole.step({1.0f});
  const Json good = cartpole.get_state();

  SUBCASE("another env's state") {
    AnyEnv pendulum = make_env("Pendulum-v1");
    pendulum.reset(2);
    const Json before = pendulum.get_state();
    CHECK_THROWS_WITH_AS(pendulum.set_state(good), doctest::Contains("state of env 'CartPole-v1'"), EnvError);
    CHECK(pendulum.get_state() == before);
  }
  SUBCASE("another env type under the same name") {
    AnyEnv pendulum(Pendulum(), "CartPole-v1");
    pendulum.reset(2);
    const Json before = pendulum.get_state();
    CHECK_THROWS_WITH_AS(pendulum.set_state(good), doctest::Contains("unexpected key"), EnvError);
    CHECK(pendulum.get_state() == before);
  }
  SUBCASE("corrupt values") {
    AnyEnv other = make_env("CartPole-v1");
    other.reset(7);
    const Json before = other.get_state();
    const auto rejects = [&](Json state, const char* message) {
      CAPTURE(state.dump());
      CHECK_THROWS_WITH_AS(other.set_state(state), doctest::Contains(message), EnvError);
      CHECK(other.get_state() == before);
    };
    Json state = good;
    state["state"]["x"] = "abc";
    rejects(state, "state.x: expected a float64");
    state = good;
    state["state"].erase("theta_dot");
    rejects(state, "missing key 'theta_dot'");
    state = good;
    state["state"]["rng"]["state"][2] = "123";
    rejects(state, "state.rng.state");
    state = good;
    state["state"]["rng"]["state"] = {"0000000000000000", "0000000000000000", "0000000000000000", "0000000000000000"};
    rejects(state, "all zero");
    state = good;
    state["state"]["elapsed_steps"] = 1.5;
    rejects(state, "expected an integer");
    state = good;
    state["steps"] = -1.0;
    rejects(state, "expected an integer");
    rejects(Json(3), "expected an object");
    rejects(Json::object(), "missing key 'env'");
  }
  SUBCASE("a float32 state value that float32 cannot hold") {
    AnyEnv bandit = make_env("SimpleContextualBandit");
    bandit.reset(1);
    Json state = bandit.get_state();
    state["state"]["context"] = 0.1;
    CHECK_THROWS_WITH_AS(bandit.set_state(state), doctest::Contains("float32 cannot hold"), EnvError);
  }
  SUBCASE("the env's own check: RepeatAfterMe with another repeat_delay") {
    AnyEnv one = make_env("RepeatAfterMe");
    one.reset(1);
    EnvContext ctx;
    ctx.env_config = {{"repeat_delay", 3}};
    AnyEnv three = make_env("RepeatAfterMe", ctx);
    CHECK_THROWS_WITH_AS(three.set_state(one.get_state()), doctest::Contains("repeat_delay"), EnvError);
  }
  SUBCASE("a multi-agent env with another number of agents") {
    EnvContext two;
    two.env_config = {{"num_agents", 2}};
    AnyMultiAgentEnv a = make_multi_agent_env("MultiAgentCartPole", two);
    a.reset(1);
    AnyMultiAgentEnv b = make_multi_agent_env("MultiAgentCartPole");
    CHECK_THROWS_WITH_AS(b.set_state(a.get_state()), doctest::Contains("2 agents"), EnvError);
  }
}

TEST_CASE("VectorEnv::set_state rejects a mismatched or corrupt state and changes nothing") {
  VectorEnv<AnyEnv> a = make_vector_env("CartPole-v1", 4);
  a.reset(1);
  VectorEnv<AnyEnv> b = make_vector_env("CartPole-v1", 4);
  b.reset(2);
  const Json before = b.get_state();
  SUBCASE("another number of sub-envs") {
    VectorEnv<AnyEnv> three = make_vector_env("CartPole-v1", 3);
    three.reset(1);
    CHECK_THROWS_WITH_AS(b.set_state(three.get_state()), doctest::Contains("3 sub-envs"), EnvError);
  }
  SUBCASE("another env") {
    VectorEnv<AnyEnv> pendulum = make_vector_env("Pendulum-v1", 4);
    pendulum.reset(1);
    CHECK_THROWS_WITH_AS(b.set_state(pendulum.get_state()), doctest::Contains("'Pendulum-v1'"), EnvError);
  }
  SUBCASE("a short buffer") {
    Json state = a.get_state();
    state["observations"].erase(0);
    CHECK_THROWS_WITH_AS(b.set_state(state), doctest::Contains("observations holds 15 values"), EnvError);
  }
  SUBCASE("a corrupt last sub-env: the first three are rolled back") {
    Json state = a.get_state();
    state["envs"][3]["state"]["theta"] = nullptr;
    CHECK_THROWS_WITH_AS(b.set_state(state), doctest::Contains("sub-env 3"), EnvError);
  }
  CHECK(b.get_state() == before);
}
