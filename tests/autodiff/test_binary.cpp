// Elementwise binary ops: add, sub, mul, div, minimum, maximum, their broadcasting (RxC, 1xC,
// Rx1 and 1x1 on either side, Rx1 with 1xC), the scalar operators, and ties of min/max.

#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "autodiff_support.hpp"

using namespace rlpp::ad;
using rlpp::RandomStream;
using rlpp::ad::test::error_message;
using rlpp::ad::test::mismatch;
using rlpp::ad::test::random_away_from_zero;
using rlpp::ad::test::random_matrix;

namespace {
// a = [1 2 3; 4 5 6], row = [10 20 30], col = [100; 200], s = [2].
const MatrixD a_value{{1, 2, 3}, {4, 5, 6}};
const MatrixD row_value{{10, 20, 30}};
const MatrixD col_value{{100}, {200}};
const MatrixD s_value{{2}};

struct Shape {
  const char* name;
  Eigen::Index rows, cols;
};
// Every operand shape that broadcasts to 3x4.
const Shape broadcast_shapes[] = {{"3x4", 3, 4}, {"1x4", 1, 4}, {"3x1", 3, 1}, {"1x1", 1, 1}};
}  // namespace

TEST_CASE("add broadcasts a row, a column and a 1x1 over the other operand, on either side") {
  TapeD tape;
  const VarD a = tape.variable(a_value), row = tape.variable(row_value), col = tape.variable(col_value),
             s = tape.variable(s_value);
  CHECK(mismatch(add(a, a).value(), MatrixD{{2, 4, 6}, {8, 10, 12}}) == "");
  CHECK(mismatch(add(a, row).value(), MatrixD{{1 + 10, 2 + 20, 3 + 30}, {4 + 10, 5 + 20, 6 + 30}}) == "");
  CHECK(mismatch(add(row, a).value(), MatrixD{{11, 22, 33}, {14, 25, 36}}) == "");
  CHECK(mismatch(add(a, col).value(), MatrixD{{1 + 100, 2 + 100, 3 + 100}, {4 + 200, 5 + 200, 6 + 200}}) == "");
  CHECK(mismatch(add(col, a).value(), MatrixD{{101, 102, 103}, {204, 205, 206}}) == "");
  CHECK(mismatch(add(a, s).value(), MatrixD{{3, 4, 5}, {6, 7, 8}}) == "");
  CHECK(mismatch(add(s, a).value(), MatrixD{{3, 4, 5}, {6, 7, 8}}) == "");
  // Both sides broadcast: a 2x1 column with a 1x3 row gives 2x3.
  CHECK(mismatch(add(col, row).value(), MatrixD{{110, 120, 130}, {210, 220, 230}}) == "");
  CHECK(mismatch(add(row, col).value(), MatrixD{{110, 120, 130}, {210, 220, 230}}) == "");
  CHECK(mismatch(add(s, s).value(), MatrixD{{4}}) == "");
}

TEST_CASE("sub, mul and div broadcast like add, keeping the operand order") {
  TapeD tape;
  const VarD a = tape.variable(a_value), row = tape.variable(row_value), col = tape.variable(col_value),
             s = tape.variable(s_value);
  CHECK(mismatch(sub(a, row).value(), MatrixD{{1 - 10, 2 - 20, 3 - 30}, {4 - 10, 5 - 20, 6 - 30}}) == "");
  CHECK(mismatch(sub(row, a).value(), MatrixD{{9, 18, 27}, {6, 15, 24}}) == "");
  CHECK(mismatch(sub(col, row).value(), MatrixD{{90, 80, 70}, {190, 180, 170}}) == "");
  CHECK(mismatch(sub(s, a).value(), MatrixD{{1, 0, -1}, {-2, -3, -4}}) == "");
  CHECK(mismatch(mul(a, col).value(), MatrixD{{100, 200, 300}, {800, 1000, 1200}}) == "");
  CHECK(mismatch(mul(row, col).value(), MatrixD{{1000, 2000, 3000}, {2000, 4000, 6000}}) == "");
  CHECK(mismatch(mul(s, a).value(), MatrixD{{2, 4, 6}, {8, 10, 12}}) == "");
  CHECK(mismatch(div(a, row).value(), MatrixD{{1 / 10.0, 2 / 20.0, 3 / 30.0}, {4 / 10.0, 5 / 20.0, 6 / 30.0}}) == "");
  CHECK(mismatch(div(row, a).value(), MatrixD{{10 / 1.0, 20 / 2.0, 30 / 3.0}, {10 / 4.0, 20 / 5.0, 30 / 6.0}}) == "");
  CHECK(mismatch(div(col, row).value(), MatrixD{{10, 5, 100 / 30.0}, {20, 10, 200 / 30.0}}) == "");
  CHECK(mismatch(div(a, s).value(), MatrixD{{0.5, 1, 1.5}, {2, 2.5, 3}}) == "");
  CHECK(mismatch(div(s, a).value(), MatrixD{{2, 1, 2 / 3.0}, {0.5, 0.4, 2 / 6.0}}) == "");
}

TEST_CASE("the gradient of a broadcast operand is summed over the dimensions it was repeated along") {
  // backward() seeds d sum(y) = ones, so each operand receives the sum of its partials.
  TapeD tape;
  const VarD a = tape.variable(a_value), row = tape.variable(row_value), col = tape.variable(col_value),
             s = tape.variable(s_value);
  SUBCASE("add: a 1xC row collects one 1 per row, an Rx1 column one per column, a 1x1 one per element") {
    tape.backward(add(a, row));
    CHECK(mismatch(a.grad(), MatrixD::Ones(2, 3)) == "");
    CHECK(mismatch(row.grad(), MatrixD{{2, 2, 2}}) == "");
    tape.backward(add(col, a));
    CHECK(mismatch(col.grad(), MatrixD{{3}, {3}}) == "");
    tape.backward(add(s, a));
    CHECK(mismatch(s.grad(), MatrixD{{6}}) == "");
    tape.backward(add(col, row));
    CHECK(mismatch(col.grad(), MatrixD{{3}, {3}}) == "");
    CHECK(mismatch(row.grad(), MatrixD{{2, 2, 2}}) == "");
  }
  SUBCASE("sub: the right operand receives minus the count") {
    tape.backward(sub(row, col));
    CHECK(mismatch(row.grad(), MatrixD{{2, 2, 2}}) == "");
    CHECK(mismatch(col.grad(), MatrixD{{-3}, {-3}}) == "");
    tape.backward(sub(a, s));
    CHECK(mismatch(a.grad(), MatrixD::Ones(2, 3)) == "");
    CHECK(mismatch(s.grad(), MatrixD{{-6}}) == "");
  }
  SUBCASE("mul: each operand receives the other, summed over the broadcast dims") {
    tape.backward(mul(a, row));
    CHECK(mismatch(a.grad(), MatrixD{{10, 20, 30}, {10, 20, 30}}) == "");
    CHECK(mismatch(row.grad(), MatrixD{{1 + 4, 2 + 5, 3 + 6}}) == "");
    tape.backward(mul(col, a));
    CHECK(mismatch(col.grad(), MatrixD{{1 + 2 + 3}, {4 + 5 + 6}}) == "");
    CHECK(mismatch(a.grad(), MatrixD{{100, 100, 100}, {200, 200, 200}}) == "");
    tape.backward(mul(row, col));
    CHECK(mismatch(row.grad(), MatrixD{{100 + 200, 100 + 200, 100 + 200}}) == "");
    CHECK(mismatch(col.grad(), MatrixD{{10 + 20 + 30}, {10 + 20 + 30}}) == "");
    tape.backward(mul(a, s));
    CHECK(mismatch(s.grad(), MatrixD{{1 + 2 + 3 + 4 + 5 + 6}}) == "");
  }
  SUBCASE("div: d(a/b)/da = 1/b, d(a/b)/db = -a/b^2") {
    tape.backward(div(a, row));
    CHECK(mismatch(a.grad(), MatrixD{{1 / 10.0, 1 / 20.0, 1 / 30.0}, {1 / 10.0, 1 / 20.0, 1 / 30.0}}) == "");
    CHECK(mismatch(row.grad(), MatrixD{{-(1 + 4) / 100.0, -(2 + 5) / 400.0, -(3 + 6) / 900.0}}) == "");
    tape.backward(div(s, col));
    CHECK(mismatch(s.grad(), MatrixD{{1 / 100.0 + 1 / 200.0}}) == "");
    CHECK(mismatch(col.grad(), MatrixD{{-2 / 10000.0}, {-2 / 40000.0}}) == "");
  }
}

TEST_CASE("add, sub, mul, div, minimum and maximum pass gradcheck for every broadcasting combination") {
  struct Op {
    const char* name;
    VarD (*apply)(VarD, VarD);
  };
  const Op ops[] = {{"add", [](VarD a, VarD b) { return add(a, b); }},
                    {"sub", [](VarD a, VarD b) { return sub(a, b); }},
                    {"mul", [](VarD a, VarD b) { return mul(a, b); }},
                    {"div", [](VarD a, VarD b) { return div(a, b); }},
                    {"minimum", [](VarD a, VarD b) { return minimum(a, b); }},
                    {"maximum", [](VarD a, VarD b) { return maximum(a, b); }}};
  RandomStream rng(101);
  for (const Op& op : ops) {
    for (const Shape& sa : broadcast_shapes) {
      for (const Shape& sb : broadcast_shapes) {
        CAPTURE(op.name);
        CAPTURE(sa.name);
        CAPTURE(sb.name);
        // Random weights on the 3x4 output make the upstream gradient differ per element.
        const MatrixD weights = random_matrix(rng, 3, 4);
        const auto f = [&](TapeD& t, std::span<const VarD> in) { return mul(op.apply(in[0], in[1]), t.constant(weights)); };
        // Divisors kept away from 0, where 1/b and its finite differences blow up.
        RLPP_CHECK_GRADIENTS(f, {random_matrix(rng, sa.rows, sa.cols), random_away_from_zero(rng, sb.rows, sb.cols, -2, 2, 0.5)});
      }
    }
  }
}

TEST_CASE("the scalar operators put the scalar on the side it is written") {
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{1, 2, 4}});
  CHECK(mismatch((x + 3.0).value(), MatrixD{{4, 5, 7}}) == "");
  CHECK(mismatch((3.0 + x).value(), MatrixD{{4, 5, 7}}) == "");
  CHECK(mismatch((x - 3.0).value(), MatrixD{{-2, -1, 1}}) == "");
  CHECK(mismatch((3.0 - x).value(), MatrixD{{2, 1, -1}}) == "");
  CHECK(mismatch((x * 3.0).value(), MatrixD{{3, 6, 12}}) == "");
  CHECK(mismatch((3.0 * x).value(), MatrixD{{3, 6, 12}}) == "");
  CHECK(mismatch((x / 4.0).value(), MatrixD{{0.25, 0.5, 1}}) == "");
  CHECK(mismatch((4.0 / x).value(), MatrixD{{4, 2, 1}}) == "");
  CHECK(mismatch((-x).value(), MatrixD{{-1, -2, -4}}) == "");
  // The Var-Var operators are add/sub/mul/div.
  CHECK(mismatch((x + x).value(), MatrixD{{2, 4, 8}}) == "");
  CHECK(mismatch((x - x).value(), MatrixD{{0, 0, 0}}) == "");
  CHECK(mismatch((x * x).value(), MatrixD{{1, 4, 16}}) == "");
  CHECK(mismatch((x / x).value(), MatrixD{{1, 1, 1}}) == "");

  SUBCASE("gradients: d(x+s) = 1, d(s-x) = -1, d(s*x) = s, d(x/s) = 1/s, d(s/x) = -s/x^2") {
    tape.backward(x + 3.0);
    CHECK(mismatch(x.grad(), MatrixD{{1, 1, 1}}) == "");
    tape.backward(3.0 - x);
    CHECK(mismatch(x.grad(), MatrixD{{-1, -1, -1}}) == "");
    tape.backward(x - 3.0);
    CHECK(mismatch(x.grad(), MatrixD{{1, 1, 1}}) == "");
    tape.backward(3.0 * x);
    CHECK(mismatch(x.grad(), MatrixD{{3, 3, 3}}) == "");
    tape.backward(x / 4.0);
    CHECK(mismatch(x.grad(), MatrixD{{0.25, 0.25, 0.25}}) == "");
    tape.backward(4.0 / x);
    CHECK(mismatch(x.grad(), MatrixD{{-4 / 1.0, -4 / 4.0, -4 / 16.0}}) == "");
    tape.backward(-x);
    CHECK(mismatch(x.grad(), MatrixD{{-1, -1, -1}}) == "");
  }
}

TEST_CASE("the scalar operators pass gradcheck") {
  RandomStream rng(7);
  const auto check = [&](auto op) {
    const auto f = [&](TapeD&, std::span<const VarD> in) { return square(op(in[0])); };
    for (const auto& [rows, cols] : rlpp::ad::test::test_shapes())
      RLPP_CHECK_GRADIENTS(f, {random_away_from_zero(rng, rows, cols, -2, 2, 0.3)});
  };
  check([](VarD x) { return x + 1.5; });
  check([](VarD x) { return 1.5 + x; });
  check([](VarD x) { return x - 1.5; });
  check([](VarD x) { return 1.5 - x; });
  check([](VarD x) { return x * -2.5; });
  check([](VarD x) { return -2.5 * x; });
  check([](VarD x) { return x / 3.0; });
  check([](VarD x) { return 3.0 / x; });
  check([](VarD x) { return -x; });
  check([](VarD x) { return add_scalar(x, 0.5); });
  check([](VarD x) { return rsub_scalar(x, 0.5); });
  check([](VarD x) { return mul_scalar(x, 0.5); });
  check([](VarD x) { return div_scalar(x, 0.5); });
  check([](VarD x) { return rdiv_scalar(x, 0.5); });
}

TEST_CASE("the scalar operators accept integer and double literals on a float tape") {
  Tape tape;
  const Var x = tape.variable(Matrix{{2.0f}});
  CHECK((x * 2).item() == 4.0f);
  CHECK((1 - x).item() == -1.0f);
  CHECK((x / 0.5).item() == 4.0f);
}

TEST_CASE("minimum and maximum pick elementwise and route the gradient to the chosen side") {
  TapeD tape;
  const VarD a = tape.variable(MatrixD{{1, 5, -2}}), b = tape.variable(MatrixD{{3, 4, -7}});
  const VarD lo = minimum(a, b), hi = maximum(a, b);
  CHECK(mismatch(lo.value(), MatrixD{{1, 4, -7}}) == "");
  CHECK(mismatch(hi.value(), MatrixD{{3, 5, -2}}) == "");
  tape.backward(lo);
  CHECK(mismatch(a.grad(), MatrixD{{1, 0, 0}}) == "");
  CHECK(mismatch(b.grad(), MatrixD{{0, 1, 1}}) == "");
  tape.backward(hi);
  CHECK(mismatch(a.grad(), MatrixD{{0, 1, 1}}) == "");
  CHECK(mismatch(b.grad(), MatrixD{{1, 0, 0}}) == "");
}

TEST_CASE("minimum and maximum split the gradient 0.5 / 0.5 at ties") {
  TapeD tape;
  SUBCASE("equal operands") {
    const VarD a = tape.variable(MatrixD{{1, 2, 3}}), b = tape.variable(MatrixD{{1, 0, 3}});
    tape.backward(minimum(a, b));
    CHECK(mismatch(a.grad(), MatrixD{{0.5, 0, 0.5}}) == "");
    CHECK(mismatch(b.grad(), MatrixD{{0.5, 1, 0.5}}) == "");
    tape.backward(maximum(a, b));
    CHECK(mismatch(a.grad(), MatrixD{{0.5, 1, 0.5}}) == "");
    CHECK(mismatch(b.grad(), MatrixD{{0.5, 0, 0.5}}) == "");
  }
  SUBCASE("a broadcast 1x1 tied with two of four elements collects 1 + 0.5 + 0.5") {
    const VarD x = tape.variable(MatrixD{{1, 2}, {2, 3}}), s = tape.variable(MatrixD{{2}});
    // min(x, 2) = [1 2; 2 2]: s wins outright at (1,1), ties at (0,1) and (1,0).
    CHECK(mismatch(minimum(x, s).value(), MatrixD{{1, 2}, {2, 2}}) == "");
    tape.backward(minimum(x, s));
    CHECK(mismatch(x.grad(), MatrixD{{1, 0.5}, {0.5, 0}}) == "");
    CHECK(mismatch(s.grad(), MatrixD{{0 + 0.5 + 0.5 + 1}}) == "");
  }
  SUBCASE("the same value on both sides gets its whole gradient: 0.5 + 0.5") {
    const VarD x = tape.variable(MatrixD{{-1, 4}});
    tape.backward(maximum(x, x));
    CHECK(mismatch(x.grad(), MatrixD{{1, 1}}) == "");
  }
  SUBCASE("central differences measure the same 0.5 there, so gradcheck passes") {
    const MatrixD tied{{0.5, -1.25, 2}, {3, 0, -0.75}};
    const auto lo = [](TapeD&, std::span<const VarD> in) { return minimum(in[0], in[1]); };
    const auto hi = [](TapeD&, std::span<const VarD> in) { return maximum(in[0], in[1]); };
    RLPP_CHECK_GRADIENTS(lo, {tied, tied});
    RLPP_CHECK_GRADIENTS(hi, {tied, tied});
    RLPP_CHECK_GRADIENTS(hi, {tied, MatrixD{{0.5}}});
  }
}

TEST_CASE("shapes that do not broadcast throw an Error naming the op and both shapes") {
  TapeD tape;
  const VarD a = tape.variable(MatrixD::Zero(2, 3)), b = tape.variable(MatrixD::Zero(3, 2)),
             c = tape.variable(MatrixD::Zero(2, 2)), r = tape.variable(MatrixD::Zero(1, 2));
  const std::string text = error_message([&] { add(a, b); });
  CHECK(text.find("add") != std::string::npos);
  CHECK(text.find("2x3 and 3x2") != std::string::npos);
  CHECK(error_message([&] { sub(a, c); }).find("sub: shapes 2x3 and 2x2") != std::string::npos);
  CHECK(error_message([&] { mul(r, a); }).find("mul: shapes 1x2 and 2x3") != std::string::npos);
  CHECK(error_message([&] { div(b, a); }).find("div: shapes 3x2 and 2x3") != std::string::npos);
  CHECK(error_message([&] { minimum(a, r); }).find("minimum: shapes 2x3 and 1x2") != std::string::npos);
  CHECK(error_message([&] { maximum(c, b); }).find("maximum: shapes 2x2 and 3x2") != std::string::npos);
  CHECK(error_message([&] { (void)(a + b); }).find("add") != std::string::npos);
  const std::size_t nodes = tape.size();
  CHECK_THROWS_AS(a * b, rlpp::Error);
  CHECK(tape.size() == nodes);  // a failed op records nothing
}
