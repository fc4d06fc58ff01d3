// Loss helpers (mse, huber_loss) and RLlib losses composed from the ops: PPO's clipped
// surrogate (where minimum ties on every unclipped sample) and DQN's weighted Huber TD loss.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "autodiff_support.hpp"

using namespace rlpp::ad;
using rlpp::RandomStream;
using rlpp::ad::test::error_message;
using rlpp::ad::test::mismatch;
using rlpp::ad::test::random_matrix;
using rlpp::ad::test::test_shapes;

TEST_CASE("mse is the mean of squared differences; its gradient 2 (p - t) / n") {
  TapeD tape;
  const VarD p = tape.variable(MatrixD{{1, 2}, {3, 4}}), t = tape.variable(MatrixD{{0, 2}, {5, 4}});
  const VarD loss = mse(p, t);
  CHECK(loss.item() == doctest::Approx((1.0 + 0 + 4 + 0) / 4));
  tape.backward(loss);
  CHECK(mismatch(p.grad(), MatrixD{{2 * 1 / 4.0, 0}, {2 * -2 / 4.0, 0}}) == "");
  CHECK(mismatch(t.grad(), MatrixD{{-0.5, 0}, {1, 0}}) == "");
}

TEST_CASE("huber_loss is the mean Huber function of the difference") {
  TapeD tape;
  // Differences [-0.5, 3, -1.5, 0]: Huber with delta 1 = [0.125, 3 - 0.5, 1.5 - 0.5, 0].
  const VarD p = tape.variable(MatrixD{{0, 3}, {-1, 2}}), t = tape.variable(MatrixD{{0.5, 0}, {0.5, 2}});
  const VarD loss = huber_loss(p, t);
  CHECK(loss.item() == doctest::Approx((0.125 + 2.5 + 1.0 + 0) / 4));
  tape.backward(loss);
  // Slope clamp(d, -1, 1) / 4.
  CHECK(mismatch(p.grad(), MatrixD{{-0.5 / 4, 1 / 4.0}, {-1 / 4.0, 0}}) == "");
  CHECK(mismatch(t.grad(), MatrixD{{0.5 / 4, -1 / 4.0}, {1 / 4.0, 0}}) == "");
  SUBCASE("delta = 2: 2 (|d| - 1) outside [-2, 2]") {
    const VarD wide = huber_loss(p, t, 2.0);
    CHECK(wide.item() == doctest::Approx((0.125 + 2 * (3 - 1.0) + 0.5 * 2.25 + 0) / 4));
  }
}

TEST_CASE("mse and huber_loss pass gradcheck at random shapes") {
  RandomStream rng(12);
  for (const auto& [rows, cols] : test_shapes()) {
    CAPTURE(rows);
    CAPTURE(cols);
    RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return mse(in[0], in[1]); },
                         {random_matrix(rng, rows, cols), random_matrix(rng, rows, cols)});
    RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return huber_loss(in[0], in[1], 0.7); },
                         {random_matrix(rng, rows, cols), random_matrix(rng, rows, cols)});
  }
}

TEST_CASE("mse and huber_loss reject different shapes, naming both") {
  TapeD tape;
  const VarD a = tape.variable(MatrixD::Zero(3, 1)), b = tape.variable(MatrixD::Zero(1, 3));
  CHECK(error_message([&] { mse(a, b); }).find("mse: prediction and target shapes differ: 3x1 and 1x3") !=
        std::string::npos);
  CHECK(error_message([&] { huber_loss(b, a); }).find("huber_loss: prediction and target shapes differ: 1x3 and 3x1") !=
        std::string::npos);
}

namespace {
// PPO's clipped surrogate objective (RLlib ppo_torch_policy):
//   ratio = exp(logp - logp_old), loss = -mean(min(ratio A, clamp(ratio, 1 - eps, 1 + eps) A)).
VarD ppo_surrogate(VarD logits, std::span<const std::int64_t> actions, VarD logp_old, VarD advantages, double eps) {
  const VarD ratio = exp(gather(log_softmax(logits), actions) - logp_old);
  return -mean(minimum(ratio * advantages, clamp(ratio, 1 - eps, 1 + eps) * advantages));
}
}  // namespace

TEST_CASE("PPO's surrogate: min() ties while the ratio is unclipped and the full gradient flows") {
  // Uniform logits over 2 actions: logp = ln 0.5 for each. With logp_old = ln 0.5 the ratio is 1,
  // inside [0.8, 1.2]: both branches equal ratio A, so minimum() ties and passes 0.5 + 0.5 of the
  // gradient. d(-ratio A / n)/dlogits = -(A / n) ratio (one_hot - 0.5).
  TapeD tape;
  const VarD logits = tape.variable(MatrixD::Zero(2, 2));
  const std::vector<std::int64_t> actions{0, 1};
  const VarD logp_old = tape.constant(MatrixD::Constant(2, 1, std::log(0.5)));
  const VarD advantages = tape.constant(MatrixD{{2}, {-4}});
  const VarD loss = ppo_surrogate(logits, actions, logp_old, advantages, 0.2);
  CHECK(loss.item() == doctest::Approx(-(1 * 2 + 1 * -4) / 2.0));
  tape.backward(loss);
  CHECK(mismatch(logits.grad(), MatrixD{{-(2 / 2.0) * 0.5, (2 / 2.0) * 0.5}, {(-4 / 2.0) * 0.5, -(-4 / 2.0) * 0.5}}) ==
        "");

  SUBCASE("a ratio clipped on the side that binds gets no gradient") {
    // logp_old = ln 0.25: ratio = 2 > 1.2. A = 2 > 0: min(2 A, 1.2 A) = 1.2 A, constant in logits.
    const VarD old_low = tape.constant(MatrixD::Constant(1, 1, std::log(0.25)));
    const VarD x = tape.variable(MatrixD::Zero(1, 2));
    const std::vector<std::int64_t> action{0};
    const VarD clipped = ppo_surrogate(x, action, old_low, tape.constant(MatrixD{{2}}), 0.2);
    CHECK(clipped.item() == doctest::Approx(-1.2 * 2));
    tape.backward(clipped);
    CHECK(mismatch(x.grad(), MatrixD::Zero(1, 2)) == "");
  }
  SUBCASE("and it passes gradcheck, ties included") {
    RandomStream rng(8);
    const std::vector<std::int64_t> some_actions{0, 2, 1, 2, 0, 1};
    const MatrixD adv = random_matrix(rng, 6, 1);
    const MatrixD start = random_matrix(rng, 6, 3);
    // logp_old from the same logits (ratio 1 everywhere, all ties) and from perturbed ones.
    for (const MatrixD& old_logits : {start, MatrixD(start + 0.3 * random_matrix(rng, 6, 3))}) {
      TapeD scratch;
      const MatrixD logp_old_value = gather(log_softmax(scratch.constant(old_logits)), some_actions).value();
      RLPP_CHECK_GRADIENTS(
          [&](TapeD& t, std::span<const VarD> in) {
            return ppo_surrogate(in[0], some_actions, t.constant(logp_old_value), t.constant(adv), 0.2);
          },
          {start});
    }
  }
}

TEST_CASE("DQN's loss: mean(importance weight * huber(Q(s, a) - target)) with a stopped target") {
  // Q = [1 3; 2 0], actions [1, 0] -> Q(s, a) = [3; 2]; targets [1; 2.5]: TD errors [2; -0.5].
  // huber = [2 - 0.5; 0.125]; weights [1; 4]: loss = (1.5 + 4 * 0.125) / 2 = 1.
  TapeD tape;
  const VarD q = tape.variable(MatrixD{{1, 3}, {2, 0}});
  const std::vector<std::int64_t> actions{1, 0};
  const VarD target = stop_gradient(tape.variable(MatrixD{{1}, {2.5}}));
  const VarD weights = tape.constant(MatrixD{{1}, {4}});
  const VarD loss = mean(weights * huber(gather(q, actions) - target));
  CHECK(loss.item() == doctest::Approx(1.0));
  tape.backward(loss);
  // dQ(s, a) = weight * clamp(td, -1, 1) / 2 = [1 * 1 / 2; 4 * -0.5 / 2].
  CHECK(mismatch(q.grad(), MatrixD{{0, 0.5}, {-1, 0}}) == "");
}
