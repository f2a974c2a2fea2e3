namespace GreyOS.Server.Dav;

/// <summary>One condition of an <c>If</c> list: a state token (<c>&lt;urn:uuid:…&gt;</c>) or an entity tag (<c>["…"]</c>), maybe negated.</summary>
internal sealed record DavIfCondition(bool Not, string? Token, string? ETag);

/// <summary>A list of conditions (all must hold), for the tagged resource or (when <see cref="Resource"/> is null) the request URL.</summary>
internal sealed record DavIfList(string? Resource, IReadOnlyList<DavIfCondition> Conditions);

/// <summary>
/// The WebDAV <c>If</c> header (RFC 4918 §10.4): untagged lists <c>(&lt;token&gt; ["etag"]) (Not &lt;token&gt;)</c>
/// or tagged ones <c>&lt;http://host/dav/x&gt; (…)</c>. The header holds when any list holds. Bounded: at
/// most <see cref="MaxConditions"/> conditions.
/// </summary>
internal sealed class DavIfHeader
{
    public const int MaxConditions = 64;

    private DavIfHeader(IReadOnlyList<DavIfList> lists) => Lists = lists;

    public IReadOnlyList<DavIfList> Lists { get; }

    /// <summary>The state tokens the request submits (those not under <c>Not</c>).</summary>
    public IEnumerable<string> SubmittedTokens => Lists.SelectMany(l => l.Conditions).Where(c => !c.Not && c.Token is not null).Select(c => c.Token!);

    /// <summary>Parses the header; null with an error message when it is malformed.</summary>
    public static DavIfHeader? Parse(string text, out string? error)
    {
        var lists = new List<DavIfList>();
        string? tag = null;
        var conditions = 0;
        var at = 0;
        error = null;
        while (true)
        {
            SkipSpace(text, ref at);
            if (at >= text.Length)
            {
                break;
            }

            if (text[at] == '<')
            {
                var end = text.IndexOf('>', at + 1);
                if (end < 0)
                {
                    error = "a resource tag '<' is not closed by '>'";
                    return null;
                }

                tag = text[(at + 1)..end];
                at = end + 1;
                continue;
            }

            if (text[at] != '(')
            {
                error = $"expected '(' or '<' at position {at}";
                return null;
            }

            at++;
            var list = new List<DavIfCondition>();
            while (true)
            {
                SkipSpace(text, ref at);
                if (at >= text.Length)
                {
                    error = "a list '(' is not closed by ')'";
                    return null;
                }

                if (text[at] == ')')
                {
                    at++;
                    break;
                }

                var not = false;
                if (string.Compare(text, at, "Not", 0, 3, StringComparison.OrdinalIgnoreCase) == 0)
                {
                    not = true;
                    at += 3;
                    SkipSpace(text, ref at);
                }

                if (at < text.Length && text[at] == '<')
                {
                    var end = text.IndexOf('>', at + 1);
                    if (end < 0)
                    {
                        error = "a state token '<' is not closed by '>'";
                        return null;
                    }

                    list.Add(new DavIfCondition(not, text[(at + 1)..end].Trim(), null));
                    at = end + 1;
                }
                else if (at < text.Length && text[at] == '[')
                {
                    var quote = text.IndexOf('"', at + 1);
                    var close = quote < 0 ? -1 : text.IndexOf('"', quote + 1);
                    var end = close < 0 ? -1 : text.IndexOf(']', close + 1);
                    if (end < 0)
                    {
                        error = "an entity tag '[' is not a quoted tag closed by ']'";
                        return null;
                    }

                    list.Add(new DavIfCondition(not, null, text[(at + 1)..end].Trim()));
                    at = end + 1;
                }
                else
                {
                    error = $"expected a state token '<…>' or an entity tag '[…]' at position {at}";
                    return null;
                }

                if (++conditions > MaxConditions)
                {
                    error = $"at most {MaxConditions} conditions";
                    return null;
                }
            }

            if (list.Count == 0)
            {
                error = "an empty list '()'";
                return null;
            }

            lists.Add(new DavIfList(tag, list));
        }

        if (lists.Count == 0)
        {
            error = "no list";
            return null;
        }

        return new DavIfHeader(lists);
    }

    /// <summary>Entity tags compare by their opaque value (weak comparison: <c>W/</c> is ignored).</summary>
    public static bool SameETag(string? a, string? b) =>
        a is not null && b is not null && string.Equals(StripWeak(a), StripWeak(b), StringComparison.Ordinal);

    private static string StripWeak(string tag) => tag.StartsWith("W/", StringComparison.Ordinal) ? tag[2..] : tag;

    private static void SkipSpace(string text, ref int at)
    {
        while (at < text.Length && text[at] is ' ' or '\t' or '\r' or '\n')
        {
            at++;
        }
    }
}
