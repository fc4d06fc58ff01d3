// The tape itself: leaves (parameter, constant, input, variable, scalar), backward()'s seeding,
// overwriting and accumulating, values used more than once, and misuse that must throw.

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

namespace {
bool tape_mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("a parameter reads caller memory in place and backward() writes its gradient there") {
  std::vector<float> w{1, 2, 3, 4, 5, 6};  // 2x3, row-major
  std::vector<float> dw(6, 123.0f);        // stale values: backward() overwrites them
  Tape tape;
  const Var p = tape.parameter(w.data(), dw.data(), 2, 3);
  CHECK(p.value().data() == w.data());
  CHECK(p.requires_grad());
  tape.backward(sum(square(p)));
  CHECK(dw == std::vector<float>{2, 4, 6, 8, 10, 12});
  CHECK(p.grad().data() == dw.data());

  SUBCASE("backward() overwrites by default") {
    tape.backward(sum(p));
    CHECK(dw == std::vector<float>(6, 1.0f));
  }
  SUBCASE("accumulate = true adds to what is there") {
    tape.backward(sum(mul_scalar(p, 10.0f)), /*accumulate=*/true);
    CHECK(dw == std::vector<float>{2 + 10, 4 + 10, 6 + 10, 8 + 10, 10 + 10, 12 + 10});
    // Across recordings too: the next minibatch's gradient is added to the sum so far.
    tape.reset();
    const Var again = tape.parameter(w.data(), dw.data(), 2, 3);
    tape.backward(sum(again), true);
    CHECK(dw == std::vector<float>{13, 15, 17, 19, 21, 23});
  }
  SUBCASE("accumulate = true still starts intermediate nodes from zero") {
    const Var y = mul_scalar(p, 2.0f);
    const Var loss = sum(y);
    tape.backward(loss, true);
    tape.backward(loss, true);
    CHECK(mismatch(y.grad(), Matrix::Ones(2, 3)) == "");
    CHECK(dw == std::vector<float>{2 + 2 + 2, 4 + 2 + 2, 6 + 2 + 2, 8 + 2 + 2, 10 + 2 + 2, 12 + 2 + 2});
  }
}

TEST_CASE("one parameter registered twice (two layers sharing weights) gets the sum of both gradients") {
  std::vector<double> w{3}, dw{-1};
  TapeD tape;
  const VarD first = tape.parameter(w.data(), dw.data(), 1, 1), second = tape.parameter(w.data(), dw.data(), 1, 1);
  // d(2 w + w^2) / dw = 2 + 2 w = 8.
  tape.backward(add(mul_scalar(first, 2.0), square(second)));
  CHECK(dw[0] == 8.0);
}

TEST_CASE("a parameter with a null gradient pointer is frozen (a target network's weights)") {
  std::vector<float> w{2};
  Tape tape;
  const Var frozen = tape.parameter(w.data(), nullptr, 1, 1);
  const Var x = tape.variable(Matrix{{3}});
  CHECK_FALSE(frozen.requires_grad());
  tape.backward(mul(frozen, x));
  CHECK(x.grad()(0, 0) == 2.0f);
  CHECK_THROWS_AS(tape.backward(square(frozen)), rlpp::Error);
}

TEST_CASE("a value used twice accumulates both contributions") {
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{3, -2}});
  SUBCASE("x * x: 2 x") {
    tape.backward(mul(x, x));
    CHECK(mismatch(x.grad(), MatrixD{{6, -4}}) == "");
  }
  SUBCASE("x + x: 2") {
    tape.backward(x + x);
    CHECK(mismatch(x.grad(), MatrixD{{2, 2}}) == "");
  }
  SUBCASE("x - x: 0") {
    tape.backward(x - x);
    CHECK(mismatch(x.grad(), MatrixD{{0, 0}}) == "");
  }
  SUBCASE("x / x: 0") {
    tape.backward(x / x);
    CHECK(mismatch(x.grad(), MatrixD{{0, 0}}) == "");
  }
  SUBCASE("f(x) + g(x): exp(x) + x^2 -> exp(x) + 2 x") {
    tape.backward(exp(x) + square(x));
    CHECK(mismatch(x.grad(), MatrixD{{std::exp(3.0) + 6, std::exp(-2.0) - 4}}) == "");
  }
  SUBCASE("one intermediate feeding two branches: h = tanh(x), h * h + 3 h") {
    const VarD h = tanh(x);
    tape.backward(h * h + h * 3.0);
    const double h0 = std::tanh(3.0), h1 = std::tanh(-2.0);
    // d/dx = (2 h + 3) (1 - h^2)
    CHECK(mismatch(x.grad(), MatrixD{{(2 * h0 + 3) * (1 - h0 * h0), (2 * h1 + 3) * (1 - h1 * h1)}}) == "");
  }
}

TEST_CASE("reused values pass gradcheck") {
  RandomStream rng(4);
  const MatrixD x = random_matrix(rng, 3, 4), w = random_matrix(rng, 4, 4);
  RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return mul(in[0], in[0]); }, {x});
  RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return add(exp(in[0]), pow(in[0], 3.0)); }, {x});
  // The same weight in two layers, and a residual branch: y = tanh(x W) W + x.
  RLPP_CHECK_GRADIENTS(
      [](TapeD&, std::span<const VarD> in) { return square(add(matmul(tanh(matmul(in[0], in[1])), in[1]), in[0])); },
      {x, w});
  // A value broadcast against itself reduced: x - mean(x), as in advantage normalisation.
  RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return square(sub(in[0], col_mean(in[0]))); }, {x});
}

TEST_CASE("backward() seeds every element of a non-scalar loss with 1, i.e. differentiates its sum") {
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{1, 2}, {3, 4}});
  tape.backward(square(x));
  CHECK(mismatch(x.grad(), MatrixD{{2, 4}, {6, 8}}) == "");
}

TEST_CASE("backward() from an intermediate node ignores what was recorded after it") {
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{2}});
  const VarD y = square(x);
  const VarD z = exp(y);
  (void)z;
  tape.backward(y);
  CHECK(x.grad()(0, 0) == 4.0);
  // Repeating backward gives the same gradients: nothing left over from the previous pass.
  tape.backward(y);
  CHECK(x.grad()(0, 0) == 4.0);
}

TEST_CASE("constant copies its data, input reads caller memory in place, neither receives a gradient") {
  std::vector<float> data{1, 2, 3, 4};
  Tape tape;
  const Var c = tape.constant(data.data(), 2, 2);
  const Var in = tape.input(data.data(), 2, 2);
  const Var s = tape.scalar(5.0f);
  CHECK(in.value().data() == data.data());
  CHECK(c.value().data() != data.data());
  CHECK(s.item() == 5.0f);
  CHECK_FALSE(c.requires_grad());
  CHECK_FALSE(in.requires_grad());
  CHECK_FALSE(s.requires_grad());
  data[0] = 100;
  CHECK(c.value()(0, 0) == 1.0f);
  CHECK(in.value()(0, 0) == 100.0f);
  CHECK(tape_mentions(error_message([&] { (void)c.grad(); }), "this value has no gradient"));
  // An op of gradient-free inputs has no gradient either.
  CHECK_FALSE(add(c, in).requires_grad());
  const Var from_eigen = tape.constant(Eigen::MatrixXd::Identity(2, 2));
  CHECK(mismatch(from_eigen.value(), Matrix::Identity(2, 2)) == "");
}

TEST_CASE("backward() on a loss that depends on no parameter or variable throws") {
  Tape tape;
  const Var c = tape.constant(Matrix{{1, 2}});
  const std::string text = error_message([&] { tape.backward(sum(c)); });
  CHECK(tape_mentions(text, "backward()"));
  CHECK(tape_mentions(text, "does not depend on any parameter or variable"));
  const Var x = tape.variable(Matrix{{1, 2}});
  CHECK_THROWS_AS(tape.backward(sum(stop_gradient(x))), rlpp::Error);
  CHECK_NOTHROW(tape.backward(sum(x)));
}

TEST_CASE("item() is for 1x1 values only") {
  Tape tape;
  const Var v = tape.constant(Matrix{{1}, {2}});
  CHECK(tape_mentions(error_message([&] { (void)v.item(); }), "item(): expected a 1x1 value, got 2x1"));
  CHECK(sum(v).item() == 3.0f);
}

TEST_CASE("a Var from before reset() throws when used after it, even where its index exists again") {
  Tape tape;
  const Var old = tape.variable(Matrix{{1, 2}});
  const Var old_sum = sum(old);
  tape.reset();
  // The same recording again: the new nodes have the old indices.
  const Var x = tape.variable(Matrix{{3, 4}});
  const Var s = sum(x);
  CHECK(x.index() == old.index());
  CHECK(s.index() == old_sum.index());
  CHECK(tape_mentions(error_message([&] { add(old, x); }), "before the tape's last reset()"));
  CHECK(tape_mentions(error_message([&] { exp(old); }), "before the tape's last reset()"));
  CHECK(tape_mentions(error_message([&] { (void)old.value(); }), "before the tape's last reset()"));
  CHECK(tape_mentions(error_message([&] { (void)old_sum.item(); }), "before the tape's last reset()"));
  CHECK(tape_mentions(error_message([&] { tape.backward(old_sum); }), "before the tape's last reset()"));
  CHECK(tape_mentions(error_message([&] { (void)tape.value(old); }), "before the tape's last reset()"));
  tape.reset();
  // And where the index no longer exists.
  CHECK_THROWS_AS(old.rows(), rlpp::Error);
  CHECK_THROWS_AS(tape.backward(s), rlpp::Error);
}

TEST_CASE("values of two tapes do not mix; a default-constructed Var is rejected") {
  Tape first, second;
  const Var a = first.variable(Matrix{{1}}), b = second.variable(Matrix{{2}});
  CHECK(tape_mentions(error_message([&] { add(a, b); }), "another tape"));
  CHECK(tape_mentions(error_message([&] { first.backward(b); }), "another tape"));
  const Var empty;
  CHECK(tape_mentions(error_message([&] { (void)empty.rows(); }), "default-constructed"));
  CHECK(tape_mentions(error_message([&] { exp(empty); }), "default-constructed"));
}

TEST_CASE("negative shapes throw an Error rather than reaching the allocator") {
  Tape tape;
  std::vector<float> data(4);
  CHECK(tape_mentions(error_message([&] { tape.constant(data.data(), -100, 4); }), "negative matrix shape -100x4"));
  CHECK(tape_mentions(error_message([&] { tape.input(data.data(), 2, -2); }), "negative matrix shape 2x-2"));
  CHECK(tape_mentions(error_message([&] { one_hot(tape, std::vector<std::int64_t>{}, -5); }), "negative matrix shape 0x-5"));
}
