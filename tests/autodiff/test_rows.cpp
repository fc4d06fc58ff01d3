// Row selection and variadic assembly (autodiff/ops/rows.hpp): rows, take_rows, reshape,
// vstack, hstack.

#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "autodiff_support.hpp"
#include "rlpp/autodiff/ops/lstm.hpp"
#include "rlpp/autodiff/ops/rows.hpp"
#include "support/allocation_counter.hpp"

namespace ad = rlpp::ad;

using rlpp::ad::test::counting;
using rlpp::ad::test::seeded_matrix;

TEST_CASE("rows slices rows and its gradient lands in the slice") {
  ad::Tape tape;
  const ad::Var x = tape.variable(counting(4, 2));  // rows {0 1} {2 3} {4 5} {6 7}
  const ad::Var y = ad::rows(x, 1, 2);
  CHECK(y.rows() == 2);
  CHECK(y.value()(0, 0) == 2.0f);
  CHECK(y.value()(1, 1) == 5.0f);
  tape.backward(ad::sum(y * 3.0f));
  CHECK(x.grad().row(0).sum() == 0.0f);
  CHECK(x.grad().row(1).sum() == 6.0f);  // 3 + 3
  CHECK(x.grad().row(2).sum() == 6.0f);
  CHECK(x.grad().row(3).sum() == 0.0f);
  CHECK_THROWS_WITH_AS(ad::rows(x, 3, 2), "autodiff rows: rows [3, 5) are outside a 4x2 value", rlpp::Error);
}

TEST_CASE("take_rows gathers rows, and repeated rows add their gradients") {
  ad::Tape tape;
  const ad::Var x = tape.variable(counting(3, 2));
  const std::array<std::int64_t, 4> index = {2, 0, 2, 1};
  const ad::Var y = ad::take_rows(x, std::span<const std::int64_t>(index));
  REQUIRE(y.rows() == 4);
  CHECK(y.value()(0, 0) == 4.0f);
  CHECK(y.value()(1, 1) == 1.0f);
  CHECK(y.value()(2, 1) == 5.0f);
  CHECK(y.value()(3, 0) == 2.0f);
  tape.backward(ad::sum(y));
  CHECK(x.grad()(0, 0) == 1.0f);
  CHECK(x.grad()(1, 0) == 1.0f);
  CHECK(x.grad()(2, 0) == 2.0f);  // taken twice
  const std::array<std::int64_t, 1> bad = {3};
  CHECK_THROWS_WITH_AS(ad::take_rows(x, std::span<const std::int64_t>(bad)),
                       "autodiff take_rows: index 3 at position 0 is outside [0, 3)", rlpp::Error);
}

TEST_CASE("reshape keeps the row-major order: [B*T, C] is [B, T*C]") {
  ad::Tape tape;
  const ad::Var x = tape.variable(counting(6, 2));  // B = 2 sequences, T = 3 steps, C = 2
  const ad::Var y = ad::reshape(x, 2, 6);
  CHECK(y.value()(1, 0) == 6.0f);  // row b*T + t = 1*3 + 0 -> row 1 of y, columns [0, 2)
  CHECK(y.value()(0, 5) == 5.0f);  // step 2 of sequence 0 = row 2, column 1
  tape.backward(ad::sum(ad::columns(y, 2, 2)));  // step 1 of each sequence
  CHECK(x.grad()(1, 0) == 1.0f);
  CHECK(x.grad()(4, 1) == 1.0f);
  CHECK(x.grad().sum() == 4.0f);
  CHECK_THROWS_WITH_AS(ad::reshape(x, 5, 2), "autodiff reshape: cannot reshape a 6x2 value (12 elements) to 5x2",
                       rlpp::Error);
}

TEST_CASE("vstack and hstack assemble any number of parts") {
  ad::Tape tape;
  const ad::Var a = tape.variable(counting(1, 2));
  const ad::Var b = tape.constant(counting(2, 2));
  const ad::Var c = tape.variable(counting(1, 2));
  SUBCASE("vstack") {
    const ad::Var y = ad::vstack({a, b, c});
    REQUIRE(y.rows() == 4);
    CHECK(y.value()(0, 1) == 1.0f);
    CHECK(y.value()(2, 0) == 2.0f);
    CHECK(y.value()(3, 1) == 1.0f);
    tape.backward(ad::sum(y * tape.constant(counting(4, 2))));
    CHECK(a.grad()(0, 1) == 1.0f);
    CHECK(c.grad()(0, 0) == 6.0f);
    CHECK(c.grad()(0, 1) == 7.0f);
  }
  SUBCASE("hstack") {
    const ad::Var bt = tape.constant(counting(1, 3));
    const std::vector<ad::Var> parts = {a, bt, c};
    const ad::Var y = ad::hstack(parts);
    REQUIRE(y.cols() == 7);
    CHECK(y.value()(0, 3) == 1.0f);
    tape.backward(ad::sum(y * tape.constant(counting(1, 7))));
    CHECK(a.grad()(0, 1) == 1.0f);
    CHECK(c.grad()(0, 0) == 5.0f);
    CHECK(c.grad()(0, 1) == 6.0f);
  }
  SUBCASE("a stack of constants carries no gradient") {
    CHECK_FALSE(ad::vstack({b, b}).requires_grad());
    CHECK(ad::vstack({b, a}).requires_grad());
  }
  SUBCASE("mismatched parts are named") {
    CHECK_THROWS_WITH_AS(ad::vstack({a, tape.constant(counting(1, 3))}),
                         "autodiff vstack: column counts differ: part 0 is 1x2, part 1 is 1x3", rlpp::Error);
    CHECK_THROWS_WITH_AS(ad::hstack({a, b}), "autodiff hstack: row counts differ: part 0 is 1x2, part 1 is 2x2",
                         rlpp::Error);
    CHECK_THROWS_WITH_AS(ad::hstack(std::vector<ad::Var>{}), "autodiff hstack: needs at least one part", rlpp::Error);
  }
}

TEST_CASE("hstack of more parts than one index chunk (64) keeps every part") {
  ad::Tape tape;
  std::vector<ad::Var> parts;
  for (int k = 0; k < 150; ++k) parts.push_back(tape.variable(ad::Matrix::Constant(2, 1, static_cast<float>(k))));
  const ad::Var y = ad::hstack(parts);
  REQUIRE(y.cols() == 150);
  CHECK(y.value()(1, 149) == 149.0f);
  tape.backward(ad::sum(y * tape.constant(counting(2, 150))));
  CHECK(parts[0].grad()(1, 0) == 150.0f);
  CHECK(parts[70].grad()(0, 0) == 70.0f);
  CHECK(parts[149].grad()(1, 0) == 299.0f);
}

TEST_CASE("the row ops pass gradcheck") {
  const std::array<std::int64_t, 5> index = {1, 1, 0, 3, 2};
  const auto result = ad::gradcheck(
      [&](ad::TapeD& tape, std::span<const ad::VarD> in) {
        const ad::VarD taken = ad::take_rows(in[0], std::span<const std::int64_t>(index));  // 5x3
        const ad::VarD stacked = ad::vstack({taken, ad::rows(in[1], 1, 2)});                 // 7x3
        const ad::VarD wide = ad::reshape(stacked, 3, 7);
        const ad::VarD sides = ad::hstack({wide, in[2]});                                     // 3x9
        return ad::sum(ad::tanh(sides) * tape.constant(seeded_matrix(3, 9, 5)));
      },
      {seeded_matrix(4, 3, 1), seeded_matrix(3, 3, 2), seeded_matrix(3, 2, 3)});
  CHECK_MESSAGE(result.ok, result.worst);
}

TEST_CASE("recording the row ops again after reset allocates nothing") {
  ad::Tape tape;
  const ad::Matrix data = counting(6, 4);
  const std::array<std::int64_t, 3> index = {5, 0, 2};
  std::array<ad::Var, 3> parts;
  const auto record = [&] {
    tape.reset();
    const ad::Var x = tape.variable(data);
    parts = {ad::take_rows(x, std::span<const std::int64_t>(index)), ad::rows(x, 1, 3), ad::reshape(ad::rows(x, 0, 3), 3, 4)};
    const ad::Var stacked = ad::vstack(parts);  // 9x4
    const ad::Var y = ad::hstack({stacked, ad::lstm_gates(stacked, ad::columns(stacked, 0, 1))});
    tape.backward(ad::sum(y));
  };
  record();
  record();
  CHECK(rlpp::test::count_allocations(record) == 0);
}
