#include <doctest/doctest.h>

#include <cmath>
#include <span>
#include <vector>

#include "rlpp/nn/optimizers/adam.hpp"
#include "rlpp/nn/optimizers/rmsprop.hpp"
#include "rlpp/nn/optimizers/sgd.hpp"
#include "support/allocation_counter.hpp"

using namespace rlpp::nn;
using doctest::Approx;

namespace {
// Runs `steps` steps on f(x) = 1/2 * sum_i a_i (x_i - c_i)^2 from x = 0 and returns the largest
// distance to the minimum c.
template <class Optimizer>
double distance_after_quadratic(Optimizer& optimizer, float lr, int steps) {
  const std::vector<float> a = {1.0f, 4.0f, 0.5f, 2.0f};
  const std::vector<float> c = {1.0f, -2.0f, 3.0f, 0.5f};
  std::vector<float> x(4, 0.0f), g(4);
  for (int s = 0; s < steps; ++s) {
    for (std::size_t i = 0; i < 4; ++i) g[i] = a[i] * (x[i] - c[i]);
    optimizer.step(x, g, lr);
  }
  double worst = 0.0;
  for (std::size_t i = 0; i < 4; ++i) worst = std::max(worst, std::abs(static_cast<double>(x[i] - c[i])));
  return worst;
}
}  // namespace

// ---- SGD ------------------------------------------------------------------------------------
// Numbers are powers of two, so float arithmetic is exact and the checks are ==.

TEST_CASE("SGD without momentum steps by -lr * grad") {
  SGD sgd(2);
  std::vector<float> p = {1.0f, -2.0f};
  const std::vector<float> g = {0.25f, -1.0f};
  sgd.step(p, g, 0.5f);
  CHECK(p[0] == 1.0f - 0.5f * 0.25f);   // 0.875
  CHECK(p[1] == -2.0f + 0.5f * 1.0f);   // -1.5
  CHECK(sgd.state_tensors().empty());
}

TEST_CASE("SGD momentum starts its buffer at the first gradient, undampened") {
  // momentum 0.5, dampening 0.5, lr 0.5.
  // step 1, g = 1:   buf = 1 (no dampening on the first step);        p = 1 - 0.5 * 1 = 0.5
  // step 2, g = 0.5: buf = 0.5 * 1 + (1 - 0.5) * 0.5 = 0.75;          p = 0.5 - 0.5 * 0.75 = 0.125
  SGD sgd(1, {.momentum = 0.5, .dampening = 0.5});
  std::vector<float> p = {1.0f};
  sgd.step(p, std::vector<float>{1.0f}, 0.5f);
  CHECK(p[0] == 0.5f);
  CHECK(sgd.state_tensors()[0].values[0] == 1.0f);
  sgd.step(p, std::vector<float>{0.5f}, 0.5f);
  CHECK(sgd.state_tensors()[0].values[0] == 0.75f);
  CHECK(p[0] == 0.125f);
}

TEST_CASE("Nesterov SGD looks ahead by momentum * buf, plain momentum does not") {
  // momentum 0.5, lr 0.5, gradients 1 then 0.5.
  // plain:    buf 1 -> p = 1 - 0.5 * 1 = 0.5;   buf 0.5 * 1 + 0.5 = 1 -> p = 0.5 - 0.5 * 1 = 0
  // nesterov: d = 1 + 0.5 * 1 = 1.5 -> p = 1 - 0.75 = 0.25;
  //           d = 0.5 + 0.5 * 1 = 1 -> p = 0.25 - 0.5 = -0.25
  SGD plain(1, {.momentum = 0.5});
  SGD nesterov(1, {.momentum = 0.5, .nesterov = true});
  std::vector<float> p_plain = {1.0f}, p_nesterov = {1.0f};
  const std::vector<std::vector<float>> gradients = {{1.0f}, {0.5f}};
  for (const std::vector<float>& g : gradients) {
    plain.step(p_plain, g, 0.5f);
    nesterov.step(p_nesterov, g, 0.5f);
    if (g[0] == 1.0f) {
      CHECK(p_plain[0] == 0.5f);
      CHECK(p_nesterov[0] == 0.25f);
    }
  }
  CHECK(p_plain[0] == 0.0f);
  CHECK(p_nesterov[0] == -0.25f);
}

TEST_CASE("SGD weight decay adds weight_decay * p to the gradient") {
  // d = 1 + 0.5 * 2 = 2; p = 2 - 0.25 * 2 = 1.5
  SGD sgd(1, {.weight_decay = 0.5});
  std::vector<float> p = {2.0f};
  sgd.step(p, std::vector<float>{1.0f}, 0.25f);
  CHECK(p[0] == 1.5f);
}

TEST_CASE("SGD rejects Nesterov without momentum or with dampening, as torch does") {
  CHECK_THROWS_AS(SGD(1, {.nesterov = true}), rlpp::ConfigError);
  CHECK_THROWS_AS(SGD(1, {.momentum = 0.9, .dampening = 0.1, .nesterov = true}), rlpp::ConfigError);
  CHECK_THROWS_AS(SGD(1, {.momentum = -0.1}), rlpp::ConfigError);
}

// ---- Adam -----------------------------------------------------------------------------------

TEST_CASE("Adam's first step moves each parameter by about lr, whatever the gradient's scale") {
  // t = 1: m = 0.1 g, v = 0.001 g^2, step_size = lr / (1 - 0.9) = 10 lr,
  // denom = sqrt(0.001 g^2) / sqrt(1 - 0.999) + eps = |g| + eps, so p -= lr * g / (|g| + eps).
  Adam adam(2);
  std::vector<float> p = {1.0f, 1.0f};
  adam.step(p, std::vector<float>{3.0f, -0.001f}, 0.01f);
  CHECK(p[0] == Approx(1.0 - 0.01 * 3.0 / (3.0 + 1e-8)).epsilon(1e-6));
  CHECK(p[1] == Approx(1.0 + 0.01 * 0.001 / (0.001 + 1e-8)).epsilon(1e-6));
  CHECK(adam.step_count() == 1);
}

TEST_CASE("Adam's second step follows torch's bias-corrected formula") {
  const double lr = 0.01, eps = 1e-8;
  Adam adam(1);
  std::vector<float> p = {1.0f};
  adam.step(p, std::vector<float>{3.0f}, 0.01f);
  const double p1 = 1.0 - lr * 3.0 / (3.0 + eps);
  adam.step(p, std::vector<float>{-1.0f}, 0.01f);
  const double m = 0.9 * (0.1 * 3.0) + 0.1 * -1.0;              // 0.17
  const double v = 0.999 * (0.001 * 9.0) + 0.001 * 1.0;         // 0.009991
  const double step_size = lr / (1.0 - 0.9 * 0.9);              // lr / 0.19
  const double denom = std::sqrt(v) / std::sqrt(1.0 - 0.999 * 0.999) + eps;
  const double p2 = p1 - step_size * m / denom;                 // 0.99 - 0.0040021 = 0.98600
  CHECK(adam.state_tensors()[0].values[0] == Approx(m).epsilon(1e-6));
  CHECK(adam.state_tensors()[1].values[0] == Approx(v).epsilon(1e-6));
  CHECK(p[0] == Approx(p2).epsilon(1e-6));
}

TEST_CASE("AdamW decays the weight directly; Adam's L2 term goes through the moments") {
  // p = 1, g = 0, lr = 0.01, weight_decay = 0.1, first step.
  // Adam (L2): g' = 0 + 0.1 * 1 = 0.1, and a first step moves by lr * g' / (|g'| + eps) ~= 0.01.
  // AdamW:     p = 1 * (1 - 0.01 * 0.1) = 0.999, and g = 0 gives m = v = 0: no further update.
  Adam l2(1, {.weight_decay = 0.1});
  Adam decoupled(1, {.weight_decay = 0.1, .decoupled_weight_decay = true});
  std::vector<float> p_l2 = {1.0f}, p_decoupled = {1.0f};
  const std::vector<float> g = {0.0f};
  l2.step(p_l2, g, 0.01f);
  decoupled.step(p_decoupled, g, 0.01f);
  CHECK(p_l2[0] == Approx(1.0 - 0.01 * 0.1 / (0.1 + 1e-8)).epsilon(1e-6));
  CHECK(p_decoupled[0] == Approx(1.0 - 0.01 * 0.1).epsilon(1e-7));
  CHECK(p_l2[0] != p_decoupled[0]);
}

TEST_CASE("Adam rejects betas outside [0, 1)") {
  CHECK_THROWS_AS(Adam(1, {.beta1 = 1.0}), rlpp::ConfigError);
  CHECK_THROWS_AS(Adam(1, {.beta2 = -0.5}), rlpp::ConfigError);
  CHECK_THROWS_AS(Adam(1, {.eps = -1.0}), rlpp::ConfigError);
}

// ---- RMSProp --------------------------------------------------------------------------------

TEST_CASE("RMSProp divides by the root of the running mean square, eps outside the root") {
  // alpha = 0.99: sq = 0.01 * 2^2 = 0.04, avg = sqrt(0.04) + 1e-8 = 0.2, p = 1 - 0.01 * 2 / 0.2 = 0.9
  RMSProp rmsprop(1);
  std::vector<float> p = {1.0f};
  rmsprop.step(p, std::vector<float>{2.0f}, 0.01f);
  CHECK(rmsprop.state_tensors()[0].values[0] == Approx(0.04).epsilon(1e-6));
  CHECK(p[0] == Approx(1.0 - 0.01 * 2.0 / (0.2 + 1e-8)).epsilon(1e-6));
}

TEST_CASE("centered RMSProp subtracts the squared mean gradient") {
  // ga = 0.01 * 2 = 0.02, avg = sqrt(0.04 - 0.02^2) + eps = sqrt(0.0396) = 0.198997...
  // p = 1 - 0.01 * 2 / 0.198997 = 0.899496
  RMSProp rmsprop(1, {.centered = true});
  std::vector<float> p = {1.0f};
  rmsprop.step(p, std::vector<float>{2.0f}, 0.01f);
  CHECK(p[0] == Approx(1.0 - 0.01 * 2.0 / (std::sqrt(0.04 - 0.02 * 0.02) + 1e-8)).epsilon(1e-6));
  REQUIRE(rmsprop.state_tensors().size() == 2);
  CHECK(rmsprop.state_tensors()[1].name == "grad_avg");
}

TEST_CASE("RMSProp momentum accumulates the normalised gradient") {
  // step 1: sq = 0.04, buf = 0.9 * 0 + 2 / 0.2 = 10, p = 1 - 0.01 * 10 = 0.9
  // step 2: sq = 0.99 * 0.04 + 0.01 * 4 = 0.0796, buf = 0.9 * 10 + 2 / sqrt(0.0796) = 16.0888,
  //         p = 0.9 - 0.01 * 16.0888 = 0.739112
  RMSProp rmsprop(1, {.momentum = 0.9});
  std::vector<float> p = {1.0f};
  const std::vector<float> g = {2.0f};
  rmsprop.step(p, g, 0.01f);
  CHECK(p[0] == Approx(0.9).epsilon(1e-6));
  rmsprop.step(p, g, 0.01f);
  const double buf = 0.9 * (2.0 / (0.2 + 1e-8)) + 2.0 / (std::sqrt(0.99 * 0.04 + 0.01 * 4.0) + 1e-8);
  CHECK(rmsprop.state_tensors()[1].values[0] == Approx(buf).epsilon(1e-6));
  CHECK(p[0] == Approx(0.9 - 0.01 * buf).epsilon(1e-6));
}

TEST_CASE("RMSProp weight decay adds weight_decay * p to the gradient") {
  // g' = 1.5 + 0.5 * 1 = 2: the same step as a plain gradient of 2, p = 0.9
  RMSProp rmsprop(1, {.weight_decay = 0.5});
  std::vector<float> p = {1.0f};
  rmsprop.step(p, std::vector<float>{1.5f}, 0.01f);
  CHECK(p[0] == Approx(0.9).epsilon(1e-6));
}

// ---- all ------------------------------------------------------------------------------------

TEST_CASE("every optimizer converges on a quadratic") {
  SUBCASE("SGD") {
    SGD sgd(4);
    CHECK(distance_after_quadratic(sgd, 0.1f, 500) < 1e-4);
  }
  SUBCASE("SGD with Nesterov momentum") {
    SGD sgd(4, {.momentum = 0.9, .nesterov = true});
    CHECK(distance_after_quadratic(sgd, 0.05f, 500) < 1e-4);
  }
  SUBCASE("Adam") {
    Adam adam(4);
    CHECK(distance_after_quadratic(adam, 0.05f, 2000) < 1e-3);
  }
  SUBCASE("AdamW") {
    Adam adamw(4, {.weight_decay = 1e-4, .decoupled_weight_decay = true});
    CHECK(distance_after_quadratic(adamw, 0.05f, 2000) < 1e-3);  // the decay moves the minimum by ~1e-4
  }
  SUBCASE("RMSProp") {
    RMSProp rmsprop(4, {.momentum = 0.5, .centered = true});
    CHECK(distance_after_quadratic(rmsprop, 0.005f, 3000) < 1e-2);
  }
}

TEST_CASE("a step allocates nothing") {
  const std::size_t n = 1000;
  std::vector<float> p(n, 1.0f), g(n, 0.5f);
  SGD sgd(n, {.momentum = 0.9, .nesterov = true, .weight_decay = 0.01});
  Adam adam(n, {.weight_decay = 0.01});
  Adam adamw(n, {.weight_decay = 0.01, .decoupled_weight_decay = true});
  RMSProp rmsprop(n, {.momentum = 0.9, .centered = true, .weight_decay = 0.01});
  const auto allocations = rlpp::test::count_allocations([&] {
    for (int i = 0; i < 3; ++i) {
      sgd.step(p, g, 0.01f);
      adam.step(p, g, 0.01f);
      adamw.step(p, g, 0.01f);
      rmsprop.step(p, g, 0.01f);
    }
  });
  CHECK(allocations == 0);
}

TEST_CASE("a step with spans of the wrong size is an Error naming the sizes") {
  std::vector<float> p(3), g(4);
  Adam adam(3);
  CHECK_THROWS_WITH_AS(adam.step(p, g, 0.1f), doctest::Contains("grads 4"), rlpp::Error);
  SGD sgd(4);
  CHECK_THROWS_WITH_AS(sgd.step(p, g, 0.1f), doctest::Contains("built for 4"), rlpp::Error);
  RMSProp rmsprop(2);
  CHECK_THROWS_AS(rmsprop.step(p, g, 0.1f), rlpp::Error);
}

TEST_CASE("reset() makes an optimizer behave as a new one") {
  const std::vector<float> g = {0.3f, -0.7f};
  auto run = [&](auto& optimizer) {
    std::vector<float> p = {1.0f, 2.0f};
    optimizer.step(p, g, 0.1f);
    optimizer.step(p, g, 0.1f);
    return p;
  };
  Adam used(2), fresh(2);
  run(used);
  used.reset();
  CHECK(used.step_count() == 0);
  CHECK(run(used) == run(fresh));
  RMSProp used_rms(2, {.momentum = 0.9, .centered = true}), fresh_rms(2, {.momentum = 0.9, .centered = true});
  run(used_rms);
  used_rms.reset();
  CHECK(run(used_rms) == run(fresh_rms));
  SGD used_sgd(2, {.momentum = 0.9}), fresh_sgd(2, {.momentum = 0.9});
  run(used_sgd);
  used_sgd.reset();
  CHECK(run(used_sgd) == run(fresh_sgd));
}

TEST_CASE("state tensors are named as torch names them") {
  CHECK(Adam(3).state_tensors()[0].name == "exp_avg");
  CHECK(Adam(3).state_tensors()[1].name == "exp_avg_sq");
  CHECK(Adam(3).state_tensors()[1].values.size() == 3);
  const RMSProp rmsprop(3, {.momentum = 0.5, .centered = true});
  const auto tensors = rmsprop.state_tensors();
  REQUIRE(tensors.size() == 3);
  CHECK(tensors[0].name == "square_avg");
  CHECK(tensors[1].name == "momentum_buffer");
  CHECK(tensors[2].name == "grad_avg");
  CHECK(SGD(3, {.momentum = 0.9}).state_tensors()[0].name == "momentum_buffer");
  CHECK(Adam(3).hyperparameters()["beta2"] == 0.999);
}
