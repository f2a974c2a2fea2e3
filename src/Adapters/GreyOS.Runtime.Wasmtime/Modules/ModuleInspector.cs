using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.Runtime;
using Wasmtime;

namespace GreyOS.Runtime.Wasmtime.Modules;

/// <summary>What the runtime needs to know about a compiled module: its shape, its imports, and whether a service exports <c>_initialize</c>.</summary>
internal sealed record ModuleShape(AppShape Shape, IReadOnlyList<string> Imports, bool HasInitialize);

/// <summary>
/// Checks a compiled module against ABI <c>grey</c> v1: every import must be a known function with
/// its exact type (all offenders are listed in one message), and the module must export a command
/// entry (<c>_start: () -> ()</c>) or a service entry (<c>grey_on_event: (i32, i32, i64) -> i32</c>).
/// </summary>
internal static class ModuleInspector
{
    public const string StartExport = "_start";
    public const string InitializeExport = "_initialize";
    public const string OnEventExport = "grey_on_event";

    private static readonly ImportSignature NoArgs = new([], []);
    private static readonly ImportSignature OnEvent = new([ValueKind.Int32, ValueKind.Int32, ValueKind.Int64], [ValueKind.Int32]);

    public static Result<ModuleShape> Inspect(Module module)
    {
        var imports = new List<string>(module.Imports.Count);
        var offending = new List<string>();
        foreach (var import in module.Imports)
        {
            var name = $"{import.ModuleName}.{import.Name}";
            imports.Add(name);
            if (import is not FunctionImport function)
            {
                offending.Add($"{name} (a {KindOf(import)}, not a function)");
            }
            else if (!KnownImports.TryGet(import.ModuleName, import.Name, out var expected))
            {
                offending.Add(name);
            }
            else if (!expected.Matches(function.Parameters, function.Results))
            {
                offending.Add($"{name} (type {ImportSignature.Describe(function.Parameters, function.Results)}, expected {expected})");
            }
        }

        if (offending.Count > 0)
        {
            return GreyError.Invalid(
                ErrorCodes.InvalidModule,
                $"the module imports what GreyOS does not provide: {string.Join(", ", offending)}");
        }

        var start = FindFunction(module, StartExport);
        var onEvent = FindFunction(module, OnEventExport);
        var initialize = FindFunction(module, InitializeExport);
        var problems = new List<string>();
        CheckType(start, StartExport, NoArgs, problems);
        CheckType(onEvent, OnEventExport, OnEvent, problems);
        CheckType(initialize, InitializeExport, NoArgs, problems);
        if (problems.Count > 0)
        {
            return GreyError.Invalid(ErrorCodes.InvalidModule, $"the module exports entry points with the wrong type: {string.Join(", ", problems)}");
        }

        if (start is null && onEvent is null)
        {
            return GreyError.Invalid(
                ErrorCodes.InvalidModule,
                $"the module exports neither {StartExport} (a command) nor {OnEventExport} (a service)");
        }

        var shape = start is not null ? AppShape.Command : AppShape.Service;
        return new ModuleShape(shape, imports, shape == AppShape.Service && initialize is not null);
    }

    private static FunctionExport? FindFunction(Module module, string name) =>
        module.Exports.OfType<FunctionExport>().FirstOrDefault(e => e.Name == name);

    private static void CheckType(FunctionExport? export, string name, ImportSignature expected, List<string> problems)
    {
        if (export is not null && !expected.Matches(export.Parameters, export.Results))
        {
            problems.Add($"{name} has type {ImportSignature.Describe(export.Parameters, export.Results)}, expected {expected}");
        }
    }

    private static string KindOf(Import import)
    {
        var kind = import.GetType().Name;
        return (kind.EndsWith("Import", StringComparison.Ordinal) ? kind[..^"Import".Length] : kind).ToLowerInvariant();
    }
}
