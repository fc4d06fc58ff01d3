// A new execution plan written as a lambda (RLlib's A2C plan from its execution-plan docs), with a
// stage of our own that records the mean advantage of each train batch into the results, plugged
// into A2C by type: a2c::Trainer::with<execution_plan<...>>. Trains CartPole-v1 to 150.
#include <cstdio>

#include <rlpp/algorithms/a3c/a2c.hpp>
#include <rlpp/trainer/pretty_print.hpp>

namespace {

auto a2c_plan = [](rlpp::PlanContext& ctx) {
  using namespace rlpp;
  return ParallelRollouts(ctx)                                            // bulk_sync: every worker once
         | ConcatBatches(ctx.config.positive_int("train_batch_size"))     // at least 200 steps
         | for_each([&ctx](MultiAgentBatch batch) {                       // our own stage
             const auto adv = batch.policy("default_policy").values<float>("advantages");
             double sum = 0.0;
             for (float a : adv) sum += a;
             ctx.metrics.info["mean_advantage"] = sum / static_cast<double>(adv.size());
             return batch;
           })
         | TrainOneStep(ctx)                                              // learn, push weights
         | StandardMetricsReporting(ctx);                                 // one result dict per batch
};

using MyA2C = rlpp::a2c::Trainer::with<rlpp::execution_plan<decltype(a2c_plan)>>;

}  // namespace

int main() {
  MyA2C trainer({{"env", "CartPole-v1"}, {"num_workers", 2}, {"lr", 0.001}, {"seed", 0}, {"min_iter_time_s", 0}});
  for (int i = 1; i <= 2000; ++i) {
    const rlpp::Json result = trainer.train();
    if (i % 20 == 0) {
      std::printf("%s | mean advantage %.2f\n", rlpp::progress_line(result).c_str(),
                  result["info"]["mean_advantage"].get<double>());
    }
    if (result["episode_reward_mean"].is_number() && result["episode_reward_mean"].get<double>() >= 150.0) {
      std::printf("reached 150 after %lld steps\n", result["timesteps_total"].get<long long>());
      return 0;
    }
  }
  std::fprintf(stderr, "A2C with the custom plan did not reach 150\n");
  return 1;
}
