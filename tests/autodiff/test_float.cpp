// The float tape (the one models train with) agrees with the double tape that gradcheck
// validates: every op's value and gradient, on the same float-representable inputs.

#include <doctest/doctest.h>

#include <cstdint>
#include <span>
#include <vector>

#include "autodiff_support.hpp"

using namespace rlpp::ad;
using rlpp::RandomStream;
using rlpp::ad::test::mismatch;
using rlpp::ad::test::random_away_from_zero;
using rlpp::ad::test::random_matrix;

namespace {
// Runs f on a float and on a double tape and compares values and the gradients of a randomly
// weighted sum of the output; elements agree within tol * max(1, |double value|).
template <class F>
void check_float_matches_double(F f, std::vector<MatrixD> inputs, RandomStream& rng, double tol = 2e-6) {
  Tape tf;
  TapeD td;
  std::vector<Var> vf;
  std::vector<VarD> vd;
  for (MatrixD& m : inputs) {
    m = m.cast<float>().cast<double>();  // both tapes see the same numbers
    vf.push_back(tf.variable(m.cast<float>()));
    vd.push_back(td.variable(m));
  }
  const Var yf = f(tf, std::span<const Var>(vf));
  const VarD yd = f(td, std::span<const VarD>(vd));
  CHECK(mismatch(yf.value(), yd.value(), tol) == "");
  const MatrixD weights = random_matrix(rng, yd.rows(), yd.cols()).cast<float>().cast<double>();
  tf.backward(mul(yf, tf.constant(weights)));
  td.backward(mul(yd, td.constant(weights)));
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    CAPTURE(k);
    CHECK(mismatch(vf[k].grad(), vd[k].grad(), tol) == "");
  }
}
}  // namespace

TEST_CASE("float and double tapes agree on the elementwise binary ops, broadcasting included") {
  RandomStream rng(40);
  const auto run = [&](auto op) {
    // The second operand broadcasts from each of these shapes against a 3x4 first one.
    const std::pair<Eigen::Index, Eigen::Index> shapes[] = {{3, 4}, {1, 4}, {3, 1}, {1, 1}};
    for (const auto& [rows, cols] : shapes) {
      check_float_matches_double([&](auto&, auto in) { return op(in[0], in[1]); },
                                 {random_matrix(rng, 3, 4), random_away_from_zero(rng, rows, cols, -2, 2, 0.5)}, rng);
      check_float_matches_double([&](auto&, auto in) { return op(in[1], in[0]); },
                                 {random_away_from_zero(rng, 3, 4, -2, 2, 0.5), random_matrix(rng, rows, cols)}, rng);
    }
  };
  run([](auto a, auto b) { return a + b; });
  run([](auto a, auto b) { return a - b; });
  run([](auto a, auto b) { return a * b; });
  run([](auto a, auto b) { return a / b; });
  run([](auto a, auto b) { return minimum(a, b); });
  run([](auto a, auto b) { return maximum(a, b); });
  check_float_matches_double([](auto&, auto in) { return (2.5 - in[0]) * 3 + 1 / in[0] - in[0] / 4; },
                             {random_away_from_zero(rng, 2, 3, -2, 2, 0.5)}, rng);
}

TEST_CASE("float and double tapes agree on the unary ops") {
  RandomStream rng(41);
  const auto run = [&](auto op, double low = -3, double high = 3) {
    check_float_matches_double([&](auto&, auto in) { return op(in[0]); }, {random_away_from_zero(rng, 5, 6, low, high, 0.01)},
                               rng);
  };
  run([](auto x) { return neg(x); });
  run([](auto x) { return exp(x); });
  run([](auto x) { return log(x); }, 0.1, 3);
  run([](auto x) { return tanh(x); });
  run([](auto x) { return sigmoid(x); });
  run([](auto x) { return relu(x); });
  run([](auto x) { return elu(x, 0.7); });
  run([](auto x) { return swish(x); });
  run([](auto x) { return softplus(x); });
  run([](auto x) { return softplus(x); }, -60, 60);
  run([](auto x) { return square(x); });
  run([](auto x) { return sqrt(x); }, 0.1, 3);
  run([](auto x) { return abs(x); });
  run([](auto x) { return pow(x, 1.5); }, 0.1, 3);
  run([](auto x) { return pow(x, 3); });
  run([](auto x) { return clamp(x, -1, 1.5); });
  run([](auto x) { return huber(x, 0.8); });
}

TEST_CASE("float and double tapes agree on products, reductions and the softmax family") {
  RandomStream rng(42);
  check_float_matches_double([](auto&, auto in) { return matmul(in[0], in[1]); },
                             {random_matrix(rng, 7, 5), random_matrix(rng, 5, 3)}, rng, 1e-5);
  check_float_matches_double([](auto&, auto in) { return matmul_nt(in[0], in[1]); },
                             {random_matrix(rng, 7, 5), random_matrix(rng, 3, 5)}, rng, 1e-5);
  check_float_matches_double([](auto&, auto in) { return linear(in[0], in[1], in[2]); },
                             {random_matrix(rng, 7, 5), random_matrix(rng, 5, 3), random_matrix(rng, 1, 3)}, rng, 1e-5);
  for (int k = 0; k < 6; ++k) {
    CAPTURE(k);
    check_float_matches_double(
        [k](auto&, auto in) {
          switch (k) {
            case 0: return sum(in[0]);
            case 1: return mean(in[0]);
            case 2: return row_sum(in[0]);
            case 3: return row_mean(in[0]);
            case 4: return col_sum(in[0]);
            default: return col_mean(in[0]);
          }
        },
        {random_matrix(rng, 6, 5)}, rng, 1e-5);
  }
  check_float_matches_double([](auto&, auto in) { return log_softmax(in[0]); }, {random_matrix(rng, 4, 6, -5, 5)}, rng);
  check_float_matches_double([](auto&, auto in) { return softmax(in[0]); }, {random_matrix(rng, 4, 6, -5, 5)}, rng);
  check_float_matches_double([](auto&, auto in) { return logsumexp(in[0]); }, {random_matrix(rng, 4, 6, -5, 5)}, rng);
  // Logits near 1000: log-probabilities stay accurate to float's precision near 1, not near 1000.
  const MatrixD large = (random_matrix(rng, 4, 6, -5, 5).array() + 1000.0).matrix();
  check_float_matches_double([](auto&, auto in) { return log_softmax(in[0]); }, {large}, rng, 2e-6);
  check_float_matches_double([](auto&, auto in) { return softmax(in[0]); }, {large}, rng, 2e-6);
}

TEST_CASE("float and double tapes agree on indexing ops and losses") {
  RandomStream rng(43);
  const std::vector<std::int64_t> index{3, 0, 2, 2};
  check_float_matches_double([&](auto&, auto in) { return gather(in[0], index); }, {random_matrix(rng, 4, 5)}, rng);
  check_float_matches_double([](auto&, auto in) { return concat(in[0], in[1]); },
                             {random_matrix(rng, 4, 2), random_matrix(rng, 4, 3)}, rng);
  check_float_matches_double([](auto&, auto in) { return columns(in[0], 1, 2); }, {random_matrix(rng, 4, 5)}, rng);
  const MatrixD mask{{1, 0}, {0, 1}, {1, 1}};
  check_float_matches_double([&](auto& t, auto in) { return where(t.constant(mask), in[0], in[1]); },
                             {random_matrix(rng, 3, 2), random_matrix(rng, 3, 2)}, rng);
  check_float_matches_double([](auto&, auto in) { return mse(in[0], in[1]); },
                             {random_matrix(rng, 5, 3), random_matrix(rng, 5, 3)}, rng);
  check_float_matches_double([](auto&, auto in) { return huber_loss(in[0], in[1]); },
                             {random_matrix(rng, 5, 3), random_matrix(rng, 5, 3)}, rng);
  // A small policy network end to end.
  const std::vector<std::int64_t> actions{0, 2, 1, 1, 0, 2, 2, 1};
  check_float_matches_double(
      [&](auto&, auto in) {
        const auto logp = log_softmax(linear(tanh(linear(in[0], in[1], in[2])), in[3], in[4]));
        return -mean(gather(logp, actions));
      },
      {random_matrix(rng, 8, 4), random_matrix(rng, 4, 16, -1, 1), random_matrix(rng, 1, 16), random_matrix(rng, 16, 3, -1, 1),
       random_matrix(rng, 1, 3)},
      rng, 1e-5);
}
