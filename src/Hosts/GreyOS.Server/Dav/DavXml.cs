using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using GreyOS.Abstractions.Errors;
using GreyOS.Abstractions.FileSystem;
using GreyOS.Server.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace GreyOS.Server.Dav;

/// <summary>
/// XML of WebDAV: request bodies read safely (size-capped, DTDs prohibited, no external entities)
/// and responses (207 Multi-Status, <c>DAV:error</c> bodies) written with the <c>D:</c> prefix.
/// </summary>
internal static class DavXml
{
    public const string Dav = "DAV:";

    /// <summary>The largest XML request body read.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    public static readonly XNamespace D = Dav;

    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersInDocument = MaxBodyBytes,
        MaxCharactersFromEntities = 0,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        Async = true,
    };

    private static readonly XmlWriterSettings WriterSettings = new() { Encoding = new UTF8Encoding(false), Indent = false };

    /// <summary>
    /// The XML body, or null when there is none; an error result (413 too large, 400 not well-formed)
    /// when it cannot be read.
    /// </summary>
    public static async Task<(XDocument? Document, IResult? Error)> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count == 0))
        {
            return (null, null);
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.InvalidRequest, $"a WebDAV XML body may have at most {MaxBodyBytes} bytes"));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.InvalidRequest, $"a WebDAV XML body may have at most {MaxBodyBytes} bytes"));
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return (null, null);
        }

        buffer.Position = 0;
        try
        {
            using var reader = XmlReader.Create(buffer, ReaderSettings);
            return (await XDocument.LoadAsync(reader, LoadOptions.None, cancellationToken).ConfigureAwait(false), null);
        }
        catch (XmlException ex)
        {
            return (null, BadXml($"the XML body is not well-formed: {ex.Message}"));
        }
    }

    /// <summary>A stored element (our own, written by <see cref="Serialize"/>), parsed with the same safe settings.</summary>
    public static XElement? ParseStored(string xml)
    {
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
            return XElement.Load(reader);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    /// <summary>An element as self-contained text (it declares the namespaces it uses).</summary>
    public static string Serialize(XElement element) => new XElement(element).ToString(SaveOptions.DisableFormatting);

    public static IResult BadXml(string detail) => Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.InvalidRequest, detail);

    /// <summary>A response whose body is <c>&lt;D:error&gt;&lt;D:{condition}&gt;…&lt;/D:error&gt;</c> (RFC 4918 §16).</summary>
    public static IResult Error(int status, string condition, string? href = null) => new XmlBodyResult(status, writer =>
    {
        writer.WriteStartElement("D", "error", Dav);
        writer.WriteStartElement("D", condition, Dav);
        if (href is not null)
        {
            writer.WriteElementString("D", "href", Dav, href);
        }

        writer.WriteEndElement();
        writer.WriteEndElement();
    });

    /// <summary>An XML body written by <paramref name="write"/> (synchronously, into a buffer that spills to disk when large).</summary>
    public static IResult Body(int status, Action<XmlWriter> write) => new XmlBodyResult(status, write);

    /// <summary>The href of a path: <c>/dav</c> plus each segment percent-encoded; folders end in <c>/</c>.</summary>
    public static string Href(VfsPath path, bool folder)
    {
        var builder = new StringBuilder(DavEndpoints.Prefix);
        foreach (var segment in path.Segments)
        {
            builder.Append('/').Append(Uri.EscapeDataString(segment));
        }

        if (folder || path.IsRoot)
        {
            builder.Append('/');
        }

        return builder.ToString();
    }

    /// <summary><c>HTTP/1.1 207 Multi-Status</c>-style status line of a propstat.</summary>
    public static string StatusLine(int status) => status switch
    {
        200 => "HTTP/1.1 200 OK",
        403 => "HTTP/1.1 403 Forbidden",
        404 => "HTTP/1.1 404 Not Found",
        409 => "HTTP/1.1 409 Conflict",
        424 => "HTTP/1.1 424 Failed Dependency",
        507 => "HTTP/1.1 507 Insufficient Storage",
        _ => string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} Status"),
    };

    /// <summary>Writes an XML body through a spill-to-disk buffer (XmlWriter is synchronous; Kestrel bodies are not).</summary>
    private sealed class XmlBodyResult(int status, Action<XmlWriter> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            await using var buffer = new FileBufferingWriteStream();
            using (var writer = XmlWriter.Create(buffer, WriterSettings))
            {
                writer.WriteStartDocument();
                write(writer);
                writer.WriteEndDocument();
            }

            httpContext.Response.StatusCode = status;
            httpContext.Response.ContentType = "application/xml; charset=utf-8";
            httpContext.Response.ContentLength = buffer.Length;
            await buffer.DrainBufferAsync(httpContext.Response.Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
