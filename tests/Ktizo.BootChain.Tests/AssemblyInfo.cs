// One lab at a time: each boots QEMU in software emulation, and two at once on two cores only slow
// each other past their timeouts.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
