// RLlib's custom_metrics_and_callbacks.py in C++: callbacks record the pole angle of every step,
// report its per-episode mean as a custom metric (results: custom_metrics/pole_angle_mean, _min,
// _max) and the raw values as a histogram (hist_stats/pole_angles); MultiCallbacks chains a
// second callbacks object that edits each train() result.
#include <cmath>
#include <cstdio>
#include <memory>
#include <vector>

#include <rlpp/algorithms/pg/pg.hpp>
#include <rlpp/evaluation/callbacks.hpp>

struct PoleAngles : rlpp::DefaultCallbacks {
  void on_episode_start(rlpp::RolloutWorker&, rlpp::Episode& episode, std::size_t) override {
    episode.user_data["pole_angles"] = rlpp::Json::array();
  }
  void on_episode_step(rlpp::RolloutWorker&, rlpp::Episode& episode, std::size_t) override {
    const double pole_angle = std::abs(episode.last_observation_for()[2]);
    episode.user_data["pole_angles"].push_back(pole_angle);
  }
  void on_episode_end(rlpp::RolloutWorker&, rlpp::Episode& episode, std::size_t) override {
    const auto angles = episode.user_data["pole_angles"].get<std::vector<double>>();
    double sum = 0.0;
    for (double a : angles) sum += a;
    episode.custom_metrics["pole_angle"] = sum / static_cast<double>(angles.size());
    episode.hist_data["pole_angles"] = angles;
  }
};

struct MarkResults : rlpp::DefaultCallbacks {
  void on_trainer_init(rlpp::TrainerInterface& trainer) override {
    std::printf("trainer %s on %s ready\n", std::string(trainer.name()).c_str(), trainer.env_name().c_str());
  }
  void on_train_result(rlpp::TrainerInterface&, rlpp::Json& result) override { result["callback_ok"] = true; }
};

int main() {
  auto callbacks = std::make_shared<rlpp::MultiCallbacks>(
      std::vector<std::shared_ptr<rlpp::DefaultCallbacks>>{std::make_shared<PoleAngles>(), std::make_shared<MarkResults>()});
  rlpp::pg::Trainer trainer({{"env", "CartPole-v1"}, {"num_workers", 2}, {"seed", 1}}, {.callbacks = callbacks});
  for (int i = 1; i <= 5; ++i) {
    const rlpp::Json result = trainer.train();
    const rlpp::Json& m = result["custom_metrics"];
    std::printf("iter %d  reward %.1f  pole_angle mean %.4f min %.4f max %.4f  (%zu angles in hist_stats)\n", i,
                result["episode_reward_mean"].get<double>(), m["pole_angle_mean"].get<double>(),
                m["pole_angle_min"].get<double>(), m["pole_angle_max"].get<double>(),
                result["hist_stats"]["pole_angles"].size());
    if (!result["callback_ok"].get<bool>()) return 1;
  }
  return 0;
}
