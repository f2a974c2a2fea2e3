using System.Globalization;
using Spectre.Console;

namespace GreyOS.Cli;

/// <summary>
/// Plain tables in the style of <c>greyos ps</c> (no rules, two spaces between columns, cells are
/// text, never markup) and the formats shared by the listing commands.
/// </summary>
internal static class CliTable
{
    /// <summary>A table with these column titles.</summary>
    public static Table Create(params string[] titles)
    {
        var table = new Table().Border(TableBorder.None);
        for (var i = 0; i < titles.Length; i++)
        {
            table.AddColumn(new TableColumn(titles[i]).Padding(0, 0, i == titles.Length - 1 ? 0 : 2, 0));
        }

        return table;
    }

    /// <summary>Adds a row of plain-text cells.</summary>
    public static void AddTextRow(this Table table, params string[] cells) =>
        table.AddRow(cells.Select(cell => new Text(cell)).ToArray());

    /// <summary><c>2025-01-02 03:04:05Z</c>.</summary>
    public static string Time(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary><see cref="Time(DateTimeOffset)"/>, or <c>-</c>.</summary>
    public static string Time(DateTimeOffset? time) => time is { } value ? Time(value) : "-";

    /// <summary>Comma-separated, or <c>-</c> when empty.</summary>
    public static string List(IEnumerable<string>? items) =>
        items?.ToList() is { Count: > 0 } list ? string.Join(", ", list) : "-";

    /// <summary>A storage quota: <c>default</c> for 0, else <c>1.5 GiB</c> or <c>512 B</c>.</summary>
    public static string Quota(long bytes)
    {
        if (bytes <= 0)
        {
            return "default";
        }

        string[] units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return unit == 0
            ? $"{bytes.ToString(CultureInfo.InvariantCulture)} B"
            : $"{value.ToString(value >= 100 || value == Math.Floor(value) ? "0" : "0.#", CultureInfo.InvariantCulture)} {units[unit]}";
    }
}
