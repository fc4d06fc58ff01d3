#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <limits>
#include <vector>

#include "exploration/exploration_support.hpp"
#include "rlpp/exploration/soft_q.hpp"

using namespace rlpp;
using rlpp::test::context;
using rlpp::test::TinyCategorical;
using doctest::Approx;

static_assert(exploration_strategy_for<SoftQ, TinyCategorical>);

namespace {
// softmax(q / temperature)
std::vector<double> boltzmann(const std::vector<double>& q, double temperature) {
  std::vector<double> p;
  double total = 0.0;
  for (double v : q) total += std::exp(v / temperature);
  for (double v : q) p.push_back(std::exp(v / temperature) / total);
  return p;
}
}  // namespace

TEST_CASE("SoftQ samples actions with the frequencies of softmax(Q / temperature) and reports their logp") {
  const std::vector<double> q_values = {1.0, 2.0, 0.5, -1.0};
  const double temperature = 0.5;
  // softmax(2 q): exp(2), exp(4), exp(1), exp(-2) over their sum 7.389 + 54.598 + 2.718 + 0.135 = 64.841
  const std::vector<double> p = boltzmann(q_values, temperature);
  CHECK(p[1] == Approx(54.598 / 64.841).epsilon(1e-4));  // 0.842

  SoftQ soft_q(context(Discrete(4), {{"type", "SoftQ"}, {"temperature", temperature}}));
  const Eigen::Index batch = 2000;
  const int calls = 20;
  nn::Matrix q(1, 4);
  q << 1.0f, 2.0f, 0.5f, -1.0f;
  const nn::Matrix inputs = q.replicate(batch, 1);
  std::vector<double> counts(4, 0.0);
  nn::Matrix actions;
  std::vector<float> logp(batch);
  RandomStream rng(2024);
  bool logp_matches = true;
  for (int c = 0; c < calls; ++c) {
    ad::Tape tape;
    TinyCategorical dist(tape.input(inputs.data(), batch, 4), Discrete(4));
    soft_q.get_exploration_action(dist, actions, logp, c, true, rng);
    for (Eigen::Index b = 0; b < batch; ++b) {
      const auto a = static_cast<std::size_t>(actions(b, 0));
      counts[a] += 1.0;
      logp_matches = logp_matches && std::abs(logp[static_cast<std::size_t>(b)] - std::log(p[a])) < 1e-5;
    }
  }
  CHECK(logp_matches);
  // Per class: within 5 standard errors sqrt(p (1 - p) / n) of p.
  const double n = static_cast<double>(batch * calls);
  for (std::size_t a = 0; a < 4; ++a) {
    CAPTURE(a);
    CHECK(std::abs(counts[a] / n - p[a]) <= 5.0 * std::sqrt(p[a] * (1.0 - p[a]) / n));
  }
  // And jointly: Pearson's chi-square with 3 degrees of freedom stays below 16.27 (p = 0.001).
  double chi_square = 0.0;
  for (std::size_t a = 0; a < 4; ++a) chi_square += (counts[a] - n * p[a]) * (counts[a] - n * p[a]) / (n * p[a]);
  CHECK(chi_square < 16.27);
}

TEST_CASE("SoftQ never samples masked actions (Q = -inf)") {
  SoftQ soft_q(context(Discrete(3), {{"type", "SoftQ"}}));
  nn::Matrix q(1, 3);
  q << 0.0f, -std::numeric_limits<float>::infinity(), 0.0f;
  const nn::Matrix inputs = q.replicate(1000, 1);
  ad::Tape tape;
  TinyCategorical dist(tape.input(inputs.data(), 1000, 3), Discrete(3));
  nn::Matrix actions;
  std::vector<float> logp(1000);
  RandomStream rng(9);
  soft_q.get_exploration_action(dist, actions, logp, 0, true, rng);
  CHECK((actions.array() != 1.0f).all());
  CHECK(logp[0] == Approx(std::log(0.5)));
}

TEST_CASE("SoftQ with explore=false takes the argmax with logp 0") {
  SoftQ soft_q(context(Discrete(3, 1), {{"type", "SoftQ"}, {"temperature", 10.0}}));
  nn::Matrix q(2, 3);
  q << 0.0f, 5.0f, 1.0f,  //
      3.0f, 2.0f, 1.0f;
  ad::Tape tape;
  TinyCategorical dist(tape.input(q.data(), 2, 3), Discrete(3, 1));
  nn::Matrix actions;
  std::array<float, 2> logp{7, 7};
  RandomStream rng(1);
  soft_q.get_exploration_action(dist, actions, logp, 3, false, rng);
  CHECK(actions(0, 0) == 1 + 1);
  CHECK(actions(1, 0) == 1 + 0);
  CHECK(logp == std::array<float, 2>{0, 0});
  CHECK(soft_q.get_state() == Json{{"type", "SoftQ"}, {"last_timestep", 3}});
}

TEST_CASE("SoftQ needs a Discrete action space and a positive temperature") {
  CHECK_THROWS_WITH_AS(SoftQ(context(Box(-1.0, 1.0, {2}), {{"type", "SoftQ"}})),
                       doctest::Contains("SoftQ needs a Discrete action space, got Box("), ConfigError);
  CHECK_THROWS_WITH_AS(SoftQ(context(Discrete(2), {{"type", "SoftQ"}, {"temperature", 0.0}})),
                       "config.exploration_config.temperature: expected a finite number > 0, got 0.0", ConfigError);
}
