// A custom action distribution (RLlib's "custom action distributions" example, whose
// required_model_output_shape returns 7), written as a plain C++ class that satisfies
// rlpp::action_distribution: nothing to inherit, nothing to register. A policy takes it by type,
// as rlpp::action_dist<TemperedCategorical>.
//
// TemperedCategorical is a Categorical over Discrete(6) whose model also outputs a log
// temperature: 6 logits + 1 = 7 outputs. p = softmax(logits / exp(log_temperature)), so the
// policy learns how greedy to be per state. Every result is a tape value built from rlpp::ad ops,
// hence differentiable w.r.t. the model's outputs.
//
//   build/release/examples/custom_action_dist
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <vector>

#include <rlpp/autodiff/ops.hpp>
#include <rlpp/distributions/action_distribution.hpp>

class TemperedCategorical {
 public:
  static constexpr std::int64_t num_actions = 6;

  // Controls the model's output size, as in RLlib.
  static std::size_t required_model_output_shape(const rlpp::Space&, const rlpp::Config&) { return 7; }

  TemperedCategorical(rlpp::ad::Var inputs, const rlpp::Space& action_space) : inputs_(inputs) {
    const auto* discrete = action_space.get_if<rlpp::Discrete>();
    if (discrete == nullptr || discrete->n() != num_actions || discrete->start() != 0)
      throw rlpp::SpaceError("TemperedCategorical", "needs Discrete(6), got " + action_space.to_string());
    if (inputs.cols() != 7) throw rlpp::Error("TemperedCategorical", "needs 7 inputs per row");
    const rlpp::ad::Var logits = rlpp::ad::columns(inputs, 0, num_actions);
    const rlpp::ad::Var log_temperature = rlpp::ad::columns(inputs, num_actions, 1);
    // [B, 6] * [B, 1] broadcasts the inverse temperature along each row.
    log_probs_ = rlpp::ad::log_softmax(logits * rlpp::ad::exp(-log_temperature));
  }

  void sample(rlpp::RandomStream& rng, rlpp::nn::Matrix& actions) {
    const auto log_probs = log_probs_.value();
    if (actions.rows() != log_probs.rows() || actions.cols() != 1) actions.resize(log_probs.rows(), 1);
    for (Eigen::Index r = 0; r < log_probs.rows(); ++r) {
      double u = rng.uniform();
      Eigen::Index a = 0;
      while (a + 1 < num_actions && (u -= std::exp(log_probs(r, a))) >= 0.0) ++a;
      actions(r, 0) = static_cast<float>(a);
    }
    sampled_logp_ = logp(inputs_.tape().constant(actions));
  }
  void deterministic_sample(rlpp::nn::Matrix& actions) const {
    const auto log_probs = log_probs_.value();
    if (actions.rows() != log_probs.rows() || actions.cols() != 1) actions.resize(log_probs.rows(), 1);
    for (Eigen::Index r = 0; r < log_probs.rows(); ++r) {
      Eigen::Index best = 0;
      log_probs.row(r).maxCoeff(&best);
      actions(r, 0) = static_cast<float>(best);
    }
  }
  rlpp::ad::Var logp(rlpp::ad::Var actions) const {
    std::vector<std::int64_t> index(static_cast<std::size_t>(actions.rows()));
    for (Eigen::Index r = 0; r < actions.rows(); ++r) index[static_cast<std::size_t>(r)] = std::llround(actions.value()(r, 0));
    return rlpp::ad::gather(log_probs_, std::span<const std::int64_t>(index));
  }
  rlpp::ad::Var sampled_action_logp() const { return sampled_logp_; }
  rlpp::ad::Var entropy() const { return -rlpp::ad::row_sum(rlpp::ad::exp(log_probs_) * log_probs_); }
  rlpp::ad::Var kl(const TemperedCategorical& other) const {
    return rlpp::ad::row_sum(rlpp::ad::exp(log_probs_) * (log_probs_ - other.log_probs_));
  }
  rlpp::ad::Var inputs() const { return inputs_; }

 private:
  rlpp::ad::Var inputs_;
  rlpp::ad::Var log_probs_;
  rlpp::ad::Var sampled_logp_;
};

static_assert(rlpp::action_distribution<TemperedCategorical>,
              "TemperedCategorical must provide what rlpp::action_distribution requires");

namespace {
int failures = 0;
void expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "FAILED: %s\n", what);
    ++failures;
  }
}
}  // namespace

int main() {
  const rlpp::Space action_space = rlpp::Discrete(6);
  std::printf("required_model_output_shape: %zu\n",
              TemperedCategorical::required_model_output_shape(action_space, rlpp::Config()));

  // Four rows of model outputs: the same logits at temperatures e^-2, 1, e^2, and a flat row.
  rlpp::ad::Tape tape;
  rlpp::ad::Matrix outputs(4, 7);
  outputs << 0.0f, 1.0f, 2.0f, 0.5f, -1.0f, 0.0f, -2.0f,  //
      0.0f, 1.0f, 2.0f, 0.5f, -1.0f, 0.0f, 0.0f,          //
      0.0f, 1.0f, 2.0f, 0.5f, -1.0f, 0.0f, 2.0f,          //
      0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f;
  const rlpp::ad::Var inputs = tape.variable(outputs);
  TemperedCategorical dist(inputs, action_space);

  rlpp::RandomStream rng(2024);
  rlpp::nn::Matrix actions;
  dist.sample(rng, actions);
  const auto logp = dist.sampled_action_logp().value();
  const auto entropy = dist.entropy().value();
  for (Eigen::Index r = 0; r < 4; ++r)
    std::printf("row %ld: action %.0f  logp %.4f  entropy %.4f\n", static_cast<long>(r), actions(r, 0), logp(r, 0),
                entropy(r, 0));

  for (Eigen::Index r = 0; r < 4; ++r) expect(actions(r, 0) >= 0 && actions(r, 0) < 6, "actions lie in Discrete(6)");
  // Probabilities of the six actions sum to 1 in every row.
  Eigen::ArrayXf total = Eigen::ArrayXf::Zero(4);
  for (int a = 0; a < 6; ++a) total += dist.logp(tape.constant(rlpp::ad::Matrix::Constant(4, 1, float(a)))).value().array().exp();
  expect((total - 1.0f).abs().maxCoeff() < 1e-5f, "probabilities sum to 1");
  // A hotter temperature spreads the probability: entropy grows with it; a flat row is uniform.
  expect(entropy(0, 0) < entropy(1, 0) && entropy(1, 0) < entropy(2, 0), "entropy grows with the temperature");
  expect(std::abs(entropy(3, 0) - std::log(6.0f)) < 1e-5f, "flat logits give entropy log 6");
  expect(dist.kl(dist).value().cwiseAbs().maxCoeff() < 1e-6f, "kl(self) = 0");
  rlpp::nn::Matrix greedy;
  dist.deterministic_sample(greedy);
  expect(greedy(0, 0) == 2.0f, "the greedy action is the largest logit");

  // Gradients reach the model outputs, the temperature column included.
  tape.backward(rlpp::ad::mean(dist.entropy()));
  const auto grad = inputs.grad();
  std::printf("d mean(entropy) / d log_temperature: %.4f %.4f %.4f %.4f\n", grad(0, 6), grad(1, 6), grad(2, 6), grad(3, 6));
  expect(grad(1, 6) > 0.0f, "raising the temperature raises the entropy");
  expect(std::abs(grad(3, 6)) < 1e-6f, "the temperature of a flat row does not matter");

  if (failures == 0) std::printf("all checks passed\n");
  return failures == 0 ? 0 : 1;
}
