#include <doctest/doctest.h>

#include <Eigen/Core>

#include <cmath>

#include "rlpp/nn/initializers.hpp"

using namespace rlpp::nn;
using doctest::Approx;
using MatrixD = Eigen::MatrixXd;

namespace {
// A weight block of the given shape in its own Parameters.
struct Weight {
  Parameters params;
  std::size_t index;
  Weight(std::size_t rows, std::size_t cols) : index(params.add("w", rows, cols)) {}
  Eigen::Map<Matrix> map() { return params.value(index); }
  MatrixD as_double() { return map().cast<double>(); }
};

double sample_mean(const MatrixD& m) { return m.mean(); }
double sample_variance(const MatrixD& m) { return (m.array() - m.mean()).square().sum() / static_cast<double>(m.size()); }
}  // namespace

TEST_CASE("orthogonal: a tall weight has orthonormal columns times gain (W^T W = gain^2 I)") {
  Weight w(8, 4);
  rlpp::RandomStream rng(1);
  orthogonal(w.map(), rng, 2.0);
  const MatrixD gram = w.as_double().transpose() * w.as_double();
  CHECK((gram - 4.0 * MatrixD::Identity(4, 4)).cwiseAbs().maxCoeff() < 1e-5);
}

TEST_CASE("orthogonal: a wide weight has orthonormal rows times gain (W W^T = gain^2 I)") {
  Weight w(3, 7);
  rlpp::RandomStream rng(2);
  orthogonal(w.map(), rng, 1.0);
  const MatrixD gram = w.as_double() * w.as_double().transpose();
  CHECK((gram - MatrixD::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-5);
}

TEST_CASE("orthogonal: a square weight is orthogonal both ways, sqrt(2) gain as RLlib's PPO uses") {
  Weight w(16, 16);
  rlpp::RandomStream rng(3);
  orthogonal(w.map(), rng, std::sqrt(2.0));
  const MatrixD m = w.as_double();
  CHECK((m.transpose() * m - 2.0 * MatrixD::Identity(16, 16)).cwiseAbs().maxCoeff() < 1e-5);
  CHECK((m * m.transpose() - 2.0 * MatrixD::Identity(16, 16)).cwiseAbs().maxCoeff() < 1e-5);
}

TEST_CASE("xavier_uniform draws within +-gain * sqrt(6 / (fan_in + fan_out)) with variance a^2 / 3") {
  SUBCASE("bounds: 64 x 32, a = sqrt(6 / 96) = 0.25; gain 2 doubles it to 0.5") {
    Weight w(64, 32);
    rlpp::RandomStream rng(4);
    xavier_uniform(w.map(), rng);
    CHECK(w.map().cwiseAbs().maxCoeff() < 0.25f);
    CHECK(w.map().cwiseAbs().maxCoeff() > 0.24f);  // 2048 draws come close to the bound
    xavier_uniform(w.map(), rng, 2.0);
    CHECK(w.map().cwiseAbs().maxCoeff() < 0.5f);
    CHECK(w.map().cwiseAbs().maxCoeff() > 0.48f);
  }
  SUBCASE("variance: 200 x 200, a^2 = 6 / 400 = 0.015, variance 0.005") {
    Weight w(200, 200);
    rlpp::RandomStream rng(5);
    xavier_uniform(w.map(), rng);
    // The sample variance of 40000 uniform draws has a relative spread of sqrt(0.8 / 40000) = 0.45%.
    CHECK(sample_variance(w.as_double()) == Approx(0.005).epsilon(0.03));
    CHECK(std::abs(sample_mean(w.as_double())) < 1e-3);
  }
}

TEST_CASE("xavier_normal has standard deviation gain * sqrt(2 / (fan_in + fan_out))") {
  // 200 x 200, gain 3: std^2 = 9 * 2 / 400 = 0.045. Relative spread of the estimate:
  // sqrt(2 / 40000) = 0.7%.
  Weight w(200, 200);
  rlpp::RandomStream rng(6);
  xavier_normal(w.map(), rng, 3.0);
  CHECK(sample_variance(w.as_double()) == Approx(0.045).epsilon(0.04));
  CHECK(std::abs(sample_mean(w.as_double())) < 3e-3);
}

TEST_CASE("normc scales each column (one output unit's incoming weights) to norm std") {
  Weight w(10, 6);
  rlpp::RandomStream rng(7);
  normc(w.map(), rng, 0.01);
  const MatrixD m = w.as_double();
  for (Eigen::Index c = 0; c < 6; ++c) CHECK(m.col(c).norm() == Approx(0.01).epsilon(1e-6));
  // Rows are not normalised.
  CHECK(std::abs(m.row(0).norm() - 0.01) > 1e-4);
}

TEST_CASE("initializers are reproducible from the stream's seed") {
  auto draw = [](std::uint64_t seed, auto initializer) {
    Weight w(5, 4);
    rlpp::RandomStream rng(seed);
    initializer(w.map(), rng);
    return Matrix(w.map());
  };
  auto ortho = [](Eigen::Map<Matrix> m, rlpp::RandomStream& rng) { orthogonal(m, rng); };
  auto uniform = [](Eigen::Map<Matrix> m, rlpp::RandomStream& rng) { xavier_uniform(m, rng); };
  auto normal = [](Eigen::Map<Matrix> m, rlpp::RandomStream& rng) { xavier_normal(m, rng); };
  auto column = [](Eigen::Map<Matrix> m, rlpp::RandomStream& rng) { normc(m, rng); };
  CHECK(draw(11, ortho) == draw(11, ortho));
  CHECK(draw(11, ortho) != draw(12, ortho));
  CHECK(draw(11, uniform) == draw(11, uniform));
  CHECK(draw(11, uniform) != draw(12, uniform));
  CHECK(draw(11, normal) == draw(11, normal));
  CHECK(draw(11, column) == draw(11, column));
  CHECK(draw(11, column) != draw(12, column));
}

TEST_CASE("zeros and constant fill the block and nothing else") {
  Parameters params;
  const auto a = params.add("a", 2, 3);
  const auto b = params.add("b", 1, 4);
  constant(params.value(b), 0.25f);
  constant(params.value(a), 2.0f);
  zeros(params.value(a));
  CHECK(params.value(a).cwiseAbs().maxCoeff() == 0.0f);
  CHECK(params.value(b).minCoeff() == 0.25f);
  CHECK(params.value(b).maxCoeff() == 0.25f);
}

TEST_CASE("initialize() picks an initializer by name or by {type, parameter}") {
  Weight by_name(6, 3), by_hand(6, 3);
  rlpp::RandomStream rng_a(9), rng_b(9);
  initialize(by_name.map(), rng_a, rlpp::Json::parse(R"({"type": "normc", "std": 0.5})"));
  normc(by_hand.map(), rng_b, 0.5);
  CHECK(Matrix(by_name.map()) == Matrix(by_hand.map()));

  initialize(by_name.map(), rng_a, "zeros");
  CHECK(by_name.map().cwiseAbs().maxCoeff() == 0.0f);
  initialize(by_name.map(), rng_a, rlpp::Json::parse(R"({"type": "constant", "value": 1.5})"));
  CHECK(by_name.map()(5, 2) == 1.5f);
  initialize(by_name.map(), rng_a, rlpp::Json::parse(R"({"type": "orthogonal", "gain": 1.0})"));
  CHECK((by_name.as_double().transpose() * by_name.as_double() - MatrixD::Identity(3, 3)).cwiseAbs().maxCoeff() < 1e-5);
}

TEST_CASE("initialize() names the bad key and suggests the right one") {
  Weight w(2, 2);
  rlpp::RandomStream rng(1);
  CHECK_THROWS_WITH_AS(initialize(w.map(), rng, "orthogonl", "model.initializer"),
                       doctest::Contains("did you mean 'orthogonal'"), rlpp::ConfigError);
  try {
    initialize(w.map(), rng, rlpp::Json::parse(R"({"type": "normc", "gain": 1})"), "model.initializer");
    FAIL("normc accepted a gain");
  } catch (const rlpp::ConfigError& e) {
    CHECK(e.where() == "model.initializer.gain");
  }
}
