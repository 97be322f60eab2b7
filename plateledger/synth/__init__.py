"""Synthetic ALPR data: a camera network in real metros and a realistic, fast, seeded stream of reads.

`build_network` lays out agencies, fixed cameras and patrol cars; `generate_reads` streams time-ordered
batches of `NewRead`; `vehicles_of` lists the fleet (true plates) the reads are drawn from. Used by
`plateledger demo` and `plateledger bench`.
"""

from plateledger.synth.fleet import Vehicle, vehicles_of
from plateledger.synth.network import Metro, Network, build_network
from plateledger.synth.traffic import generate_reads

__all__ = ["Metro", "Network", "Vehicle", "build_network", "generate_reads", "vehicles_of"]
