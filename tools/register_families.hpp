#pragma once
// The rlpp tool's algorithm families, each registered by its own translation unit.
namespace rlpp_tool {
void register_on_policy();
void register_dqn();
void register_sac();
void register_ddpg();
inline void register_all() {
  register_on_policy();
  register_dqn();
  register_sac();
  register_ddpg();
}
}  // namespace rlpp_tool
