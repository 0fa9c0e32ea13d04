# Pylon's version and the subtensor runtime it was last proven against: the one place that says so
# (pylon version, /metrics pylon_build_info, the packages). PYLON_RUNTIME_SPEC is the local chain's
# (../shared/chain/localnet, spec 293), which the end-to-end tests run; the localnet test checks
# the chain reports it.
set(PYLON_VERSION "0.1.0")
set(PYLON_RUNTIME_SPEC 293)
