#pragma once
// Test-local action distributions for the exploration tests, so they do not depend on
// rlpp/distributions/: TinyCategorical over logits (Discrete) and TinyGaussian over [mean,
// log_std] (Box). Tape results (logp, entropy, kl) are constants: the exploration strategies
// only read them. Both record nothing but tape leaves, so after tape.reset() a repeated call
// sequence allocates nothing.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <string>

#include "rlpp/autodiff/tape.hpp"
#include "rlpp/core/config.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/distributions/action_distribution.hpp"
#include "rlpp/exploration/exploration.hpp"
#include "rlpp/nn/parameters.hpp"
#include "rlpp/spaces/space.hpp"

namespace rlpp::test {

// A [rows, 1] tape constant, filled by `value(row)`. (The tape copies `rows` floats from the
// inputs to make the leaf, then they are overwritten: the tape has no public uninitialized leaf.)
template <class F>
ad::Var column_constant(ad::Var like, F&& value) {
  ad::Tape& tape = like.tape();
  const ad::Var out = tape.constant(like.value().data(), like.rows(), 1);
  auto map = tape.value(out);
  for (Eigen::Index r = 0; r < like.rows(); ++r) map(r, 0) = static_cast<float>(value(r));
  return out;
}

inline void shape(nn::Matrix& actions, Eigen::Index rows, Eigen::Index cols) {
  if (actions.rows() != rows || actions.cols() != cols) actions.resize(rows, cols);
}

// Categorical(softmax(logits)) over Discrete(n, start); actions are start + index.
class TinyCategorical {
 public:
  TinyCategorical(ad::Var logits, const Space& space) : logits_(logits), start_(space.as<Discrete>().start()) {}

  static std::size_t required_model_output_shape(const Space& space, const Config&) {
    return static_cast<std::size_t>(space.as<Discrete>().n());
  }

  // Inverse-CDF sampling with one uniform draw per row.
  void sample(RandomStream& rng, nn::Matrix& actions) {
    const auto l = logits_.value();
    shape(actions, l.rows(), 1);
    for (Eigen::Index r = 0; r < l.rows(); ++r) {
      const double total = (l.row(r).cast<double>().array() - max(r)).exp().sum();
      const double target = rng.uniform() * total;
      double cumulative = 0.0;
      Eigen::Index a = 0;
      for (; a + 1 < l.cols(); ++a) {
        cumulative += std::exp(l(r, a) - max(r));
        if (target < cumulative) break;
      }
      actions(r, 0) = static_cast<float>(start_ + a);
    }
    sampled_ = column_constant(logits_, [&](Eigen::Index r) { return log_prob(r, static_cast<Eigen::Index>(actions(r, 0)) - start_); });
  }
  void deterministic_sample(nn::Matrix& actions) const {
    const auto l = logits_.value();
    shape(actions, l.rows(), 1);
    for (Eigen::Index r = 0; r < l.rows(); ++r) {
      Eigen::Index best = 0;
      l.row(r).maxCoeff(&best);
      actions(r, 0) = static_cast<float>(start_ + best);
    }
  }
  ad::Var logp(ad::Var actions) const {
    const auto a = actions.value();
    return column_constant(logits_, [&](Eigen::Index r) { return log_prob(r, static_cast<Eigen::Index>(a(r, 0)) - start_); });
  }
  ad::Var sampled_action_logp() const { return sampled_; }
  ad::Var entropy() const { return column_constant(logits_, [](Eigen::Index) { return 0.0; }); }
  ad::Var kl(const TinyCategorical&) const { return column_constant(logits_, [](Eigen::Index) { return 0.0; }); }
  ad::Var inputs() const { return logits_; }

  double max(Eigen::Index r) const { return logits_.value().row(r).maxCoeff(); }
  double log_prob(Eigen::Index r, Eigen::Index a) const {
    const auto l = logits_.value();
    return l(r, a) - max(r) - std::log((l.row(r).cast<double>().array() - max(r)).exp().sum());
  }

 private:
  ad::Var logits_;
  std::int64_t start_;
  ad::Var sampled_;
};

// Diagonal Gaussian over inputs [mean (d columns), log_std (d columns)].
class TinyGaussian {
 public:
  TinyGaussian(ad::Var inputs, const Space&) : inputs_(inputs) {}

  static std::size_t required_model_output_shape(const Space& space, const Config&) { return 2 * space.flat_size(); }

  void sample(RandomStream& rng, nn::Matrix& actions) {
    const auto in = inputs_.value();
    const Eigen::Index d = in.cols() / 2;
    shape(actions, in.rows(), d);
    for (Eigen::Index r = 0; r < in.rows(); ++r)
      for (Eigen::Index i = 0; i < d; ++i)
        actions(r, i) = static_cast<float>(in(r, i) + std::exp(in(r, d + i)) * rng.normal());
    sampled_ = column_constant(inputs_, [&](Eigen::Index r) { return log_prob(r, actions.row(r)); });
  }
  void deterministic_sample(nn::Matrix& actions) const {
    const auto in = inputs_.value();
    const Eigen::Index d = in.cols() / 2;
    shape(actions, in.rows(), d);
    actions = in.leftCols(d);
  }
  ad::Var logp(ad::Var actions) const {
    const auto a = actions.value();
    return column_constant(inputs_, [&](Eigen::Index r) { return log_prob(r, a.row(r)); });
  }
  ad::Var sampled_action_logp() const { return sampled_; }
  ad::Var entropy() const { return column_constant(inputs_, [](Eigen::Index) { return 0.0; }); }
  ad::Var kl(const TinyGaussian&) const { return column_constant(inputs_, [](Eigen::Index) { return 0.0; }); }
  ad::Var inputs() const { return inputs_; }

 private:
  template <class Row>
  double log_prob(Eigen::Index r, const Row& action) const {
    const auto in = inputs_.value();
    const Eigen::Index d = in.cols() / 2;
    double sum = 0.0;
    for (Eigen::Index i = 0; i < d; ++i) {
      const double z = (action(i) - in(r, i)) / std::exp(in(r, d + i));
      sum += -0.5 * z * z - in(r, d + i) - 0.5 * std::log(2.0 * std::numbers::pi);
    }
    return sum;
  }

  ad::Var inputs_;
  ad::Var sampled_;
};

static_assert(action_distribution<TinyCategorical>);
static_assert(action_distribution<TinyGaussian>);

// The context a policy would build: exploration_config at its usual path.
inline ExplorationContext context(const Space& space, const Json& exploration_config, std::int64_t worker_index = 0,
                                  std::int64_t num_workers = 0) {
  return ExplorationContext{space, Config(exploration_config, "config.exploration_config"), worker_index, num_workers,
                            Config(Json::object(), "config.model")};
}

// Inputs of B identical rows.
inline nn::Matrix repeat_rows(const nn::Matrix& row, Eigen::Index batch) { return row.replicate(batch, 1); }

}  // namespace rlpp::test
