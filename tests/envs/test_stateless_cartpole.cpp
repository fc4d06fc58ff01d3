// StatelessCartPole: CartPole-v1 observed without its velocities ([x, theta]).
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <numbers>
#include <vector>

#include "rlpp/core/error.hpp"
#include "rlpp/envs/classic_control/cartpole.hpp"
#include "rlpp/envs/env.hpp"
#include "rlpp/envs/env_context.hpp"
#include "rlpp/envs/stateless_cartpole.hpp"
#include "rlpp/spaces/space.hpp"

static_assert(rlpp::stateful_environment<rlpp::StatelessCartPole>);
static_assert(std::is_same_v<rlpp::observation_t<rlpp::StatelessCartPole>, std::array<float, 2>>);

TEST_CASE("StatelessCartPole observes Box(2) float32: x within 4.8, theta within 24 degrees") {
  const rlpp::StatelessCartPole env;
  const auto& box = env.observation_space().as<rlpp::Box>();
  CHECK(box.dtype() == rlpp::DType::float32);
  CHECK(box.shape() == std::vector<std::int64_t>{2});
  const double theta = static_cast<float>(2 * (12 * 2 * std::numbers::pi / 360));
  CHECK(std::vector<double>(box.high().begin(), box.high().end()) ==
        std::vector<double>{static_cast<float>(4.8), theta});
  CHECK(std::vector<double>(box.low().begin(), box.low().end()) ==
        std::vector<double>{-static_cast<float>(4.8), -theta});
  CHECK(env.action_space().as<rlpp::Discrete>().n() == 2);
}

TEST_CASE("StatelessCartPole is CartPole-v1 with the velocities dropped") {
  rlpp::CartPole full;
  rlpp::StatelessCartPole stateless;
  const auto full_reset = full.reset(5);
  const auto reset = stateless.reset(5);
  CHECK(reset == std::array<float, 2>{full_reset[0], full_reset[2]});
  for (int t = 0; t < 600; ++t) {
    const std::int64_t action = (t / 3) % 2;
    const auto a = full.step(action);
    const auto b = stateless.step(action);
    REQUIRE(b.observation == std::array<float, 2>{a.observation[0], a.observation[2]});
    REQUIRE(b.reward == a.reward);
    REQUIRE(b.terminated == a.terminated);
    REQUIRE(b.truncated == a.truncated);
    if (a.terminated || a.truncated) break;
  }
  CHECK(stateless.get_state() == full.get_state());
}

TEST_CASE("StatelessCartPole takes CartPole's env_config and state") {
  rlpp::EnvContext ctx;
  ctx.env_config = {{"max_episode_steps", 3}};
  rlpp::StatelessCartPole env(ctx);
  CHECK(env.max_episode_steps() == 3);
  env.set_state({});
  CHECK_FALSE(env.step(0).truncated);
  CHECK_FALSE(env.step(1).truncated);
  CHECK(env.step(0).truncated);
  ctx.env_config = {{"max_episode_steps", "three"}};
  CHECK_THROWS_AS(rlpp::StatelessCartPole{ctx}, rlpp::ConfigError);
  CHECK_THROWS_AS(rlpp::StatelessCartPole().step(0), rlpp::EnvError);
}
