using Xunit;

namespace RocketNet.Tests.Engine.Kernels;

/// <summary>
/// Allocation checks read the process-wide allocation counter, so they must not overlap other tests:
/// xunit runs a collection with parallelisation disabled on its own, after the parallel ones.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationCollection
{
    public const string Name = "Allocation-sensitive kernel tests";
}
