// The code of docs/models.md "Writing a custom model": RLlib's CustomTorchModel example (a model
// wrapping the default FullyConnectedNetwork and delegating to it) as an rlpp model type, plus
// one key of its own read from custom_model_config. Runs one forward pass on a batch of three
// CartPole-like observations and checks the shapes, then plugs the model into a policy by type.
#include <cmath>
#include <cstdio>
#include <vector>

#include <rlpp/autodiff/ops.hpp>
#include <rlpp/models/fully_connected.hpp>
#include <rlpp/models/model.hpp>
#include <rlpp/models/model_defaults.hpp>
#include <rlpp/policy/policy.hpp>

namespace ad = rlpp::ad;
namespace nn = rlpp::nn;

// A model is any type with this constructor and these four members; nothing to inherit.
class CustomModel {
 public:
  CustomModel(const rlpp::ModelContext& ctx, nn::Parameters& params)
      : fc_(ctx, params),  // the wrapped network's blocks go into the same Parameters
        logit_scale_(ctx.model_config.sub("custom_model_config").get_or("logit_scale", 1.0)) {}

  template <class T>
  rlpp::ModelOutput<T> forward(const nn::ParameterBinding<T>& p, const rlpp::ModelInput<T>& in) const {
    rlpp::ModelOutput<T> out = fc_.forward(p, in);
    out.outputs = out.outputs * static_cast<T>(logit_scale_);
    return out;
  }
  template <class T>
  ad::BasicVar<T> value_function(const nn::ParameterBinding<T>& p, const rlpp::ModelOutput<T>& out) const {
    return fc_.value_function(p, out);  // [rows, 1]: no reshape needed
  }
  std::size_t num_outputs() const { return fc_.num_outputs(); }
  std::vector<nn::Matrix> initial_state() const { return {}; }

 private:
  rlpp::FullyConnectedNetwork fc_;
  double logit_scale_;
};
static_assert(rlpp::policy_model<CustomModel>, "CustomModel must satisfy rlpp::policy_model");

int main() {
  rlpp::RandomStream rng(/*seed=*/42, /*worker=*/0, /*env=*/0, "model_init");
  const rlpp::Json model_config = rlpp::merge_model_config(rlpp::Json::parse(R"({
      "fcnet_hiddens": [32, 32], "custom_model_config": {"logit_scale": 0.5}})"));
  const rlpp::ModelContext ctx{rlpp::Box(-4.8, 4.8, {4}), rlpp::Discrete(2), /*num_outputs=*/2,
                               rlpp::Config(model_config, "config.model"), rlpp::Config(), "default_model", &rng};
  nn::Parameters params;
  const CustomModel model(ctx, params);

  const ad::Matrix obs{{0.01f, -0.2f, 0.03f, 0.1f}, {0.5f, 0.0f, -0.1f, -0.3f}, {-1.0f, 1.0f, 0.2f, 0.0f}};
  ad::Tape tape;
  const auto p = nn::bind_frozen(tape, params);  // inference: no gradients
  rlpp::ModelInput<float> in;
  in.obs = tape.input(obs.data(), obs.rows(), obs.cols());
  const rlpp::ModelOutput<float> out = model.forward(p, in);
  const ad::Var value = model.value_function(p, out);

  std::printf("%zu parameter blocks, %zu floats\n", params.blocks().size(), params.parameter_count());
  std::printf("logits %ldx%ld, value %ldx%ld\n", static_cast<long>(out.outputs.rows()),
              static_cast<long>(out.outputs.cols()), static_cast<long>(value.rows()), static_cast<long>(value.cols()));
  for (Eigen::Index r = 0; r < obs.rows(); ++r)
    std::printf("  row %ld: logits [% .5f, % .5f]  value % .5f\n", static_cast<long>(r), out.outputs.value()(r, 0),
                out.outputs.value()(r, 1), value.value()(r, 0));

  const bool ok = out.outputs.rows() == 3 && out.outputs.cols() == 2 && value.rows() == 3 && value.cols() == 1 &&
                  out.outputs.value().allFinite() && value.value().allFinite() && model.num_outputs() == 2 &&
                  params.find("default_model.fc_out.weight") != nullptr;
  if (!ok) {
    std::fprintf(stderr, "custom_model: unexpected shapes or values\n");
    return 1;
  }

  // The same model as a policy's model, chosen by type; its config comes from "model" as usual.
  using MyPolicy = rlpp::build_policy<"MyPolicy", rlpp::model<CustomModel>>;
  MyPolicy policy(rlpp::Box(-4.8, 4.8, {4}), rlpp::Discrete(2),
                  {{"model", {{"fcnet_hiddens", {32, 32}}, {"custom_model_config", {{"logit_scale", 0.5}}}}}});
  const auto& actions = policy.compute_actions(obs, {}, /*explore=*/false);
  std::printf("policy actions: %g %g %g\n", actions.actions(0, 0), actions.actions(1, 0), actions.actions(2, 0));
  return actions.actions.rows() == 3 && actions.action_dist_inputs.cols() == 2 ? 0 : 1;
}
