// lstm_gates (autodiff/ops/lstm.hpp): the fused elementwise part of an LSTM step.

#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <span>

#include "autodiff_support.hpp"
#include "rlpp/autodiff/ops/lstm.hpp"

namespace ad = rlpp::ad;

using rlpp::ad::test::counting;
using rlpp::ad::test::seeded_matrix;

namespace {
// The LSTM step written with the plain ops, as the reference for the fused op.
template <class T>
ad::BasicVar<T> lstm_reference(ad::BasicVar<T> z, ad::BasicVar<T> c) {
  const Eigen::Index h = c.cols();
  const auto i = ad::sigmoid(ad::columns(z, 0, h));
  const auto f = ad::sigmoid(ad::columns(z, h, h));
  const auto g = ad::tanh(ad::columns(z, 2 * h, h));
  const auto o = ad::sigmoid(ad::columns(z, 3 * h, h));
  const auto c_next = f * c + i * g;
  return ad::concat(o * ad::tanh(c_next), c_next);
}
}  // namespace

TEST_CASE("lstm_gates computes torch.nn.LSTM's step: by hand, and like the composed ops") {
  SUBCASE("one unit by hand") {
    ad::TapeD tape;
    // z = [z_i z_f z_g z_o] = [0, ln 3, atanh(0.5), 0]: i = 0.5, f = 0.75, g = 0.5, o = 0.5.
    ad::MatrixD z(1, 4);
    z << 0.0, std::log(3.0), std::atanh(0.5), 0.0;
    ad::MatrixD c(1, 1);
    c << 2.0;
    const ad::VarD y = ad::lstm_gates(tape.constant(z), tape.constant(c));
    const double c_next = 0.75 * 2.0 + 0.5 * 0.5;  // 1.75
    CHECK(y.value()(0, 1) == doctest::Approx(c_next).epsilon(1e-12));
    CHECK(y.value()(0, 0) == doctest::Approx(0.5 * std::tanh(c_next)).epsilon(1e-12));
  }
  SUBCASE("values and gradients equal the composed ops, with hidden sizes across the chunk width") {
    for (const Eigen::Index hidden : {Eigen::Index{3}, Eigen::Index{130}}) {
      ad::TapeD tape;
      const ad::VarD z = tape.variable(seeded_matrix(4, 4 * hidden, 7, 2.0));
      const ad::VarD c = tape.variable(seeded_matrix(4, hidden, 8));
      const ad::VarD w = tape.constant(seeded_matrix(4, 2 * hidden, 9));
      const ad::VarD fused = ad::lstm_gates(z, c);
      tape.backward(ad::sum(fused * w));
      const ad::MatrixD fused_value = fused.value(), gz = z.grad(), gc = c.grad();
      const ad::VarD reference = lstm_reference(z, c);
      tape.backward(ad::sum(reference * w));
      CHECK((fused_value - reference.value()).cwiseAbs().maxCoeff() < 1e-12);
      CHECK((gz - z.grad()).cwiseAbs().maxCoeff() < 1e-12);
      CHECK((gc - c.grad()).cwiseAbs().maxCoeff() < 1e-12);
    }
  }
  SUBCASE("gradcheck") {
    const auto result = ad::gradcheck(
        [](ad::TapeD& tape, std::span<const ad::VarD> in) {
          return ad::sum(ad::lstm_gates(in[0], in[1]) * tape.constant(seeded_matrix(3, 4, 4)));
        },
        {seeded_matrix(3, 8, 1, 1.5), seeded_matrix(3, 2, 2)});
    CHECK_MESSAGE(result.ok, result.worst);
  }
  SUBCASE("shapes are checked") {
    ad::Tape tape;
    CHECK_THROWS_WITH_AS(ad::lstm_gates(tape.constant(counting(2, 7)), tape.constant(counting(2, 2))),
                         "autodiff lstm_gates: expected z of shape B x 4H and c of shape B x H, got z 2x7 and c 2x2",
                         rlpp::Error);
  }
}

