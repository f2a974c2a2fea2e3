using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace GreyOS.Benchmarks.Harness;

/// <summary>
/// Throughput columns for benchmarks whose operation is one request (<c>OperationsPerInvoke</c> =
/// requests per invocation): requests per second, and that rate as a percentage of the baseline's.
/// Both use the median time per request, which background load on a shared machine moves less
/// than the mean.
/// </summary>
public sealed class RequestsPerSecondColumn(bool relativeToBaseline) : IColumn
{
    /// <summary>Requests per second (1 s / median time per request).</summary>
    public static readonly IColumn Absolute = new RequestsPerSecondColumn(false);

    /// <summary>Requests per second as a percentage of the baseline's in the same run.</summary>
    public static readonly IColumn VersusBaseline = new RequestsPerSecondColumn(true);

    public string Id => relativeToBaseline ? "RequestsPerSecondVsBaseline" : "RequestsPerSecond";

    public string ColumnName => relativeToBaseline ? "Req/s vs baseline" : "Req/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => relativeToBaseline ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => relativeToBaseline
        ? "Requests per second as a percentage of the baseline's (baseline median / this median)"
        : "Requests per second: 1 s / median time of one request, all concurrent loops together";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        ArgumentNullException.ThrowIfNull(summary);
        ArgumentNullException.ThrowIfNull(style);
        var median = summary[benchmarkCase]?.ResultStatistics?.Median;
        if (median is not > 0)
        {
            return "NA";
        }

        if (!relativeToBaseline)
        {
            return (1e9 / median.Value).ToString("N0", style.CultureInfo);
        }

        var baseline = summary.GetBaseline(summary.GetLogicalGroupKey(benchmarkCase));
        var baselineMedian = baseline is null ? null : summary[baseline]?.ResultStatistics?.Median;
        return baselineMedian is > 0 ? (baselineMedian.Value / median.Value).ToString("P1", style.CultureInfo) : "NA";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;
}
