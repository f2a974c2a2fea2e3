using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GreyOS.Benchmarks.Kernel;

/// <summary>This benchmark's median divided by its baseline's median, in the same run (the verdicts use medians).</summary>
public sealed class MedianRatioColumn : IColumn
{
    public static readonly IColumn Instance = new MedianRatioColumn();

    public string Id => "KernelMedianRatio";

    public string ColumnName => "Median ratio";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Median of this benchmark / median of the baseline in the same run";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var median = summary[benchmarkCase]?.ResultStatistics?.Median;
        var baseline = summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase));
        var baselineMedian = baseline is null ? null : summary[baseline]?.ResultStatistics?.Median;
        return median is > 0 && baselineMedian is > 0
            ? (median.Value / baselineMedian.Value).ToString("0.00", CultureInfo.InvariantCulture) + "x"
            : "NA";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}

/// <summary>Operations per second from the median time per operation (events/s, calls/s).</summary>
public sealed class OperationsPerSecondColumn : IColumn
{
    public static readonly IColumn Instance = new OperationsPerSecondColumn();

    public string Id => "KernelOpsPerSecond";

    public string ColumnName => "Ops/s (median)";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Operations (calls, events) per second: 1 s / median time of one operation";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var median = summary[benchmarkCase]?.ResultStatistics?.Median;
        return median is > 0 ? (1e9 / median.Value).ToString("N0", CultureInfo.InvariantCulture) : "NA";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}

/// <summary>
/// A figure the benchmark process measured itself (RSS, latency percentiles) and wrote with
/// <see cref="RecordedValues.Record"/>; BenchmarkDotNet runs each benchmark in its own process, so
/// the values travel through a file per benchmark. Files older than this run are ignored (NA).
/// </summary>
public sealed class RecordedColumn(string key, string name, string legend, Func<IReadOnlyList<double>, double> aggregate) : IColumn
{
    public static readonly Func<IReadOnlyList<double>, double> Max = values => values.Max();

    public static readonly Func<IReadOnlyList<double>, double> Last = values => values[^1];

    public string Id => "KernelRecorded" + key;

    public string ColumnName => name;

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 10;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => legend;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(benchmarkCase);
        var values = RecordedValues.Read(RecordedValues.Name(benchmarkCase.Descriptor.Type, benchmarkCase.Descriptor.WorkloadMethod.Name), key);
        return values.Count == 0 ? "NA" : aggregate(values).ToString("0.###", CultureInfo.InvariantCulture);
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}

/// <summary>The side channel of <see cref="RecordedColumn"/>: <c>key value</c> lines in a temp file per benchmark.</summary>
public static class RecordedValues
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "greyos-bench-kernel-recorded");
    private static readonly HashSet<string> Started = new(StringComparer.Ordinal);

    public static string Name(Type type, string method)
    {
        ArgumentNullException.ThrowIfNull(type);
        return $"{type.Name}.{method}";
    }

    /// <summary>
    /// Appends a value (and prints it, so it is also in BenchmarkDotNet's log). The first value a
    /// process records for a benchmark starts its file afresh: each benchmark runs in its own process.
    /// </summary>
    public static void Record(string benchmark, string key, double value)
    {
        Directory.CreateDirectory(Folder);
        var line = string.Create(CultureInfo.InvariantCulture, $"{key} {value:R}");
        lock (Started)
        {
            if (Started.Add(benchmark))
            {
                File.WriteAllLines(PathOf(benchmark), [line]);
            }
            else
            {
                File.AppendAllLines(PathOf(benchmark), [line]);
            }
        }

        Console.WriteLine($"// recorded {benchmark}: {line}");
    }

    public static IReadOnlyList<double> Read(string benchmark, string key)
    {
        var path = PathOf(benchmark);
        if (!File.Exists(path) || File.GetLastWriteTimeUtc(path) < Process.GetCurrentProcess().StartTime.ToUniversalTime())
        {
            return [];
        }

        return File.ReadAllLines(path)
            .Select(l => l.Split(' ', 2))
            .Where(p => p.Length == 2 && p[0] == key)
            .Select(p => double.Parse(p[1], CultureInfo.InvariantCulture))
            .ToList();
    }

    private static string PathOf(string benchmark) => Path.Combine(Folder, benchmark + ".txt");
}
