using System.Reflection;
using System.Text.Json;
using GreyOS.Abstractions.Runtime;
using GreyOS.Runtime.Wasmtime.Modules;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime.Tests;

/// <summary>abi/grey-v1.json is the source of truth: the C# side must agree with it exactly.</summary>
public sealed class AbiSpecAgreementTests
{
    private static readonly JsonDocument Spec = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryRoot(), "abi", "grey-v1.json")));

    [Fact]
    public void KnownImports_EveryFunctionOfTheSpec_WithTheSameSignature()
    {
        var expected = new Dictionary<(string, string), string>();
        foreach (var function in Spec.RootElement.GetProperty("functions").EnumerateArray())
        {
            var parameters = function.GetProperty("params").EnumerateArray().Select(p => p.GetProperty("type").GetString()!);
            var result = function.GetProperty("result").GetProperty("type");
            expected[("grey", function.GetProperty("name").GetString()!)] = Describe(parameters, result.ValueKind == JsonValueKind.Null ? [] : [result.GetString()!]);
        }

        foreach (var function in Spec.RootElement.GetProperty("wasi_snapshot_preview1").GetProperty("functions").EnumerateArray())
        {
            var parameters = function.GetProperty("params").EnumerateArray().Select(p => p.GetString()!);
            var result = function.GetProperty("result");
            expected[("wasi_snapshot_preview1", function.GetProperty("name").GetString()!)] = Describe(parameters, result.ValueKind == JsonValueKind.String ? [result.GetString()!] : []);
        }

        var actual = KnownImports.All.ToDictionary(kv => kv.Key, kv => kv.Value.ToString());

        Assert.Equal(expected.OrderBy(kv => kv.Key).ToList(), actual.OrderBy(kv => kv.Key).ToList());
    }

    [Fact]
    public void GreyErrno_EveryErrorOfTheSpec_SameNumber()
    {
        var expected = Spec.RootElement.GetProperty("errors").EnumerateArray()
            .ToDictionary(e => e.GetProperty("name").GetString()!, e => e.GetProperty("number").GetInt32());

        var actual = typeof(GreyErrno).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => f.Name, f => (int)f.GetValue(null)!);

        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
    }

    private static string Describe(IEnumerable<string> parameters, IEnumerable<string> results) =>
        ImportSignature.Describe(parameters.Select(Kind), results.Select(Kind));

    private static ValueKind Kind(string type) => type switch
    {
        "i32" => ValueKind.Int32,
        "i64" => ValueKind.Int64,
        _ => throw new InvalidOperationException($"unexpected wasm type {type} in the spec"),
    };

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "GreyOS.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("GreyOS.slnx not found");
    }
}
