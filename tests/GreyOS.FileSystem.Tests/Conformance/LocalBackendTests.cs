using GreyOS.Abstractions.FileSystem;
using GreyOS.FileSystem.Backends;
using GreyOS.Testing;

namespace GreyOS.FileSystem.Tests.Conformance;

/// <summary>The conformance suite on the <c>local</c> backend, each test over a fresh temp folder.</summary>
public sealed class LocalBackendTests : BackendConformance, IDisposable
{
    private readonly List<TempDirectory> _folders = [];

    public void Dispose()
    {
        foreach (var folder in _folders)
        {
            folder.Dispose();
        }
    }

    protected override Task<IStorageBackend> CreateAsync()
    {
        var folder = new TempDirectory("greyos-local");
        _folders.Add(folder);
        return Task.FromResult<IStorageBackend>(new LocalBackend(folder.Path, TimeProvider.System));
    }
}
