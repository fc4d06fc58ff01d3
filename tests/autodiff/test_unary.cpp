// Elementwise unary ops: values by hand, gradcheck at random shapes, and the midpoint
// convention at the non-smooth points (relu'(0) = 0.5, clamp' on a bound = 0.5, abs'(0) = 0,
// elu'(0) = (1 + alpha) / 2).

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>

#include "autodiff_support.hpp"

using namespace rlpp::ad;
using rlpp::RandomStream;
using rlpp::ad::test::error_message;
using rlpp::ad::test::mismatch;
using rlpp::ad::test::random_away_from_zero;
using rlpp::ad::test::random_matrix;
using rlpp::ad::test::test_shapes;

namespace {
const double e = std::exp(1.0);
double sigmoid_of(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// Value and gradient (d sum(f(x)) / dx) of f at x, on a double tape.
template <class F>
std::pair<MatrixD, MatrixD> value_and_grad(F f, const MatrixD& x) {
  TapeD tape;
  const VarD v = tape.variable(x);
  const VarD y = f(v);
  tape.backward(y);
  return {MatrixD(y.value()), MatrixD(v.grad())};
}

// gradcheck of sum(w * f(x)) at every test shape, x drawn by `draw`.
template <class F, class Draw>
void check_gradients(F f, Draw draw, std::uint64_t seed) {
  RandomStream rng(seed);
  for (const auto& [rows, cols] : test_shapes()) {
    CAPTURE(rows);
    CAPTURE(cols);
    const MatrixD weights = random_matrix(rng, rows, cols);
    const auto loss = [&](TapeD& t, std::span<const VarD> in) { return mul(f(in[0]), t.constant(weights)); };
    RLPP_CHECK_GRADIENTS(loss, {draw(rng, rows, cols)});
  }
}
const auto anywhere = [](RandomStream& rng, Eigen::Index r, Eigen::Index c) { return random_matrix(rng, r, c, -3, 3); };
const auto positive = [](RandomStream& rng, Eigen::Index r, Eigen::Index c) { return random_matrix(rng, r, c, 0.2, 3); };
const auto off_zero = [](RandomStream& rng, Eigen::Index r, Eigen::Index c) {
  return random_away_from_zero(rng, r, c, -3, 3, 0.05);
};
}  // namespace

TEST_CASE("neg, exp and log match their definitions") {
  auto [y, g] = value_and_grad([](VarD x) { return neg(x); }, MatrixD{{1, -2, 0}});
  CHECK(mismatch(y, MatrixD{{-1, 2, 0}}) == "");
  CHECK(mismatch(g, MatrixD{{-1, -1, -1}}) == "");
  std::tie(y, g) = value_and_grad([](VarD x) { return exp(x); }, MatrixD{{0, 1, -1}});
  CHECK(mismatch(y, MatrixD{{1, e, 1 / e}}) == "");
  CHECK(mismatch(g, MatrixD{{1, e, 1 / e}}) == "");  // exp' = exp
  std::tie(y, g) = value_and_grad([](VarD x) { return log(x); }, MatrixD{{1, e, 0.5}});
  CHECK(mismatch(y, MatrixD{{0, 1, -std::log(2.0)}}) == "");
  CHECK(mismatch(g, MatrixD{{1, 1 / e, 2}}) == "");  // log' = 1/x
}

TEST_CASE("tanh, sigmoid, swish and softplus match their definitions") {
  const double t1 = (e * e - 1) / (e * e + 1);  // tanh(1)
  auto [y, g] = value_and_grad([](VarD x) { return tanh(x); }, MatrixD{{0, 1, -1}});
  CHECK(mismatch(y, MatrixD{{0, t1, -t1}}) == "");
  CHECK(mismatch(g, MatrixD{{1, 1 - t1 * t1, 1 - t1 * t1}}) == "");
  // sigmoid(2) = 1 / (1 + e^-2); sigmoid' = s (1 - s).
  const double s2 = 1 / (1 + std::exp(-2.0));
  std::tie(y, g) = value_and_grad([](VarD x) { return sigmoid(x); }, MatrixD{{0, 2, -2}});
  CHECK(mismatch(y, MatrixD{{0.5, s2, 1 - s2}}) == "");
  CHECK(mismatch(g, MatrixD{{0.25, s2 * (1 - s2), s2 * (1 - s2)}}) == "");
  // swish(x) = x sigmoid(x); swish' = s + x s (1 - s).
  std::tie(y, g) = value_and_grad([](VarD x) { return swish(x); }, MatrixD{{0, 2, -2}});
  CHECK(mismatch(y, MatrixD{{0, 2 * s2, -2 * (1 - s2)}}) == "");
  CHECK(mismatch(g, MatrixD{{0.5, s2 + 2 * s2 * (1 - s2), (1 - s2) - 2 * (1 - s2) * s2}}) == "");
  // softplus(x) = log(1 + e^x); softplus' = sigmoid.
  std::tie(y, g) = value_and_grad([](VarD x) { return softplus(x); }, MatrixD{{0, 1, -1}});
  CHECK(mismatch(y, MatrixD{{std::log(2.0), std::log(1 + e), std::log(1 + 1 / e)}}) == "");
  CHECK(mismatch(g, MatrixD{{0.5, sigmoid_of(1), sigmoid_of(-1)}}) == "");
}

TEST_CASE("softplus neither overflows for large inputs nor loses small ones, in float") {
  Tape tape;
  const Var x = tape.variable(Matrix{{100.0f, -50.0f, 1000.0f, -30.0f}});
  const Var y = softplus(x);
  // log(1 + e^100) = 100 + log(1 + e^-100), which is 100 in float; log(1 + e^-50) ~ e^-50.
  CHECK(y.value()(0, 0) == 100.0f);
  CHECK(y.value()(0, 2) == 1000.0f);
  CHECK(std::abs(y.value()(0, 1) / std::exp(-50.0) - 1) < 1e-5);
  CHECK(std::abs(y.value()(0, 3) / std::exp(-30.0) - 1) < 1e-5);
  tape.backward(y);
  CHECK(mismatch(x.grad(), Matrix{{1.0f, 0.0f, 1.0f, 0.0f}}, 1e-6) == "");
}

TEST_CASE("square, sqrt, abs and pow match their definitions") {
  auto [y, g] = value_and_grad([](VarD x) { return square(x); }, MatrixD{{-3, 0.5, 0}});
  CHECK(mismatch(y, MatrixD{{9, 0.25, 0}}) == "");
  CHECK(mismatch(g, MatrixD{{2 * -3, 2 * 0.5, 0}}) == "");
  std::tie(y, g) = value_and_grad([](VarD x) { return sqrt(x); }, MatrixD{{4, 0.25}});
  CHECK(mismatch(y, MatrixD{{2, 0.5}}) == "");
  CHECK(mismatch(g, MatrixD{{1 / (2 * 2.0), 1 / (2 * 0.5)}}) == "");
  std::tie(y, g) = value_and_grad([](VarD x) { return abs(x); }, MatrixD{{-2, 0, 3}});
  CHECK(mismatch(y, MatrixD{{2, 0, 3}}) == "");
  CHECK(mismatch(g, MatrixD{{-1, 0, 1}}) == "");  // abs'(0) = 0, the midpoint of [-1, 1]
  std::tie(y, g) = value_and_grad([](VarD x) { return pow(x, 3.0); }, MatrixD{{2, -3}});
  CHECK(mismatch(y, MatrixD{{8, -27}}) == "");
  CHECK(mismatch(g, MatrixD{{3 * 4, 3 * 9}}) == "");
  std::tie(y, g) = value_and_grad([](VarD x) { return pow(x, 0.5); }, MatrixD{{4, 9}});
  CHECK(mismatch(y, MatrixD{{2, 3}}) == "");
  CHECK(mismatch(g, MatrixD{{0.5 / 2, 0.5 / 3}}) == "");
  std::tie(y, g) = value_and_grad([](VarD x) { return pow(x, -1.0); }, MatrixD{{4}});
  CHECK(mismatch(y, MatrixD{{0.25}}) == "");
  CHECK(mismatch(g, MatrixD{{-1 / 16.0}}) == "");
}

TEST_CASE("relu and elu are the identity above 0 and differ below") {
  auto [y, g] = value_and_grad([](VarD x) { return relu(x); }, MatrixD{{-1, 2, -0.5, 3}});
  CHECK(mismatch(y, MatrixD{{0, 2, 0, 3}}) == "");
  CHECK(mismatch(g, MatrixD{{0, 1, 0, 1}}) == "");
  // elu(x) = alpha (e^x - 1) below 0, derivative alpha e^x.
  std::tie(y, g) = value_and_grad([](VarD x) { return elu(x, 0.5); }, MatrixD{{-1, 2}});
  CHECK(mismatch(y, MatrixD{{0.5 * (1 / e - 1), 2}}) == "");
  CHECK(mismatch(g, MatrixD{{0.5 / e, 1}}) == "");
  std::tie(y, g) = value_and_grad([](VarD x) { return elu(x); }, MatrixD{{-2}});  // alpha = 1
  CHECK(mismatch(y, MatrixD{{std::exp(-2.0) - 1}}) == "");
  CHECK(mismatch(g, MatrixD{{std::exp(-2.0)}}) == "");
}

TEST_CASE("clamp passes the gradient strictly inside and blocks it outside") {
  auto [y, g] = value_and_grad([](VarD x) { return clamp(x, -1.0, 2.0); }, MatrixD{{-3, -0.5, 1.5, 7}});
  CHECK(mismatch(y, MatrixD{{-1, -0.5, 1.5, 2}}) == "");
  CHECK(mismatch(g, MatrixD{{0, 1, 1, 0}}) == "");
  std::tie(y, g) = value_and_grad([](VarD x) { return clip(x, 0.8, 1.2); }, MatrixD{{0.5, 1.1, 1.5}});
  CHECK(mismatch(y, MatrixD{{0.8, 1.1, 1.2}}) == "");
  CHECK(mismatch(g, MatrixD{{0, 1, 0}}) == "");
}

TEST_CASE("huber is quadratic inside [-delta, delta] and linear outside, with a continuous slope") {
  // delta = 1: 0.5 x^2 inside; 1 * (|x| - 0.5) outside. Slope: clamp(x, -1, 1).
  auto [y, g] = value_and_grad([](VarD x) { return huber(x); }, MatrixD{{-3, -1, 0.5, 1, 2}});
  CHECK(mismatch(y, MatrixD{{3 - 0.5, 0.5 * 1, 0.5 * 0.25, 0.5 * 1, 2 - 0.5}}) == "");
  CHECK(mismatch(g, MatrixD{{-1, -1, 0.5, 1, 1}}) == "");
  // delta = 2: 2 (|x| - 1) outside; slope clamp(x, -2, 2).
  std::tie(y, g) = value_and_grad([](VarD x) { return huber(x, 2.0); }, MatrixD{{-3, 1.5, 2}});
  CHECK(mismatch(y, MatrixD{{2 * (3 - 1.0), 0.5 * 2.25, 0.5 * 4}}) == "");
  CHECK(mismatch(g, MatrixD{{-2, 1.5, 2}}) == "");
}

TEST_CASE("every unary op passes gradcheck at random shapes") {
  SUBCASE("neg") { check_gradients([](VarD x) { return neg(x); }, anywhere, 1); }
  SUBCASE("exp") { check_gradients([](VarD x) { return exp(x); }, anywhere, 2); }
  SUBCASE("log") { check_gradients([](VarD x) { return log(x); }, positive, 3); }
  SUBCASE("tanh") { check_gradients([](VarD x) { return tanh(x); }, anywhere, 4); }
  SUBCASE("sigmoid") { check_gradients([](VarD x) { return sigmoid(x); }, anywhere, 5); }
  SUBCASE("relu") { check_gradients([](VarD x) { return relu(x); }, off_zero, 6); }
  SUBCASE("elu") {
    check_gradients([](VarD x) { return elu(x); }, off_zero, 7);
    check_gradients([](VarD x) { return elu(x, 0.3); }, off_zero, 8);
  }
  SUBCASE("swish") { check_gradients([](VarD x) { return swish(x); }, anywhere, 9); }
  SUBCASE("softplus") {
    check_gradients([](VarD x) { return softplus(x); }, anywhere, 10);
    // Far from 0, where the stable form switches branches.
    check_gradients([](VarD x) { return softplus(x); },
                    [](RandomStream& rng, Eigen::Index r, Eigen::Index c) { return random_matrix(rng, r, c, -40, 40); }, 11);
  }
  SUBCASE("square") { check_gradients([](VarD x) { return square(x); }, anywhere, 12); }
  SUBCASE("sqrt") { check_gradients([](VarD x) { return sqrt(x); }, positive, 13); }
  SUBCASE("abs") { check_gradients([](VarD x) { return abs(x); }, off_zero, 14); }
  SUBCASE("pow") {
    check_gradients([](VarD x) { return pow(x, 3.0); }, anywhere, 15);
    check_gradients([](VarD x) { return pow(x, 2.5); }, positive, 16);
    check_gradients([](VarD x) { return pow(x, -1.5); }, positive, 17);
  }
  SUBCASE("clamp") {
    // Bounds at +-0.7 and +-1.1; draws keep 0.01 from them.
    const auto off_bounds = [](RandomStream& rng, Eigen::Index r, Eigen::Index c) {
      MatrixD m = random_matrix(rng, r, c, -3, 3);
      for (Eigen::Index i = 0; i < m.size(); ++i)
        for (double bound : {-0.7, 1.1})
          if (std::abs(m.data()[i] - bound) < 0.01) m.data()[i] = bound + 0.05;
      return m;
    };
    check_gradients([](VarD x) { return clamp(x, -0.7, 1.1); }, off_bounds, 18);
  }
  SUBCASE("huber") {
    check_gradients([](VarD x) { return huber(x); }, anywhere, 19);
    check_gradients([](VarD x) { return huber(x, 0.5); }, anywhere, 20);
  }
}

TEST_CASE("the non-smooth points take the midpoint of the subdifferential, which gradcheck measures too") {
  const MatrixD at_zero{{0, 0, 0}};
  SUBCASE("relu'(0) = 0.5") {
    const auto [y, g] = value_and_grad([](VarD x) { return relu(x); }, at_zero);
    CHECK(mismatch(y, at_zero) == "");
    CHECK(mismatch(g, MatrixD{{0.5, 0.5, 0.5}}) == "");
    RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return relu(in[0]); }, {MatrixD{{0, -1, 0, 2}}});
  }
  SUBCASE("abs'(0) = 0") {
    const auto [y, g] = value_and_grad([](VarD x) { return abs(x); }, at_zero);
    CHECK(mismatch(g, MatrixD{{0, 0, 0}}) == "");
    RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return abs(in[0]); }, {MatrixD{{0, -1, 0, 2}}});
  }
  SUBCASE("elu'(0) = (1 + alpha) / 2") {
    auto [y, g] = value_and_grad([](VarD x) { return elu(x, 0.4); }, at_zero);
    CHECK(mismatch(y, at_zero) == "");
    CHECK(mismatch(g, MatrixD{{(1 + 0.4) / 2, 0.7, 0.7}}) == "");
    std::tie(y, g) = value_and_grad([](VarD x) { return elu(x); }, at_zero);
    CHECK(mismatch(g, MatrixD{{1, 1, 1}}) == "");  // alpha = 1: smooth at 0
    RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return elu(in[0], 0.4); }, {MatrixD{{0, -1, 0, 2}}});
  }
  SUBCASE("clamp' on either bound = 0.5") {
    const auto [y, g] = value_and_grad([](VarD x) { return clamp(x, -1.0, 2.0); }, MatrixD{{-1, 2, 0}});
    CHECK(mismatch(y, MatrixD{{-1, 2, 0}}) == "");
    CHECK(mismatch(g, MatrixD{{0.5, 0.5, 1}}) == "");
    RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return clamp(in[0], -1.0, 2.0); },
                         {MatrixD{{-1, 2, 0, -3, 5}}});
  }
  SUBCASE("huber is smooth at +-delta: slope +-delta from both sides") {
    const auto [y, g] = value_and_grad([](VarD x) { return huber(x, 0.5); }, MatrixD{{-0.5, 0.5}});
    CHECK(mismatch(y, MatrixD{{0.125, 0.125}}) == "");
    CHECK(mismatch(g, MatrixD{{-0.5, 0.5}}) == "");
    RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return huber(in[0], 0.5); }, {MatrixD{{-0.5, 0.5}}});
  }
}

TEST_CASE("the non-smooth points hold on a float tape too") {
  Tape tape;
  const Var x = tape.variable(Matrix{{0.0f, -1.0f, 2.0f}});
  tape.backward(relu(x));
  CHECK(mismatch(x.grad(), Matrix{{0.5f, 0.0f, 1.0f}}, 0) == "");
  tape.backward(clamp(x, -1.0f, 2.0f));
  CHECK(mismatch(x.grad(), Matrix{{1.0f, 0.5f, 0.5f}}, 0) == "");
  tape.backward(abs(x));
  CHECK(mismatch(x.grad(), Matrix{{0.0f, -1.0f, 1.0f}}, 0) == "");
  tape.backward(elu(x, 0.5f));
  CHECK(mismatch(x.grad(), Matrix{{0.75f, 0.5f * std::exp(-1.0f), 1.0f}}, 1e-6) == "");
}

TEST_CASE("clamp with low > high and huber with delta <= 0 throw") {
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{1}});
  CHECK(error_message([&] { clamp(x, 2.0, 1.0); }).find("clamp") != std::string::npos);
  CHECK(error_message([&] { huber(x, 0.0); }).find("huber") != std::string::npos);
  CHECK_NOTHROW(clamp(x, 1.0, 1.0));
}
