using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Server.Http;

namespace GreyOS.Server.Dav;

/// <summary>PROPFIND (live and dead properties, Depth 0 and 1) and PROPPATCH (dead properties, all or nothing).</summary>
internal sealed partial class DavHandler
{
    /// <summary>The most properties named in one PROPFIND or PROPPATCH.</summary>
    public const int MaxPropertiesPerRequest = 256;

    private static readonly XName[] LiveProperties =
    [
        Live("displayname"), Live("getcontentlength"), Live("getcontenttype"), Live("getetag"), Live("getlastmodified"),
        Live("creationdate"), Live("resourcetype"), Live("supportedlock"), Live("lockdiscovery"),
    ];

    private enum PropfindMode
    {
        AllProp,
        PropName,
        Prop,
    }

    private async Task<IResult> PropfindAsync(DavRequest request)
    {
        var depth = request.Http.Headers["Depth"].ToString().Trim();
        if (depth is not ("0" or "1"))
        {
            if (depth is "" or "infinity" or "Infinity")
            {
                return DavXml.Error(StatusCodes.Status403Forbidden, "propfind-finite-depth");
            }

            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, "Depth for PROPFIND is 0 or 1");
        }

        var (document, bad) = await DavXml.ReadAsync(request.Context, request.CancellationToken).ConfigureAwait(false);
        if (bad is not null)
        {
            return bad;
        }

        var mode = PropfindMode.AllProp;
        List<XName> wanted = [];
        if (document is not null)
        {
            if (document.Root?.Name != DavXml.D + "propfind")
            {
                return DavXml.BadXml("a PROPFIND body is <D:propfind xmlns:D=\"DAV:\"> with allprop, propname or prop");
            }

            var first = document.Root.Elements().FirstOrDefault(e => e.Name.Namespace == DavXml.D && e.Name.LocalName is "allprop" or "propname" or "prop");
            switch (first?.Name.LocalName)
            {
                case "propname":
                    mode = PropfindMode.PropName;
                    break;
                case "prop":
                    mode = PropfindMode.Prop;
                    wanted = first.Elements().Select(e => e.Name).Distinct().ToList();
                    break;
                case "allprop":
                    break;
                default:
                    return DavXml.BadXml("a PROPFIND body needs <D:allprop/>, <D:propname/> or <D:prop>");
            }

            if (wanted.Count > MaxPropertiesPerRequest)
            {
                return DavXml.BadXml($"at most {MaxPropertiesPerRequest} properties per request");
            }
        }

        var target = await files.StatAsync(request.Principal, request.Path, request.CancellationToken).ConfigureAwait(false);
        if (!target.IsSuccess)
        {
            return target.Error.ToResult();
        }

        var children = depth == "1" && target.Value.Kind == EntryKind.Folder;
        var entries = new List<FileEntry> { target.Value };
        if (children)
        {
            string? cursor = null;
            do
            {
                var page = await files.ListAsync(request.Principal, request.Path, ListOrder.Name, false, 10_000, cursor, request.CancellationToken).ConfigureAwait(false);
                if (!page.IsSuccess)
                {
                    return page.Error.ToResult();
                }

                entries.AddRange(page.Value.Entries);
                cursor = page.Value.NextCursor;
            }
            while (cursor is not null);
        }

        var dead = await properties.GetAsync(request.Path, children, request.CancellationToken).ConfigureAwait(false);
        var active = await locks.FindAsync(request.Path, children, request.CancellationToken).ConfigureAwait(false);
        return DavXml.Body(StatusCodes.Status207MultiStatus, writer =>
        {
            writer.WriteStartElement("D", "multistatus", DavXml.Dav);
            foreach (var entry in entries)
            {
                var deadHere = dead.TryGetValue(entry.Path, out var list) ? list : [];
                var locksHere = active.Where(l => l.Covers(entry.Path)).ToList();
                WriteResponse(writer, entry, mode, wanted, deadHere, locksHere);
            }

            writer.WriteEndElement();
        });
    }

    private void WriteResponse(XmlWriter writer, FileEntry entry, PropfindMode mode, IReadOnlyList<XName> wanted, IReadOnlyList<DavProperty> dead, IReadOnlyList<DavLock> active)
    {
        writer.WriteStartElement("D", "response", DavXml.Dav);
        writer.WriteElementString("D", "href", DavXml.Dav, DavXml.Href(entry.Path, entry.Kind == EntryKind.Folder));
        var missing = new List<XName>();
        writer.WriteStartElement("D", "propstat", DavXml.Dav);
        writer.WriteStartElement("D", "prop", DavXml.Dav);
        if (mode == PropfindMode.Prop)
        {
            foreach (var name in wanted)
            {
                if (!WriteLive(writer, name, entry, active, valueWanted: true) && !WriteDead(writer, name, dead, valueWanted: true))
                {
                    missing.Add(name);
                }
            }
        }
        else
        {
            foreach (var name in LiveProperties)
            {
                WriteLive(writer, name, entry, active, mode == PropfindMode.AllProp);
            }

            foreach (var property in dead)
            {
                WriteDead(writer, XName.Get(property.Name, property.Namespace), dead, mode == PropfindMode.AllProp);
            }
        }

        writer.WriteEndElement();
        writer.WriteElementString("D", "status", DavXml.Dav, DavXml.StatusLine(StatusCodes.Status200OK));
        writer.WriteEndElement();
        if (missing.Count > 0)
        {
            WritePropstat(writer, missing, StatusCodes.Status404NotFound);
        }

        writer.WriteEndElement();
    }

    private static void WritePropstat(XmlWriter writer, IEnumerable<XName> names, int status)
    {
        writer.WriteStartElement("D", "propstat", DavXml.Dav);
        writer.WriteStartElement("D", "prop", DavXml.Dav);
        foreach (var name in names)
        {
            WriteEmpty(writer, name);
        }

        writer.WriteEndElement();
        writer.WriteElementString("D", "status", DavXml.Dav, DavXml.StatusLine(status));
        writer.WriteEndElement();
    }

    private static void WriteEmpty(XmlWriter writer, XName name)
    {
        if (name.Namespace == DavXml.D)
        {
            writer.WriteStartElement("D", name.LocalName, DavXml.Dav);
        }
        else
        {
            writer.WriteStartElement(name.LocalName, name.NamespaceName);
        }

        writer.WriteEndElement();
    }

    /// <summary>Writes a live property (only its name when <paramref name="valueWanted"/> is false); false when it is not live here.</summary>
    private bool WriteLive(XmlWriter writer, XName name, FileEntry entry, IReadOnlyList<DavLock> active, bool valueWanted)
    {
        if (name.Namespace != DavXml.D)
        {
            return false;
        }

        var file = entry.Kind == EntryKind.File;
        string? text = name.LocalName switch
        {
            "displayname" => entry.Name,
            "getcontentlength" when file => entry.Length.ToString(CultureInfo.InvariantCulture),
            "getcontenttype" when file => entry.MimeType ?? "application/octet-stream",
            "getetag" => entry.ETag,
            "getlastmodified" => entry.ModifiedAt.UtcDateTime.ToString("r", CultureInfo.InvariantCulture),
            "creationdate" => entry.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            "resourcetype" or "supportedlock" or "lockdiscovery" => string.Empty,
            _ => null,
        };
        if (text is null)
        {
            return false;
        }

        if (!valueWanted)
        {
            WriteEmpty(writer, name);
            return true;
        }

        switch (name.LocalName)
        {
            case "resourcetype":
                writer.WriteStartElement("D", "resourcetype", DavXml.Dav);
                if (!file)
                {
                    writer.WriteElementString("D", "collection", DavXml.Dav, null);
                }

                writer.WriteEndElement();
                break;
            case "supportedlock":
                WriteSupportedLock(writer);
                break;
            case "lockdiscovery":
                WriteLockDiscovery(writer, active);
                break;
            default:
                writer.WriteElementString("D", name.LocalName, DavXml.Dav, text);
                break;
        }

        return true;
    }

    private static bool WriteDead(XmlWriter writer, XName name, IReadOnlyList<DavProperty> dead, bool valueWanted)
    {
        var property = dead.FirstOrDefault(p => p.Name == name.LocalName && p.Namespace == name.NamespaceName);
        if (property is null)
        {
            return false;
        }

        if (valueWanted && DavXml.ParseStored(property.Xml) is { } element)
        {
            element.WriteTo(writer);
        }
        else
        {
            WriteEmpty(writer, name);
        }

        return true;
    }

    private async Task<IResult> ProppatchAsync(DavRequest request)
    {
        var (document, bad) = await DavXml.ReadAsync(request.Context, request.CancellationToken).ConfigureAwait(false);
        if (bad is not null)
        {
            return bad;
        }

        if (document?.Root?.Name != DavXml.D + "propertyupdate")
        {
            return DavXml.BadXml("a PROPPATCH body is <D:propertyupdate xmlns:D=\"DAV:\"> with set and remove");
        }

        // Instructions apply in document order: the last one for a name wins.
        var operations = new Dictionary<XName, XElement?>();
        var order = new List<XName>();
        foreach (var instruction in document.Root.Elements())
        {
            var remove = instruction.Name == DavXml.D + "remove";
            if (!remove && instruction.Name != DavXml.D + "set")
            {
                return DavXml.BadXml($"unexpected <{instruction.Name.LocalName}> in propertyupdate: only set and remove");
            }

            foreach (var property in instruction.Elements(DavXml.D + "prop").Elements())
            {
                if (!operations.ContainsKey(property.Name))
                {
                    order.Add(property.Name);
                }

                operations[property.Name] = remove ? null : property;
                if (operations.Count > MaxPropertiesPerRequest)
                {
                    return DavXml.BadXml($"at most {MaxPropertiesPerRequest} properties per request");
                }
            }
        }

        var target = await files.StatAsync(request.Principal, request.Path, request.CancellationToken).ConfigureAwait(false);
        if (!target.IsSuccess)
        {
            return target.Error.ToResult();
        }

        if (await PreconditionsAsync(request, request.Path, target.Value, membership: false, subtree: false).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var href = DavXml.Href(request.Path, target.Value.Kind == EntryKind.Folder);
        var protectedNames = order.Where(n => LiveProperties.Contains(n)).ToList();
        if (protectedNames.Count > 0)
        {
            return PropstatBody(href, [(protectedNames, StatusCodes.Status403Forbidden), (order.Except(protectedNames).ToList(), StatusCodes.Status424FailedDependency)]);
        }

        var toSet = order.Where(n => operations[n] is not null).Select(n => new DavProperty(n.NamespaceName, n.LocalName, DavXml.Serialize(operations[n]!))).ToList();
        var toRemove = order.Where(n => operations[n] is null).Select(n => (n.NamespaceName, n.LocalName)).ToList();
        var patched = await properties.PatchAsync(request.Principal, request.Path, toSet, toRemove, request.CancellationToken).ConfigureAwait(false);
        if (!patched.IsSuccess)
        {
            return patched.Error.Code == ErrorCodes.PropertyLimit
                ? PropstatBody(href, [(order, StatusCodes.Status507InsufficientStorage)])
                : patched.Error.ToResult();
        }

        return PropstatBody(href, [(order, StatusCodes.Status200OK)]);
    }

    private static IResult PropstatBody(string href, IReadOnlyList<(List<XName> Names, int Status)> groups) => DavXml.Body(StatusCodes.Status207MultiStatus, writer =>
    {
        writer.WriteStartElement("D", "multistatus", DavXml.Dav);
        writer.WriteStartElement("D", "response", DavXml.Dav);
        writer.WriteElementString("D", "href", DavXml.Dav, href);
        foreach (var (names, status) in groups)
        {
            if (names.Count > 0)
            {
                WritePropstat(writer, names, status);
            }
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    });
}
