// Selecting and assembling: gather, one_hot, concat, columns, where, stop_gradient.

#include <doctest/doctest.h>

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
const MatrixD x_value{{1, 2, 3}, {4, 5, 6}};
bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

TEST_CASE("gather takes one column per row and sends the gradient back to it") {
  TapeD tape;
  const VarD x = tape.variable(x_value);
  const std::vector<std::int64_t> index{2, 0};
  const VarD y = gather(x, index);
  CHECK(mismatch(y.value(), MatrixD{{3}, {4}}) == "");
  tape.backward(mul(y, tape.constant(MatrixD{{10}, {20}})));
  CHECK(mismatch(x.grad(), MatrixD{{0, 0, 10}, {20, 0, 0}}) == "");
  SUBCASE("the indices are copied: changing the caller's vector afterwards changes nothing") {
    std::vector<std::int64_t> changing{1, 1};
    const VarD z = gather(x, changing);
    changing = {0, 2};
    tape.backward(z);
    CHECK(mismatch(x.grad(), MatrixD{{0, 1, 0}, {0, 1, 0}}) == "");
  }
}

TEST_CASE("gather passes gradcheck, also when the same column is taken in every row") {
  RandomStream rng(3);
  for (const auto& index : {std::vector<std::int64_t>{0, 3, 1, 3, 2}, std::vector<std::int64_t>{1, 1, 1, 1, 1}}) {
    RLPP_CHECK_GRADIENTS([&](TapeD&, std::span<const VarD> in) { return square(gather(in[0], index)); },
                         {random_matrix(rng, 5, 4)});
  }
  const std::vector<std::int64_t> single{0};
  RLPP_CHECK_GRADIENTS([&](TapeD&, std::span<const VarD> in) { return square(gather(in[0], single)); },
                       {random_matrix(rng, 1, 1)});
}

TEST_CASE("one_hot builds constant rows with a single 1") {
  TapeD tape;
  const std::vector<std::int64_t> index{2, 0, 1, 2};
  const VarD y = one_hot(tape, index, 3);
  CHECK(mismatch(y.value(), MatrixD{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}}) == "");
  CHECK_FALSE(y.requires_grad());
  // As a mask: sum(one_hot * log_softmax) is the log-probability of the actions, like gather.
  const VarD logits = tape.variable(MatrixD::Zero(4, 3));
  tape.backward(mul(one_hot(tape, index, 3), log_softmax(logits)));
  const double third = 1 / 3.0;
  CHECK(mismatch(logits.grad(), MatrixD{{-third, -third, 1 - third},
                                        {1 - third, -third, -third},
                                        {-third, 1 - third, -third},
                                        {-third, -third, 1 - third}}) == "");
}

TEST_CASE("concat joins columns and splits the gradient back") {
  TapeD tape;
  const VarD a = tape.variable(MatrixD{{1, 2}, {3, 4}}), b = tape.variable(MatrixD{{5}, {6}});
  const VarD y = concat(a, b);
  CHECK(mismatch(y.value(), MatrixD{{1, 2, 5}, {3, 4, 6}}) == "");
  tape.backward(mul(y, tape.constant(MatrixD{{1, 2, 3}, {4, 5, 6}})));
  CHECK(mismatch(a.grad(), MatrixD{{1, 2}, {4, 5}}) == "");
  CHECK(mismatch(b.grad(), MatrixD{{3}, {6}}) == "");
  // A constant on one side: only the variable side receives a gradient.
  const VarD c = tape.constant(MatrixD{{7}, {8}});
  tape.backward(concat(c, a));
  CHECK(mismatch(a.grad(), MatrixD::Ones(2, 2)) == "");
  CHECK_FALSE(c.requires_grad());
}

TEST_CASE("columns selects a block of columns and its gradient lands in those columns") {
  TapeD tape;
  const VarD x = tape.variable(x_value);
  const VarD y = columns(x, 1, 2);
  CHECK(mismatch(y.value(), MatrixD{{2, 3}, {5, 6}}) == "");
  tape.backward(mul(y, tape.constant(MatrixD{{1, 2}, {3, 4}})));
  CHECK(mismatch(x.grad(), MatrixD{{0, 1, 2}, {0, 3, 4}}) == "");
  SUBCASE("splitting into every column and joining again is the identity, gradient included") {
    const VarD joined = concat(concat(columns(x, 0, 1), columns(x, 1, 1)), columns(x, 2, 1));
    CHECK(mismatch(joined.value(), x_value) == "");
    tape.backward(joined);
    CHECK(mismatch(x.grad(), MatrixD::Ones(2, 3)) == "");
  }
  SUBCASE("a mean and a log-std half of one output (DiagGaussian) each get their own gradient") {
    const VarD mean_part = columns(x, 0, 1), log_std_part = columns(x, 1, 2);
    tape.backward(add(sum(mean_part), mul_scalar(sum(log_std_part), 10.0)));
    CHECK(mismatch(x.grad(), MatrixD{{1, 10, 10}, {1, 10, 10}}) == "");
  }
}

TEST_CASE("where selects a where the mask is nonzero, b elsewhere, and routes gradients alike") {
  TapeD tape;
  const VarD mask = tape.constant(MatrixD{{1, 0, 1}, {0, 0, 2}});
  const VarD a = tape.variable(x_value), b = tape.variable(MatrixD{{-1, -2, -3}, {-4, -5, -6}});
  const VarD y = where(mask, a, b);
  CHECK(mismatch(y.value(), MatrixD{{1, -2, 3}, {-4, -5, 6}}) == "");
  tape.backward(y);
  CHECK(mismatch(a.grad(), MatrixD{{1, 0, 1}, {0, 0, 1}}) == "");
  CHECK(mismatch(b.grad(), MatrixD{{0, 1, 0}, {1, 1, 0}}) == "");
}

TEST_CASE("concat, columns and where pass gradcheck") {
  RandomStream rng(11);
  RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return square(concat(in[0], in[1])); },
                       {random_matrix(rng, 3, 2), random_matrix(rng, 3, 4)});
  RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return square(columns(in[0], 1, 3)); },
                       {random_matrix(rng, 4, 5)});
  RLPP_CHECK_GRADIENTS([](TapeD&, std::span<const VarD> in) { return square(columns(in[0], 0, 5)); },
                       {random_matrix(rng, 2, 5)});
  const MatrixD mask{{1, 0, 0, 1}, {0, 1, 1, 0}, {1, 1, 0, 0}};
  RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return square(where(t.constant(mask), in[0], in[1])); },
                       {random_matrix(rng, 3, 4), random_matrix(rng, 3, 4)});
  // The same value on both sides of where: its whole gradient comes back.
  RLPP_CHECK_GRADIENTS([&](TapeD& t, std::span<const VarD> in) { return square(where(t.constant(mask), in[0], in[0])); },
                       {random_matrix(rng, 3, 4)});
}

TEST_CASE("stop_gradient keeps the value and blocks the gradient") {
  TapeD tape;
  const VarD x = tape.variable(MatrixD{{2, -3}});
  const VarD frozen = stop_gradient(x);
  CHECK(mismatch(frozen.value(), MatrixD{{2, -3}}) == "");
  CHECK_FALSE(frozen.requires_grad());
  // d(x * stop_gradient(x)) / dx = stop_gradient(x) = x, not 2x.
  tape.backward(mul(x, frozen));
  CHECK(mismatch(x.grad(), MatrixD{{2, -3}}) == "");
  // Nothing reaches x through a stopped branch alone.
  CHECK_THROWS_AS(tape.backward(exp(frozen)), rlpp::Error);
  // Finite differences see through stop_gradient, so gradcheck flags exactly the stopped input:
  // d sum(a * b) / db = a = [1, 2], analytic 0.
  const GradcheckResult result = gradcheck([](TapeD&, std::span<const VarD> in) { return mul(in[0], stop_gradient(in[1])); },
                                           {MatrixD{{1, 2}}, MatrixD{{3, 4}}});
  CHECK_FALSE(result.ok);
  CHECK(mentions(result.worst, "input 1 (1x2) element (0, 1): analytic 0, numeric 2"));
}

TEST_CASE("out-of-range or mis-sized indices and mismatched shapes throw an Error naming the op") {
  TapeD tape;
  const VarD x = tape.variable(x_value);
  const std::vector<std::int64_t> three{0, 1, 2}, too_big{0, 3}, negative{-1, 0};
  CHECK(mentions(error_message([&] { gather(x, three); }), "gather: got 3 indices for 2 rows"));
  CHECK(mentions(error_message([&] { gather(x, too_big); }), "gather: index 3 in row 1 is outside [0, 3)"));
  CHECK(mentions(error_message([&] { gather(x, negative); }), "gather: index -1 in row 0 is outside [0, 3)"));
  CHECK(mentions(error_message([&] { one_hot(tape, too_big, 3); }), "one_hot: index 3 in row 1 is outside [0, 3)"));
  const VarD tall = tape.variable(MatrixD::Zero(3, 1));
  CHECK(mentions(error_message([&] { concat(x, tall); }), "concat: row counts differ: 2x3 and 3x1"));
  CHECK(mentions(error_message([&] { columns(x, 2, 2); }), "columns: columns [2, 4) are outside a 2x3 value"));
  CHECK(mentions(error_message([&] { columns(x, -1, 1); }), "columns [-1, 0) are outside a 2x3 value"));
  const VarD wide = tape.variable(MatrixD::Zero(2, 4));
  CHECK(mentions(error_message([&] { where(x, x, wide); }), "where: mask, a and b must share one shape, got 2x3, 2x3, 2x4"));
  CHECK(mentions(error_message([&] { where(wide, x, x); }), "got 2x4, 2x3, 2x3"));
  // None of the failed calls left a node behind.
  const std::size_t nodes = tape.size();
  CHECK_THROWS_AS(one_hot(tape, negative, 3), rlpp::Error);
  CHECK_THROWS_AS(gather(x, too_big), rlpp::Error);
  CHECK(tape.size() == nodes);
}
