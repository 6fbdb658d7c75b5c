"""The demo data as scenarios: the state SPEC §7 describes, reached through the services as its users would.

The top layer: it drives every app (competitions, cycles, contracts, the nightly evaluation)
and nothing imports it but `seed_demo` and the tests that check the demo. One module per app's
story; `core` makes the organisations, people and service areas the others use.
"""
