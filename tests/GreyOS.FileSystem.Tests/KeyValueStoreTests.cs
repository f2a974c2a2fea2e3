using System.Text;
using GreyOS.Abstractions.KeyValue;
using GreyOS.Abstractions.Node;
using GreyOS.Abstractions.Storage;
using GreyOS.FileSystem.Kv;
using GreyOS.Storage.Sqlite;
using GreyOS.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GreyOS.FileSystem.Tests;

/// <summary>The per-app key-value store on real SQLite: values, prefix paging, quotas, isolation, durability.</summary>
public sealed class KeyValueStoreTests : IDisposable
{
    private static readonly KeyValueScope Notes = new("usr_alice", "org.example.notes");
    private static readonly KeyValueScope OtherApp = new("usr_alice", "org.example.other");
    private static readonly KeyValueScope OtherUser = new("usr_bob", "org.example.notes");

    private readonly TempDirectory _data = new("greyos-kv");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task SetGetDelete_PerUserAndApp_Isolated()
    {
        await using var node = await OpenAsync();
        var store = node.Store();

        Assert.True((await store.SetAsync(Notes, Key("a"), Key("1"), Ct)).Value);
        Assert.True((await store.SetAsync(Notes, Key("a"), Key("22"), Ct)).Value);

        Assert.Equal("22", Text((await store.GetAsync(Notes, Key("a"), Ct)).Value));
        Assert.Null((await store.GetAsync(OtherApp, Key("a"), Ct)).Value);
        Assert.Null((await store.GetAsync(OtherUser, Key("a"), Ct)).Value);
        Assert.True((await store.DeleteAsync(Notes, Key("a"), Ct)).Value);
        Assert.False((await store.DeleteAsync(Notes, Key("a"), Ct)).Value);
        Assert.Null((await store.GetAsync(Notes, Key("a"), Ct)).Value);
    }

    [Fact]
    public async Task List_ByPrefixInPages_SortedByBytes()
    {
        await using var node = await OpenAsync();
        var store = node.Store();
        foreach (var key in new[] { "user/3", "user/1", "user/2", "users", "note/1", "user\xff" })
        {
            await store.SetAsync(Notes, Key(key), Key("v"), Ct);
        }

        var first = (await store.ListAsync(Notes, Key("user/"), ReadOnlyMemory<byte>.Empty, 2, Ct)).Value;
        var second = (await store.ListAsync(Notes, Key("user/"), first.Keys[^1], 2, Ct)).Value;

        Assert.Equal(["user/1", "user/2"], first.Keys.Select(Text));
        Assert.True(first.HasMore);
        Assert.Equal(["user/3"], second.Keys.Select(Text));
        Assert.False(second.HasMore);
    }

    [Fact]
    public async Task Quotas_BytesAndEntries_RefusedWithNothingChanged()
    {
        await using var node = await OpenAsync(new KeyValueOptions { MaxBytesPerApp = 100, MaxEntriesPerApp = 3 });
        var store = node.Store();

        Assert.True((await store.SetAsync(Notes, Key("k1"), new byte[60], Ct)).IsSuccess);
        var tooBig = await store.SetAsync(Notes, Key("k2"), new byte[60], Ct);
        Assert.True((await store.SetAsync(Notes, Key("k1"), new byte[90], Ct)).IsSuccess); // replacing counts the difference
        await store.SetAsync(Notes, Key("k1"), new byte[1], Ct);
        await store.SetAsync(Notes, Key("k2"), new byte[1], Ct);
        await store.SetAsync(Notes, Key("k3"), new byte[1], Ct);
        var tooMany = await store.SetAsync(Notes, Key("k4"), new byte[1], Ct);
        var otherApp = await store.SetAsync(OtherApp, Key("k4"), new byte[1], Ct);
        var oversizedKey = await store.SetAsync(Notes, new byte[IKeyValueStore.MaxKeyBytes + 1], new byte[1], Ct);
        var oversizedValue = await store.SetAsync(Notes, Key("v"), new byte[IKeyValueStore.MaxValueBytes + 1], Ct);

        Assert.Equal("quota_exceeded", tooBig.Error?.Code);
        Assert.Equal("quota_exceeded", tooMany.Error?.Code);
        Assert.Null((await store.GetAsync(Notes, Key("k4"), Ct)).Value);
        Assert.True(otherApp.IsSuccess);
        Assert.Equal("invalid_request", oversizedKey.Error?.Code);
        Assert.Equal("invalid_request", oversizedValue.Error?.Code);
        Assert.True((await store.DeleteAsync(Notes, Key("k3"), Ct)).Value);
        Assert.True((await store.SetAsync(Notes, Key("k4"), new byte[1], Ct)).IsSuccess); // deleting gave the entry back
    }

    [Fact]
    public async Task Set_ThenTheNodeRestarts_ValueIsStillThere()
    {
        await using (var node = await OpenAsync())
        {
            await node.Store().SetAsync(Notes, Key("durable"), Key("yes"), Ct);
        }

        SqliteConnection.ClearAllPools();
        await using var restarted = await OpenAsync();

        Assert.Equal("yes", Text((await restarted.Store().GetAsync(Notes, Key("durable"), Ct)).Value));
    }

    private static byte[] Key(string text) => Encoding.Latin1.GetBytes(text);

    private static string Text(byte[]? bytes) => bytes is null ? "<null>" : Encoding.Latin1.GetString(bytes);

    private static string Text(ReadOnlyMemory<byte> bytes) => Encoding.Latin1.GetString(bytes.Span);

    private async Task<Node> OpenAsync(KeyValueOptions? options = null)
    {
        var collection = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSingleton(new DataDirectory(_data.Path))
            .AddSingleton(typeof(ILogger<>), typeof(NullLogger<>))
            .AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSqliteStorage();
        foreach (var migration in KvMigrations.All)
        {
            collection.AddSingleton(migration);
        }

        var services = collection.BuildServiceProvider();
        foreach (var step in services.GetServices<INodeInitializer>().OrderBy(s => s.Order))
        {
            await step.InitializeAsync(CancellationToken.None);
        }

        return new Node(services, options ?? new KeyValueOptions());
    }

    private sealed class Node(ServiceProvider services, KeyValueOptions options) : IAsyncDisposable
    {
        public SqliteKeyValueStore Store() => new SqliteKeyValueStore(services.GetRequiredService<IDatabase>(), Options.Create(options));

        public ValueTask DisposeAsync() => services.DisposeAsync();
    }
}
