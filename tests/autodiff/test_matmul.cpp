// Matrix products: matmul (A·B), matmul_nt (A·Bᵀ), linear (X·W + b, with and without bias) and
// linear_relu (relu(X·W + b) as one node).

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "autodiff_support.hpp"

using namespace rlpp::ad;
using rlpp::RandomStream;
using rlpp::ad::test::error_message;
using rlpp::ad::test::mismatch;
using rlpp::ad::test::random_matrix;

namespace {
// A = [1 2 3; 4 5 6] (2x3), B = [1 0; 0 1; 1 1] (3x2), Bt = Bᵀ.
const MatrixD matmul_a_value{{1, 2, 3}, {4, 5, 6}};
const MatrixD b_value{{1, 0}, {0, 1}, {1, 1}};
const MatrixD bt_value{{1, 0, 1}, {0, 1, 1}};

struct Dims {
  Eigen::Index n, k, m;
};
// Including 1-wide and 1-deep products (outer products, row-vector times matrix).
// Shapes with n + k + m < 20 take the coefficient-based path of autodiff/detail/gemm.hpp; larger
// ones the blocked GEMM with rlpp's workspace ({9,13,11}, {24,7,5}, {3,30,17}) or, with a single
// row or column, its dot/axpy path ({1,30,12}, {15,9,1}, {1,25,1}), forward and backward.
const Dims dims[] = {{1, 1, 1}, {2, 3, 4}, {5, 1, 3}, {1, 4, 2}, {4, 6, 1}, {7, 5, 6}, {9, 13, 11}, {24, 7, 5}, {3, 30, 17}, {1, 30, 12}, {15, 9, 1}, {1, 25, 1}};
}  // namespace

TEST_CASE("matmul multiplies row-major matrices and backpropagates g·Bᵀ and Aᵀ·g") {
  TapeD tape;
  const VarD a = tape.variable(matmul_a_value), b = tape.variable(b_value);
  const VarD y = matmul(a, b);
  // [1+0+3, 0+2+3; 4+0+6, 0+5+6]
  CHECK(mismatch(y.value(), MatrixD{{4, 5}, {10, 11}}) == "");
  tape.backward(y);
  // g = ones(2x2): dA = g·Bᵀ has every row equal to B's row sums [1, 1, 2];
  // dB = Aᵀ·g has every column equal to A's column sums [5, 7, 9].
  CHECK(mismatch(a.grad(), MatrixD{{1, 1, 2}, {1, 1, 2}}) == "");
  CHECK(mismatch(b.grad(), MatrixD{{5, 5}, {7, 7}, {9, 9}}) == "");
}

TEST_CASE("matmul_nt equals matmul with the transposed right operand") {
  TapeD tape;
  const VarD a = tape.variable(matmul_a_value), bt = tape.variable(bt_value);
  const VarD y = matmul_nt(a, bt);
  CHECK(mismatch(y.value(), MatrixD{{4, 5}, {10, 11}}) == "");
  tape.backward(y);
  CHECK(mismatch(a.grad(), MatrixD{{1, 1, 2}, {1, 1, 2}}) == "");
  // dBt = gᵀ·A: every row equal to A's column sums.
  CHECK(mismatch(bt.grad(), MatrixD{{5, 7, 9}, {5, 7, 9}}) == "");
}

TEST_CASE("linear adds the bias to every row and its gradient is the column sum of g") {
  TapeD tape;
  const VarD x = tape.variable(matmul_a_value), w = tape.variable(b_value), b = tape.variable(MatrixD{{10, 20}});
  const VarD y = linear(x, w, b);
  CHECK(mismatch(y.value(), MatrixD{{4 + 10, 5 + 20}, {10 + 10, 11 + 20}}) == "");
  // Weight the rows to see the column sum: loss = sum(y * [1 1; 3 3]).
  tape.backward(mul(y, tape.constant(MatrixD{{1, 1}, {3, 3}})));
  CHECK(mismatch(b.grad(), MatrixD{{1 + 3, 1 + 3}}) == "");
  // dX = g·Wᵀ: row r is (weight of row r) * W's row sums [1, 1, 2].
  CHECK(mismatch(x.grad(), MatrixD{{1, 1, 2}, {3, 3, 6}}) == "");
  // dW = Xᵀ·g: X's columns weighted 1 and 3: [1+12, 2+15, 3+18] in both columns.
  CHECK(mismatch(w.grad(), MatrixD{{13, 13}, {17, 17}, {21, 21}}) == "");

  SUBCASE("without a bias it is X·W") {
    const VarD z = linear(x, w);
    CHECK(mismatch(z.value(), MatrixD{{4, 5}, {10, 11}}) == "");
  }
}

TEST_CASE("matmul, matmul_nt and linear pass gradcheck at several shapes") {
  RandomStream rng(2024);
  for (const Dims& d : dims) {
    CAPTURE(d.n);
    CAPTURE(d.k);
    CAPTURE(d.m);
    const MatrixD weights = random_matrix(rng, d.n, d.m);
    const auto weighted = [&](TapeD& t, VarD y) { return mul(y, t.constant(weights)); };
    RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return weighted(t, matmul(in[0], in[1])); },
                         {random_matrix(rng, d.n, d.k), random_matrix(rng, d.k, d.m)});
    RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return weighted(t, matmul_nt(in[0], in[1])); },
                         {random_matrix(rng, d.n, d.k), random_matrix(rng, d.m, d.k)});
    RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return weighted(t, linear(in[0], in[1], in[2])); },
                         {random_matrix(rng, d.n, d.k), random_matrix(rng, d.k, d.m), random_matrix(rng, 1, d.m)});
    RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return weighted(t, linear(in[0], in[1])); },
                         {random_matrix(rng, d.n, d.k), random_matrix(rng, d.k, d.m)});
  }
}

TEST_CASE("linear_relu gives relu(linear(...))'s values and gradients bit for bit, 1/2 at a zero pre-activation") {
  // Float, as the networks use it; shapes on the tiny, blocked and vector paths of the products.
  RandomStream rng(77);
  for (const Dims& d : dims) {
    CAPTURE(d.n);
    CAPTURE(d.k);
    CAPTURE(d.m);
    rlpp::ad::Matrix x_value = random_matrix(rng, d.n, d.k).cast<float>();
    const rlpp::ad::Matrix w_value = random_matrix(rng, d.k, d.m).cast<float>();
    rlpp::ad::Matrix b_value = random_matrix(rng, 1, d.m).cast<float>();
    const rlpp::ad::Matrix g_value = random_matrix(rng, d.n, d.m).cast<float>();
    // A zero row of x and a zero bias entry make pre-activations of exactly 0 (Relu's gradient
    // is 1/2 there).
    x_value.row(0).setZero();
    b_value(0, 0) = 0.0f;
    const auto run = [&](bool fused) {
      Tape tape;
      const Var x = tape.variable(x_value), w = tape.variable(w_value), b = tape.variable(b_value);
      const Var y = fused ? linear_relu(x, w, b) : relu(linear(x, w, b));
      tape.backward(mul(y, tape.constant(g_value)));
      return std::vector<rlpp::ad::Matrix>{y.value(), x.grad(), w.grad(), b.grad()};
    };
    const auto fused = run(true), separate = run(false);
    for (std::size_t i = 0; i < fused.size(); ++i) {
      CAPTURE(i);
      CHECK(fused[i] == separate[i]);
    }
    // The case of a zero pre-activation really occurred (its gradient factor, 1/2, is checked by
    // the equality above).
    CHECK(fused[0](0, 0) == 0.0f);
  }
  RLPP_CHECK_GRADIENTS([&](TapeD&, std::span<const VarD> in) { return linear_relu(in[0], in[1], in[2]); },
                       {random_matrix(rng, 6, 5), random_matrix(rng, 5, 7), random_matrix(rng, 1, 7)});
  // Without a gradient to carry (constants only) it keeps nothing for backward.
  Tape tape;
  const Var y = linear_relu(tape.constant(rlpp::ad::Matrix::Ones(2, 3)), tape.constant(rlpp::ad::Matrix::Ones(3, 2)),
                            tape.constant(rlpp::ad::Matrix::Constant(1, 2, -4.0f)));
  CHECK(y.value() == rlpp::ad::Matrix::Zero(2, 2));
  CHECK(error_message([&] { linear_relu(tape.constant(rlpp::ad::Matrix::Ones(2, 3)), tape.constant(rlpp::ad::Matrix::Ones(3, 2)),
                                        tape.constant(rlpp::ad::Matrix::Ones(1, 3))); })
            .find("linear_relu: bias must be 1x2, got 1x3") != std::string::npos);
}

TEST_CASE("a square matrix multiplied by itself collects both operands' gradients") {
  // y = X·X, g = ones: dX = g·Xᵀ + Xᵀ·g. X = [1 2; 3 4]: every row of g·Xᵀ is X's row sums
  // [3, 7]; every column of Xᵀ·g is X's column sums [4; 6]. dX = [3+4 7+4; 3+6 7+6].
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{1, 2}, {3, 4}});
  tape.backward(matmul(x, x));
  CHECK(mismatch(x.grad(), MatrixD{{7, 11}, {9, 13}}) == "");
  RandomStream rng(5);
  RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return matmul(in[0], in[0]); }, {random_matrix(rng, 3, 3)});
  RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return matmul_nt(in[0], in[0]); }, {random_matrix(rng, 3, 4)});
}

TEST_CASE("mismatched inner dimensions and a misshapen bias throw an Error naming the op and the shapes") {
  TapeD tape;
  const VarD a = tape.variable(MatrixD::Zero(2, 3)), b = tape.variable(MatrixD::Zero(2, 3));
  CHECK(error_message([&] { matmul(a, b); }).find("matmul: inner dimensions differ: 2x3 and 2x3") != std::string::npos);
  const VarD c = tape.variable(MatrixD::Zero(4, 2));
  CHECK(error_message([&] { matmul_nt(a, c); }).find("matmul_nt: inner dimensions differ: 2x3 and 4x2") !=
        std::string::npos);
  const VarD w = tape.variable(MatrixD::Zero(3, 4));
  CHECK(error_message([&] { linear(c, w, tape.variable(MatrixD::Zero(1, 4))); }).find("linear: inner dimensions differ: 4x2 and 3x4") !=
        std::string::npos);
  CHECK(error_message([&] { linear(a, w, tape.variable(MatrixD::Zero(1, 3))); }).find("linear: bias must be 1x4, got 1x3") !=
        std::string::npos);
  CHECK(error_message([&] { linear(a, w, tape.variable(MatrixD::Zero(2, 4))); }).find("bias must be 1x4, got 2x4") !=
        std::string::npos);
  CHECK(error_message([&] { linear(c, w); }).find("linear: inner dimensions differ: 4x2 and 3x4") != std::string::npos);
}
