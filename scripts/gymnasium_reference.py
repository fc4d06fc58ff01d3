#!/usr/bin/env python3
"""Reference trajectories for rlpp's classic-control envs, bit for bit.

An independent re-derivation of Gymnasium 1.x's classic-control step equations
(gymnasium/envs/classic_control/*.py) in plain Python: no NumPy, no Gymnasium. What NumPy 2
would compute is modelled explicitly by `Num`, a scalar tagged with its NumPy kind:

  float64  a NumPy float64 scalar (strong),
  float32  a NumPy float32 scalar (strong),
  python   a Python float or int (weak, NEP 50).

Binary operations promote as NEP 50 says: float32 op python -> float32 (the Python operand is
first rounded to float32), anything op float64 -> float64, python op python -> python. Float32
arithmetic is done in float64 and rounded once, which is exact for + - * / (53 >= 2 * 24 + 2).
Comparisons promote the same way (NumPy 2: np.float32(0.1) == 0.1 is True). The equations are
then written the way Gymnasium writes them, so the promotions happen where Gymnasium's do.

Transcendentals are glibc's: math.sin/math.cos/math.pow are libm's sin/cos/pow (the functions
NumPy's float64 scalar loops call on glibc systems) and `x ** 2` on a float64 is libm pow, as in
CPython and NumPy. float32 `u ** 2` (Pendulum's torque cost) is libm powf, called via ctypes.
np.cos of a float32 (only Acrobot's reset observation) is taken as float32(cos(double(x))), the
correctly rounded value; NumPy's own SIMD float32 cos may differ from it in the last bit.

Resets use rlpp::RandomStream (core/rng.hpp: xoshiro256** seeded through SplitMix64), ported
below, with Gymnasium's formula low + (high - low) * U for np_random.uniform.

Time limits follow Gymnasium's TimeLimit: truncated whenever the step count reaches
max_episode_steps, even on a step that also terminates (then both flags are set).

Usage:
  python3 scripts/gymnasium_reference.py            # human-readable trajectories
  python3 scripts/gymnasium_reference.py --cpp > tests/envs/test_classic_control_reference.cpp
"""

import ctypes
import ctypes.util
import math
import struct
import sys

# ---------------------------------------------------------------------------------------------
# NumPy 2 scalar model
# ---------------------------------------------------------------------------------------------

F32, F64, PY = "float32", "float64", "python"


def f32(x):
    """Round a Python float to the nearest float32 (what a float32 store does)."""
    try:
        return struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)


_libm = ctypes.CDLL(ctypes.util.find_library("m"))
_libm.powf.restype = ctypes.c_float
_libm.powf.argtypes = [ctypes.c_float, ctypes.c_float]


def powf(x, y):
    return float(_libm.powf(x, y))


def _promote(a, b):
    if F64 in (a.kind, b.kind):
        return F64
    if F32 in (a.kind, b.kind):
        return F32
    return PY


def lift(x):
    return x if isinstance(x, Num) else Num(float(x), PY)


class Num:
    """A float scalar as NumPy 2 sees it: its value and its kind."""

    __slots__ = ("v", "kind")

    def __init__(self, v, kind):
        self.kind = kind
        self.v = f32(v) if kind == F32 else float(v)

    def _binary(self, other, op, reflected=False):
        a, b = (lift(other), self) if reflected else (self, lift(other))
        kind = _promote(a, b)
        if kind == F32:
            return Num(f32(op(f32(a.v), f32(b.v))), F32)
        return Num(op(a.v, b.v), kind)

    def __add__(self, o): return self._binary(o, lambda x, y: x + y)
    def __radd__(self, o): return self._binary(o, lambda x, y: x + y, True)
    def __sub__(self, o): return self._binary(o, lambda x, y: x - y)
    def __rsub__(self, o): return self._binary(o, lambda x, y: x - y, True)
    def __mul__(self, o): return self._binary(o, lambda x, y: x * y)
    def __rmul__(self, o): return self._binary(o, lambda x, y: x * y, True)
    def __truediv__(self, o): return self._binary(o, lambda x, y: x / y)
    def __rtruediv__(self, o): return self._binary(o, lambda x, y: x / y, True)

    def __mod__(self, o):
        # np.remainder / Python %: fmod, then moved to the divisor's sign.
        assert self.kind != F32
        return self._binary(o, lambda x, y: x % y)

    def __neg__(self):
        return Num(-self.v, self.kind)

    def __pow__(self, exponent):
        if self.kind == F32:
            return Num(powf(self.v, f32(float(exponent))), F32)
        return Num(math.pow(self.v, float(exponent)), self.kind)

    def _compare(self, other, op):
        o = lift(other)
        if _promote(self, o) == F32:
            return op(f32(self.v), f32(o.v))
        return op(self.v, o.v)

    def __lt__(self, o): return self._compare(o, lambda x, y: x < y)
    def __le__(self, o): return self._compare(o, lambda x, y: x <= y)
    def __gt__(self, o): return self._compare(o, lambda x, y: x > y)
    def __ge__(self, o): return self._compare(o, lambda x, y: x >= y)
    def __eq__(self, o): return self._compare(o, lambda x, y: x == y)
    def __ne__(self, o): return self._compare(o, lambda x, y: x != y)
    __hash__ = None

    def __float__(self):
        return self.v

    def __repr__(self):
        return f"{self.kind}({self.v!r})"


def f64(x):
    return Num(float(x), F64)


def np_cos(x):
    x = lift(x)
    if x.kind == F32:
        return Num(f32(math.cos(x.v)), F32)
    return Num(math.cos(x.v), F64)


def np_sin(x):
    x = lift(x)
    if x.kind == F32:
        return Num(f32(math.sin(x.v)), F32)
    return Num(math.sin(x.v), F64)


def np_square(x):
    return x * x


def np_clip(x, low, high):
    """np.clip with Python-number bounds (weak): the result keeps x's kind; NaN propagates."""
    x = lift(x)
    kind = F64 if x.kind == PY else x.kind
    x = Num(x.v, kind)
    if x < low:
        return Num(float(low), kind)
    if x > high:
        return Num(float(high), kind)
    return x


def float32_array(values):
    return [f32(float(v)) for v in values]


# ---------------------------------------------------------------------------------------------
# rlpp::RandomStream (core/rng.hpp), for seeded resets
# ---------------------------------------------------------------------------------------------

MASK64 = (1 << 64) - 1


def _rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK64


class RandomStream:
    def __init__(self, seed):
        mix = 0x6A09E667F3BCC909
        for word in (seed, 0, 0, 0):
            mix ^= word
            mix = self._splitmix(mix)[1]
        self.s = []
        for _ in range(4):
            mix, out = self._splitmix(mix)
            self.s.append(out)

    @staticmethod
    def _splitmix(state):
        state = (state + 0x9E3779B97F4A7C15) & MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
        return state, z ^ (z >> 31)

    def next_u64(self):
        s = self.s
        result = (_rotl((s[1] * 5) & MASK64, 7) * 9) & MASK64
        t = (s[1] << 17) & MASK64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = _rotl(s[3], 45)
        return result

    def uniform(self, low, high):
        u = (self.next_u64() >> 11) * 2.0 ** -53
        return low + (high - low) * u


# ---------------------------------------------------------------------------------------------
# The envs. Each keeps Gymnasium's state with NumPy kinds, and a TimeLimit step counter.
# ---------------------------------------------------------------------------------------------


class TimeLimited:
    def __init__(self, max_episode_steps):
        self.max_episode_steps = max_episode_steps
        self.elapsed_steps = 0

    def count(self, terminated):
        self.elapsed_steps += 1
        return self.elapsed_steps >= self.max_episode_steps


class CartPole(TimeLimited):
    """cartpole.py, Gymnasium >= 1.0: np.cos/np.sin, np.square, float64 state."""

    gravity = 9.8
    masscart = 1.0
    masspole = 0.1
    total_mass = masspole + masscart
    length = 0.5
    polemass_length = masspole * length
    force_mag = 10.0
    tau = 0.02
    theta_threshold_radians = 12 * 2 * math.pi / 360
    x_threshold = 2.4

    def __init__(self, max_episode_steps=500):
        super().__init__(max_episode_steps)
        self.state = None
        self.steps_beyond_terminated = None

    def reset(self, rng):
        self.state = [f64(rng.uniform(-0.05, 0.05)) for _ in range(4)]
        self.steps_beyond_terminated = None
        self.elapsed_steps = 0
        return float32_array(self.state)

    def set_state(self, values, elapsed_steps=0, steps_beyond_terminated=None):
        self.state = [f64(v) for v in values]
        self.elapsed_steps = elapsed_steps
        self.steps_beyond_terminated = steps_beyond_terminated

    def internal_state(self):
        return [s.v for s in self.state]

    def step(self, action):
        x, x_dot, theta, theta_dot = self.state
        force = self.force_mag if action == 1 else -self.force_mag
        costheta = np_cos(theta)
        sintheta = np_sin(theta)
        temp = (force + self.polemass_length * np_square(theta_dot) * sintheta) / self.total_mass
        thetaacc = (self.gravity * sintheta - costheta * temp) / (
            self.length * (4.0 / 3.0 - self.masspole * np_square(costheta) / self.total_mass)
        )
        xacc = temp - self.polemass_length * thetaacc * costheta / self.total_mass
        x = x + self.tau * x_dot
        x_dot = x_dot + self.tau * xacc
        theta = theta + self.tau * theta_dot
        theta_dot = theta_dot + self.tau * thetaacc
        self.state = [f64(v.v) for v in (x, x_dot, theta, theta_dot)]
        terminated = bool(
            x < -self.x_threshold
            or x > self.x_threshold
            or theta < -self.theta_threshold_radians
            or theta > self.theta_threshold_radians
        )
        if not terminated:
            reward = 1.0
        elif self.steps_beyond_terminated is None:
            self.steps_beyond_terminated = 0
            reward = 1.0
        else:
            self.steps_beyond_terminated += 1
            reward = 0.0
        truncated = self.count(terminated)
        return float32_array(self.state), reward, terminated, truncated


class Pendulum(TimeLimited):
    """pendulum.py: float64 state; the float32 action makes 3.0 * u and 0.001 * u**2 float32."""

    max_speed = 8
    max_torque = 2.0
    dt = 0.05
    m = 1.0
    l = 1.0

    def __init__(self, g=10.0, max_episode_steps=200):
        super().__init__(max_episode_steps)
        self.g = g
        self.state = None

    def reset(self, rng):
        high = [math.pi, 1.0]
        self.state = [f64(rng.uniform(-h, h)) for h in high]
        self.elapsed_steps = 0
        return self._obs()

    def set_state(self, values, elapsed_steps=0):
        self.state = [f64(v) for v in values]
        self.elapsed_steps = elapsed_steps

    def internal_state(self):
        return [s.v for s in self.state]

    def _obs(self):
        theta, thetadot = self.state
        return float32_array([np_cos(theta), np_sin(theta), thetadot])

    @staticmethod
    def angle_normalize(x):
        return ((x + math.pi) % (2 * math.pi)) - math.pi

    def step(self, action):
        th, thdot = self.state
        g, m, l, dt = self.g, self.m, self.l, self.dt
        u = np_clip(Num(action, F32), -self.max_torque, self.max_torque)
        costs = self.angle_normalize(th) ** 2 + 0.1 * thdot**2 + 0.001 * (u**2)
        newthdot = thdot + (3 * g / (2 * l) * np_sin(th) + 3.0 / (m * l**2) * u) * dt
        newthdot = np_clip(newthdot, -self.max_speed, self.max_speed)
        newth = th + newthdot * dt
        self.state = [f64(newth.v), f64(newthdot.v)]
        truncated = self.count(False)
        return self._obs(), float(-costs), False, truncated


class MountainCar(TimeLimited):
    """mountain_car.py: float64 state, Python-float constants, int action."""

    min_position = -1.2
    max_position = 0.6
    max_speed = 0.07
    goal_position = 0.5
    goal_velocity = 0
    force = 0.001
    gravity = 0.0025

    def __init__(self, max_episode_steps=200):
        super().__init__(max_episode_steps)
        self.state = None

    def reset(self, rng):
        self.state = [f64(rng.uniform(-0.6, -0.4)), f64(0)]
        self.elapsed_steps = 0
        return float32_array(self.state)

    def set_state(self, values, elapsed_steps=0):
        self.state = [f64(v) for v in values]
        self.elapsed_steps = elapsed_steps

    def internal_state(self):
        return [s.v for s in self.state]

    def step(self, action):
        position, velocity = self.state
        velocity += (action - 1) * self.force + lift(math.cos(float(3 * position))) * (-self.gravity)
        velocity = np_clip(velocity, -self.max_speed, self.max_speed)
        position += velocity
        position = np_clip(position, self.min_position, self.max_position)
        if position == self.min_position and velocity < 0:
            velocity = lift(0)
        terminated = bool(position >= self.goal_position and velocity >= self.goal_velocity)
        self.state = [f64(position.v), f64(velocity.v)]
        truncated = self.count(terminated)
        return float32_array(self.state), -1.0, terminated, truncated


class MountainCarContinuous(TimeLimited):
    """continuous_mountain_car.py: float64 state after reset, float32 state after every step;
    Python-float clips and constants meet float32 scalars, so NEP 50 decides every operation."""

    min_action = -1.0
    max_action = 1.0
    min_position = -1.2
    max_position = 0.6
    max_speed = 0.07
    goal_position = 0.45
    goal_velocity = 0
    power = 0.0015

    def __init__(self, max_episode_steps=999):
        super().__init__(max_episode_steps)
        self.state = None

    def reset(self, rng):
        self.state = [f64(rng.uniform(-0.6, -0.4)), f64(0)]
        self.elapsed_steps = 0
        return float32_array(self.state)

    def set_state(self, values, is_float32, elapsed_steps=0):
        kind = F32 if is_float32 else F64
        self.state = [Num(v, kind) for v in values]
        self.elapsed_steps = elapsed_steps

    def internal_state(self):
        return [s.v for s in self.state]

    def step(self, action):
        action0 = Num(action, F32)
        position = self.state[0]
        velocity = self.state[1]
        force = min(max(action0, self.min_action), self.max_action)
        velocity += force * self.power - 0.0025 * lift(math.cos(float(3 * position)))
        if velocity > self.max_speed:
            velocity = lift(self.max_speed)
        if velocity < -self.max_speed:
            velocity = lift(-self.max_speed)
        position += velocity
        if position > self.max_position:
            position = lift(self.max_position)
        if position < self.min_position:
            position = lift(self.min_position)
        if position == self.min_position and velocity < 0:
            velocity = lift(0)
        terminated = bool(position >= self.goal_position and velocity >= self.goal_velocity)
        reward = 0
        if terminated:
            reward = 100.0
        reward -= math.pow(float(action0), 2) * 0.1
        self.state = [Num(f32(position.v), F32), Num(f32(velocity.v), F32)]
        truncated = self.count(terminated)
        return float32_array(self.state), reward, terminated, truncated


class Acrobot(TimeLimited):
    """acrobot.py, book dynamics, no torque noise: float32 reset state, float64 from the first
    step on (np.append with a Python float widens it), rk4 over [0, dt]."""

    dt = 0.2
    LINK_LENGTH_1 = 1.0
    LINK_LENGTH_2 = 1.0
    LINK_MASS_1 = 1.0
    LINK_MASS_2 = 1.0
    LINK_COM_POS_1 = 0.5
    LINK_COM_POS_2 = 0.5
    LINK_MOI = 1.0
    MAX_VEL_1 = 4 * math.pi
    MAX_VEL_2 = 9 * math.pi
    AVAIL_TORQUE = [-1.0, 0.0, +1]

    def __init__(self, max_episode_steps=500):
        super().__init__(max_episode_steps)
        self.state = None

    def reset(self, rng):
        self.state = [Num(rng.uniform(-0.1, 0.1), F32) for _ in range(4)]
        self.elapsed_steps = 0
        return self._obs()

    def set_state(self, values, elapsed_steps=0):
        self.state = [f64(v) for v in values]
        self.elapsed_steps = elapsed_steps

    def internal_state(self):
        return [s.v for s in self.state]

    def _obs(self):
        s = self.state
        return float32_array([np_cos(s[0]), np_sin(s[0]), np_cos(s[1]), np_sin(s[1]), s[2], s[3]])

    def _dsdt(self, s_augmented):
        m1 = self.LINK_MASS_1
        m2 = self.LINK_MASS_2
        l1 = self.LINK_LENGTH_1
        lc1 = self.LINK_COM_POS_1
        lc2 = self.LINK_COM_POS_2
        I1 = self.LINK_MOI
        I2 = self.LINK_MOI
        g = 9.8
        pi = math.pi
        cos, sin = np_cos, np_sin
        a = s_augmented[-1]
        theta1, theta2, dtheta1, dtheta2 = s_augmented[:4]
        d1 = m1 * lc1**2 + m2 * (l1**2 + lc2**2 + 2 * l1 * lc2 * cos(theta2)) + I1 + I2
        d2 = m2 * (lc2**2 + l1 * lc2 * cos(theta2)) + I2
        phi2 = m2 * lc2 * g * cos(theta1 + theta2 - pi / 2.0)
        phi1 = (
            -m2 * l1 * lc2 * dtheta2**2 * sin(theta2)
            - 2 * m2 * l1 * lc2 * dtheta2 * dtheta1 * sin(theta2)
            + (m1 * lc1 + m2 * l1) * g * cos(theta1 - pi / 2)
            + phi2
        )
        ddtheta2 = (
            a + d2 / d1 * phi1 - m2 * l1 * lc2 * dtheta1**2 * sin(theta2) - phi2
        ) / (m2 * lc2**2 + I2 - d2**2 / d1)
        ddtheta1 = -(d2 * ddtheta2 + phi1) / d1
        return [dtheta1, dtheta2, ddtheta1, ddtheta2, f64(0.0)]

    def _rk4(self, y0, t):
        # One interval [t0, t1]; arrays are lists of float64 Nums, evaluated as NumPy does.
        this = t[0]
        dt = t[1] - this
        dt2 = dt / 2.0

        def axpy(y, h, k):
            return [yi + h * ki for yi, ki in zip(y, k)]

        k1 = self._dsdt(y0)
        k2 = self._dsdt(axpy(y0, dt2, k1))
        k3 = self._dsdt(axpy(y0, dt2, k2))
        k4 = self._dsdt(axpy(y0, dt, k3))
        total = [a + 2 * b for a, b in zip(k1, k2)]
        total = [a + 2 * b for a, b in zip(total, k3)]
        total = [a + b for a, b in zip(total, k4)]
        h = dt / 6.0
        return [yi + h * ti for yi, ti in zip(y0, total)][:4]

    @staticmethod
    def wrap(x, m, M):
        diff = M - m
        while x > M:
            x = x - diff
        while x < m:
            x = x + diff
        return x

    @staticmethod
    def bound(x, m, M):
        return min(max(x, m), M)

    def step(self, a):
        torque = self.AVAIL_TORQUE[a]
        s_augmented = [f64(v.v) for v in self.state] + [f64(torque)]
        ns = self._rk4(s_augmented, [0, self.dt])
        ns[0] = self.wrap(ns[0], -math.pi, math.pi)
        ns[1] = self.wrap(ns[1], -math.pi, math.pi)
        ns[2] = self.bound(ns[2], -self.MAX_VEL_1, self.MAX_VEL_1)
        ns[3] = self.bound(ns[3], -self.MAX_VEL_2, self.MAX_VEL_2)
        self.state = [f64(lift(v).v) for v in ns]
        s = self.state
        terminated = bool(-np_cos(s[0]) - np_cos(s[1] + s[0]) > 1.0)
        reward = -1.0 if not terminated else 0.0
        truncated = self.count(terminated)
        return self._obs(), reward, terminated, truncated


# ---------------------------------------------------------------------------------------------
# Scenarios: a start (seeded reset or explicit state) and a policy that picks the actions
# from the float32 observation. The actions are recorded, so the C++ test only replays them.
# ---------------------------------------------------------------------------------------------


class Scenario:
    def __init__(self, name, env_type, config, make, start, policy, steps, note, after_done=0):
        self.name, self.env_type, self.config = name, env_type, config
        self.make, self.start, self.policy, self.steps, self.note = make, start, policy, steps, note
        self.after_done = after_done  # steps recorded after the first terminated/truncated one


def run(scenario):
    env = scenario.make()
    reset_obs = None
    if isinstance(scenario.start, int):
        reset_obs = env.reset(RandomStream(scenario.start))
        obs = reset_obs
    else:
        env.set_state(**scenario.start)
        obs = None
    rows = []
    done_at = None
    for t in range(scenario.steps):
        action = scenario.policy(t, obs)
        obs, reward, terminated, truncated = env.step(action)
        rows.append((action, obs, reward, terminated, truncated, env.internal_state(),
                     env.elapsed_steps))
        if done_at is None and (terminated or truncated):
            done_at = t
        if done_at is not None and t - done_at >= scenario.after_done:
            break
    return reset_obs, rows


def cartpole_balance(t, obs):
    x, x_dot, theta, theta_dot = obs
    return 1 if theta + 0.5 * theta_dot + 0.01 * x + 0.05 * x_dot > 0 else 0


def cartpole_then_push_right(t, obs):
    return cartpole_balance(t, obs) if t < 40 else 1


def pendulum_torque(t, obs):
    # Sweeps past both clip bounds (|u| up to 3 > max_torque 2) and through zero.
    return [2.5, -3.0, 1.25, 0.0, -0.75, 3.0, -1.9990234375][t % 7] if t % 11 else 0.5


def pendulum_energy_pump(t, obs):
    return 2.0 if obs is None or obs[2] >= 0 else -2.0


def mountain_car_pump(t, obs):
    return 2 if obs[1] >= 0 else 0


def mountain_car_coast(t, obs):
    return 1


def mountain_car_continuous_pump(t, obs):
    # Out-of-range pushes every fifth step exercise the clip (min/max with Python floats).
    push = 1.5 if t % 5 == 4 else 0.875
    return push if obs is None or obs[1] >= 0 else -push


def acrobot_pump(t, obs):
    # Torque against the first joint's swing pumps energy into the second link.
    return 0 if obs[4] >= 0 else 2


def constant(value):
    return lambda t, obs: value


def cycle(values):
    return lambda t, obs: values[t % len(values)]


SCENARIOS = [
    # CartPole
    Scenario("cartpole_v1_seed_42_fall_and_step_on", "CartPole", {}, lambda: CartPole(500), 42,
             cartpole_then_push_right, 80,
             "balanced 40 steps, then pushed right until the pole falls; stepping on gives reward 0",
             after_done=3),
    Scenario("cartpole_v0_seed_7_truncated_at_200", "CartPole", {"max_episode_steps": 200},
             lambda: CartPole(200), 7, cartpole_balance, 200, "CartPole-v0 balanced to its 200-step limit"),
    Scenario("cartpole_leaves_track_left", "CartPole", {}, lambda: CartPole(500),
             {"values": [-2.3, -1.5, 0.01, 0.0]}, constant(0), 8, "x < -2.4 ends the episode", after_done=1),
    Scenario("cartpole_pole_falls_right_at_limit", "CartPole", {}, lambda: CartPole(500),
             {"values": [0.0, 0.0, 0.19, 0.6], "elapsed_steps": 498}, constant(1), 4,
             "theta > 12 degrees on the step that also reaches 500: terminated and truncated",
             after_done=1),
    # Pendulum
    Scenario("pendulum_seed_3_truncated_at_200", "Pendulum", {}, lambda: Pendulum(10.0, 200), 3,
             pendulum_torque, 200, "torques beyond +-2 are clipped; truncated at 200"),
    Scenario("pendulum_max_speed_clip", "Pendulum", {}, lambda: Pendulum(10.0, 200),
             {"values": [2.5, 7.5]}, pendulum_energy_pump, 60,
             "spins past max_speed 8 (clipped) and past +-pi (angle_normalize wraps)"),
    Scenario("pendulum_g_9_81", "Pendulum", {"g": 9.81}, lambda: Pendulum(9.81, 200), 5,
             pendulum_energy_pump, 40, "env_config g = 9.81"),
    # MountainCar
    Scenario("mountain_car_seed_5_reaches_goal", "MountainCar", {}, lambda: MountainCar(200), 5,
             mountain_car_pump, 200, "pumping energy reaches the goal: terminated"),
    Scenario("mountain_car_left_wall", "MountainCar", {}, lambda: MountainCar(200),
             {"values": [-1.15, -0.05]}, constant(0), 12,
             "the car hits position -1.2: clipped, velocity reset to 0"),
    Scenario("mountain_car_velocity_clip_and_limit", "MountainCar", {}, lambda: MountainCar(200),
             {"values": [-0.9, 0.0695], "elapsed_steps": 190}, cycle([2, 2, 1, 0]), 12,
             "velocity clipped at 0.07; truncated at 200"),
    # MountainCarContinuous
    Scenario("mountain_car_continuous_seed_11_reaches_goal", "MountainCarContinuous", {},
             lambda: MountainCarContinuous(999), 11, mountain_car_continuous_pump, 200,
             "float64 first step, float32 after; clipped pushes; +100 at the goal"),
    Scenario("mountain_car_continuous_left_wall", "MountainCarContinuous", {},
             lambda: MountainCarContinuous(999), {"values": [-1.1, -0.06], "is_float32": True},
             constant(-1.0), 12, "position clipped to -1.2 (a Python float), velocity reset to 0"),
    Scenario("mountain_car_continuous_velocity_clip_and_limit", "MountainCarContinuous", {},
             lambda: MountainCarContinuous(999),
             {"values": [-0.9, 0.0695], "is_float32": True, "elapsed_steps": 990},
             cycle([1.0, 2.0, 0.25, -0.5]), 12, "velocity clipped at 0.07; truncated at 999"),
    # Acrobot
    Scenario("acrobot_seed_1_reaches_goal", "Acrobot", {}, lambda: Acrobot(500), 1, acrobot_pump, 200,
             "float32 reset state; pumping swings the tip above the line: terminated"),
    Scenario("acrobot_velocity_bounds_and_wrap", "Acrobot", {}, lambda: Acrobot(500),
             {"values": [3.0, -3.0, 12.4, -27.9]}, cycle([2, 2, 0, 1]), 30,
             "angles wrap past +-pi, velocities bound at 4 pi and 9 pi; stepping on after the goal",
             after_done=12),
    Scenario("acrobot_truncated_at_limit", "Acrobot", {}, lambda: Acrobot(500),
             {"values": [0.05, -0.02, 0.01, 0.03], "elapsed_steps": 495}, constant(1), 6,
             "hanging still until the 500-step limit"),
]


# ---------------------------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------------------------


def hex_double(x):
    if math.isnan(x):
        return "std::numeric_limits<double>::quiet_NaN()"
    if math.isinf(x):
        return ("-" if x < 0 else "") + "std::numeric_limits<double>::infinity()"
    return float(x).hex()


def hex_float(x):
    assert f32(x) == x or math.isnan(x)
    if math.isinf(x):
        return ("-" if x < 0 else "") + "std::numeric_limits<float>::infinity()"
    return float(x).hex() + "f"


def print_text():
    for s in SCENARIOS:
        reset_obs, rows = run(s)
        print(f"== {s.name} ({s.env_type}, config {s.config}): {s.note}")
        if reset_obs is not None:
            print(f"reset(seed={s.start}) -> {[hex_float(v) for v in reset_obs]}")
        else:
            print(f"set_state({s.start})")
        for t, (action, obs, reward, term, trunc, state, elapsed) in enumerate(rows):
            print(f"{t + 1:4d} a={action!r:<14} obs={[repr(v) for v in obs]} r={reward!r} "
                  f"term={term} trunc={trunc}")
        print()


CPP_TYPES = {
    "CartPole": ("rlpp::CartPole", "std::int64_t", 4, 4),
    "Pendulum": ("rlpp::Pendulum", "float", 3, 2),
    "MountainCar": ("rlpp::MountainCar", "std::int64_t", 2, 2),
    "MountainCarContinuous": ("rlpp::MountainCarContinuous", "float", 2, 2),
    "Acrobot": ("rlpp::Acrobot", "std::int64_t", 6, 4),
}


def cpp_action(env_type, action):
    return hex_float(f32(action)) if CPP_TYPES[env_type][1] == "float" else str(action)


def cpp_start_state(s):
    start = s.start
    values = [hex_double(float(v)) for v in start["values"]]
    elapsed = start.get("elapsed_steps", 0)
    if s.env_type == "CartPole":
        return (f"{{.x = {values[0]}, .x_dot = {values[1]}, .theta = {values[2]}, "
                f".theta_dot = {values[3]}, .elapsed_steps = {elapsed}, .steps_beyond_terminated = std::nullopt}}")
    if s.env_type == "Pendulum":
        return f"{{.theta = {values[0]}, .theta_dot = {values[1]}, .elapsed_steps = {elapsed}}}"
    if s.env_type == "MountainCar":
        return f"{{.position = {values[0]}, .velocity = {values[1]}, .elapsed_steps = {elapsed}}}"
    if s.env_type == "MountainCarContinuous":
        flag = "true" if start["is_float32"] else "false"
        return (f"{{.position = {values[0]}, .velocity = {values[1]}, .is_float32 = {flag}, "
                f".elapsed_steps = {elapsed}}}")
    if s.env_type == "Acrobot":
        return (f"{{.theta1 = {values[0]}, .theta2 = {values[1]}, .dtheta1 = {values[2]}, "
                f".dtheta2 = {values[3]}, .elapsed_steps = {elapsed}}}")
    raise ValueError(s.env_type)


def cpp_config(config):
    if not config:
        return "rlpp::Json::object()"
    items = ", ".join(f'{{"{k}", {v!r}}}' for k, v in config.items())
    return f"rlpp::Json{{{items}}}"


CPP_HEADER = """\
// GENERATED by scripts/gymnasium_reference.py -- do not edit. Regenerate with
//   python3 scripts/gymnasium_reference.py --cpp > tests/envs/test_classic_control_reference.cpp
// Reference trajectories of Gymnasium 1.x's classic-control equations (NumPy 2 / NEP 50 dtype
// rules, glibc libm), re-derived independently in Python. Each scenario starts from a seeded
// reset (rlpp::RandomStream) or from set_state(), replays the recorded actions, and compares
// every observation (float32), reward, flag and internal float64 state bit for bit.
#include <doctest/doctest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <optional>
#include <string>

#include "rlpp/envs/classic_control/acrobot.hpp"
#include "rlpp/envs/classic_control/cartpole.hpp"
#include "rlpp/envs/classic_control/mountain_car.hpp"
#include "rlpp/envs/classic_control/mountain_car_continuous.hpp"
#include "rlpp/envs/classic_control/pendulum.hpp"
#include "rlpp/envs/env_context.hpp"

namespace {

template <class Action, std::size_t ObsSize, std::size_t StateSize>
struct ReferenceStep {
  Action action;
  std::array<float, ObsSize> observation;
  double reward;
  bool terminated;
  bool truncated;
  std::array<double, StateSize> state;  // Gymnasium's internal state after the step
};

std::array<double, 4> state_values(const rlpp::CartPole::State& s) { return {s.x, s.x_dot, s.theta, s.theta_dot}; }
std::array<double, 2> state_values(const rlpp::Pendulum::State& s) { return {s.theta, s.theta_dot}; }
std::array<double, 2> state_values(const rlpp::MountainCar::State& s) { return {s.position, s.velocity}; }
std::array<double, 2> state_values(const rlpp::MountainCarContinuous::State& s) { return {s.position, s.velocity}; }
std::array<double, 4> state_values(const rlpp::Acrobot::State& s) {
  return {s.theta1, s.theta2, s.dtheta1, s.dtheta2};
}

// Bitwise equality, so -0.0 != 0.0 and a NaN matches the same NaN.
template <class T>
bool same_bits(T a, T b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}

template <class Env, class Step, std::size_t N>
void replay(Env& env, const Step (&steps)[N]) {
  for (std::size_t t = 0; t < N; ++t) {
    const Step& expected = steps[t];
    CAPTURE(t + 1);
    const auto result = env.step(typename Env::action_type{expected.action});
    for (std::size_t i = 0; i < expected.observation.size(); ++i) {
      CAPTURE(i);
      CHECK_MESSAGE(same_bits(result.observation[i], expected.observation[i]),
                    "observation ", result.observation[i], " != ", expected.observation[i]);
    }
    CHECK_MESSAGE(same_bits(result.reward, expected.reward), "reward ", result.reward, " != ", expected.reward);
    CHECK(result.terminated == expected.terminated);
    CHECK(result.truncated == expected.truncated);
    const auto state = state_values(env.get_state());
    for (std::size_t i = 0; i < state.size(); ++i) {
      CAPTURE(i);
      CHECK_MESSAGE(same_bits(state[i], expected.state[i]), "state ", state[i], " != ", expected.state[i]);
    }
  }
}

}  // namespace
"""


def print_cpp():
    out = [CPP_HEADER]
    for s in SCENARIOS:
        reset_obs, rows = run(s)
        cls, action_type, obs_n, state_n = CPP_TYPES[s.env_type]
        step_type = f"ReferenceStep<{action_type}, {obs_n}, {state_n}>"
        out.append(f"// {s.name}: {s.note}")
        out.append("namespace {")
        out.append(f"const {step_type} {s.name}_steps[] = {{")
        for action, obs, reward, term, trunc, state, _ in rows:
            obs_text = ", ".join(hex_float(v) for v in obs)
            state_text = ", ".join(hex_double(v) for v in state)
            out.append(f"    {{{cpp_action(s.env_type, action)}, {{{obs_text}}}, {hex_double(reward)}, "
                       f"{str(term).lower()}, {str(trunc).lower()}, {{{state_text}}}}},")
        out.append("};")
        out.append("}  // namespace")
        out.append("")
        out.append(f'TEST_CASE("{s.env_type} matches the Gymnasium reference: {s.name}") {{')
        out.append("  rlpp::EnvContext ctx;")
        out.append(f"  ctx.env_config = {cpp_config(s.config)};")
        out.append(f"  {cls} env(ctx);")
        if reset_obs is not None:
            obs_text = ", ".join(hex_float(v) for v in reset_obs)
            out.append(f"  const std::array<float, {obs_n}> expected_reset = {{{obs_text}}};")
            out.append(f"  const auto observation = env.reset({s.start});")
            out.append(f"  for (std::size_t i = 0; i < {obs_n}; ++i) CHECK(same_bits(observation[i], expected_reset[i]));")
        else:
            out.append(f"  env.set_state({cls}::State{cpp_start_state(s)});")
        out.append(f"  replay(env, {s.name}_steps);")
        out.append("}")
        out.append("")
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    if "--cpp" in sys.argv[1:]:
        print_cpp()
    else:
        print_text()
