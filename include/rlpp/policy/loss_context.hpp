#pragma once
// What a loss sees (RLlib's loss_fn(policy, model, dist_class, train_batch), as one object):
// the rows of the train batch being learned on as tape values, the model's outputs and value
// function on them, the action distribution built from those outputs, and a place to record
// learner stats. Nothing is copied that need not be: float columns enter the tape in place, the
// model runs once however many times its outputs are asked for.
//
//   struct PGLoss {
//     template <class Ctx> ad::Var operator()(Ctx& c) const {
//       auto dist = c.action_dist();
//       return -ad::mean(dist.logp(c[cols::actions]) * c[cols::advantages]);
//     }
//   };

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "rlpp/autodiff/ops.hpp"
#include "rlpp/core/error.hpp"
#include "rlpp/core/rng.hpp"
#include "rlpp/data/sample_batch.hpp"
#include "rlpp/models/model.hpp"
#include "rlpp/nn/layers/binding.hpp"
#include "rlpp/policy/sequences.hpp"

namespace rlpp {

template <class Policy>
class LossContext {
 public:
  using distribution_type = typename Policy::distribution_type;

  // Rows [begin, begin + count) of `batch`; for a recurrent policy the rows are padded
  // sequences (row b*T + t) and `sequences` gives their lengths and initial states.
  LossContext(Policy& policy, const SampleBatch& batch, std::size_t begin, std::size_t count, ad::Tape& tape,
              const nn::ParameterBinding<float>& params, const SequenceView* sequences = nullptr)
      : policy_(&policy), batch_(&batch), begin_(begin), count_(count), tape_(&tape), params_(&params),
        sequences_(sequences) {}

  // ---- the batch ----
  // A column's rows as a [count, width] tape value (no gradient), copied onto the tape (float
  // columns) or converted to float there (integer and boolean ones).
  template <class T>
  ad::Var operator[](ColumnKey<T> key) {
    return column(key.name);
  }
  ad::Var column(std::string_view name) {
    if (!batch_->contains(name))
      throw Error("loss of policy '" + std::string(policy_->policy_name()) + "'",
                  "the train batch has no column '" + std::string(name) + "'",
                  "add it in postprocessing, or read a column the batch has");
    const Column& column = batch_->column(name);
    const std::size_t width = column.row_size();
    const auto rows = static_cast<Eigen::Index>(count_);
    const auto cols = static_cast<Eigen::Index>(width);
    switch (column.type()) {
      case ColumnType::float32:
        // Copied onto the tape, whose buffers are 64-byte aligned: Eigen's vectorized reductions
        // peel a different number of leading elements depending on the address, so reducing the
        // column in place would round differently with where the allocator put it (results
        // would then depend on the process's allocation history).
        return tape_->constant(column.template get<float>().data() + begin_ * width, rows, cols);
      case ColumnType::int64: {
        const std::int64_t* data = column.template get<std::int64_t>().data() + begin_ * width;
        return tape_->constant(
            Eigen::Map<const Eigen::Matrix<std::int64_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(data, rows, cols)
                .template cast<float>());
      }
      case ColumnType::boolean: {
        const bool* data = column.template get<bool>().data() + begin_ * width;
        return tape_->constant(
            Eigen::Map<const Eigen::Matrix<bool, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(data, rows, cols)
                .template cast<float>());
      }
      case ColumnType::json: break;
    }
    throw Error("loss of policy '" + std::string(policy_->policy_name()) + "'",
                "column '" + std::string(name) + "' holds JSON values, not numbers");
  }
  // The rows as a SampleBatch-independent view: first row and count within the train batch.
  const SampleBatch& batch() const noexcept { return *batch_; }
  std::size_t begin() const noexcept { return begin_; }
  std::size_t count() const noexcept { return count_; }

  // ---- the model ----
  // The model's forward pass on the batch's observations (run once, on first use).
  const ModelOutput<float>& model_output() {
    if (!output_) output_ = policy_->forward_for_loss(*params_, *batch_, begin_, count_, sequences_);
    return *output_;
  }
  ad::Var model_out() { return model_output().outputs; }
  // V(s) for every row, [count, 1].
  ad::Var value_function() {
    if (!value_.has_value()) value_ = policy_->model().value_function(*params_, model_output());
    return value_;
  }
  // The action distribution over the model's outputs (or over other inputs of the same shape).
  distribution_type action_dist() { return distribution_type(model_out(), policy_->action_space()); }
  distribution_type action_dist(ad::Var inputs) const { return distribution_type(inputs, policy_->action_space()); }

  // Mean over the valid rows: all rows, or for padded sequences the rows within seq_lens
  // (RLlib's reduce_mean_valid).
  ad::Var reduce_mean_valid(ad::Var x) {
    if (!sequences_) return ad::mean(x);
    ad::Var mask = tape_->input(sequences_->mask, x.rows(), 1);
    return ad::sum(x * mask) / static_cast<float>(sequences_->valid_rows);
  }

  // How many rows are valid: all of them, or for padded sequences those within seq_lens.
  std::size_t valid_count() const noexcept { return sequences_ ? sequences_->valid_rows : count_; }

  // Sum over the valid rows (A3C's summed losses).
  ad::Var reduce_sum_valid(ad::Var x) {
    if (!sequences_) return ad::sum(x);
    ad::Var mask = tape_->input(sequences_->mask, x.rows(), 1);
    return ad::sum(x * mask);
  }

  // ---- other bindings of the parameters ----
  // The policy's weights again, frozen: no gradient reaches them through this binding (SAC's
  // actor loss differentiates Q(s, pi(s)) w.r.t. the actor only).
  const nn::ParameterBinding<float>& frozen_parameters() {
    if (!frozen_) frozen_.emplace(nn::bind_frozen(*tape_, policy_->parameters()));
    return *frozen_;
  }
  // The target network's weights, frozen (policies whose loss has uses_target_network).
  const nn::ParameterBinding<float>& target_parameters()
    requires Policy::uses_target_network
  {
    if (!target_) target_.emplace(nn::bind_frozen(*tape_, policy_->target_parameters()));
    return *target_;
  }
  // The model's forward pass over another observation column (e.g. new_obs) with any binding.
  ModelOutput<float> forward(const nn::ParameterBinding<float>& params, ad::Var obs) const {
    ModelInput<float> in;
    in.obs = obs;
    return policy_->model().forward(params, in);
  }

  // The policy's learning random stream (seeded from the config's seed and the worker, saved in
  // the policy state): noise a loss draws (SAC's reparameterised samples, TD3's target policy
  // smoothing) comes from here, so runs are reproducible and checkpoints continue exactly.
  RandomStream& rng() noexcept { return policy_->learning_rng(); }

  // ---- what the loss tells the policy ----
  // This step leaves parameter group `name` unchanged (TD3's delayed actor updates).
  void skip_update(std::string_view group) { policy_->skip_group_update(group); }
  // Per-row TD errors [count, 1] (or [1, count]): Policy::td_errors(), which the off-policy plan
  // turns into replay priorities.
  void set_td_errors(ad::Var td) {
    if (sequences_)
      throw Error("loss of policy '" + std::string(policy_->policy_name()) + "'",
                  "set_td_errors on padded sequences is not supported");
    if (static_cast<std::size_t>(td.value().size()) != count_)
      throw Error("loss of policy '" + std::string(policy_->policy_name()) + "'",
                  "set_td_errors: got " + std::to_string(td.value().size()) + " values for " + std::to_string(count_) + " rows");
    policy_->store_td_errors(begin_, std::span<const float>(td.value().data(), count_));
  }

  // ---- stats ----
  // Adds a learner stat (averaged over the minibatches of one learn_on_batch call).
  void record(std::string_view name, double value) { policy_->record_stat(name, value); }
  void record(std::string_view name, ad::Var scalar) { record(name, static_cast<double>(scalar.item())); }

  // ---- context ----
  Policy& policy() noexcept { return *policy_; }
  const Policy& policy() const noexcept { return *policy_; }
  const Config& config() const noexcept { return policy_->config(); }
  ad::Tape& tape() noexcept { return *tape_; }
  const nn::ParameterBinding<float>& parameters() const noexcept { return *params_; }
  std::string_view policy_name() const noexcept { return policy_->policy_name(); }

 private:

  Policy* policy_;
  const SampleBatch* batch_;
  std::size_t begin_;
  std::size_t count_;
  ad::Tape* tape_;
  const nn::ParameterBinding<float>* params_;
  const SequenceView* sequences_;
  std::optional<ModelOutput<float>> output_;
  std::optional<nn::ParameterBinding<float>> frozen_;
  std::optional<nn::ParameterBinding<float>> target_;
  ad::Var value_;
};

}  // namespace rlpp
