// Compiles tests/support/precompiled.hpp into the precompiled header the test binaries reuse.
