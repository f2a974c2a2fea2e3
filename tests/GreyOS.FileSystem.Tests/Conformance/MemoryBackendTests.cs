using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Backends;

namespace GreyOS.FileSystem.Tests.Conformance;

/// <summary>The conformance suite on the <c>memory</c> backend.</summary>
public sealed class MemoryBackendTests : BackendConformance
{
    protected override Task<IStorageBackend> CreateAsync() => Task.FromResult<IStorageBackend>(new MemoryBackend(TimeProvider.System));
}
