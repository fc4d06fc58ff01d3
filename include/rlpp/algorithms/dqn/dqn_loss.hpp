#pragma once
// DQN's loss (RLlib's build_q_losses / QLoss, torch, Ray 1.x), on a replayed batch of
// transitions (s, a, r, s', terminated) already n-step adjusted by postprocessing:
//   Q_t      = Q(s, a)                        online network, with gradient
//   a*       = argmax_a Q(s', a) (double_q)   online network, no gradient
//            = argmax_a Q_target(s', a)       otherwise
//   target   = r + d * (1 - terminated) * Q_target(s', a*)
//   td_error = Q_t - target
//   loss     = mean(w * huber(td_error))      huber delta 1; w = importance weights
// d is the row's n_step_discounts (gamma^k, data/nstep.hpp) when the batch has that column, else
// gamma^n_step. Distributional (num_atoms N > 1, C51, Bellemare et al. 2017): the target
// distribution r + d (1 - terminated) z_j of a* under the target network is projected onto the
// support z = linspace(v_min, v_max, N) (mass split between the two neighbouring atoms), and
// td_error = loss per row = cross entropy of Q(s, a)'s atom distribution against it.
// The TD errors go to LossContext::set_td_errors (the plan's replay priorities).
// Learner stats: mean_q, min_q, max_q, mean_td_error (cur_lr and total_loss come from the policy).

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/json.hpp"
#include "rlpp/data/columns.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/models/q_model.hpp"

namespace rlpp::dqn {

// The C51 projection (RLlib's QLoss, distributional branch) of one row: target atoms
// Tz_j = reward + discount * z_j clipped to [v_min, v_max], each atom's probability p_j split
// between the support points below and above Tz_j in proportion to closeness. `out` (N values)
// receives the projected distribution m. discount already includes (1 - terminated).
inline void project_distribution(std::span<const double> support, float reward, float discount,
                                 std::span<const float> probabilities, std::span<float> out) {
  const std::size_t n = support.size();
  std::fill(out.begin(), out.end(), 0.0f);
  const double v_min = support.front(), v_max = support.back();
  const double delta = (v_max - v_min) / static_cast<double>(n - 1);
  for (std::size_t j = 0; j < n; ++j) {
    const double tz = std::clamp(static_cast<double>(reward) + static_cast<double>(discount) * support[j], v_min, v_max);
    const double b = (tz - v_min) / delta;
    const double lower = std::floor(b), upper = std::ceil(b);
    const auto l = static_cast<std::size_t>(lower), u = std::min(static_cast<std::size_t>(upper), n - 1);
    const double p = probabilities[j];
    // RLlib's ml_delta = p (u - b + [l == u]), mu_delta = p (b - l): all of p to l when b is whole.
    out[l] += static_cast<float>(p * (upper - b + (upper - lower < 0.5 ? 1.0 : 0.0)));
    out[u] += static_cast<float>(p * (b - lower));
  }
}

struct Loss {
  static constexpr bool uses_target_network = true;

  static Json defaults() { return Json{{"double_q", true}, {"n_step", 1}}; }

  template <class Ctx>
  ad::Var operator()(Ctx& c) const {
    const auto& config = c.config();
    const auto& model = c.policy().model();
    static_assert(requires { model.q_value_distributions(c.parameters(), ModelInput<float>{}); },
                  "the DQN loss needs a Q model with q_value_distributions (rlpp::QModel)");
    const std::size_t rows = c.count();
    const auto actions_count = static_cast<Eigen::Index>(model.num_actions());
    const std::size_t atoms = model.num_atoms();
    const bool double_q = config.template get<bool>("double_q");

    const std::span<const std::int64_t> actions = action_indices(c);
    ModelInput<float> obs_in, next_in;
    obs_in.obs = c[cols::obs];
    next_in.obs = c[cols::new_obs];
    const auto q_t = model.q_value_distributions(c.parameters(), obs_in);
    const auto q_tp1 = model.q_value_distributions(c.target_parameters(), next_in);

    // a* per row, from the online network (double_q, frozen: only the argmax is used) or the target.
    best_.resize(rows);
    {
      std::optional<QDistribution<float>> online_tp1;
      if (double_q) online_tp1.emplace(model.q_value_distributions(c.frozen_parameters(), next_in));
      const auto chooser = double_q ? online_tp1->q_values.value() : q_tp1.q_values.value();
      for (std::size_t r = 0; r < rows; ++r) {
        Eigen::Index best = 0;
        chooser.row(static_cast<Eigen::Index>(r)).maxCoeff(&best);
        best_[r] = best;
      }
    }

    // Per-row bootstrap discount d (1 - terminated).
    bootstrap_.resize(rows);
    const float fixed_discount = static_cast<float>(
        std::pow(config.template get<double>("gamma"), static_cast<double>(config.template get<std::int64_t>("n_step"))));
    const SampleBatch& batch = c.batch();
    const float* discounts = batch.contains("n_step_discounts") ? batch.template get<float>("n_step_discounts").data() + c.begin() : nullptr;
    const char* done_name = batch.contains(cols::terminateds.name) ? cols::terminateds.name.data() : "dones";
    if (!batch.contains(done_name))
      throw Error("DQN loss of policy '" + std::string(c.policy_name()) + "'", "the train batch has neither terminateds nor dones");
    const bool* done = batch.template get<bool>(done_name).data() + c.begin();
    for (std::size_t r = 0; r < rows; ++r) bootstrap_[r] = done[r] ? 0.0f : (discounts ? discounts[r] : fixed_discount);

    const float* rewards = batch.template get<float>(cols::rewards.name).data() + c.begin();
    const float* weights = batch.contains(cols::weights.name) ? batch.template get<float>(cols::weights.name).data() + c.begin() : nullptr;
    ad::Tape& tape = c.tape();
    const ad::Var q_selected = ad::gather(q_t.q_values, actions);  // [rows, 1]

    ad::Var td_error, per_row;
    if (atoms == 1) {
      const auto target_q = q_tp1.q_values.value();
      target_.resize(rows);
      for (std::size_t r = 0; r < rows; ++r)
        target_[r] = rewards[r] + bootstrap_[r] * target_q(static_cast<Eigen::Index>(r), best_[r]);
      const ad::Var target = tape.constant(target_.data(), static_cast<Eigen::Index>(rows), 1);
      td_error = q_selected - target;
      per_row = ad::huber(td_error, 1.0f);
    } else {
      const auto probs_tp1 = q_tp1.probabilities.value();  // [rows, A*N]
      const std::span<const double> support = model.support();
      const auto n = static_cast<Eigen::Index>(atoms);
      target_.resize(rows * atoms);
      for (std::size_t r = 0; r < rows; ++r) {
        const float* p = probs_tp1.data() + static_cast<Eigen::Index>(r) * actions_count * n + best_[r] * n;
        project_distribution(support, rewards[r], bootstrap_[r], std::span<const float>(p, atoms),
                             std::span<float>(target_.data() + r * atoms, atoms));
      }
      const ad::Var m = tape.constant(target_.data(), static_cast<Eigen::Index>(rows), n);
      // Q(s, a)'s N logits: row r*A + a of the logits reshaped to [rows*A, N].
      selected_rows_.resize(rows);
      for (std::size_t r = 0; r < rows; ++r) selected_rows_[r] = static_cast<std::int64_t>(r) * actions_count + actions[r];
      const ad::Var logits = ad::take_rows(ad::reshape(q_t.logits, static_cast<Eigen::Index>(rows) * actions_count, n),
                                           std::span<const std::int64_t>(selected_rows_));
      per_row = -ad::row_sum(m * ad::log_softmax(logits));  // softmax cross entropy, [rows, 1]
      td_error = per_row;
    }
    c.set_td_errors(td_error);
    const ad::Var loss =
        weights ? ad::mean(per_row * tape.input(weights, static_cast<Eigen::Index>(rows), 1)) : ad::mean(per_row);

    const auto q = q_selected.value();
    c.record("mean_q", static_cast<double>(q.mean()));
    c.record("min_q", static_cast<double>(q.minCoeff()));
    c.record("max_q", static_cast<double>(q.maxCoeff()));
    c.record("mean_td_error", static_cast<double>(td_error.value().mean()));
    return loss;
  }

 private:
  template <class Ctx>
  static std::span<const std::int64_t> action_indices(Ctx& c) {
    const SampleBatch& batch = c.batch();
    if (!batch.contains(cols::actions.name) || batch.column(cols::actions.name).type() != ColumnType::int64)
      throw Error("DQN loss of policy '" + std::string(c.policy_name()) + "'",
                  "the train batch needs an int64 \"actions\" column (a Discrete action space)");
    return {batch.column(cols::actions.name).template get<std::int64_t>().data() + c.begin(), c.count()};
  }

  // Reused across steps: no allocation once the batch size is seen.
  mutable std::vector<Eigen::Index> best_;
  mutable std::vector<float> bootstrap_;
  mutable std::vector<float> target_;
  mutable std::vector<std::int64_t> selected_rows_;
};

}  // namespace rlpp::dqn
