// The softmax family per row: log_softmax, softmax, logsumexp; stable for huge logits and
// exact with -inf entries (masked actions).

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "autodiff_support.hpp"

using namespace rlpp::ad;
using rlpp::RandomStream;
using rlpp::ad::test::mismatch;
using rlpp::ad::test::random_matrix;
using rlpp::ad::test::test_shapes;

namespace {
const double ln2 = std::log(2.0), ln3 = std::log(3.0);
const double inf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("softmax, log_softmax and logsumexp of [0, ln 2, ln 3] are [1, 2, 3] / 6 and ln 6") {
  // exp of the row = [1, 2, 3], their sum 6. A second row shifted by 5 gives the same softmax.
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{0, ln2, ln3}, {5, 5 + ln2, 5 + ln3}});
  CHECK(mismatch(softmax(x).value(), MatrixD{{1 / 6.0, 2 / 6.0, 3 / 6.0}, {1 / 6.0, 2 / 6.0, 3 / 6.0}}) == "");
  const double ln6 = std::log(6.0);
  CHECK(mismatch(log_softmax(x).value(), MatrixD{{-ln6, ln2 - ln6, ln3 - ln6}, {-ln6, ln2 - ln6, ln3 - ln6}}) == "");
  CHECK(mismatch(logsumexp(x).value(), MatrixD{{ln6}, {5 + ln6}}) == "");
}

TEST_CASE("the gradient of the log-probability of an action is one_hot(action) - softmax") {
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{0, ln2, ln3}, {0, ln2, ln3}});
  const std::vector<std::int64_t> actions{2, 0};
  tape.backward(gather(log_softmax(x), actions));
  CHECK(mismatch(x.grad(), MatrixD{{-1 / 6.0, -2 / 6.0, 1 - 3 / 6.0}, {1 - 1 / 6.0, -2 / 6.0, -3 / 6.0}}) == "");
  SUBCASE("softmax: d p_a / dx = p_a (one_hot(a) - p)") {
    tape.backward(gather(softmax(x), actions));
    const double p = 3 / 6.0, q = 1 / 6.0;
    CHECK(mismatch(x.grad(), MatrixD{{p * -(1 / 6.0), p * -(2 / 6.0), p * (1 - 3 / 6.0)},
                                     {q * (1 - 1 / 6.0), q * -(2 / 6.0), q * -(3 / 6.0)}}) == "");
  }
  SUBCASE("logsumexp: the gradient is the softmax") {
    tape.backward(logsumexp(x));
    CHECK(mismatch(x.grad(), MatrixD{{1 / 6.0, 2 / 6.0, 3 / 6.0}, {1 / 6.0, 2 / 6.0, 3 / 6.0}}) == "");
  }
}

TEST_CASE("logits of 1000 do not overflow, in double and in float") {
  SUBCASE("double") {
    TapeD tape;
    const VarD x = tape.variable(MatrixD{{1000, 1000}, {1000, 1000 + ln3}, {1000, -1000}});
    CHECK(mismatch(softmax(x).value(), MatrixD{{0.5, 0.5}, {0.25, 0.75}, {1, 0}}) == "");
    CHECK(mismatch(log_softmax(x).value(), MatrixD{{-ln2, -ln2}, {-std::log(4.0), ln3 - std::log(4.0)}, {0, -2000}}) ==
          "");
    CHECK(mismatch(logsumexp(x).value(), MatrixD{{1000 + ln2}, {1000 + std::log(4.0)}, {1000}}) == "");
    tape.backward(logsumexp(x));
    CHECK(mismatch(x.grad(), MatrixD{{0.5, 0.5}, {0.25, 0.75}, {1, 0}}) == "");
  }
  SUBCASE("float") {
    Tape tape;
    const Var x = tape.variable(Matrix{{1000.0f, 1000.0f}, {-1000.0f, -1000.0f}, {1000.0f, -1000.0f}});
    CHECK(mismatch(softmax(x).value(), Matrix{{0.5f, 0.5f}, {0.5f, 0.5f}, {1.0f, 0.0f}}, 1e-6) == "");
    CHECK(mismatch(log_softmax(x).value(), MatrixD{{-ln2, -ln2}, {-ln2, -ln2}, {0, -2000}}, 1e-6) == "");
    CHECK(mismatch(logsumexp(x).value(), MatrixD{{1000 + ln2}, {-1000 + ln2}, {1000}}, 1e-6) == "");
    tape.backward(sum(log_softmax(x)));
    // d sum(log_softmax) / dx = 1 - C softmax = [1 - 2 (0.5), ...], [1 - 2 (1), 1 - 2 (0)].
    CHECK(mismatch(x.grad(), Matrix{{0.0f, 0.0f}, {0.0f, 0.0f}, {-1.0f, 1.0f}}, 1e-6) == "");
  }
}

TEST_CASE("-inf logits get probability 0 and no gradient; the other entries stay exact") {
  TapeD tape;
  // exp of the finite entries: [1, 3] -> softmax [1/4, 0, 3/4].
  const VarD x = tape.variable(MatrixD{{0, -inf, ln3}});
  CHECK(mismatch(softmax(x).value(), MatrixD{{0.25, 0, 0.75}}) == "");
  CHECK(mismatch(log_softmax(x).value(), MatrixD{{-std::log(4.0), -inf, ln3 - std::log(4.0)}}) == "");
  CHECK(mismatch(logsumexp(x).value(), MatrixD{{std::log(4.0)}}) == "");
  const std::vector<std::int64_t> action{2};
  tape.backward(gather(log_softmax(x), action));
  CHECK(mismatch(x.grad(), MatrixD{{-0.25, 0, 1 - 0.75}}) == "");
  tape.backward(logsumexp(x));
  CHECK(mismatch(x.grad(), MatrixD{{0.25, 0, 0.75}}) == "");
  tape.backward(gather(softmax(x), action));
  CHECK(mismatch(x.grad(), MatrixD{{0.75 * -0.25, 0, 0.75 * 0.25}}) == "");
  SUBCASE("and in float") {
    Tape ftape;
    const Var f = ftape.variable(Matrix{{0.0f, -std::numeric_limits<float>::infinity(), static_cast<float>(ln3)}});
    ftape.backward(gather(log_softmax(f), action));
    CHECK(mismatch(f.grad(), Matrix{{-0.25f, 0.0f, 0.25f}}, 1e-6) == "");
    CHECK(std::isfinite(f.grad()(0, 1)));
  }
}

TEST_CASE("masking with the lowest float (RLlib's FLOAT_MIN) keeps the entropy and its gradient finite") {
  // Unmasked probabilities [1/4, 3/4]: H = -(1/4 ln 1/4 + 3/4 ln 3/4), dH/dx_j = -p_j (ln p_j + H).
  const double h = -(0.25 * std::log(0.25) + 0.75 * std::log(0.75));
  Tape tape;
  const float lowest = std::numeric_limits<float>::lowest();
  const Var x = tape.variable(Matrix{{0.0f, lowest, static_cast<float>(ln3)}});
  const Var entropy = -row_sum(softmax(x) * log_softmax(x));
  CHECK(entropy.item() == doctest::Approx(h).epsilon(1e-6));
  tape.backward(entropy);
  CHECK(mismatch(x.grad(), MatrixD{{-0.25 * (std::log(0.25) + h), 0, -0.75 * (std::log(0.75) + h)}}, 1e-6) == "");
  SUBCASE("while -inf makes it 0 * -inf = NaN, as in torch") {
    const Var masked = tape.variable(Matrix{{0.0f, -std::numeric_limits<float>::infinity(), 1.0f}});
    CHECK(std::isnan((-row_sum(softmax(masked) * log_softmax(masked))).item()));
  }
}

TEST_CASE("log_softmax, softmax and logsumexp pass gradcheck at random shapes") {
  RandomStream rng(77);
  using Op = VarD (*)(VarD);
  const Op ops[] = {[](VarD x) { return log_softmax(x); }, [](VarD x) { return softmax(x); },
                    [](VarD x) { return logsumexp(x); }};
  for (std::size_t k = 0; k < std::size(ops); ++k) {
    for (const auto& [rows, cols] : test_shapes()) {
      CAPTURE(k);
      CAPTURE(rows);
      CAPTURE(cols);
      const Op op = ops[k];
      const MatrixD weights = random_matrix(rng, rows, k == 2 ? 1 : cols);
      RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return mul(op(in[0]), t.constant(weights)); },
                           {random_matrix(rng, rows, cols, -4, 4)});
      // And around 1000, where exp() would overflow without the row maximum subtracted.
      RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return mul(op(in[0]), t.constant(weights)); },
                           {MatrixD(random_matrix(rng, rows, cols, -4, 4).array() + 1000.0)});
    }
  }
}
