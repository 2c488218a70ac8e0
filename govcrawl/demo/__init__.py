"""Generated government sites for demos, end-to-end tests and benchmarks.

    from govcrawl.demo import build_world, DemoServer
    world = build_world(as_of=date(2024, 6, 20), scale="e2e", seed=1)
    with DemoServer(world) as server:
        world.write_registry("var/demo/registry.yaml")
        truth = world.manifest        # pages, planted findings, controls, traps
        ...
        server.stats()                # concurrency, duplicates, request log per site
"""

from govcrawl.demo.build import build_world, id_number
from govcrawl.demo.server import DemoServer
from govcrawl.demo.world import OUTSIDE_IDENTITY_HOSTS, World

__all__ = ["build_world", "DemoServer", "World", "OUTSIDE_IDENTITY_HOSTS", "id_number"]
